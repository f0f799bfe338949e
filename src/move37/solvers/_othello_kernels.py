"""Numba kernels of the exact Othello endgame solver, on uint64 bitboards.

Layout and rules: those of move37.games._othello_kernels (bit ``row * 8 + col``; a 6x6
board in the top-left corner, cut out by a `board` mask), whose move generation and
flips the solver calls. One compiled search thus serves both sizes.

Scores. The final disc difference for the player to move, empty squares counted for
the winner (the FFO convention). P is the mover's bitboard, O the opponent's.

Search. Negamax alpha-beta (fail-soft) with principal variation search. Nodes with
more than SHALLOW empties use a transposition table of exact-score bounds (the
search always reaches the end, so every stored bound is exact whatever the depth),
an enhanced transposition cutoff, a stability cutoff (the opponent's stable discs
cap the score) and fastest-first ordering (fewest opponent replies first, corners
weighed double, then a small frontier; from LOOKAHEAD_MIN empties also the mover's
mobility after the most restricting reply). Smaller nodes use parity ordering
(squares in regions with an odd number of empties first) and no table; the last two
empty squares are solved directly. Each of these was measured when added (CPU time
and nodes on FFO problems 26, 40 and 41) and kept only if it helped.

Table. 2**k slots in buckets of two: the first slot keeps the result of the largest
search (most empties), the second the most recent one. Entries hold the exact
bitboards, so a probe never mistakes one position for another.

Numba typing notes: every bitboard expression uses uint64 operands only (constants
below are np.uint64) because mixing uint64 and int64 silently gives float64; and
arguments of the recursive functions are never bare literals (np.bool_(False), not
False), because a literal-typed recursive call breaks Numba's on-disk cache.

Every kernel is compiled with `nogil=True`: a solve from an early position runs far past any
request deadline, and the other threads of the process (the play server answering its
deadline) must keep running meanwhile.
"""

from __future__ import annotations

import numpy as np
from numba import njit

from move37.games._bits import lowest_bit, popcount
from move37.games._othello_kernels import FULL, ONE, S1, S7, S8, S9, ZERO, U, flips, get_moves

NOT_A = U(0xFEFEFEFEFEFEFEFE)  # every file but a: where a shift towards h may land
NOT_H = U(0x7F7F7F7F7F7F7F7F)
FILE_A, FILE_H = U(0x0101010101010101), U(0x8080808080808080)
RANK_1, RANK_8 = U(0x00000000000000FF), U(0xFF00000000000000)
CORNERS = U(0x8100000000000081)
HASH_MUL = U(0x9E3779B97F4A7C15)
HASH_MUL2 = U(0xC2B2AE3D27D4EB4F)
QUADRANTS = (U(0x000000000F0F0F0F), U(0x00000000F0F0F0F0), U(0x0F0F0F0F00000000), U(0xF0F0F0F000000000))
# The same for a 6x6 board in the top-left corner (used when `board` is not full).
CORNERS_6 = U(0x210000000021)
QUADRANTS_6 = (U(0x70707), U(0x383838), U(0x70707000000), U(0x383838000000))

# Explicit signatures for the recursive functions: with literal arguments Numba would
# otherwise compile several versions of each, which its on-disk cache cannot relink.
_TABLE = "uint64[::1], uint64[::1], int8[::1], int8[::1], int8[::1], int8[::1], int64[:, ::1], int64[:, ::1]"
_SHALLOW_SIG = "int64(uint64, uint64, int64, int64, int64, uint64, boolean, int64[::1])"
_SEARCH_SIG = f"int64(uint64, uint64, int64, int64, int64, uint64, boolean, int64, {_TABLE}, int64[::1])"

ETC_MIN = 10  # nodes with at least this many empties try an enhanced transposition cutoff
SHALLOW = 6  # nodes with at most this many empties: parity order, no table
SCORE_MAX = 64
# Move-order key weights (lower key first): opponent's replies (corners count twice),
# its potential mobility (empties next to the mover's discs), the mover's corners.
W_MOB, W_POT, W_CORNER, W_LOOK = 64, 4, 32, 32
LOOKAHEAD_MIN = 14  # nodes with at least this many empties order moves with a 2-ply look
NO_MOVE = -1


@njit("int64(uint64, uint64, int64)", cache=True, nogil=True)
def final_score(P, O, n_empties):
    """Disc difference at the end of the game, empties to the winner."""
    d = popcount(P) - popcount(O)
    if d > 0:
        return d + n_empties
    if d < 0:
        return d - n_empties
    return d


