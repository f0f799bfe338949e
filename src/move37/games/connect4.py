"""Connect Four (6 rows x 7 columns) on bitboards.

The board is Pascal Pons's layout: column c owns bits 7c .. 7c+6, bit 7c+r is row r
counted from the bottom, and the 7th bit of each column stays empty as a guard so
that shifts never carry a line from one column into the next. A position is two
Python ints: `position` (the stones of the player to move) and `mask` (all stones),
plus `moves`, the number of stones played. Dropping a stone in column c is one
addition (`mask + bottom(c)` fills the lowest empty cell), which keeps `play` and
`legal_mask` cheap: they are the hot path of every Python-level search.

Actions 0..6 are the columns left to right; notation writes them 1-based ("4" is the
centre) and a game is the digits concatenated ("4453"), Pons's benchmark format.
"""

from __future__ import annotations

import numpy as np

from move37.games.base import Game, GameInfo, State, require
from move37.games.symmetry import mirror

WIDTH, HEIGHT = 7, 6
H1 = HEIGHT + 1
CELLS = WIDTH * HEIGHT
BOTTOM = sum(1 << (c * H1) for c in range(WIDTH))
BOARD = BOTTOM * ((1 << HEIGHT) - 1)
COLUMN = [((1 << HEIGHT) - 1) << (c * H1) for c in range(WIDTH)]
_BOTTOM_OF = [1 << (c * H1) for c in range(WIDTH)]
_TOP_OF = [1 << (HEIGHT - 1 + c * H1) for c in range(WIDTH)]
_TOPS = sum(_TOP_OF)

# (mask & _TOPS) -> legal-action mask: one dict look-up instead of seven tests.
_LEGAL: dict[int, np.ndarray] = {}
for _code in range(1 << WIDTH):
    _full = sum(_TOP_OF[c] for c in range(WIDTH) if _code >> c & 1)
    _LEGAL[_full] = np.array([not (_code >> c & 1) for c in range(WIDTH)])
_NO_MOVES = np.zeros(WIDTH, dtype=bool)

# encode(): bit index of board cell (row from the top, column), shape (6, 7).
_CELL_BITS = np.array([[c * H1 + (HEIGHT - 1 - r) for c in range(WIDTH)] for r in range(HEIGHT)], dtype=np.uint64)


def has_four(stones: int) -> bool:
    """Whether `stones` (one player's bitboard) holds four in a row in any direction."""
    # Unrolled over the shifts 7 (horizontal), 6 and 8 (diagonals), 1 (vertical): hot path.
    m = stones & (stones >> 7)
    if m & (m >> 14):
        return True
    m = stones & (stones >> 6)
    if m & (m >> 12):
        return True
    m = stones & (stones >> 8)
    if m & (m >> 16):
        return True
    m = stones & (stones >> 1)
    return bool(m & (m >> 2))


def mirror_bits(bits: int) -> int:
    """A bitboard reflected left-right (column c -> 6 - c)."""
    out = 0
    for c in range(WIDTH):
        out |= ((bits >> (c * H1)) & 0x7F) << ((WIDTH - 1 - c) * H1)
    return out


