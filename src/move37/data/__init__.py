"""Evaluation positions shipped with move37, labelled by its own exact solvers (README.md beside this file).

They let training's evaluation and the tests run on a machine with nothing beside the
package; `python -m move37.experiments.eval_data` makes them again from a seed. The public
sets made by others (`public_data()`) serve only to cross-check these and the solvers.
"""

from __future__ import annotations

import os
from pathlib import Path

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


def othello_endgames() -> list[tuple[str, dict[str, int]]]:
    """Every shipped 8x8 Othello endgame: (the OBF line, {move: exact final disc difference for the
    mover}), the moves as upper-case squares, best first. The line is a valid position text
    (games/othello.py reads the board and side to move and ignores the scores)."""
    out = []
    for line in OTHELLO.read_text().splitlines():
        _, *moves = line.rstrip(";").split(";")
        scores = {move.split(":")[0].strip(): int(move.split(":")[1]) for move in moves}
        out.append((line, scores))
    return out


__all__ = ["CONNECT4", "DATA", "OTHELLO", "connect4_labels", "othello_endgames", "public_data"]
