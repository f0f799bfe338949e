"""Connect Four rules compiled with Numba, over batches of bitboards.

Why: search and self-play touch millions of positions a second; the object-level
`ConnectFourState` is the readable reference, these kernels are the fast path that
batched search calls without the interpreter in the loop. Tests check that both
agree move by move.

Layout (Pascal Pons's): bit `7 * column + row` (row 0 at the bottom), 6 playable
rows and one empty sentinel bit on top of each column. A batch of positions is two
int64 arrays of shape (B,):
- `position`: the stones of the player to move;
- `mask`: every stone on the board.
The opponent's stones are `position ^ mask`; `position + mask` is a unique key of the
position (side to move included), used for transpositions and evaluation caches.

Actions are columns 0..6 (the object game's action space). Values are from the point
of view of the player to move: -1 when the previous mover has just connected four,
0 for a draw or a game still going.

The scalar kernels (`aligned`, `can_play`, `play_one`, `is_terminal_one`,
`terminal_value_one`, `random_playout_one`) are `njit` functions meant to be called
from other compiled code (a compiled tree search); the batched ones wrap them for
NumPy callers.
"""

from __future__ import annotations

import numpy as np
from numba import njit

from move37.errors import IllegalMoveError
from move37.games._bits import popcount
from move37.games.connect4 import BOARD, COLUMN, H1, HEIGHT, WIDTH, ConnectFourState
from move37.games.leaves import Leaves

_COLUMN = COLUMN[0]  # the playable bits of column 0
_TOP = 1 << (HEIGHT - 1)  # the top playable bit of column 0


@njit(cache=True, inline="always")
def aligned(stones: int) -> bool:
    """Whether `stones` contain four in a row in any of the four directions."""
    for shift in (1, H1 - 1, H1, H1 + 1):  # vertical, diagonal \, horizontal, diagonal /
        m = stones & (stones >> shift)
        if m & (m >> (2 * shift)):
            return True
    return False


@njit(cache=True, inline="always")
def can_play(mask: int, column: int) -> bool:
    """Whether `column` has room (terminality not considered)."""
    return (mask & (_TOP << (H1 * column))) == 0


@njit(cache=True, inline="always")
def play_one(position: int, mask: int, column: int):
    """The (position, mask) after the mover drops a stone in `column` (must have room)."""
    new_mask = mask | ((mask + (1 << (H1 * column))) & (_COLUMN << (H1 * column)))
    return position ^ mask, new_mask


@njit(cache=True, inline="always")
def is_terminal_one(position: int, mask: int) -> bool:
    """Whether the previous mover has connected four or the board is full."""
    return mask == BOARD or aligned(position ^ mask)


@njit(cache=True, inline="always")
def terminal_value_one(position: int, mask: int) -> float:
    """Value for the player to move at a terminal position: -1 lost, 0 draw."""
    return -1.0 if aligned(position ^ mask) else 0.0


@njit(cache=True)
def random_playout_one(position: int, mask: int) -> float:
    """Play uniformly random legal moves to the end (Numba's generator, seeded by the
    caller with `np.random.seed` inside compiled code); value for the player to move
    at the start position."""
    sign = 1.0
    while not is_terminal_one(position, mask):
        column = np.random.randint(0, WIDTH)
        while not can_play(mask, column):
            column = np.random.randint(0, WIDTH)
        position, mask = play_one(position, mask, column)
        sign = -sign
    return sign * terminal_value_one(position, mask)


@njit(cache=True)
def legal_masks(position: np.ndarray, mask: np.ndarray) -> np.ndarray:
    """(B,) int64, (B,) int64 -> (B, 7) bool legal actions; all False when terminal."""
    out = np.zeros((position.shape[0], WIDTH), dtype=np.bool_)
    for b in range(position.shape[0]):
        if is_terminal_one(position[b], mask[b]):
            continue
        for c in range(WIDTH):
            out[b, c] = can_play(mask[b], c)
    return out


@njit(cache=True)
def play(position: np.ndarray, mask: np.ndarray, actions: np.ndarray):
    """(B,), (B,), (B,) int -> new (position, mask) after each action.

    Raises ValueError if an action is out of range or illegal (column full or game over).
    """
    new_position = np.empty_like(position)
    new_mask = np.empty_like(mask)
    for b in range(position.shape[0]):
        a = actions[b]
        if a < 0 or a >= WIDTH or not can_play(mask[b], a) or is_terminal_one(position[b], mask[b]):
            raise ValueError("illegal Connect Four action in batch")
        new_position[b], new_mask[b] = play_one(position[b], mask[b], a)
    return new_position, new_mask