class ConnectFourState(State):
    """position: the mover's stones; mask: all stones; moves: stones played;
    won: whether the last stone completed four (then the previous mover has won)."""

    __slots__ = ("position", "mask", "moves", "won")

    def __init__(self, position: int, mask: int, moves: int, won: bool = False):
        self.position = position
        self.mask = mask
        self.moves = moves
        self.won = won

    @classmethod
    def from_bitboards(cls, position: int, mask: int) -> "ConnectFourState":
        """A state from Pons's pair of ints; whether the previous mover has four is recomputed."""
        return cls(position, mask, bin(mask).count("1"), has_four(position ^ mask))

    @property
    def game(self) -> "ConnectFour":
        return _GAME

    @property
    def current_player(self) -> int:
        return self.moves & 1

    def legal_mask(self) -> np.ndarray:
        if self.won or self.moves == CELLS:
            return _NO_MOVES.copy()
        return _LEGAL[self.mask & _TOPS].copy()

    def _apply(self, action: int) -> "ConnectFourState":
        mask = self.mask | (self.mask + _BOTTOM_OF[action])
        mover = self.position | (mask ^ self.mask)  # the stones of the player who just moved
        return ConnectFourState(mover ^ mask, mask, self.moves + 1, has_four(mover))

    def play(self, action: int) -> "ConnectFourState":
        """Fast path of State.play: one bit test for legality, the general check on failure."""
        a = action if action.__class__ is int else int(action)
        if 0 <= a < WIDTH and not self.won and not self.mask & _TOP_OF[a]:
            return self._apply(a)
        return super().play(a)

    def is_terminal(self) -> bool:
        return self.won or self.moves == CELLS

    def returns(self) -> np.ndarray:
        out = np.zeros(2)
        if self.won:
            out[self.moves & 1] = -1.0  # the player to move is the one who lost
            out[1 - (self.moves & 1)] = 1.0
        return out

    def encode(self) -> np.ndarray:
        """(2, 6, 7) float32: plane 0 the mover's stones, plane 1 the opponent's; row 0 is the top."""
        bits = np.array([self.position, self.position ^ self.mask], dtype=np.uint64)[:, None, None]
        return ((bits >> _CELL_BITS) & np.uint64(1)).astype(np.float32)

    def key(self) -> int:
        # position + mask is unique: it adds a 1 above the top stone of every column.
        return self.position + self.mask

    def transform(self, k: int) -> "ConnectFourState":
        if k == 0:
            return self
        return ConnectFourState(mirror_bits(self.position), mirror_bits(self.mask), self.moves, self.won)

    def winning_spots(self) -> int:
        """Bitboard of the empty cells (reachable or not) where the mover would complete four."""
        return winning_cells(self.position, self.mask)

    def __str__(self) -> str:
        first = self.position if self.moves % 2 == 0 else self.position ^ self.mask
        rows = []
        for r in range(HEIGHT - 1, -1, -1):
            cells = []
            for c in range(WIDTH):
                bit = 1 << (c * H1 + r)
                cells.append("." if not self.mask & bit else ("X" if first & bit else "O"))
            rows.append(" ".join(cells))
        return "\n".join(rows) + "\n" + " ".join(str(c + 1) for c in range(WIDTH))

    def __repr__(self) -> str:
        return f"ConnectFourState(position={self.position:#x}, mask={self.mask:#x}, moves={self.moves})"


def winning_cells(position: int, mask: int) -> int:
    """Empty cells where the stones in `position` would complete four (Pons's bit trick)."""
    p = position
    r = (p << 1) & (p << 2) & (p << 3)  # vertical: three below
    for s in (H1, HEIGHT, H1 + 1):  # horizontal and the two diagonals
        q = (p << s) & (p << 2 * s)
        r |= q & (p << 3 * s)
        r |= q & (p >> s)
        q = (p >> s) & (p >> 2 * s)
        r |= q & (p << s)
        r |= q & (p >> 3 * s)
    return r & (BOARD ^ mask)


class ConnectFour(Game):
    info = GameInfo(name="connect4", num_actions=WIDTH, observation_shape=(2, HEIGHT, WIDTH), num_symmetries=2,
                    max_length=CELLS)

    def initial_state(self) -> ConnectFourState:
        return ConnectFourState(0, 0, 0)

    def action_to_text(self, state: State, action: int) -> str:
        return str(action + 1)

    def actions_to_text(self, state: State, actions: list[int]) -> list[str]:
        return [str(a + 1) for a in actions]  # a column's name does not depend on the position

    def text_to_action(self, state: State, text: str) -> int:
        t = text.strip()
        require(len(t) == 1 and t in "1234567", f"bad Connect Four move {text!r} (expected a column 1..7)")
        return int(t) - 1

    def split_moves(self, text: str) -> list[str]:
        t = "".join(text.split())
        for ch in t:
            require(ch in "1234567", f"bad Connect Four move {ch!r} in {text!r} (expected column digits 1..7)")
        return list(t)

    def action_permutation(self, k: int) -> np.ndarray:
        return np.arange(WIDTH)[::-1].copy() if k == 1 else np.arange(WIDTH)

    def transform_observation(self, obs: np.ndarray, k: int) -> np.ndarray:
        return mirror(obs, k)


_GAME = ConnectFour()
