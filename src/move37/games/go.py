"""Go on a 9x9, 13x13 or 19x19 board under Tromp-Taylor rules.

Rules
- Area scoring (Tromp-Taylor): a player's score is their stones plus the empty
  regions that reach only their colour; White adds `komi`. Black (player 0) moves
  first. Returns are +1/-1, or 0/0 on an exact tie (only possible with integer komi).
- Suicide is illegal; positional superko: a move may not recreate any board position
  (stones only, whoever is to move) seen earlier in the game, setup position included.
- Passing is always legal; two consecutive passes end the game. A game also ends,
  and is scored as it stands, after `max_length = 3 * size * size` moves: random
  play under superko can cycle for a long time, and search and self-play need a
  bound; games between sensible players end by passes long before it.

Actions: point (row, col) is action row * size + col with row 0 the TOP row (the
observation's first image row), col 0 the A file; action size*size is pass.
Notation: GTP vertices, the column letter A..T skipping I and the row number
counting from the bottom ("D4", "pass"); a game record is moves separated by spaces.

`State.key()` identifies the board, the side to move, the consecutive pass count, the
move number and the points superko forbids right now: equal keys mean the same legal
moves, outcome and observation, but two states with equal keys may still differ in
which later moves superko will forbid (the full history is not part of the key, so
transpositions between different move orders can still be shared).
"""

from __future__ import annotations

import numpy as np

from move37.games import _go_kernels as K
from move37.games.base import Game, GameInfo, State, require
from move37.games.symmetry import cell_permutation, dihedral

COLUMNS = "ABCDEFGHJKLMNOPQRST"  # GTP skips I
HISTORY = 4  # board positions in the observation (current + 3 earlier)
NUM_PLANES = 2 * HISTORY + 7
_MIX = 0x9E3779B97F4A7C15  # odd constant spreading the move number over 64 bits
_MASK = 2**64 - 1