@njit(cache=True)
def terminal_values(position: np.ndarray, mask: np.ndarray):
    """(B,), (B,) -> (terminal (B,) bool, value (B,) float32 for the player to move)."""
    n = position.shape[0]
    terminal = np.zeros(n, dtype=np.bool_)
    value = np.zeros(n, dtype=np.float32)
    for b in range(n):
        if is_terminal_one(position[b], mask[b]):
            terminal[b] = True
            value[b] = terminal_value_one(position[b], mask[b])
    return terminal, value


@njit(cache=True)
def encode(position: np.ndarray, mask: np.ndarray) -> np.ndarray:
    """(B,), (B,) -> (B, 2, 6, 7) float32: plane 0 the mover's stones, plane 1 the
    opponent's; row 0 of the picture is the top row of the board."""
    n = position.shape[0]
    out = np.zeros((n, 2, HEIGHT, WIDTH), dtype=np.float32)
    for b in range(n):
        mine = position[b]
        theirs = position[b] ^ mask[b]
        for c in range(WIDTH):
            for r in range(HEIGHT):
                bit = 1 << (H1 * c + r)
                if mine & bit:
                    out[b, 0, HEIGHT - 1 - r, c] = 1.0
                elif theirs & bit:
                    out[b, 1, HEIGHT - 1 - r, c] = 1.0
    return out


@njit(cache=True)
def random_playouts(position: np.ndarray, mask: np.ndarray, seed: int) -> np.ndarray:
    """(B,), (B,) -> (B,) float32: one uniformly random playout from each position,
    valued for its player to move; reproducible for a given seed."""
    np.random.seed(seed)
    out = np.empty(position.shape[0], dtype=np.float32)
    for b in range(position.shape[0]):
        out[b] = random_playout_one(position[b], mask[b])
    return out


def keys(position: np.ndarray, mask: np.ndarray) -> np.ndarray:
    """(B,), (B,) -> (B,) int64 unique keys of the positions (side to move included)."""
    return position + mask


def from_states(states) -> tuple[np.ndarray, np.ndarray]:
    """A batch of `ConnectFourState`s -> (position (B,) int64, mask (B,) int64)."""
    position = np.fromiter((s.position for s in states), dtype=np.int64)
    mask = np.fromiter((s.mask for s in states), dtype=np.int64)
    return position, mask


# The search's game-stepping seam (see move37.search._tree_states) on bitboards.


@njit(cache=True)
def describe(position, mask, games, nodes):
    """The search's view of K tree nodes, read from the (B, M) bitboard arrays.

    games, nodes: int64 (K,). Returns obs float32 (K, 2, 6, 7) (zeros where terminal),
    legal bool (K, 7), player int8 (K,) the node's mover, terminal bool (K,),
    final_value float32 (K,) player 0's return where terminal.
    """
    n = games.shape[0]
    obs = np.zeros((n, 2, HEIGHT, WIDTH), np.float32)
    legal = np.zeros((n, WIDTH), np.bool_)
    player = np.zeros(n, np.int8)
    terminal = np.zeros(n, np.bool_)
    final_value = np.zeros(n, np.float32)
    for k in range(n):
        pos, msk = position[games[k], nodes[k]], mask[games[k], nodes[k]]
        mover = popcount(msk) & 1
        player[k] = mover
        if is_terminal_one(pos, msk):
            terminal[k] = True
            won = aligned(pos ^ msk)  # the previous mover (1 - mover) connected four
            final_value[k] = 0.0 if not won else (1.0 if mover == 1 else -1.0)
            continue
        for c in range(WIDTH):
            legal[k, c] = can_play(msk, c)
            for r in range(HEIGHT):
                bit = 1 << (H1 * c + r)
                if pos & bit:
                    obs[k, 0, HEIGHT - 1 - r, c] = 1.0
                elif (pos ^ msk) & bit:
                    obs[k, 1, HEIGHT - 1 - r, c] = 1.0
    return obs, legal, player, terminal, final_value


