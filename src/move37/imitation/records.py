"""Game records in the standard formats, read as the positions a player faced and the moves it chose.

Three formats, chosen by the file's suffix, so a user with KGS or lichess downloads runs the same
command as the records made here:
- `.sgf`: Go (SGF FF[4], move37.games.sgf); a file holds one game; RE gives the result
  ("B+R", "W+3.5", "0"/"Draw"), or the final position's score when the game was played out;
- `.pgn`: chess (python-chess through move37.games.chess); a file holds any number of games;
  the Result header gives the result ("*" = unknown);
- `.jsonl`: move37's own game records for every game (move37.arena.records). The plies of a
  record's `opening` (random moves that varied the games) are not demonstrations and are skipped.

A bad file or game is a NotationError/RunFolderError naming the file (and game), never a traceback.
"""

from __future__ import annotations

import io
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from move37 import games
from move37.arena.records import read_records
from move37.errors import Move37Error, NotationError
from move37.games.base import Game, State

SUFFIXES = (".sgf", ".pgn", ".jsonl")


@dataclass(frozen=True)
class Demonstration:
    """One recorded game: `states[i]` is the position before move i and `actions[i]` the move its mover
    chose; `returns` the final returns per player (shape (num_players,)), None when the record gives none.
    `source` names the file (and the game's number within it)."""

    states: tuple[State, ...]
    actions: tuple[int, ...]
    returns: tuple[float, ...] | None
    source: str


def read_demonstrations(game: Game, paths: Iterable[str | Path]) -> list[Demonstration]:
    """Every game in `paths` (in order), each checked to be a game of `game` (same rules and board)."""
    out: list[Demonstration] = []
    for path in map(Path, paths):
        suffix = path.suffix.lower()
        if suffix not in SUFFIXES:
            raise NotationError(f"{path}: unknown record format {suffix or '(no suffix)'!r} "
                                f"(known: {', '.join(SUFFIXES)})")
        reader = {".sgf": _from_sgf, ".pgn": _from_pgn, ".jsonl": _from_jsonl}[suffix]
        out += reader(game, path)
    return out


def _replay(game: Game, start: State, actions: Sequence[int], returns, source: str,
            skip: int = 0) -> Demonstration:
    states, state = [], start
    for action in actions:
        states.append(state)
        state = state.play(action)
    return Demonstration(tuple(states[skip:]), tuple(int(a) for a in actions[skip:]),
                         None if returns is None else tuple(float(r) for r in returns), source)


def _from_jsonl(game: Game, path: Path) -> list[Demonstration]:
    out = []
    for i, record in enumerate(read_records(path)):
        where = f"{path}: game {i + 1}"
        try:
            recorded = games.make(record.game)
        except Move37Error as e:
            raise NotationError(f"{where}: {e}") from None
        if recorded.info != game.info:
            raise NotationError(f"{where} is a {record.game} game, not {game.info.name}")
        try:
            state = game.initial_state()
            actions = []
            for text in game.split_moves(record.moves):
                action = game.text_to_action(state, text)
                actions.append(action)
                state = state.play(action)
            skip = len(game.split_moves(record.opening)) if record.opening else 0
        except Move37Error as e:
            raise NotationError(f"{where}: {e}") from None
        returns = record.result if len(record.result) == game.info.num_players else None
        out.append(_replay(game, game.initial_state(), actions, returns, where, skip))
    return out


def _go_result(text: str | None, state) -> tuple[float, float] | None:
    """Returns per player from SGF RE ("B+R", "W+2.5", "0", "Draw", "Void", "?"), or the score of a
    finished game when RE is absent."""
    text = (text or "").strip().upper()
    if text[:2] in ("B+", "W+"):
        return (1.0, -1.0) if text[0] == "B" else (-1.0, 1.0)
    if text in ("0", "DRAW", "JIGO"):
        return (0.0, 0.0)
    if not text and state.is_terminal():
        return tuple(float(r) for r in state.returns())
    return None


def _from_sgf(game: Game, path: Path) -> list[Demonstration]:
    from move37.games.sgf import parse_sgf, state_from_sgf

    if game.info.name != "go":
        raise NotationError(f"{path}: SGF records are Go games, not {game.info.name}")
    text = path.read_text(encoding="utf-8", errors="replace")
    try:
        final = state_from_sgf(text, game)
        result = _go_result(parse_sgf(text).get("RE"), final)
    except Move37Error as e:
        raise NotationError(f"{path}: {e}") from None
    return [_replay(game, final.start, [a for _, a in final.moves()], result, str(path))]


_PGN_RESULTS = {"1-0": (1.0, -1.0), "0-1": (-1.0, 1.0), "1/2-1/2": (0.0, 0.0)}


def _from_pgn(game: Game, path: Path) -> list[Demonstration]:
    import chess.pgn

    from move37.games.chess import move_to_action, state_from_pgn

    if game.info.name != "chess":
        raise NotationError(f"{path}: PGN records are chess games, not {game.info.name}")
    handle = io.StringIO(path.read_text(encoding="utf-8", errors="replace"))
    out = []
    while (parsed := chess.pgn.read_game(handle)) is not None:
        where = f"{path}: game {len(out) + 1}"
        try:
            final = state_from_pgn(str(parsed))
        except Move37Error as e:
            raise NotationError(f"{where}: {e}") from None
        start = game.state_from_fen(final.start_fen)
        actions, state = [], start
        for move in final.moves():
            action = move_to_action(move, state.board.turn)
            actions.append(action)
            state = state.play(action)
        out.append(_replay(game, start, actions, _PGN_RESULTS.get(parsed.headers.get("Result", "*")), where))
    if not out:
        raise NotationError(f"{path}: no PGN game found")
    return out


def split_games(demos: Sequence[Demonstration], holdout: float, seed: int) -> tuple[list[int], list[int]]:
    """Indices of training and held-out games: whole games are held out, so no position of a held-out game
    (nor its near-copies later in the same game) is trained on. At least one game each when there are two."""
    order = np.random.default_rng(seed).permutation(len(demos))
    held = int(round(holdout * len(demos)))
    if len(demos) >= 2:
        held = min(max(held, 1), len(demos) - 1)
    return sorted(order[held:].tolist()), sorted(order[:held].tolist())
