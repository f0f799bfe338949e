"""Othello (6x6 and 8x8) tree-node states for batched search, stepped and encoded in Numba.

Why: with one `OthelloState` per node, search spends most of a simulation in Python
(move generation on Python integers, NumPy arrays built per node); zero's time-limited
play and self-play both pay for it. This store keeps (B, M) arrays of bitboards on the
8x8 layout of move37.games._othello_kernels and steps them with its compiled rules (those
the exact solver runs): a player without moves passes when the opponent has one, else the
game is over; the result is the sign of the disc difference. Actions and observations stay
those of `move37.games.othello` (square row * n + col). Tests check the store against the
object game move by move.
"""

from __future__ import annotations

import numpy as np
from numba import njit

from move37.games._bits import popcount
from move37.games._othello_kernels import ONE, U, board_mask, flips, from_bitboard, get_moves, to_bitboard
from move37.games.leaves import Leaves
from move37.games.othello import OthelloState


@njit(cache=True)
def describe(black, white, player, games, nodes, n, board):
    """The search's view of K tree nodes, read from the (B, M) arrays (8x8 layout, `board` the
    n x n board's squares).

    games, nodes: int64 (K,). Returns obs float32 (K, 2, n, n) (plane 0 the mover's discs;
    zeros where terminal), legal bool (K, n * n + 1) (the last action: pass), player int8 (K,),
    terminal bool (K,), final_value float32 (K,) player 0's (black's) return where terminal.
    """
    K, n2 = games.shape[0], n * n
    obs = np.zeros((K, 2, n, n), np.float32)
    legal = np.zeros((K, n2 + 1), np.bool_)
    mover = np.zeros(K, np.int8)
    terminal = np.zeros(K, np.bool_)
    final_value = np.zeros(K, np.float32)
    for k in range(K):
        b, node = games[k], nodes[k]
        p = player[b, node]
        mover[k] = p
        me, opp = (black[b, node], white[b, node]) if p == 0 else (white[b, node], black[b, node])
        empty = board & ~(me | opp)
        mine = get_moves(me, opp, empty)
        if mine == 0:
            if get_moves(opp, me, empty) == 0:
                terminal[k] = True
                diff = popcount(black[b, node]) - popcount(white[b, node])
                final_value[k] = 1.0 if diff > 0 else (-1.0 if diff < 0 else 0.0)
                continue
            legal[k, n2] = True
        for r in range(n):
            for c in range(n):
                bit = ONE << U(r * 8 + c)
                legal[k, r * n + c] = (mine & bit) != 0
                if me & bit:
                    obs[k, 0, r, c] = 1.0
                elif opp & bit:
                    obs[k, 1, r, c] = 1.0
    return obs, legal, mover, terminal, final_value


@njit(cache=True)
def expand_and_describe(black, white, player, games, nodes, parent, action, n, board):
    """Step each new node's parent by the node's action into the (B, M) arrays, then `describe` them."""
    n2 = n * n
    for k in range(games.shape[0]):
        b, node = games[k], nodes[k]
        p = parent[b, node]
        a = action[b, node]
        pl = player[b, p]
        bl, wh = black[b, p], white[b, p]
        if a != n2:  # a move (else a pass: the discs stay)
            square = (a // n) * 8 + a % n
            me, opp = (bl, wh) if pl == 0 else (wh, bl)
            f = flips(me, opp, square)
            me = me | f | (ONE << U(square))
            opp = opp & ~f
            bl, wh = (me, opp) if pl == 0 else (opp, me)
        black[b, node], white[b, node], player[b, node] = bl, wh, 1 - pl
    return describe(black, white, player, games, nodes, n, board)


class OthelloStore:
    """Othello tree-node states as (B, M) arrays (black, white uint64; player int8): a drop-in for
    the search's generic `StateStore` (roots stay `OthelloState` objects, which self-play plays)."""

    rewards = False  # the rules score only terminals (move37.search.Store)

    def __init__(self, game, batch: int, capacity: int):
        self.game = game
        self.n = game.size
        self.board = board_mask(self.n)
        self.black = np.zeros((batch, capacity), np.uint64)
        self.white = np.zeros((batch, capacity), np.uint64)
        self.player = np.zeros((batch, capacity), np.int8)
        self._roots: list = [None] * batch

    @classmethod
    def for_game(cls, game, batch: int, capacity: int) -> "OthelloStore":
        return cls(game, batch, capacity)

    def set_root(self, b: int, state) -> None:
        self._roots[b] = state
        if state is not None:
            self.black[b, 0], self.white[b, 0] = to_bitboard(state.black, self.n), to_bitboard(state.white, self.n)
            self.player[b, 0] = state.current_player

    def root(self, b: int):
        return self._roots[b]

    def remap(self, b: int, old_to_new: np.ndarray) -> None:
        old = np.flatnonzero(old_to_new >= 0)
        new = old_to_new[old]
        for arr in (self.black, self.white, self.player):
            arr[b, new] = arr[b, old].copy()
        self._roots[b] = OthelloState(self.game, from_bitboard(int(self.black[b, 0]), self.n),
                                      from_bitboard(int(self.white[b, 0]), self.n), int(self.player[b, 0]))

    def roots(self, games: np.ndarray) -> Leaves:
        games = np.asarray(games, np.int64)
        return Leaves(*describe(self.black, self.white, self.player, games, np.zeros(len(games), np.int64),
                                self.n, self.board))

    def expand(self, games: np.ndarray, nodes: np.ndarray, parent: np.ndarray, action: np.ndarray) -> Leaves:
        games, nodes = np.asarray(games, np.int64), np.asarray(nodes, np.int64)
        return Leaves(*expand_and_describe(self.black, self.white, self.player, games, nodes, parent, action,
                                           self.n, self.board))
