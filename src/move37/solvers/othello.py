"""Exact Othello endgame solver: the final disc difference under perfect play.

`OthelloEndgameSolver(game).solve(state)` returns the exact score for the player to
move (final disc difference, empty squares counted for the winner, as in the FFO
endgame suite) and every optimal action. The search itself is the Numba kernel in
`_othello_kernels`; this module maps game states onto its bitboards and guards its
limits: a position with more than `max_empties` empty squares raises
SolverLimitError instead of running for hours (each empty square multiplies the
work by about three).
"""

from __future__ import annotations

import numpy as np

from move37.errors import SolverLimitError
from move37.games._othello_kernels import board_mask, to_bitboard
from move37.games.othello import Othello, OthelloState
from move37.solvers import SolveResult, good_by_children, sign
from move37.solvers import _othello_kernels as K

_MAX_PLY = 2 * 64 + 2  # plies below the root: one per empty square, plus passes
_MAX_MOVES = 64


class OthelloEndgameSolver:
    """Exact solver for Othello positions (8x8 or 6x6) with at most `max_empties` empties.

    tt_bits: log2 of the transposition-table size (each entry takes 20 bytes). The
    table is cleared before every position so node counts are reproducible.
    """

    def __init__(self, game: Othello, max_empties: int = 24, tt_bits: int = 20):
        if not isinstance(game, Othello):
            raise TypeError(f"OthelloEndgameSolver needs an Othello game, not {game!r}")
        if not 0 <= max_empties <= game.size**2:
            raise ValueError(f"max_empties must be in 0..{game.size**2}, not {max_empties}")
        self.game = game
        self.max_empties = max_empties
        n = game.size
        self._board = board_mask(n)
        self._action_of_bit = {r * 8 + c: r * n + c for r in range(n) for c in range(n)}
        size = 1 << tt_bits
        # mover, opponent, lower bound, upper bound, best square, empties of each entry
        self._tt = (np.zeros(size, np.uint64), np.zeros(size, np.uint64), np.zeros(size, np.int8),
                    np.zeros(size, np.int8), np.zeros(size, np.int8), np.zeros(size, np.int8))
        self._bufs = (np.zeros((_MAX_PLY, _MAX_MOVES), np.int64), np.zeros((_MAX_PLY, _MAX_MOVES), np.int64))

    def _prepare(self, state: OthelloState) -> tuple[np.uint64, np.uint64, np.ndarray]:
        if state.game.size != self.game.size:
            raise SolverLimitError(f"this solver is for {self.game.size}x{self.game.size} Othello, "
                                   f"not {state.game.size}x{state.game.size}")
        if state.empties() > self.max_empties:
            raise SolverLimitError(f"position has {state.empties()} empty squares; this solver stops at "
                                   f"max_empties={self.max_empties}")
        self._tt[0][:] = 0  # an entry counts only if its mover bitboard matches: this empties the table
        self._tt[5][:] = 0  # and every slot is free to take a new entry
        me, opp = state.mover_discs
        n = self.game.size
        return np.uint64(to_bitboard(me, n)), np.uint64(to_bitboard(opp, n)), np.zeros(1, np.int64)

    def score(self, state: OthelloState) -> int:
        """Exact final disc difference for the player to move (of the final position if terminal)."""
        P, O, nodes = self._prepare(state)
        return int(K.score_position(P, O, self._board, *self._tt, *self._bufs, nodes))

    def solve(self, state: OthelloState, all_best: bool = True) -> SolveResult:
        """The exact score and the optimal actions (every one unless all_best is False).

        A forced pass has the pass as its only optimal action; a finished game has
        its final score and no actions.
        """
        P, O, nodes = self._prepare(state)
        if state.is_terminal():  # the final score, and no move to make
            score = int(K.final_score(P, O, state.empties()))
            return SolveResult(score, sign(score), (), 0)
        if state.moves_bitboard == 0:  # a forced pass: the only action
            score = -int(K.score_position(O, P, self._board, *self._tt, *self._bufs, nodes))
            return SolveResult(score, sign(score), (self.game.pass_action,), int(nodes[0]))
        out = np.zeros(_MAX_MOVES, np.int64)
        score, count = K.solve_root(P, O, self._board, all_best, *self._tt, *self._bufs, nodes, out)
        best = tuple(sorted(self._action_of_bit[int(sq)] for sq in out[:count]))
        return SolveResult(int(score), sign(int(score)), best, int(nodes[0]))

    good_actions = good_by_children
