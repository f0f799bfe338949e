"""Exact solvers: the ground truth that search and learned agents are scored against.

A solver answers, for a live position, its exact score for the player to move and
every optimal action. Each game with a solver has one registry line here,
"module:factory"; the factory takes the game (`factory(game)`) and returns an object
with the `Solver` methods, imported lazily so a solver's compile cost is paid only
when it is used.

Scores are game-specific (Connect Four: Pascal Pons's convention, positive = the
mover wins with that many moves to spare; Othello: final disc difference;
tic-tac-toe: +1/0/-1); `value` is always the sign of the score.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from move37.errors import UnknownNameError
from move37.games.base import Game, State
from move37.registry import Registry

SOLVERS = Registry("solver", {
    "tictactoe": "move37.solvers.negamax:NegamaxSolver",
    "connect4": "move37.solvers.connect4:Connect4Solver",
    "othello": "move37.solvers.othello:OthelloEndgameSolver",
})


@dataclass(frozen=True)
class SolveResult:
    """The exact solution of one position.

    score: the game's exact score for the player to move.
    value: +1 win, 0 draw, -1 loss for the player to move (the sign of score).
    best_actions: every optimal action, sorted ascending.
    nodes: positions searched to find them.
    """

    score: int
    value: int
    best_actions: tuple[int, ...]
    nodes: int


class Solver(Protocol):
    """What every exact solver offers. Both raise SolverLimitError beyond the solver's limits."""

    def solve(self, state: State) -> SolveResult:
        """The score of a live state and all its optimal actions."""

    def score(self, state: State) -> int:
        """The score alone (cheaper: no per-move verification)."""

    def good_actions(self, state: State, score: int | None = None) -> tuple[int, ...]:
        """Every move that keeps the result (win, draw or loss), however slowly it wins: the "good
        moves" beside `solve`'s optimal ones; `score`: the position's, when the caller has it."""


def names() -> list[str]:
    """Games that have an exact solver, sorted."""
    return SOLVERS.names()


def for_game(game: Game) -> Solver:
    """The exact solver of `game`; UnknownNameError when the game has none."""
    name = game.info.name
    if name not in SOLVERS:
        raise UnknownNameError(f"no exact solver for {name!r} (games with one: {', '.join(names())})")
    return SOLVERS.load(name)(game)


def sign(score: int) -> int:
    """+1, 0 or -1: the value of a score for the player to move."""
    return (score > 0) - (score < 0)


def good_by_children(solver: Solver, state: State, score: int | None = None) -> tuple[int, ...]:
    """`Solver.good_actions` by scoring every child: for solvers with no cheaper test (a finished game: none)."""
    if state.is_terminal():
        return ()
    if score is None:
        score = solver.score(state)
    return tuple(int(a) for a in state.legal_actions() if sign(-solver.score(state.play(int(a)))) == sign(score))


__all__ = ["SolveResult", "Solver", "for_game", "good_by_children", "names", "sign"]
