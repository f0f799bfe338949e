"""Othello (6x6 and 8x8) tree-node states for batched search, stepped and encoded in Numba.

Why: with one `OthelloState` per node, search spends most of a simulation in Python
(move generation on Python integers, NumPy arrays built per node); zero's time-limited
play and self-play both pay for it. These kernels are the same rules as
`move37.games.othello` (its `_Geometry`: bit `row * n + col`, eight shift directions
with wrap masks; a player without moves passes when the opponent has one, else the
game is over; the result is the sign of the disc difference), run over (B, M) arrays
of bitboards. Tests check them against the object game move by move.
"""

from __future__ import annotations

import numpy as np
from numba import njit

from move37.games.leaves import Leaves

U = np.uint64


def geometry(n: int) -> tuple[np.ndarray, np.ndarray, np.uint64]:
    """The n x n board's directions: shifts int64 (8,) (positive: towards higher bits), wrap masks
    uint64 (8,) (the squares a shifted disc may land on), and the full-board mask."""
    full = (1 << (n * n)) - 1
    not_first = sum(1 << (r * n + c) for r in range(n) for c in range(1, n))
    not_last = sum(1 << (r * n + c) for r in range(n) for c in range(n - 1))
    shifts = np.array([1, -1, n, -n, n + 1, n - 1, -(n - 1), -(n + 1)], np.int64)
    masks = np.array([not_first, not_last, full, full, not_first, not_last, not_first, not_last], np.uint64)
    return shifts, masks, U(full)


@njit(cache=True, inline="always")
def _shift(b, d, mask):
    return ((b << U(d)) if d > 0 else (b >> U(-d))) & mask


@njit(cache=True)
def moves(me, opp, n, shifts, masks, full):
    """Bitboard of the squares where `me` may play (uint64)."""
    empty = full & ~(me | opp)
    out = U(0)
    for i in range(8):
        d, mask = shifts[i], masks[i]
        x = _shift(me, d, mask) & opp
        for _ in range(n - 3):
            x |= _shift(x, d, mask) & opp
        out |= _shift(x, d, mask) & empty
    return out


@njit(cache=True)
def flips(me, opp, square, shifts, masks):
    """Bitboard of the opponent discs a move of `me` on `square` turns over."""
    out = U(0)
    for i in range(8):
        d, mask = shifts[i], masks[i]
        line = U(0)
        x = _shift(U(1) << U(square), d, mask)
        while x & opp:
            line |= x
            x = _shift(x, d, mask)
        if x & me:
            out |= line
    return out


@njit(cache=True)
def _popcount(x):
    c = 0
    while x:
        x &= x - U(1)
        c += 1
    return c


@njit(cache=True)
def describe(black, white, player, games, nodes, n, shifts, masks, full):
    """The search's view of K tree nodes, read from the (B, M) arrays.

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
        mine = moves(me, opp, n, shifts, masks, full)
        if mine == 0:
            if moves(opp, me, n, shifts, masks, full) == 0:
                terminal[k] = True
                diff = _popcount(black[b, node]) - _popcount(white[b, node])
                final_value[k] = 1.0 if diff > 0 else (-1.0 if diff < 0 else 0.0)
                continue
            legal[k, n2] = True
        for sq in range(n2):
            bit = U(1) << U(sq)
            legal[k, sq] = (mine & bit) != 0
            if me & bit:
                obs[k, 0, sq // n, sq % n] = 1.0
            elif opp & bit:
                obs[k, 1, sq // n, sq % n] = 1.0
    return obs, legal, mover, terminal, final_value


@njit(cache=True)
def expand_and_describe(black, white, player, games, nodes, parent, action, n, shifts, masks, full):
    """Step each new node's parent by the node's action into the (B, M) arrays, then `describe` them."""
    n2 = n * n
    for k in range(games.shape[0]):
        b, node = games[k], nodes[k]
        p = parent[b, node]
        a = action[b, node]
        pl = player[b, p]
        bl, wh = black[b, p], white[b, p]
        if a != n2:  # a move (else a pass: the discs stay)
            me, opp = (bl, wh) if pl == 0 else (wh, bl)
            f = flips(me, opp, a, shifts, masks)
            me = me | f | (U(1) << U(a))
            opp = opp & ~f
            bl, wh = (me, opp) if pl == 0 else (opp, me)
        black[b, node], white[b, node], player[b, node] = bl, wh, 1 - pl
    return describe(black, white, player, games, nodes, n, shifts, masks, full)


class OthelloStore:
    """Othello tree-node states as (B, M) arrays (black, white uint64; player int8): a drop-in for
    the search's generic `StateStore` (roots stay `OthelloState` objects, which self-play plays)."""

    def __init__(self, game, batch: int, capacity: int):
        self.game = game
        self.n = game.size
        self.shifts, self.masks, self.full = geometry(self.n)
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
            self.black[b, 0], self.white[b, 0], self.player[b, 0] = state.black, state.white, state.current_player

    def root(self, b: int):
        return self._roots[b]

    def remap(self, b: int, old_to_new: np.ndarray) -> None:
        old = np.flatnonzero(old_to_new >= 0)
        new = old_to_new[old]
        for arr in (self.black, self.white, self.player):
            arr[b, new] = arr[b, old].copy()
        from move37.games.othello import OthelloState  # the kept subtree's root is the new root

        self._roots[b] = OthelloState(self.game, int(self.black[b, 0]), int(self.white[b, 0]), int(self.player[b, 0]))

    def roots(self, games: np.ndarray) -> Leaves:
        games = np.asarray(games, np.int64)
        return Leaves(*describe(self.black, self.white, self.player, games, np.zeros(len(games), np.int64),
                                self.n, self.shifts, self.masks, self.full))

    def expand(self, games: np.ndarray, nodes: np.ndarray, parent: np.ndarray, action: np.ndarray) -> Leaves:
        games, nodes = np.asarray(games, np.int64), np.asarray(nodes, np.int64)
        return Leaves(*expand_and_describe(self.black, self.white, self.player, games, nodes, parent, action,
                                           self.n, self.shifts, self.masks, self.full))
