"""Evaluation positions shipped with move37, labelled by its own exact solvers (README.md beside this file).

They let training's evaluation and the tests run on a machine with nothing beside the
package; `python -m move37.experiments.eval_data` makes them again from a seed. The public
sets made by others (`public_data()`) serve only to cross-check these and the solvers.
"""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np

DATA = Path(__file__).resolve().parent
CONNECT4 = DATA / "connect4.txt"
OTHELLO = DATA / "othello_endgames.obf"


def public_data() -> Path | None:
    """The public ground-truth folder (Pons's Connect Four sets, the FFO Othello endgames, chess perft):
    $MOVE37_SHARED_DATA when set, else ../shared/data beside the checkout; None when it is not there."""
    env = os.environ.get("MOVE37_SHARED_DATA")
    path = Path(env) if env else DATA.parents[3] / "shared" / "data"  # the checkout is DATA.parents[2]
    return path if path.is_dir() else None


def connect4_labels() -> list[dict]:
    """Every shipped Connect Four position, in file order (by ply):
    [{"moves": move text, "score": exact score (Pons's convention), "best": optimal actions,
    "good": actions that keep the win, draw or loss}], actions 0-based columns, ascending."""
    out = []
    for line in CONNECT4.read_text().splitlines():
        moves, score, best, good = line.split()
        out.append({"moves": moves, "score": int(score), "best": [int(c) - 1 for c in best],
                    "good": [int(c) - 1 for c in good]})
    return out


def connect4_sample(count: int, seed: int) -> list[dict]:
    """`count` of the shipped Connect Four positions (`connect4_labels`), drawn with `seed` and kept in
    file order; all of them when `count` is larger. Training's evaluation takes 300 with seed 37."""
    labels = connect4_labels()
    take = np.random.default_rng(seed).choice(len(labels), min(count, len(labels)), replace=False)
    return [labels[i] for i in sorted(take)]


def othello_endgames() -> list[tuple[str, dict[str, int]]]:
    """Every shipped 8x8 Othello endgame: (the OBF line, {move: exact final disc difference for the
    mover}), the moves as upper-case squares, best first. The line is a valid position text
    (games/othello.py reads the board and side to move and ignores the scores)."""
    return [(line, obf_scores(line)) for line in OTHELLO.read_text().splitlines()]


def obf_scores(line: str) -> dict[str, int]:
    """{move: score} of an OBF line (`BOARD SIDE; G8:+18; H1:+12;`), in the line's order (best first)."""
    _, *moves = line.strip().rstrip(";").split(";")
    return {move.split(":")[0].strip().upper(): int(move.split(":")[1]) for move in moves}


__all__ = ["CONNECT4", "DATA", "OTHELLO", "connect4_labels", "connect4_sample", "obf_scores", "othello_endgames",
           "public_data"]
