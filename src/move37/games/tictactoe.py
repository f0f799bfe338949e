"""Tic-tac-toe: the worked example of the game API (see docs/adding-a-game.md).

Cells are actions 0..8 in row-major order. Notation follows Othello's: a file
letter a-c (left to right) and a rank 1-3 (top to bottom), so "b2" is the centre
(action 4). A game record is the moves concatenated: "b2a1c3".
"""

from __future__ import annotations

import numpy as np

from move37.games.base import Game, GameInfo, State, require
from move37.games.symmetry import cell_permutation, dihedral

_LINES = np.array(
    [[0, 1, 2], [3, 4, 5], [6, 7, 8], [0, 3, 6], [1, 4, 7], [2, 5, 8], [0, 4, 8], [2, 4, 6]]
)


class TicTacToeState(State):
    """board: tuple of 9 ints, 0 empty, 1 first player (X), 2 second player (O)."""

    __slots__ = ("_board", "_winner")

    def __init__(self, board: tuple[int, ...]):
        self._board = board
        cells = np.array(board)[_LINES]  # (8, 3)
        full = (cells == cells[:, :1]).all(axis=1) & (cells[:, 0] != 0)
        self._winner = int(cells[full.argmax(), 0]) - 1 if full.any() else -1

    @property
    def game(self) -> "TicTacToe":
        return _GAME

    @property
    def board(self) -> tuple[int, ...]:
        return self._board

    @property
    def current_player(self) -> int:
        return sum(c != 0 for c in self._board) % 2

    def legal_mask(self) -> np.ndarray:
        if self.is_terminal():
            return np.zeros(9, dtype=bool)
        return np.array(self._board) == 0

    def _apply(self, action: int) -> "TicTacToeState":
        board = list(self._board)
        board[action] = self.current_player + 1
        return TicTacToeState(tuple(board))

    def is_terminal(self) -> bool:
        return self._winner >= 0 or all(self._board)

    def returns(self) -> np.ndarray:
        if self._winner < 0:
            return np.zeros(2)
        out = -np.ones(2)
        out[self._winner] = 1.0
        return out

    def encode(self) -> np.ndarray:
        """(2, 3, 3): plane 0 the mover's marks, plane 1 the opponent's."""
        board = np.array(self._board).reshape(3, 3)
        me = self.current_player + 1
        return np.stack([board == me, board == 3 - me]).astype(np.float32)

    def key(self) -> int:
        return int(sum(c * 3**i for i, c in enumerate(self._board)))

    def transform(self, k: int) -> "TicTacToeState":
        perm = cell_permutation(3, 3, k)
        board = [0] * 9
        for i, c in enumerate(self._board):
            board[perm[i]] = c
        return TicTacToeState(tuple(board))

    def __str__(self) -> str:
        marks = ".XO"
        rows = [" ".join(marks[c] for c in self._board[r * 3 : r * 3 + 3]) for r in range(3)]
        return "  a b c\n" + "\n".join(f"{r + 1} {row}" for r, row in enumerate(rows))


class TicTacToe(Game):
    info = GameInfo(name="tictactoe", num_actions=9, observation_shape=(2, 3, 3), num_symmetries=8, max_length=9)

    def initial_state(self) -> TicTacToeState:
        return TicTacToeState((0,) * 9)

    def action_to_text(self, state: State, action: int) -> str:
        return "abc"[action % 3] + str(action // 3 + 1)

    def text_to_action(self, state: State, text: str) -> int:
        t = text.strip().lower()
        require(len(t) == 2 and t[0] in "abc" and t[1] in "123", f"bad tic-tac-toe move {text!r} (expected a1..c3)")
        return (int(t[1]) - 1) * 3 + "abc".index(t[0])

    def split_moves(self, text: str) -> list[str]:
        t = "".join(text.split())
        require(len(t) % 2 == 0, f"bad tic-tac-toe move sequence {text!r}")
        return [t[i : i + 2] for i in range(0, len(t), 2)]

    def action_permutation(self, k: int) -> np.ndarray:
        return cell_permutation(3, 3, k)

    def transform_observation(self, obs: np.ndarray, k: int) -> np.ndarray:
        return dihedral(obs, k)


_GAME = TicTacToe()
