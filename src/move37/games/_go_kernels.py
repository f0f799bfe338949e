"""Numba kernels for Go: captures, legality (suicide, positional superko) and area scoring.

A board is an int8 array (N,) with N = size*size points in row-major order (row 0 at
the top): 0 empty, 1 Black, 2 White. `nbr` is an int32 array (N, 4) of neighbouring
points, -1 off the board. Position hashes are Zobrist hashes of the stones only
(positional superko ignores the side to move): `zob` is uint64 (3, N), row 0 zeros.

The kernels recompute groups by flood fill on every call rather than tracking
them incrementally: on 9x9-19x19 a fill is a few microseconds in compiled code,
and a state then needs nothing but its board, which keeps immutable states cheap.
"""

from __future__ import annotations

import numpy as np
from numba import njit


def neighbours(size: int) -> np.ndarray:
    """int32 (N, 4): up, down, left, right neighbour of each point, -1 off the board."""
    n = size * size
    out = np.full((n, 4), -1, dtype=np.int32)
    for p in range(n):
        r, c = divmod(p, size)
        if r > 0:
            out[p, 0] = p - size
        if r < size - 1:
            out[p, 1] = p + size
        if c > 0:
            out[p, 2] = p - 1
        if c < size - 1:
            out[p, 3] = p + 1
    return out


def zobrist(size: int) -> np.ndarray:
    """uint64 (3, N): fixed random keys per colour and point (row 0, empty, is zero)."""
    rng = np.random.default_rng(37_000 + size)
    table = rng.integers(1, 2**63, size=(3, size * size), dtype=np.int64).astype(np.uint64)
    table[0] = 0
    return table


@njit(cache=True)
def _groups(board, nbr):
    """Label groups by flood fill: (label (N,) int32, -1 on empty points; libs (G,) int32 liberties per group)."""
    n = board.shape[0]
    label = np.full(n, -1, dtype=np.int32)
    libs = np.zeros(n, dtype=np.int32)
    stack = np.empty(n, dtype=np.int32)
    seen = np.full(n, -1, dtype=np.int32)  # liberty stamp: the group that last counted it
    g = 0
    for start in range(n):
        if board[start] == 0 or label[start] >= 0:
            continue
        colour = board[start]
        top = 0
        stack[top] = start
        top += 1
        label[start] = g
        count = 0
        while top > 0:
            top -= 1
            p = stack[top]
            for k in range(4):
                q = nbr[p, k]
                if q < 0:
                    continue
                if board[q] == 0:
                    if seen[q] != g:
                        seen[q] = g
                        count += 1
                elif board[q] == colour and label[q] < 0:
                    label[q] = g
                    stack[top] = q
                    top += 1
        libs[g] = count
        g += 1
    return label, libs[:g]


@njit(cache=True)
def analyse(board, nbr, zob, colour, board_hash, history):
    """Legality for `colour` (1 or 2) to move.

    Returns (legal (N,) bool, superko (N,) bool, point_libs (N,) int32): legal non-pass
    moves; empty points forbidden only by positional superko (a repeat of a hash in
    `history`, uint64 (L,)); and the liberty count of the group on each point (0 if empty).
    """
    n = board.shape[0]
    label, libs = _groups(board, nbr)
    ghash = np.zeros(libs.shape[0], dtype=np.uint64)
    point_libs = np.zeros(n, dtype=np.int32)
    for p in range(n):
        if label[p] >= 0:
            ghash[label[p]] ^= zob[board[p], p]
            point_libs[p] = libs[label[p]]
    legal = np.zeros(n, dtype=np.bool_)
    superko = np.zeros(n, dtype=np.bool_)
    done = np.empty(4, dtype=np.int32)
    for p in range(n):
        if board[p] != 0:
            continue
        breathes = False
        h = board_hash ^ zob[colour, p]
        nd = 0
        for k in range(4):
            q = nbr[p, k]
            if q < 0:
                continue
            if board[q] == 0:
                breathes = True
                continue
            g = label[q]
            if board[q] == colour:
                if libs[g] > 1:
                    breathes = True
            elif libs[g] == 1:
                dup = False
                for j in range(nd):
                    if done[j] == g:
                        dup = True
                if not dup:
                    done[nd] = g
                    nd += 1
                    h ^= ghash[g]
                    breathes = True
        if not breathes:
            continue  # suicide
        repeat = False
        for j in range(history.shape[0]):
            if history[j] == h:
                repeat = True
                break
        if repeat:
            superko[p] = True
        else:
            legal[p] = True
    return legal, superko, point_libs


