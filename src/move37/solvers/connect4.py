"""The exact Connect Four solver: score and every optimal move of any position.

Scores follow Pascal Pons's benchmark (../shared/data/README.md): positive when
the player to move wins, 22 - k for a win with the mover's k-th stone, minus that
for a loss, 0 for a draw; a move that wins at once in a position of n stones
scores (43 - n) // 2. The search itself is in `_connect4_search` (Numba).

The transposition table lives as long as the solver, so solving the children of
a position after the position itself (as `solve` does to find every optimal move)
reuses most of the work; `reset()` empties it.
"""

from __future__ import annotations

import numpy as np

from move37.games.base import Game, State
from move37.games.connect4 import ConnectFourState
from move37.solvers import SolveResult, sign
from move37.solvers import _connect4_search as k

CELLS = k.CELLS


def terminal_score(state: ConnectFourState) -> int:
    """The score of a finished game for the player to move: 0, or the loss to the stone just played."""
    return -((CELLS + 2 - state.moves) // 2) if state.won else 0


def plies_to_end(score: int, moves: int) -> int:
    """How many more plies a game takes under perfect play from a position with `moves` stones and exact
    `score`: the winner wins as fast as it can and the loser holds out as long as it can; a draw fills
    the board. With it, a score becomes the discounted value discount ** plies_to_end that a network
    trained on discounted outcomes (`learn.discount`) should predict."""
    if score > 0:  # the mover wins with its (22 - score)-th stone and has moves // 2 already
        return 2 * (22 - score - moves // 2) - 1
    if score < 0:  # the opponent wins with its (22 + score)-th stone and has (moves + 1) // 2 already
        return 2 * (22 + score - (moves + 1) // 2)
    return CELLS - moves


class Connect4Solver:
    """Exact solver for 6x7 Connect Four states (move37.games.connect4)."""

    def __init__(self, game: Game | None = None):
        # The table: 32-bit partial keys and bounds, TABLE_SIZE (a prime) entries, about 168 MB.
        self._tt_keys = np.zeros(k.TABLE_SIZE, dtype=np.uint32)
        self._tt_vals = np.zeros(k.TABLE_SIZE, dtype=np.int8)
        self._order_moves = np.zeros((CELLS + 1, k.WIDTH), dtype=np.int64)
        self._order_scores = np.zeros((CELLS + 1, k.WIDTH), dtype=np.int64)
        self._nodes = np.zeros(1, dtype=np.int64)

    def reset(self) -> None:
        """Forget every stored bound (for timings that start cold)."""
        self._tt_vals[:] = 0

    def _args(self):
        return self._tt_keys, self._tt_vals, self._order_moves, self._order_scores, self._nodes

    def _solve_bits(self, position: int, mask: int, moves: int) -> int:
        return int(k.solve(position, mask, moves, *self._args()))

    def score(self, state: State) -> int:
        """The exact score of `state` for the player to move (terminal states included)."""
        s = _check(state)
        if s.is_terminal():
            return terminal_score(s)
        return self._solve_bits(s.position, s.mask, s.moves)

    def solve(self, state: State) -> SolveResult:
        """The score and all optimal actions: one full solve, then one null-window test per other move."""
        s = _check(state)
        start = int(self._nodes[0])
        if s.is_terminal():
            score = terminal_score(s)
            return SolveResult(score, sign(score), (), 0)
        score = self._solve_bits(s.position, s.mask, s.moves)
        possible = (s.mask + k.BOTTOM) & k.BOARD
        win_now = k.winning_cells(s.position, s.mask) & possible
        best = []
        for col in range(k.WIDTH):
            move = possible & int(k.COLUMN_MASK[col])
            if not move:
                continue
            if win_now:  # an immediate win is optimal, and only immediate wins are
                if win_now & move:
                    best.append(col)
            elif k.child_reaches(s.position, s.mask, s.moves, move, score, *self._args()):
                best.append(col)
        return SolveResult(score, sign(score), tuple(best), int(self._nodes[0]) - start)

    def good_actions(self, state: State, score: int | None = None) -> tuple[int, ...]:
        """Every move that keeps the game-theoretic result (win, draw or loss), however slowly it wins:
        the "good moves" beside `solve`'s optimal (exact-score) ones. Null-window tests only, given
        the position's `score` when the caller has solved it already."""
        s = _check(state)
        if s.is_terminal():
            return ()
        if score is None:
            score = self.score(s)
        if score < 0:
            return tuple(int(a) for a in np.flatnonzero(s.legal_mask()))  # every move loses
        possible = (s.mask + k.BOTTOM) & k.BOARD
        win_now = k.winning_cells(s.position, s.mask) & possible
        good = []
        for col in range(k.WIDTH):
            move = possible & int(k.COLUMN_MASK[col])
            if move and (win_now & move or k.child_reaches(s.position, s.mask, s.moves, move, 1 if score > 0 else 0,
                                                             *self._args())):
                good.append(col)
        return tuple(good)

    def move_scores(self, state: State) -> np.ndarray:
        """int64 (7,): the exact score of every legal move (a full solve of each child); illegal ones are
        the sentinel -100. Slower than `solve`, which only verifies optimality."""
        s = _check(state)
        out = np.full(k.WIDTH, -100, dtype=np.int64)
        for col in np.flatnonzero(s.legal_mask()):
            out[col] = -self.score(s.play(int(col)))
        return out


def _check(state: State) -> ConnectFourState:
    if not isinstance(state, ConnectFourState):
        raise TypeError(f"the Connect Four solver needs a Connect Four state, got {type(state).__name__}")
    return state