@njit(cache=True, nogil=True)
def _solve_last(P, O, sq):
    """Exact score with one empty square left, P to move."""
    n = popcount(flips(P, O, sq))
    if n:
        return popcount(P) - popcount(O) + 2 * n + 1
    n = popcount(flips(O, P, sq))
    if n:
        return popcount(P) - popcount(O) - 2 * n - 1
    return final_score(P, O, 1)


@njit(cache=True, nogil=True)
def _solve_two(P, O, alpha, beta, x1, x2):
    """Exact score (fail-soft within (alpha, beta)) with two empties x1, x2, P to move."""
    best = -SCORE_MAX - 1
    f = flips(P, O, x1)
    if f:
        best = -_solve_last(O & ~f, P | f | (ONE << U(x1)), x2)
        if best >= beta:
            return best
    f = flips(P, O, x2)
    if f:
        return max(best, -_solve_last(O & ~f, P | f | (ONE << U(x2)), x1))
    if best > -SCORE_MAX - 1:
        return best
    # P passes; O moves, then P faces the last empty.
    f = flips(O, P, x1)
    if f:
        best = _solve_last(P & ~f, O | f | (ONE << U(x1)), x2)
        if best <= alpha:
            return best
    f = flips(O, P, x2)
    if f:
        v = _solve_last(P & ~f, O | f | (ONE << U(x2)), x1)
        return v if best == -SCORE_MAX - 1 else min(best, v)
    if best > -SCORE_MAX - 1:
        return best
    return final_score(P, O, 2)


@njit(cache=True, nogil=True)
def _odd_regions(E, board):
    """Union of the quadrants that hold an odd number of empty squares."""
    odd = ZERO
    for q in QUADRANTS if board == FULL else QUADRANTS_6:
        if popcount(E & q) & 1:
            odd |= q
    return odd


@njit(_SHALLOW_SIG, cache=True, nogil=True)
def search_shallow(P, O, alpha, beta, n_empties, board, passed, nodes):
    """Alpha-beta without a table, parity move order; for few empties."""
    nodes[0] += 1
    E = board & ~(P | O)
    if n_empties == 2:
        return _solve_two(P, O, alpha, beta, lowest_bit(E), lowest_bit(E & (E - ONE)))
    if n_empties == 1:
        return _solve_last(P, O, lowest_bit(E))
    best = -SCORE_MAX - 1
    odd = _odd_regions(E, board)
    for part in (E & odd, E & ~odd):
        while part:
            sq = lowest_bit(part)
            part &= part - ONE
            f = flips(P, O, sq)
            if f == ZERO:
                continue
            v = -search_shallow(O & ~f, P | f | (ONE << U(sq)), -beta, -max(alpha, best), n_empties - 1, board, np.bool_(False), nodes)
            if v > best:
                best = v
                if v >= beta:
                    return v
    if best == -SCORE_MAX - 1:  # no move: pass, or the game is over
        if passed:
            return final_score(P, O, n_empties)
        return -search_shallow(O, P, -beta, -alpha, n_empties, board, np.bool_(True), nodes)
    return best


@njit(cache=True, nogil=True)
def stable_discs(P, O, board):
    """A subset of P's discs that can never be flipped.

    A disc is safe along a line when the line is full, or when a neighbour on that
    line is the edge (or outside a 6x6 board) or another safe disc of P; a disc safe
    along all four lines is stable. Diagonal fullness is not used, so the set is
    conservative (every disc in it is stable, not every stable disc is in it).
    """
    occ = P | O | ~board
    full_h = ZERO
    for r in range(8):
        row = U(0xFF) << U(8 * r)
        if occ & row == row:
            full_h |= row
    col = occ & (occ >> S8)
    col &= col >> U(16)
    col &= col >> U(32)
    full_v = (col & U(0xFF)) * U(0x0101010101010101)
    stable = ZERO
    while True:
        safe = stable | ~board
        h = full_h | ((safe >> S1) | FILE_H) | ((safe << S1) | FILE_A)
        v = full_v | ((safe >> S8) | RANK_8) | ((safe << S8) | RANK_1)
        d9 = ((safe >> S9) | FILE_H | RANK_8) | ((safe << S9) | FILE_A | RANK_1)
        d7 = ((safe >> S7) | FILE_A | RANK_8) | ((safe << S7) | FILE_H | RANK_1)
        new = P & h & v & d9 & d7
        if new == stable:
            return stable
        stable = new


@njit(cache=True, nogil=True, inline="always")
def _bucket(P, O, tt_mask):
    """First of the two adjacent table slots where position (P, O) may be stored."""
    return ((P * HASH_MUL) ^ (O * HASH_MUL2) ^ ((P ^ O) >> U(29))) & tt_mask & ~ONE


