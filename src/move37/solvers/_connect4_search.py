"""Numba kernels of the Connect Four solver: Pascal Pons's negamax on bitboards.

Positions are int64 bitboards in the layout of move37.games.connect4 (column c owns
bits 7c..7c+6, row 0 at the bottom, a guard bit on top): `position` holds the
stones of the player to move, `mask` all stones, `moves` the stones played.

The search is Pons's, step by step (http://blog.gamesolver.org/):
- negamax with alpha-beta, scores in his convention (positive: the mover wins; a
  win with the k-th own stone scores 22 - k);
- only non-losing moves are searched: a move must block a lone opponent threat
  (two threats lose at once) and never fill the cell below an opponent threat;
- moves ordered by the number of winning cells they create, ties centre first;
- a transposition table of (32-bit partial key, bound) pairs whose prime size
  makes the partial key unique (key < 2**49 <= size * 2**32, Chinese remainder
  theorem), holding an upper bound after a fail-low or a lower bound after a
  fail-high;
- the root score found by a sequence of null-window searches that bisect the
  score range, biased towards 0 where most positions lie.

All work arrays are allocated by the caller and passed in, so the recursion never
allocates: `order_moves`/`order_scores` are int64 (43, 7) scratch rows indexed
by the number of stones played, `nodes` an int64 (1,) counter.

Every kernel is compiled with `nogil=True`: a solve from an early position runs far past any
request deadline, and the other threads of the process (the play server answering its
deadline) must keep running meanwhile.
"""

from __future__ import annotations

import numpy as np
from numba import njit

from move37.games._bits import popcount
from move37.games.connect4 import BOARD, BOTTOM, CELLS, COLUMN, WIDTH

