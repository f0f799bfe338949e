"""Othello (Reversi) on an 8x8 or 6x6 board, on bitboards held in Python ints.

Board and actions. Square (row, col) is bit and action ``row * n + col``: a1 = 0 is
the top-left corner, files a.. run left to right and ranks 1.. top to bottom, as in
standard Othello notation (so "f5" is action 4 * 8 + 5 = 37 on 8x8). Action ``n * n``
is the pass, legal only when (and then the only action) the player to move has no
move while the opponent has one; the game ends when neither side can move. Black
(player 0, "X") moves first from the standard start: d5 and e4 black, d4 and e5 white
on 8x8, the same four central squares (c4 d3 black, c3 d4 white) on 6x6.

Notation. A move is a square ("f5") or "pass". A game record is its moves
concatenated, passes written "pass" ("f5d6c3...passe2"); on reading, "PA" is accepted
for a pass as in many transcripts, letters may be upper case, and a pass may be
left out entirely when it is forced (WTHOR-style records omit them).

Positions. `state_from_text` also accepts a board in the FFO ".obf" format: n * n
characters X (black), O (white), - (empty) row by row from a1, a space, and the side
to move X or O (anything after that, e.g. the ";G8:+18;" move scores of an .obf line,
is ignored). `state_to_text` writes that format.

Why Python ints and not NumPy: one state is handled per call here, and a handful of
int shifts is far cheaper than a NumPy call; the exact solver (move37.solvers.othello)
uses Numba on uint64 for its hot loop instead.
"""

from __future__ import annotations

import re
from functools import lru_cache

import numpy as np

from move37.errors import IllegalMoveError
from move37.games.base import Game, GameInfo, State, require
from move37.games.symmetry import cell_permutation, dihedral

_TOKEN = re.compile(r"pass|pa|[a-h][1-8]")


class _Geometry:
    """Shift directions and wrap masks of an n x n bitboard.

    Each direction is (shift, mask): shifting left by a positive amount (right by a
    negative one) moves every disc one step, and `mask` drops the bits that wrapped
    around from one edge to the other.
    """

    def __init__(self, n: int):
        self.n = n
        self.full = (1 << (n * n)) - 1
        not_first = sum(1 << (r * n + c) for r in range(n) for c in range(1, n))
        not_last = sum(1 << (r * n + c) for r in range(n) for c in range(n - 1))
        self.directions = (
            (1, not_first), (-1, not_last),          # east, west
            (n, self.full), (-n, self.full),         # south, north
            (n + 1, not_first), (n - 1, not_last),   # south-east, south-west
            (-(n - 1), not_first), (-(n + 1), not_last),  # north-east, north-west
        )
        # cell_permutation(k)[i]: where square i goes under symmetry k.
        self.perms = [cell_permutation(n, n, k).tolist() for k in range(8)]

    def shift(self, b: int, d: int, mask: int) -> int:
        return ((b << d) if d > 0 else (b >> -d)) & mask & self.full

    def moves(self, me: int, opp: int) -> int:
        """Bitboard of the squares where `me` may play."""
        empty = self.full & ~(me | opp)
        out = 0
        for d, mask in self.directions:
            x = self.shift(me, d, mask) & opp
            for _ in range(self.n - 3):
                x |= self.shift(x, d, mask) & opp
            out |= self.shift(x, d, mask) & empty
        return out

    def flips(self, me: int, opp: int, square: int) -> int:
        """Bitboard of the opponent discs that a move of `me` on `square` turns over."""
        out = 0
        for d, mask in self.directions:
            line = 0
            x = self.shift(1 << square, d, mask)
            while x & opp:
                line |= x
                x = self.shift(x, d, mask)
            if x & me:
                out |= line
        return out

    def permute(self, b: int, k: int) -> int:
        perm = self.perms[k]
        out = 0
        while b:
            low = b & -b
            out |= 1 << perm[low.bit_length() - 1]
            b ^= low
        return out


@lru_cache(maxsize=None)
def _geometry(n: int) -> _Geometry:
    return _Geometry(n)


