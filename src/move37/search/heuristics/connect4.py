"""Connect Four evaluation for alpha-beta: open lines, threats and the centre.

Every window of four cells (69 of them: rows, columns, both diagonals) that holds
none of the opponent's stones is still open to the mover; one holding three of the
mover's stones is a threat, two a build-up. The count is the same for the opponent,
and the difference is the score, plus two facts Connect Four players know:
- the centre column takes part in the most windows, so stones there count extra;
- a threat on the right parity of row is worth more (the first player profits from
  odd rows counted from the bottom, the second from even rows, because zugzwang
  at the end of the game hands each side the cells of its parity).

All counts are bit tricks on the game's bitboards (see move37.games.connect4): a
window start is a bit, and the stone count of every window at once is a bit-sliced
sum of the board shifted along the window's direction (about 25 µs a call in CPython).
"""

from __future__ import annotations

import math

from move37.games.connect4 import BOARD, BOTTOM, COLUMN, H1, HEIGHT, WIDTH, ConnectFourState, winning_cells

action_order = (3, 2, 4, 1, 5, 0, 6)  # centre first: the centre joins the most windows


def _starts(dc: int, dr: int) -> int:
    """Bitboard of the cells where a window of four in direction (dc, dr) starts on the board."""
    out = 0
    for c in range(WIDTH):
        for r in range(HEIGHT):
            if 0 <= c + 3 * dc < WIDTH and 0 <= r + 3 * dr < HEIGHT:
                out |= 1 << (c * H1 + r)
    return out


# (shift, 2 * shift, 3 * shift, window starts) for vertical, horizontal and both diagonals.
_DIRECTIONS = tuple((s, 2 * s, 3 * s, _starts(dc, dr))
                    for dc, dr, s in ((0, 1, 1), (1, 0, H1), (1, 1, H1 + 1), (1, -1, H1 - 1)))
_ODD_ROWS = sum(1 << (c * H1 + r) for c in range(WIDTH) for r in range(0, HEIGHT, 2))  # rows 1, 3, 5 from the bottom
_EVEN_ROWS = BOARD & ~_ODD_ROWS
_CENTRE = COLUMN[WIDTH // 2]

W_THREE, W_TWO, W_CENTRE, W_PARITY = 4.0, 1.0, 1.5, 3.0
SCALE = 24.0  # tanh(total / SCALE): a typical middle-game lead maps to about 0.5
WIN_NOW = 0.99  # the mover has a playable winning cell: won, short of a search proving it


def _lines(own: int, opponent: int) -> float:
    """Weighted count of the windows free of `opponent` that hold three or two of `own` stones."""
    free = BOARD & ~opponent
    threes = twos = 0
    for s, s2, s3, starts in _DIRECTIONS:
        open_ = starts & free & (free >> s) & (free >> s2) & (free >> s3)
        a, b, c, d = own, own >> s, own >> s2, own >> s3
        ab, cd, both_ab, both_cd = a ^ b, c ^ d, a & b, c & d
        threes += (open_ & ((both_ab & cd) | (both_cd & ab))).bit_count()
        twos += (open_ & ((both_ab & ~(c | d)) | (both_cd & ~(a | b)) | (ab & cd))).bit_count()
    return W_THREE * threes + W_TWO * twos


def evaluate(state: ConnectFourState) -> float:
    """Value in (-1, 1) for the player to move; a finished game gets its exact value."""
    if state.won:
        return -1.0  # the previous mover completed four
    if state.moves == WIDTH * HEIGHT:
        return 0.0
    mine, mask = state.position, state.mask
    theirs = mine ^ mask
    my_spots = winning_cells(mine, mask)
    if my_spots & (mask + BOTTOM):  # a winning cell the mover can fill now
        return WIN_NOW
    their_spots = winning_cells(theirs, mask)
    mine_good, theirs_good = (_ODD_ROWS, _EVEN_ROWS) if state.moves % 2 == 0 else (_EVEN_ROWS, _ODD_ROWS)
    total = (_lines(mine, theirs) - _lines(theirs, mine)
             + W_CENTRE * ((mine & _CENTRE).bit_count() - (theirs & _CENTRE).bit_count())
             + W_PARITY * ((my_spots & mine_good).bit_count() - (their_spots & theirs_good).bit_count()))
    return math.tanh(total / SCALE)