@njit(cache=True)
def play(board, nbr, zob, colour, p, board_hash):
    """Place a stone of `colour` on empty point p (legality already checked) and remove
    the opponent groups left without liberties. Returns (new board, new hash)."""
    out = board.copy()
    out[p] = colour
    h = board_hash ^ zob[colour, p]
    other = 3 - colour
    n = board.shape[0]
    mark = np.zeros(n, dtype=np.bool_)
    stack = np.empty(n, dtype=np.int32)
    members = np.empty(n, dtype=np.int32)
    for k in range(4):
        start = nbr[p, k]
        if start < 0 or out[start] != other or mark[start]:
            continue
        mark[start] = True
        top = 1
        stack[0] = start
        size = 0
        alive = False
        while top > 0:
            top -= 1
            q = stack[top]
            members[size] = q
            size += 1
            for j in range(4):
                r = nbr[q, j]
                if r < 0:
                    continue
                if out[r] == 0:
                    alive = True
                elif out[r] == other and not mark[r]:
                    mark[r] = True
                    stack[top] = r
                    top += 1
        if not alive:
            for i in range(size):
                q = members[i]
                out[q] = 0
                h ^= zob[other, q]
    return out, h


@njit(cache=True)
def area(board, nbr, max_region):
    """Tromp-Taylor area: (black, white) = stones plus empty regions reaching only that colour.
    Regions larger than `max_region` points count for nobody (N: the rules' count; smaller:
    a mid-game estimate that does not hand an open board to a lone stone)."""
    n = board.shape[0]
    black = 0
    white = 0
    seen = np.zeros(n, dtype=np.bool_)
    stack = np.empty(n, dtype=np.int32)
    for start in range(n):
        if board[start] == 1:
            black += 1
        elif board[start] == 2:
            white += 1
        elif not seen[start]:
            seen[start] = True
            stack[0] = start
            top = 1
            size = 0
            reach = 0  # bit 1: touches Black, bit 2: touches White
            while top > 0:
                top -= 1
                q = stack[top]
                size += 1
                for j in range(4):
                    r = nbr[q, j]
                    if r < 0:
                        continue
                    if board[r] == 0:
                        if not seen[r]:
                            seen[r] = True
                            stack[top] = r
                            top += 1
                    else:
                        reach |= board[r]
            if reach == 1 and size <= max_region:
                black += size
            elif reach == 2 and size <= max_region:
                white += size
    return black, white


@njit(cache=True)
def board_hash(board, zob):
    """Zobrist hash of a board's stones."""
    h = np.uint64(0)
    for p in range(board.shape[0]):
        h ^= zob[board[p], p]
    return h


@njit(cache=True)
def replay(board, nbr, zob, colour, actions):
    """Replay `actions` (int64 (M,), pass = N, legality assumed) from `board` with `colour`
    to move first. Returns (boards int8 (M+1, N), hashes uint64 (M+1,)) after each ply."""
    n = board.shape[0]
    m = actions.shape[0]
    boards = np.empty((m + 1, n), dtype=np.int8)
    hashes = np.empty(m + 1, dtype=np.uint64)
    boards[0] = board
    hashes[0] = board_hash(board, zob)
    for i in range(m):
        a = actions[i]
        if a == n:
            boards[i + 1] = boards[i]
            hashes[i + 1] = hashes[i]
        else:
            nb, h = play(boards[i], nbr, zob, colour, a, hashes[i])
            boards[i + 1] = nb
            hashes[i + 1] = h
        colour = 3 - colour
    return boards, hashes