@njit(cache=True, nogil=True, inline="always")
def _find(P, O, tt_P, tt_O):
    """The slot holding position (P, O), or -1."""
    slot = np.int64(_bucket(P, O, U(tt_P.size - 1)))
    if tt_P[slot] == P and tt_O[slot] == O:
        return slot
    if tt_P[slot + 1] == P and tt_O[slot + 1] == O:
        return slot + 1
    return np.int64(-1)


@njit(cache=True, nogil=True, inline="always")
def _neighbours(b):
    """Squares next to a disc of b (all eight directions)."""
    side = ((b << S1) & NOT_A) | ((b >> S1) & NOT_H)
    row = b | side
    return side | (row << S8) | (row >> S8)


@njit("int64(uint64, uint64, uint64, uint64, uint64, int64, int64[::1], int64[::1], boolean)", cache=True, nogil=True)
def _order(P, O, E, board, moves, tt_move, sq_buf, key_buf, lookahead):
    """Fill sq_buf with the moves sorted fastest-first (table move first); returns the count."""
    corners = CORNERS if board == FULL else CORNERS_6
    n = 0
    while moves:
        sq = lowest_bit(moves)
        moves &= moves - ONE
        b = ONE << U(sq)
        f = flips(P, O, sq)
        replies = get_moves(O & ~f, P | f | b, E & ~b)
        mine = P | f | b
        key = W_MOB * (popcount(replies) + popcount(replies & corners))
        key += W_POT * popcount(_neighbours(mine) & E & ~b)
        key -= W_CORNER * popcount(mine & corners)
        if lookahead:
            # one ply deeper: the mover's mobility after the opponent's most restricting reply
            theirs = O & ~f
            fewest = SCORE_MAX
            while replies:
                r = lowest_bit(replies)
                replies &= replies - ONE
                rb = ONE << U(r)
                g = flips(theirs, mine, r)
                fewest = min(fewest, popcount(get_moves(mine & ~g, theirs | g | rb, E & ~b & ~rb)))
            if fewest < SCORE_MAX:
                key -= W_LOOK * fewest
        if sq == tt_move:
            key = -(1 << 20)
        # insertion into the sorted prefix
        i = n
        while i > 0 and key_buf[i - 1] > key:
            key_buf[i] = key_buf[i - 1]
            sq_buf[i] = sq_buf[i - 1]
            i -= 1
        key_buf[i] = key
        sq_buf[i] = sq
        n += 1
    return n


@njit(_SEARCH_SIG, cache=True, nogil=True)
def search(P, O, alpha, beta, n_empties, board, passed, ply, tt_P, tt_O, tt_lo, tt_hi, tt_move, tt_depth, sq_bufs, key_bufs, nodes):
    """Principal variation search with a transposition table; the score within (alpha, beta)."""
    if n_empties <= SHALLOW:
        return search_shallow(P, O, alpha, beta, n_empties, board, passed, nodes)
    nodes[0] += 1
    E = board & ~(P | O)
    moves = get_moves(P, O, E)
    if moves == ZERO:
        if passed:
            return final_score(P, O, n_empties)
        return -search(O, P, -beta, -alpha, n_empties, board, np.bool_(True), ply + 1,
                       tt_P, tt_O, tt_lo, tt_hi, tt_move, tt_depth, sq_bufs, key_bufs, nodes)
    # Stability cutoff: O's stable discs stay O's, which caps P's final score.
    squares = popcount(board)
    if alpha >= squares - 2 * popcount(O):
        cap = squares - 2 * popcount(stable_discs(O, P, board))
        if cap <= alpha:
            return cap
        beta = min(beta, cap)
    slot = _find(P, O, tt_P, tt_O)
    hint = NO_MOVE
    lo, hi = -SCORE_MAX, SCORE_MAX
    if slot >= 0:
        lo, hi = np.int64(tt_lo[slot]), np.int64(tt_hi[slot])
        if lo >= beta:
            return lo
        if hi <= alpha or lo == hi:
            return hi
        alpha = max(alpha, lo)
        beta = min(beta, hi)
        hint = tt_move[slot]
    sq_buf, key_buf = sq_bufs[ply], key_bufs[ply]
    n = _order(P, O, E, board, moves, hint, sq_buf, key_buf, n_empties >= LOOKAHEAD_MIN)
    if n_empties >= ETC_MIN:
        # Enhanced transposition cutoff: a child whose stored upper bound already
        # refutes beta ends this node without searching anything.
        for i in range(n):
            b = ONE << U(sq_buf[i])
            f = flips(P, O, sq_buf[i])
            s = _find(O & ~f, P | f | b, tt_P, tt_O)
            if s >= 0 and -np.int64(tt_hi[s]) >= beta:
                return -np.int64(tt_hi[s])
    best, best_sq, a = -SCORE_MAX - 1, NO_MOVE, alpha
    for i in range(n):
        sq = sq_buf[i]
        b = ONE << U(sq)
        f = flips(P, O, sq)
        child_P, child_O = O & ~f, P | f | b
        if i == 0:
            v = -search(child_P, child_O, -beta, -a, n_empties - 1, board, np.bool_(False), ply + 1,
                        tt_P, tt_O, tt_lo, tt_hi, tt_move, tt_depth, sq_bufs, key_bufs, nodes)
        else:
            v = -search(child_P, child_O, -a - 1, -a, n_empties - 1, board, np.bool_(False), ply + 1,
                        tt_P, tt_O, tt_lo, tt_hi, tt_move, tt_depth, sq_bufs, key_bufs, nodes)
            if a < v < beta:
                v = -search(child_P, child_O, -beta, -v, n_empties - 1, board, np.bool_(False), ply + 1,
                            tt_P, tt_O, tt_lo, tt_hi, tt_move, tt_depth, sq_bufs, key_bufs, nodes)
        if v > best:
            best, best_sq = v, sq
            if v > a:
                a = v
                if a >= beta:
                    break
    # store the bound this search proved, tightened by what the table already knew
    if best <= alpha:
        hi = min(hi, best)
    elif best >= beta:
        lo = max(lo, best)
    else:
        lo, hi = best, best
    if slot < 0:
        # Two slots a bucket: the first keeps the deeper (costlier) result, the second
        # takes whatever comes; a new deeper result moves the first one down.
        slot = np.int64(_bucket(P, O, U(tt_P.size - 1)))
        if n_empties >= tt_depth[slot]:
            tt_P[slot + 1], tt_O[slot + 1], tt_depth[slot + 1] = tt_P[slot], tt_O[slot], tt_depth[slot]
            tt_lo[slot + 1], tt_hi[slot + 1], tt_move[slot + 1] = tt_lo[slot], tt_hi[slot], tt_move[slot]
        else:
            slot += 1
    tt_P[slot], tt_O[slot], tt_depth[slot] = P, O, n_empties
    tt_lo[slot], tt_hi[slot], tt_move[slot] = lo, hi, best_sq
    return best


