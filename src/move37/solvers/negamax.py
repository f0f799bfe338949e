"""A generic exact solver for small games: memoised negamax over the game API.

It needs nothing but `State` (legal actions, play, returns, key), so any game
small enough to enumerate gets ground truth for free: tic-tac-toe has 5,478
reachable positions. Scores are +1 (the mover wins), 0 (draw), -1 (the mover
loses) under perfect play. The table is kept between calls; once it would hold
more than `max_positions` states the solver raises SolverLimitError instead of
exhausting memory on a game too large for it.
"""

from __future__ import annotations

from move37.errors import SolverLimitError
from move37.games.base import Game, State
from move37.solvers import SolveResult, good_by_children


class NegamaxSolver:
    """Exact win/draw/loss solver with a table of every position it has met."""

    def __init__(self, game: Game | None = None, max_positions: int = 2_000_000):
        self._max_positions = max_positions
        self._table: dict[int, int] = {}
        self._nodes = 0

    def _terminal_score(self, state: State) -> int:
        r = float(state.returns()[state.current_player])
        return (r > 0) - (r < 0)

    def _value(self, state: State) -> int:
        self._nodes += 1
        key = state.key()
        value = self._table.get(key)
        if value is not None:
            return value
        if state.is_terminal():
            value = self._terminal_score(state)
        else:
            value = -1
            for a in state.legal_actions():
                value = max(value, -self._value(state.play(int(a))))
                if value == 1:  # nothing beats a win
                    break
        if len(self._table) >= self._max_positions:
            raise SolverLimitError(f"position needs more than {self._max_positions} memoised states")
        self._table[key] = value
        return value

    def score(self, state: State) -> int:
        """+1, 0 or -1 for the player to move."""
        return self._value(state)

    def solve(self, state: State) -> SolveResult:
        """The value and every action that keeps it."""
        start = self._nodes
        if state.is_terminal():
            score = self._terminal_score(state)
            return SolveResult(score, score, (), 0)
        children = {int(a): -self._value(state.play(int(a))) for a in state.legal_actions()}
        score = max(children.values())
        best = tuple(a for a, v in children.items() if v == score)
        return SolveResult(score, score, best, self._nodes - start)

    good_actions = good_by_children  # a win, draw or loss is the whole score here