def _bits(b: int, n: int) -> np.ndarray:
    """A bitboard as a bool array (n, n)."""
    return np.array([(b >> i) & 1 for i in range(n * n)], dtype=bool).reshape(n, n)


class OthelloState(State):
    """A position: black and white bitboards and the player to move (0 black, 1 white).

    The mover's legal moves (and, when it has none, the opponent's) are computed once
    at construction, so legality and terminality are lookups.
    """

    __slots__ = ("_game", "_black", "_white", "_player", "_moves", "_passes")

    def __init__(self, game: "Othello", black: int, white: int, player: int):
        self._game = game
        self._black, self._white, self._player = black, white, player
        geo = game.geometry
        me, opp = (black, white) if player == 0 else (white, black)
        self._moves = geo.moves(me, opp)
        # A player without moves passes if the opponent can move; else the game is over.
        self._passes = self._moves == 0 and geo.moves(opp, me) != 0

    @property
    def game(self) -> "Othello":
        return self._game

    @property
    def current_player(self) -> int:
        return self._player

    @property
    def black(self) -> int:
        """Bitboard of black discs (bit row * n + col)."""
        return self._black

    @property
    def white(self) -> int:
        """Bitboard of white discs."""
        return self._white

    @property
    def mover_discs(self) -> tuple[int, int]:
        """(mover, opponent) bitboards."""
        return (self._black, self._white) if self._player == 0 else (self._white, self._black)

    @property
    def moves_bitboard(self) -> int:
        """Bitboard of the mover's legal squares (0 when it must pass or the game is over)."""
        return self._moves

    def empties(self) -> int:
        """Number of empty squares."""
        return self._game.size**2 - (self._black | self._white).bit_count()

    def legal_mask(self) -> np.ndarray:
        n2 = self._game.size**2
        mask = np.zeros(n2 + 1, dtype=bool)
        if self._moves:
            mask[:n2] = _bits(self._moves, self._game.size).ravel()
        elif self._passes:
            mask[n2] = True
        return mask

    def _apply(self, action: int) -> "OthelloState":
        if action == self._game.pass_action:
            return OthelloState(self._game, self._black, self._white, 1 - self._player)
        me, opp = self.mover_discs
        flips = self._game.geometry.flips(me, opp, action)
        me |= flips | (1 << action)
        opp &= ~flips
        black, white = (me, opp) if self._player == 0 else (opp, me)
        return OthelloState(self._game, black, white, 1 - self._player)

    def is_terminal(self) -> bool:
        return self._moves == 0 and not self._passes

    def disc_difference(self) -> int:
        """Black discs minus white discs."""
        return self._black.bit_count() - self._white.bit_count()

    def returns(self) -> np.ndarray:
        if not self.is_terminal():
            return np.zeros(2)
        sign = float(np.sign(self.disc_difference()))
        return np.array([sign, -sign])

    def encode(self) -> np.ndarray:
        """(2, n, n) float32: plane 0 the mover's discs, plane 1 the opponent's."""
        n = self._game.size
        me, opp = self.mover_discs
        return np.stack([_bits(me, n), _bits(opp, n)]).astype(np.float32)

    def key(self) -> int:
        n2 = self._game.size**2
        return self._black | self._white << n2 | self._player << 2 * n2 | self._game.size << (2 * n2 + 1)

    def transform(self, k: int) -> "OthelloState":
        geo = self._game.geometry
        return OthelloState(self._game, geo.permute(self._black, k), geo.permute(self._white, k), self._player)

    def __str__(self) -> str:
        n = self._game.size
        rows = []
        for r in range(n):
            cells = []
            for c in range(n):
                bit = 1 << (r * n + c)
                cells.append("X" if self._black & bit else "O" if self._white & bit else ("*" if self._moves & bit else "."))
            rows.append(f"{r + 1} " + " ".join(cells))
        to_move = "game over" if self.is_terminal() else f"{'XO'[self._player]} to move"
        return "  " + " ".join("abcdefgh"[:n]) + "\n" + "\n".join(rows) + f"\n{to_move}"