@njit(cache=True, nogil=True)
def solve_root(P, O, board, want_all, tt_P, tt_O, tt_lo, tt_hi, tt_move, tt_depth, sq_bufs, key_bufs, nodes, out_moves):
    """Exact score of a position where P has a move, and its best move(s).

    out_moves receives the best squares (all of them when want_all, else one);
    returns (score, number of best squares written).
    """
    n_empties = popcount(board & ~(P | O))
    E = board & ~(P | O)
    n = _order(P, O, E, board, get_moves(P, O, E), NO_MOVE, sq_bufs[0], key_bufs[0], n_empties >= LOOKAHEAD_MIN)
    best, count = -SCORE_MAX - 1, 0
    for i in range(n):
        sq = sq_bufs[0][i]
        b = ONE << U(sq)
        f = flips(P, O, sq)
        child_P, child_O = O & ~f, P | f | b
        if i == 0:
            v = -search(child_P, child_O, np.int64(-SCORE_MAX), np.int64(SCORE_MAX), n_empties - 1, board, np.bool_(False), np.int64(1),
                        tt_P, tt_O, tt_lo, tt_hi, tt_move, tt_depth, sq_bufs, key_bufs, nodes)
        else:
            # Scores are even, so a window of width 2 around -best decides better / equal / worse.
            hi_c = -best + 1 if want_all else -best
            v = -search(child_P, child_O, -best - 1, hi_c, n_empties - 1, board, np.bool_(False), np.int64(1),
                        tt_P, tt_O, tt_lo, tt_hi, tt_move, tt_depth, sq_bufs, key_bufs, nodes)
            if v > best:
                v = -search(child_P, child_O, np.int64(-SCORE_MAX), -best - 1, n_empties - 1, board, np.bool_(False), np.int64(1),
                            tt_P, tt_O, tt_lo, tt_hi, tt_move, tt_depth, sq_bufs, key_bufs, nodes)
        if v > best:
            best, count = v, 0
        if v == best and (count == 0 or want_all):
            out_moves[count] = sq
            count += 1
    return best, count


@njit(cache=True, nogil=True)
def score_position(P, O, board, tt_P, tt_O, tt_lo, tt_hi, tt_move, tt_depth, sq_bufs, key_bufs, nodes):
    """Exact score of any position (pass or game over included), P to move."""
    n_empties = popcount(board & ~(P | O))
    return search(P, O, np.int64(-SCORE_MAX), np.int64(SCORE_MAX), n_empties, board, np.bool_(False), np.int64(0),
                  tt_P, tt_O, tt_lo, tt_hi, tt_move, tt_depth, sq_bufs, key_bufs, nodes)