class GoState(State):
    """An immutable Go position with the history superko needs.

    board: int8 (N,) 0 empty, 1 Black, 2 White; history: uint64 (L,) hashes of every
    board seen since the start, this one last; recent: up to HISTORY-1 earlier boards
    (newest first) for the observation; moves: linked (player, action, previous) record.
    """

    __slots__ = ("_game", "_board", "_hash", "_player", "_passes", "_ply", "_history", "_recent", "_moves", "_start",
                 "_cache")

    def __init__(self, game: "Go", board: np.ndarray, board_hash: np.uint64, player: int, passes: int, ply: int,
                 history: np.ndarray, recent: tuple, moves: tuple | None, start: "GoState | None"):
        self._game, self._board, self._hash = game, board, board_hash
        self._player, self._passes, self._ply = player, passes, ply
        self._history, self._recent, self._moves = history, recent, moves
        self._start = start if start is not None else self
        self._cache = None

    @property
    def game(self) -> "Go":
        return self._game

    @property
    def current_player(self) -> int:
        return self._player

    @property
    def board(self) -> np.ndarray:
        """int8 (size, size) copy: 0 empty, 1 Black, 2 White; row 0 is the top row."""
        return self._board.reshape(self._game.size, self._game.size).copy()

    @property
    def passes(self) -> int:
        """Consecutive passes just played (2 ends the game)."""
        return self._passes

    @property
    def ply(self) -> int:
        """Moves played since the start (setup) position."""
        return self._ply

    @property
    def start(self) -> "GoState":
        """The position this game started from (empty board or an SGF setup)."""
        return self._start

    def moves(self) -> list[tuple[int, int]]:
        """The (player, action) pairs played since the start position, in order."""
        out, node = [], self._moves
        while node is not None:
            out.append((node[0], node[1]))
            node = node[2]
        return out[::-1]

    @property
    def _analysis(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """(legal points (N,), superko-forbidden points (N,), liberties of the group on each point (N,)), cached."""
        if self._cache is None:
            g = self._game
            self._cache = K.analyse(self._board, g.nbr, g.zob, self._player + 1, self._hash, self._history)
        return self._cache

    def legal_mask(self) -> np.ndarray:
        mask = np.zeros(self._game.info.num_actions, dtype=bool)
        if not self.is_terminal():
            mask[:-1] = self._analysis[0]
            mask[-1] = True
        return mask

    def _apply(self, action: int) -> "GoState":
        g = self._game
        moves = (self._player, action, self._moves)
        recent = (self._board, *self._recent[: HISTORY - 2])
        if action == g.pass_action:
            return GoState(g, self._board, self._hash, 1 - self._player, self._passes + 1, self._ply + 1,
                           self._history, recent, moves, self._start)
        board, h = K.play(self._board, g.nbr, g.zob, self._player + 1, action, self._hash)
        history = np.empty(self._history.shape[0] + 1, dtype=np.uint64)
        history[:-1] = self._history
        history[-1] = h
        return GoState(g, board, h, 1 - self._player, 0, self._ply + 1, history, recent, moves, self._start)

    def is_terminal(self) -> bool:
        return self._passes >= 2 or self._ply >= self._game.info.max_length

    def area(self, max_region: int | None = None) -> tuple[int, int]:
        """Tromp-Taylor area (Black, White): stones plus empty regions reaching only that colour
        (regions over `max_region` points count for nobody, for mid-game estimates)."""
        limit = self._game.num_points if max_region is None else max_region
        black, white = K.area(self._board, self._game.nbr, limit)
        return int(black), int(white)

    def score(self) -> float:
        """Black's area minus White's area minus komi (positive: Black leads)."""
        black, white = self.area()
        return black - white - self._game.komi

    def returns(self) -> np.ndarray:
        if not self.is_terminal():
            return np.zeros(2)
        s = float(np.sign(self.score()))
        return np.array([s, -s])

    def encode(self) -> np.ndarray:
        """float32 (NUM_PLANES, size, size), from the mover's point of view.

        Planes 0..3: the mover's stones now and 1..3 positions ago; 4..7 the opponent's;
        8, 9, 10: stones of groups with 1, 2, >=3 liberties; 11: empty points the mover may
        not play (suicide or superko); 12: ones if Black is to move (komi's sign);
        13: ones (the board, for padding-aware convolutions); 14: ones if the last move was a pass.
        """
        n = self._game.size
        me, them = self._player + 1, 2 - self._player
        out = np.zeros((NUM_PLANES, n * n), dtype=np.float32)
        for t, board in enumerate((self._board, *self._recent)):
            out[t] = board == me
            out[HISTORY + t] = board == them
        libs = self._analysis[2]
        base = 2 * HISTORY
        out[base] = libs == 1
        out[base + 1] = libs == 2
        out[base + 2] = libs >= 3
        if not self.is_terminal():
            out[base + 3] = (self._board == 0) & ~self._analysis[0]
        out[base + 4] = self._player == 0
        out[base + 5] = 1.0
        out[base + 6] = self._passes > 0
        return out.reshape(NUM_PLANES, n, n)

    def key(self) -> int:
        g = self._game
        h = int(self._hash) ^ int(g.side_keys[self._player]) ^ int(g.pass_keys[min(self._passes, 2)])
        h ^= (self._ply * _MIX) & _MASK
        if not self.is_terminal():
            banned = self._analysis[1]
            if banned.any():
                h ^= int(np.bitwise_xor.reduce(g.ban_keys[banned]))
        return h

    def transform(self, k: int) -> "GoState":
        """The image under symmetry k: the start position and every move mapped and replayed
        (in compiled code), so the superko history is the image of this one."""
        if k == 0:
            return self
        g = self._game
        perm = g.action_permutation(k)
        start = self._start
        board = np.empty_like(start._board)
        board[perm[: g.num_points]] = start._board
        moves = self.moves()
        actions = perm[np.array([a for _, a in moves], dtype=np.int64)]
        boards, hashes = K.replay(board, g.nbr, g.zob, start._player + 1, actions)
        image = g.state_from_setup(board, start._player)
        chain = None
        for (player, _), a in zip(moves, actions):
            chain = (player, int(a), chain)
        placed = np.flatnonzero(actions != g.pass_action) + 1
        history = np.concatenate((hashes[:1], hashes[placed]))
        m = len(moves)
        recent = tuple(boards[i] for i in range(m - 1, max(m - HISTORY, -1), -1))
        return GoState(g, boards[m], hashes[m], self._player, self._passes, self._ply, history, recent, chain, image)

    def __str__(self) -> str:
        n = self._game.size
        rows = ["   " + " ".join(COLUMNS[:n])]
        for r in range(n):
            cells = " ".join(".XO"[c] for c in self._board[r * n:(r + 1) * n])
            rows.append(f"{n - r:>2} {cells}")
        rows.append(f"{'Black' if self._player == 0 else 'White'} to move, move {self._ply}")
        return "\n".join(rows)


class Go(Game):
    """Go with Tromp-Taylor rules; `size` 9, 13 or 19, `komi` added to White's area."""

    def __init__(self, size: int = 9, komi: float = 7.5):
        if size not in (9, 13, 19):
            raise ValueError(f"board size {size} is not one of 9, 13, 19")
        if not -1000 < komi < 1000 or komi * 2 != int(komi * 2):
            raise ValueError(f"komi {komi} must be a multiple of 0.5")
        self.size, self.komi = size, float(komi)
        self.num_points = size * size
        self.pass_action = self.num_points
        self.info = GameInfo(name="go", num_actions=self.num_points + 1,
                             observation_shape=(NUM_PLANES, size, size), num_symmetries=8,
                             max_length=3 * self.num_points)
        self.nbr = K.neighbours(size)
        self.zob = K.zobrist(size)
        rng = np.random.default_rng(size)
        self.side_keys = rng.integers(1, 2**63, size=2, dtype=np.int64).astype(np.uint64)
        self.pass_keys = rng.integers(1, 2**63, size=3, dtype=np.int64).astype(np.uint64)
        self.ban_keys = rng.integers(1, 2**63, size=self.num_points, dtype=np.int64).astype(np.uint64)
        self._perms = [np.append(cell_permutation(size, size, k), self.pass_action) for k in range(8)]
        self._initial = self.state_from_setup(np.zeros(self.num_points, dtype=np.int8), 0)

    def initial_state(self) -> GoState:
        return self._initial

    def state_from_setup(self, board: np.ndarray, player: int) -> GoState:
        """A start position: int8 (N,) or (size, size) stones (1 Black, 2 White), `player` to move."""
        b = np.ascontiguousarray(board, dtype=np.int8).reshape(self.num_points)
        h = K.board_hash(b, self.zob)
        return GoState(self, b, h, player, 0, 0, np.array([h], dtype=np.uint64), (), None, None)

    # Notation: GTP vertices.

    def point_to_text(self, point: int) -> str:
        r, c = divmod(point, self.size)
        return f"{COLUMNS[c]}{self.size - r}"

    def action_to_text(self, state: State, action: int) -> str:
        return "pass" if action == self.pass_action else self.point_to_text(action)

    def text_to_action(self, state: State, text: str) -> int:
        t = text.strip().upper()
        if t == "PASS":
            return self.pass_action
        letters = COLUMNS[: self.size]
        digits = t[1:].isascii() and t[1:].isdigit()  # ASCII only: int() reads "٣" as 3 and fails on "²"
        require(len(t) >= 2 and t[0] in letters and digits and 1 <= int(t[1:]) <= self.size,
                f"bad {self.size}x{self.size} Go move {text!r} "
                f"(expected a vertex A1..{letters[-1]}{self.size} or pass)")
        return (self.size - int(t[1:])) * self.size + letters.index(t[0])

    def split_moves(self, text: str) -> list[str]:
        return text.split()

    def join_moves(self, moves: list[str]) -> str:
        return " ".join(moves)

    def state_from_text(self, text: str) -> GoState:
        """A position from a move sequence ("D4 E5 pass") or an SGF game record ("(;FF[4]...")."""
        if text.lstrip().startswith("("):
            from move37.games.sgf import state_from_sgf

            return state_from_sgf(text, self)
        return self.state_from_moves(text.strip())

    # Symmetries.

    def action_permutation(self, k: int) -> np.ndarray:
        return self._perms[k]

    def transform_observation(self, obs: np.ndarray, k: int) -> np.ndarray:
        return dihedral(obs, k)


def go9(komi: float = 7.5) -> Go:
    """Go on the 9x9 board: the registry's `go9`."""
    return Go(size=9, komi=komi)
