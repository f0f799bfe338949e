"""Balanced openings: short move sequences that give games variety without deciding them.

Deterministic agents (alpha-beta, solver) would replay the same game again and
again from the initial position, so the arena starts games from a set of
openings, each played with both colours. Where the game has an exact solver
(`move37.solvers.for_game`), only openings it scores within `band` of a draw
are kept (Connect Four's solver score counts moves to spare, so a band of 2
keeps draws and wins on the last few moves; when none is that close, the
closest are kept). Without a solver, or when a position is beyond the solver's
limits, openings are taken unvetted and `Openings.filtered` says so.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from move37.errors import SolverLimitError, UnknownNameError
from move37.games.base import Game, State

_BAND = {"connect4": 2}
# Connect Four openings are 8 plies: the solver needs minutes for a 2-ply position
# but about a second from 8 plies on, both to vet the opening and to play from it.
_PLIES = {"connect4": 8}


def default_plies(game: Game) -> int:
    """The opening length the arena uses for `game` unless told otherwise."""
    return _PLIES.get(game.info.name, 2)


@dataclass(frozen=True)
class Openings:
    """moves: opening move texts; filtered: whether a solver vetted them; scores: solver scores or None."""

    moves: tuple[str, ...]
    filtered: bool
    scores: tuple[int | None, ...]


def _all_sequences(game: Game, plies: int) -> list[tuple[str, State]]:
    """Every live position `plies` moves from the start, with its move text, in action order."""
    frontier = [((), game.initial_state())]
    for _ in range(plies):
        nxt = []
        for moves, state in frontier:
            for a in state.legal_actions().tolist():
                child = state.play(a)
                if not child.is_terminal():
                    nxt.append((moves + (game.action_to_text(state, a),), child))
        frontier = nxt
    return [(game.join_moves(list(m)), s) for m, s in frontier]


def _solver(game: Game):
    try:
        from move37.solvers import for_game

        return for_game(game)
    except (UnknownNameError, ModuleNotFoundError):  # no solver for this game (yet)
        return None


def _random_sequences(game: Game, plies: int, tries: int, seed: int):
    """Distinct random live positions `plies` moves from the start, with their move text."""
    rng = np.random.default_rng(seed)
    seen: set[str] = set()
    for _ in range(tries):
        state, moves = game.initial_state(), []
        for _ply in range(plies):
            action = int(rng.choice(state.legal_actions()))
            moves.append(game.action_to_text(state, action))
            state = state.play(action)
            if state.is_terminal():
                break
        text = game.join_moves(moves)
        if not state.is_terminal() and text not in seen:
            seen.add(text)
            yield text, state


def balanced_openings(game: Game, plies: int | None = None, band: int | None = None, count: int | None = None,
                      seed: int = 0, use_solver: bool = True) -> Openings:
    """Openings of exactly `plies` moves (default_plies by default), solver-vetted when possible.

    count None: every sequence of `plies` moves, in action order (keep `plies` small:
        Connect Four 2 plies = 49 positions, Othello 4 plies = 244).
    count N: up to N distinct random sequences drawn by `seed` that pass the vetting
        (at most 50 N are tried), for openings too many to enumerate.
    band: largest |solver score| kept, in the game's score units (default: 2 for
        Connect Four, 0 otherwise, i.e. only drawn openings).
    """
    if plies is None:
        plies = default_plies(game)
    if band is None:
        band = _BAND.get(game.info.name, 0)
    if count is None:
        candidates = iter(_all_sequences(game, plies))
    else:
        candidates = _random_sequences(game, plies, 50 * count, seed)
    solver = _solver(game) if use_solver else None
    kept: list[tuple[str, int | None]] = []
    rejected: list[tuple[int, str, int]] = []  # (|score|, text, score) outside the band
    for text, state in candidates:
        score = None
        if solver is not None:
            try:
                score = int(solver.score(state))
            except SolverLimitError:  # beyond the solver: take openings unvetted from here on
                solver = None
                kept = [(t, None) for t, _ in kept]
        if score is not None and abs(score) > band:
            rejected.append((abs(score), text, score))
            continue
        kept.append((text, score))
        if count is not None and len(kept) == count:
            break
    if not kept and rejected:  # nothing within the band: the nearest to balance
        nearest = min(r[0] for r in rejected)
        kept = [(t, s) for c, t, s in rejected if c == nearest]
    return Openings(tuple(t for t, _ in kept), solver is not None, tuple(s for _, s in kept))
