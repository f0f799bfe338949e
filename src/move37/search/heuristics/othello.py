"""Othello evaluation for alpha-beta: the classic hand-made features of Othello programs.

Each feature is a difference between the mover and the opponent, normalised to
about [-1, 1], and weighted by what strong players know about the game:
- mobility: legal moves now (the player with more choices dictates the game);
- potential mobility: empty squares next to the opponent's discs (future moves),
  i.e. keeping a small frontier of one's own;
- corners, which can never be flipped;
- X-squares (diagonally next to an empty corner) and C-squares (next to it along the
  edge), which hand that corner to the opponent;
- stable discs (the solver's conservative set: corners and edge runs anchored on
  them, full lines), which count for the final result whatever happens;
- disc difference, which only matters near the end, so its weight grows as the
  board fills (in the middle game, fewer discs is often better: more mobility).

The weighted sum goes through 0.98 tanh so the value stays inside (-1, 1) (a decided
result is left to the search's terminal states). About 30 µs a call in CPython.
"""

from __future__ import annotations

import math
from functools import lru_cache

import numpy as np

from move37.games._othello_kernels import board_mask, to_bitboard
from move37.games.othello import OthelloState, _geometry
from move37.solvers._othello_kernels import stable_discs

W_MOBILITY, W_POTENTIAL, W_CORNER, W_XSQUARE, W_CSQUARE, W_STABLE, W_DISCS = 6.0, 3.0, 8.0, 4.0, 1.5, 5.0, 4.0
SCALE = 16.0  # tanh(total / SCALE): a clear positional edge maps to about 0.5


@lru_cache(maxsize=None)
def _squares(n: int) -> tuple[list[tuple[int, int, int]], int]:
    """For each corner (corner bit, its X-square bit, its two C-squares' bits); and the
    board's mask on the compiled rules' 8x8 layout (for the stable-disc kernel)."""
    bit = lambda r, c: 1 << (r * n + c)  # noqa: E731
    corners = []
    for r, c in ((0, 0), (0, n - 1), (n - 1, 0), (n - 1, n - 1)):
        dr, dc = (1 if r == 0 else -1), (1 if c == 0 else -1)
        corners.append((bit(r, c), bit(r + dr, c + dc), bit(r + dr, c) | bit(r, c + dc)))
    return corners, board_mask(n)


def _ratio(mine: int, theirs: int) -> float:
    """(mine - theirs) / (mine + theirs), 0 when both are 0."""
    total = mine + theirs
    return (mine - theirs) / total if total else 0.0


def evaluate(state: OthelloState) -> float:
    """Value in (-1, 1) for the player to move."""
    n = state.game.size
    me, opp = state.mover_discs
    if state.is_terminal():
        diff = me.bit_count() - opp.bit_count()
        return float(np.sign(diff))
    geo = _geometry(n)
    corners, board = _squares(n)
    empty = geo.full & ~(me | opp)
    filled = 1.0 - (empty.bit_count() / (n * n - 4))  # 0 at the start, 1 when full

    mobility = _ratio(state.moves_bitboard.bit_count(), geo.moves(opp, me).bit_count())
    potential = _ratio(_frontier(geo, opp, empty), _frontier(geo, me, empty))
    corner = x_sq = c_sq = 0.0
    for corner_bit, x_bit, c_bits in corners:
        if me & corner_bit:
            corner += 1
        elif opp & corner_bit:
            corner -= 1
        else:  # next to an empty corner, a disc invites the opponent in
            x_sq -= bool(me & x_bit) - bool(opp & x_bit)
            c_sq -= (me & c_bits).bit_count() - (opp & c_bits).bit_count()
    mine_k, opp_k = np.uint64(to_bitboard(me, n)), np.uint64(to_bitboard(opp, n))
    stable = _ratio(int(stable_discs(mine_k, opp_k, board)).bit_count(),
                    int(stable_discs(opp_k, mine_k, board)).bit_count())
    discs = _ratio(me.bit_count(), opp.bit_count())

    total = (W_MOBILITY * mobility + W_POTENTIAL * potential + W_CORNER * corner
             + W_XSQUARE * x_sq + W_CSQUARE * c_sq + W_STABLE * stable + W_DISCS * discs * filled**4)
    return 0.98 * math.tanh(total / SCALE)  # strictly inside (-1, 1): only the end is certain


def _frontier(geo, discs: int, empty: int) -> int:
    """Empty squares next to `discs` (where their owner's opponent may later move)."""
    around = 0
    for d, mask in geo.directions:
        around |= geo.shift(discs, d, mask)
    return (around & empty).bit_count()