MIN_SCORE = -(CELLS // 2) + 3  # the fastest possible loss: -18
MAX_SCORE = (CELLS + 1) // 2 - 3  # the fastest possible win from a non-winning start: 18
LOW32 = (1 << 32) - 1
TABLE_SIZE = 33554393  # a prime just below 2**25: 168 MB of table; 13% fewer nodes than 2**23 on Test_L1_R3

# Columns searched centre first; COLUMN_MASK[c] is column c's six playable cells.
COLUMN_ORDER = np.array([3, 2, 4, 1, 5, 0, 6], dtype=np.int64)
COLUMN_MASK = np.array(COLUMN, dtype=np.int64)

# Table values: 0 empty; 1..37 an upper bound u stored as u - MIN_SCORE + 1;
# above that a lower bound l stored as l + MAX_SCORE - 2 * MIN_SCORE + 2.
_UPPER_TOP = MAX_SCORE - MIN_SCORE + 1


@njit(cache=True, nogil=True)
def winning_cells(position: int, mask: int) -> int:
    """Empty cells where the stones in `position` would complete four."""
    p = position
    r = (p << 1) & (p << 2) & (p << 3)  # vertical: three stones below
    # Horizontal (shift 7), then the diagonals (shifts 6 and 8), written out: hot path.
    q = (p << 7) & (p << 14)
    r |= (q & (p << 21)) | (q & (p >> 7))
    q = (p >> 7) & (p >> 14)
    r |= (q & (p << 7)) | (q & (p >> 21))
    q = (p << 6) & (p << 12)
    r |= (q & (p << 18)) | (q & (p >> 6))
    q = (p >> 6) & (p >> 12)
    r |= (q & (p << 6)) | (q & (p >> 18))
    q = (p << 8) & (p << 16)
    r |= (q & (p << 24)) | (q & (p >> 8))
    q = (p >> 8) & (p >> 16)
    r |= (q & (p << 8)) | (q & (p >> 24))
    return r & (BOARD ^ mask)


@njit(cache=True, nogil=True)
def can_win_next(position: int, mask: int) -> bool:
    """Whether the mover has a playable cell that completes four."""
    return (winning_cells(position, mask) & ((mask + BOTTOM) & BOARD)) != 0


@njit(cache=True, nogil=True)
def non_losing_moves(position: int, mask: int) -> int:
    """Playable cells (one bit each) that do not hand the opponent an immediate win."""
    possible = (mask + BOTTOM) & BOARD
    threats = winning_cells(position ^ mask, mask)
    forced = possible & threats
    if forced:
        if forced & (forced - 1):  # two threats at once: every move loses
            return 0
        possible = forced
    return possible & ~(threats >> 1)


@njit(cache=True, nogil=True)
def negamax(position, mask, moves, alpha, beta, tt_keys, tt_vals, order_moves, order_scores, nodes):
    """The exact score if it lies in (alpha, beta), else a bound on the right side of the window.

    Requires that the mover cannot win at once (the caller checks).
    """
    nodes[0] += 1
    nxt = non_losing_moves(position, mask)
    if nxt == 0:  # the opponent wins with its next stone
        return -((CELLS - moves) // 2)
    if moves >= CELLS - 2:  # no win is left for either side
        return 0
    lo = -((CELLS - 2 - moves) // 2)  # the opponent cannot win with its next stone
    if alpha < lo:
        alpha = lo
        if alpha >= beta:
            return alpha
    hi = (CELLS - 1 - moves) // 2  # the mover cannot win with this stone
    if beta > hi:
        beta = hi
        if alpha >= beta:
            return beta
    key = position + mask
    slot = key % TABLE_SIZE
    stored = tt_vals[slot]
    if stored != 0 and tt_keys[slot] == (key & LOW32):
        if stored > _UPPER_TOP:
            lo = stored + 2 * MIN_SCORE - MAX_SCORE - 2
            if alpha < lo:
                alpha = lo
                if alpha >= beta:
                    return alpha
        else:
            hi = stored + MIN_SCORE - 1
            if beta > hi:
                beta = hi
                if alpha >= beta:
                    return beta

    # Order: insertion sort ascending by score, taken from the end, so the highest
    # score comes first and, among ties, the column added last (the centre).
    n = 0
    for i in range(WIDTH - 1, -1, -1):
        move = nxt & COLUMN_MASK[COLUMN_ORDER[i]]
        if move:
            score = popcount(winning_cells(position | move, mask))
            k = n
            while k > 0 and order_scores[moves, k - 1] > score:
                order_moves[moves, k] = order_moves[moves, k - 1]
                order_scores[moves, k] = order_scores[moves, k - 1]
                k -= 1
            order_moves[moves, k] = move
            order_scores[moves, k] = score
            n += 1

    for k in range(n - 1, -1, -1):
        move = order_moves[moves, k]
        score = -negamax(position ^ mask, mask | move, moves + 1, -beta, -alpha,
                         tt_keys, tt_vals, order_moves, order_scores, nodes)
        if score >= beta:
            tt_keys[slot] = key & LOW32
            tt_vals[slot] = score + MAX_SCORE - 2 * MIN_SCORE + 2
            return score
        if score > alpha:
            alpha = score
    tt_keys[slot] = key & LOW32
    tt_vals[slot] = alpha - MIN_SCORE + 1
    return alpha


@njit(cache=True, nogil=True)
def _half_toward_zero(x):
    """x / 2 rounded toward zero, as C's integer division (Pons's bisection uses it)."""
    return -((-x) // 2) if x < 0 else x // 2


@njit(cache=True, nogil=True)
def solve(position, mask, moves, tt_keys, tt_vals, order_moves, order_scores, nodes):
    """The exact score of a live position (the board is not full and nobody has won)."""
    if can_win_next(position, mask):
        return (CELLS + 1 - moves) // 2
    lo = -((CELLS - moves) // 2)
    hi = (CELLS + 1 - moves) // 2
    while lo < hi:
        med = lo + (hi - lo) // 2
        if med <= 0 and _half_toward_zero(lo) < med:
            med = _half_toward_zero(lo)
        elif med >= 0 and hi // 2 > med:
            med = hi // 2
        r = negamax(position, mask, moves, med, med + 1, tt_keys, tt_vals, order_moves, order_scores, nodes)
        if r <= med:
            hi = r
        else:
            lo = r
    return lo


@njit(cache=True, nogil=True)
def child_reaches(position, mask, moves, move, target, tt_keys, tt_vals, order_moves, order_scores, nodes):
    """Whether playing `move` (a one-bit cell) scores at least `target` for the mover.

    The move's score is minus the child's score c, so this asks c <= -target: one
    null-window search instead of a full solve of the child.
    """
    child_position, child_mask = position ^ mask, mask | move
    if can_win_next(child_position, child_mask):
        c = (CELLS + 1 - (moves + 1)) // 2
        return -c >= target
    r = negamax(child_position, child_mask, moves + 1, -target, -target + 1,
                tt_keys, tt_vals, order_moves, order_scores, nodes)
    return r <= -target
