"""Balanced openings: short move sequences that give games variety without deciding them.

Deterministic agents (alpha-beta, solver) would replay the same game again and
again from the initial position, so the arena starts games from a set of
openings, each played with both colours. Where the game has an exact solver
(`move37.solvers.for_game`), only openings it scores within `band` of a draw
are kept (Connect Four's solver score counts moves to spare, so a band of 2
keeps draws and wins on the last few moves). Without a solver, or when a position is beyond
the solver's limits, openings are taken unfiltered and the fallback is said in
the returned `Openings.filtered` flag.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from move37.errors import SolverLimitError, UnknownNameError
from move37.games.base import Game, State

_BAND = {"connect4": 2}


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


def balanced_openings(game: Game, plies: int = 2, band: int | None = None, count: int | None = None, seed: int = 0,
                      use_solver: bool = True) -> Openings:
    """Openings of exactly `plies` moves, solver-vetted when possible.

    band: largest |solver score| kept, in the game's score units (default: 2 for
        Connect Four, 0 otherwise, i.e. only drawn openings).
    count: keep at most this many, sampled without replacement by `seed` (all when None).
    Enumerates every sequence, so keep `plies` small for games with many moves
    (Connect Four 2 plies = 49 positions; Othello 4 plies = 244).
    """
    if band is None:
        band = _BAND.get(game.info.name, 0)
    candidates = _all_sequences(game, plies)
    solver = _solver(game) if use_solver else None
    scores: list[int | None] = [None] * len(candidates)
    filtered = solver is not None
    if solver is not None:
        try:
            scores = [int(solver.score(state)) for _, state in candidates]
        except SolverLimitError:
            filtered, scores = False, [None] * len(candidates)
    keep = [i for i, s in enumerate(scores) if s is None or abs(s) <= band]
    if not keep:  # nothing balanced enough: take the closest to balance
        closest = min(abs(s) for s in scores if s is not None)
        keep = [i for i, s in enumerate(scores) if s is not None and abs(s) == closest]
    if count is not None and count < len(keep):
        keep = sorted(np.random.default_rng(seed).choice(keep, size=count, replace=False).tolist())
    return Openings(tuple(candidates[i][0] for i in keep), filtered, tuple(scores[i] for i in keep))