class Othello(Game):
    """Othello on an n x n board, n = 8 (standard) or 6."""

    def __init__(self, size: int = 8):
        if size not in (6, 8):
            raise ValueError(f"othello board size must be 8 or 6, not {size}")
        self.size = size
        self.geometry = _geometry(size)
        self.pass_action = size * size
        self.info = GameInfo(
            name="othello",
            num_actions=size * size + 1,
            observation_shape=(2, size, size),
            num_symmetries=8,
            # Passes never follow each other, so at most one per disc placed.
            max_length=2 * (size * size - 4),
        )
        self._perms = [np.append(cell_permutation(size, size, k), self.pass_action) for k in range(8)]

    def __repr__(self) -> str:
        return f"Othello(size={self.size})"

    def initial_state(self) -> OthelloState:
        n, h = self.size, self.size // 2
        sq = lambda r, c: 1 << (r * n + c)  # noqa: E731
        black = sq(h, h - 1) | sq(h - 1, h)  # d5 e4 on 8x8
        white = sq(h - 1, h - 1) | sq(h, h)  # d4 e5
        return OthelloState(self, black, white, 0)

    def action_to_text(self, state: State, action: int) -> str:
        if action == self.pass_action:
            return "pass"
        return "abcdefgh"[action % self.size] + str(action // self.size + 1)

    def text_to_action(self, state: State, text: str) -> int:
        t = text.strip().lower()
        if t in ("pass", "pa"):
            return self.pass_action
        files, ranks = "abcdefgh"[: self.size], "12345678"[: self.size]
        require(len(t) == 2 and t[0] in files and t[1] in ranks,
                f"bad othello move {text!r} (expected a square a1..{files[-1]}{ranks[-1]} or 'pass')")
        return (int(t[1]) - 1) * self.size + files.index(t[0])

    def split_moves(self, text: str) -> list[str]:
        t = "".join(text.split()).lower()
        tokens, pos = [], 0
        while pos < len(t):
            m = _TOKEN.match(t, pos)
            require(m is not None, f"bad othello move sequence {text!r} at character {pos + 1}")
            tokens.append("pass" if m.group() == "pa" else m.group())
            pos = m.end()
        return tokens

    def state_from_moves(self, text: str) -> OthelloState:
        """The position after a record from the start; forced passes may be omitted."""
        tokens = self.split_moves(text)
        state = self.initial_state()
        for i, token in enumerate(tokens):
            if state._passes and token != "pass":
                state = state._apply(self.pass_action)
            if state.is_terminal():
                raise IllegalMoveError(f"move {i + 1} ({token!r}) is played after the game is over")
            action = self.text_to_action(state, token)
            if not state.legal_mask()[action]:
                raise IllegalMoveError(f"move {i + 1} ({token!r}): illegal move {token} in this othello position")
            state = state._apply(action)
        return state

    def state_from_text(self, text: str) -> OthelloState:
        """An .obf board ("X-O... X") when the text starts with one, else a move record."""
        fields = text.replace(";", " ").split()
        n2 = self.size**2
        if fields and set(fields[0].upper()) <= set("XO-."):
            board = fields[0].upper()
            require(len(board) == n2, f"othello board has {len(board)} squares, expected {n2} for size {self.size}")
            require(len(fields) >= 2 and fields[1].upper() in ("X", "O"),
                    "othello board must be followed by the side to move, X or O")
            black = sum(1 << i for i, c in enumerate(board) if c == "X")
            white = sum(1 << i for i, c in enumerate(board) if c == "O")
            return OthelloState(self, black, white, "XO".index(fields[1].upper()))
        return self.state_from_moves(text.strip())

    def state_to_text(self, state: State) -> str:
        n2 = self.size**2
        board = "".join("X" if state.black >> i & 1 else "O" if state.white >> i & 1 else "-" for i in range(n2))
        return f"{board} {'XO'[state.current_player]}"

    def action_permutation(self, k: int) -> np.ndarray:
        return self._perms[k].copy()

    def transform_observation(self, obs: np.ndarray, k: int) -> np.ndarray:
        return dihedral(obs, k)
