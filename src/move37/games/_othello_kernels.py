"""Othello's rules compiled with Numba, on uint64 bitboards: the fast path of every compiled part
(the batched-search store, the exact solver, the heuristic's stable discs).

Layout. Bit ``row * 8 + col`` is square (row, col), a1 = bit 0. A 6x6 board lives in
the top-left 6x6 corner of the 8x8 bitboard: its `board` mask (`board_mask(6)`) excludes
the other squares, which are then neither empty nor owned, so lines of flips stop there
and no move is generated there; one kernel serves both sizes. The object game
(move37.games.othello, the readable reference on Python ints, bit ``row * n + col``)
converts with `to_bitboard` / `from_bitboard`; tests check both agree move by move.

Numba typing: every bitboard expression uses uint64 operands only (the constants below
are np.uint64), because mixing uint64 and int64 silently gives float64.
"""

from __future__ import annotations

import numpy as np
from numba import njit

U = np.uint64
ZERO = U(0)
ONE = U(1)
S1, S7, S8, S9 = U(1), U(7), U(8), U(9)
INNER = U(0x7E7E7E7E7E7E7E7E)  # files b..g: a line of flips that runs sideways stays inside them
FULL = U(0xFFFFFFFFFFFFFFFF)


@njit(cache=True, nogil=True, inline="always")
def _ray_moves_left(P, M, s):
    f = M & (P << s)
    f |= M & (f << s)
    f |= M & (f << s)
    f |= M & (f << s)
    f |= M & (f << s)
    f |= M & (f << s)
    return f << s


@njit(cache=True, nogil=True, inline="always")
def _ray_moves_right(P, M, s):
    f = M & (P >> s)
    f |= M & (f >> s)
    f |= M & (f >> s)
    f |= M & (f >> s)
    f |= M & (f >> s)
    f |= M & (f >> s)
    return f >> s


@njit(cache=True, nogil=True)
def get_moves(P, O, E):
    """Bitboard of the squares (within the empty squares E) where P may play."""
    Oi = O & INNER
    m = _ray_moves_left(P, Oi, S1) | _ray_moves_right(P, Oi, S1)
    m |= _ray_moves_left(P, O, S8) | _ray_moves_right(P, O, S8)
    m |= _ray_moves_left(P, Oi, S7) | _ray_moves_right(P, Oi, S7)
    m |= _ray_moves_left(P, Oi, S9) | _ray_moves_right(P, Oi, S9)
    return m & E


@njit(cache=True, nogil=True, inline="always")
def _line_left(b, P, M, s):
    line = ZERO
    x = b << s
    while x & M:
        line |= x
        x = x << s
    return line if x & P else ZERO


@njit(cache=True, nogil=True, inline="always")
def _line_right(b, P, M, s):
    line = ZERO
    x = b >> s
    while x & M:
        line |= x
        x = x >> s
    return line if x & P else ZERO


@njit(cache=True, nogil=True)
def flips(P, O, sq):
    """Bitboard of O's discs that P turns over by playing on square sq (0 if illegal)."""
    b = ONE << U(sq)
    Oi = O & INNER
    f = _line_left(b, P, Oi, S1) | _line_right(b, P, Oi, S1)
    f |= _line_left(b, P, O, S8) | _line_right(b, P, O, S8)
    f |= _line_left(b, P, Oi, S7) | _line_right(b, P, Oi, S7)
    f |= _line_left(b, P, Oi, S9) | _line_right(b, P, Oi, S9)
    return f


def to_bitboard(b: int, n: int) -> int:
    """An n x n game bitboard (bit r*n+c) on the kernels' 8x8 layout (bit r*8+c)."""
    return _relayout(b, n, 8)


def from_bitboard(b: int, n: int) -> int:
    """A bitboard of the kernels' 8x8 layout back on the n x n game's (the inverse of `to_bitboard`)."""
    return _relayout(b, 8, n)


def _relayout(b: int, width: int, new_width: int) -> int:
    """Square (r, c) moves from bit r*width+c to bit r*new_width+c."""
    if width == new_width:
        return b
    out = 0
    while b:
        low = b & -b
        i = low.bit_length() - 1
        out |= 1 << (i // width * new_width + i % width)
        b ^= low
    return out


def board_mask(n: int) -> np.uint64:
    """The squares of the n x n board on the 8x8 layout."""
    return U(to_bitboard((1 << (n * n)) - 1, n))