@njit(cache=True)
def expand_and_describe(position, mask, games, nodes, parent, action):
    """Step each new node's parent bitboards by the node's action, into the (B, M)
    arrays, and describe the new nodes (as `describe`), in one compiled call."""
    for k in range(games.shape[0]):
        b, n = games[k], nodes[k]
        p = parent[b, n]
        position[b, n], mask[b, n] = play_one(position[b, p], mask[b, p], action[b, n])
    return describe(position, mask, games, nodes)


@njit(cache=True)
def advance_roots(position, mask, games, actions, out_terminal):
    """Play actions[k] at the root (node 0) of game games[k], in place; out_terminal bool (K,) whether
    the new position is terminal. Returns the index k of the first illegal action (nothing played
    from there on), or -1 when all were legal."""
    for k in range(games.shape[0]):
        b, a = games[k], actions[k]
        pos, msk = position[b, 0], mask[b, 0]
        if a < 0 or a >= WIDTH or is_terminal_one(pos, msk) or not can_play(msk, a):
            return k
        pos, msk = play_one(pos, msk, a)
        position[b, 0], mask[b, 0] = pos, msk
        out_terminal[k] = is_terminal_one(pos, msk)
    return -1


class BitboardStore:
    """Connect Four tree-node states as two (B, M) int64 arrays, stepped and encoded in
    compiled code: a drop-in for the search's generic `StateStore`. Root State objects are
    made when asked for (`root`), so moves played with `advance_roots` cost no Python per game."""

    rewards = False  # the rules score only terminals (move37.search.Store)

    def __init__(self, batch: int, capacity: int):
        self.capacity = capacity
        self.position = np.zeros((batch, capacity), np.int64)
        self.mask = np.zeros((batch, capacity), np.int64)
        self._roots: list = [None] * batch
        self._stale = np.zeros(batch, bool)  # the root object is behind the bitboards

    @classmethod
    def for_game(cls, game, batch: int, capacity: int) -> "BitboardStore":
        return cls(batch, capacity)

    def set_root(self, b: int, state) -> None:
        self._roots[b] = state
        self._stale[b] = False
        if state is not None:
            self.position[b, 0], self.mask[b, 0] = state.position, state.mask

    def root(self, b: int):
        if self._stale[b]:
            self._roots[b] = ConnectFourState.from_bitboards(int(self.position[b, 0]), int(self.mask[b, 0]))
            self._stale[b] = False
        return self._roots[b]

    def advance_roots(self, games: np.ndarray, actions: np.ndarray) -> np.ndarray:
        """Play actions[k] (int (K,)) at the roots of games[k] in one compiled call; bool (K,): whether
        each new root is terminal. Raises IllegalMoveError (nothing played) if any action is illegal."""
        games, actions = np.asarray(games, np.int64), np.asarray(actions, np.int64)
        for k in np.flatnonzero((actions < 0) | (actions >= WIDTH)):  # checked before anything is played
            raise IllegalMoveError(f"illegal move {int(actions[k])} in this connect4 position")
        saved = self.position[games, 0].copy(), self.mask[games, 0].copy()
        terminal = np.zeros(len(games), bool)
        bad = advance_roots(self.position, self.mask, games, actions, terminal)
        if bad >= 0:
            self.position[games, 0], self.mask[games, 0] = saved
            raise IllegalMoveError(f"illegal move {int(actions[bad]) + 1} in this connect4 position")
        self._stale[games] = True
        return terminal

    def remap(self, b: int, old_to_new: np.ndarray) -> None:
        old = np.flatnonzero(old_to_new >= 0)
        new = old_to_new[old]
        self.position[b, new], self.mask[b, new] = self.position[b, old].copy(), self.mask[b, old].copy()
        self._roots[b] = ConnectFourState.from_bitboards(int(self.position[b, 0]), int(self.mask[b, 0]))
        self._stale[b] = False

    def roots(self, games: np.ndarray) -> Leaves:
        games = np.asarray(games, np.int64)
        return Leaves(*describe(self.position, self.mask, games, np.zeros(len(games), np.int64)))

    def expand(self, games: np.ndarray, nodes: np.ndarray, parent: np.ndarray, action: np.ndarray) -> Leaves:
        games, nodes = np.asarray(games, np.int64), np.asarray(nodes, np.int64)
        return Leaves(*expand_and_describe(self.position, self.mask, games, nodes, parent, action))
