"""Where an action sits on a board: one geometry shared by the GTP engine and the web page.

The geometry is inferred from a game's facts, so a new grid game needs no code here.
With `observation_shape == (..., H, W)`:

- `num_actions == H * W` or `H * W + 1` -> kind "cells": action `r * W + c` is the cell in
  row r (0 at the top) and column c; the extra last action is the pass (tic-tac-toe,
  Othello, Go).
- `num_actions == W` -> kind "columns": an action is a column and the piece lands where
  the rules put it (Connect Four, gravity towards the bottom row).
- anything else -> kind "none": moves are entered as text (chess has its own view).

Stones are reported per player: `stones(state)[r, c]` is 0 (empty), 1 (player 0: black,
X) or 2 (player 1: white, O). They come from the state's `board` when it has one in
that form (tic-tac-toe, Go), else from planes 0 and 1 of `encode()` — the mover's and
the opponent's pieces, the convention of every grid game here (Connect Four, Othello).

GTP vertices use the GTP 2 convention on any of these boards: columns lettered from
the left skipping "I", rows numbered from 1 at the *bottom*. So the GTP vertex "A1" is
the bottom-left cell: tic-tac-toe "a3", Othello "a8".
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import numpy as np

from move37.errors import NotationError
from move37.games.base import Game, State

GTP_LETTERS = "ABCDEFGHJKLMNOPQRSTUVWXYZ"  # GTP skips I; 25 columns at most


@dataclass(frozen=True)
class Board:
    """A game's board: `rows` x `cols`, how actions map to it, and its pass action if any."""

    kind: Literal["cells", "columns", "none"]
    rows: int
    cols: int
    pass_action: int | None = None


def board_of(game: Game) -> Board:
    """The board geometry of `game`, inferred from its GameInfo (see the module doc)."""
    shape = game.info.observation_shape
    if len(shape) < 2 or game.info.name == "chess":
        return Board("none", 0, 0)
    rows, cols = int(shape[-2]), int(shape[-1])
    n = game.info.num_actions
    if n == rows * cols:
        return Board("cells", rows, cols)
    if n == rows * cols + 1:
        return Board("cells", rows, cols, pass_action=n - 1)
    if n == cols:
        return Board("columns", rows, cols)
    return Board("none", 0, 0)


def stones(state: State) -> np.ndarray:
    """int8 array (rows, cols): 0 empty, 1 + the player whose piece stands there."""
    board = board_of(state.game)
    if board.kind == "none":
        raise NotationError(f"{state.game.info.name} has no grid board")
    own = getattr(state, "board", None)
    if own is not None and np.size(own) == board.rows * board.cols:
        return np.asarray(own, dtype=np.int8).reshape(board.rows, board.cols).copy()
    obs = np.asarray(state.encode())
    mover, other = obs[0] > 0.5, obs[1] > 0.5  # (rows, cols) each
    me = state.current_player
    out = np.zeros((board.rows, board.cols), dtype=np.int8)
    out[mover] = me + 1
    out[other] = 2 - me
    return out


def action_cell(state: State, action: int) -> tuple[int, int] | None:
    """The (row, col) where `action` puts a piece in `state`; None for a pass or a full column."""
    board = board_of(state.game)
    if board.kind == "cells":
        if action == board.pass_action or not 0 <= action < board.rows * board.cols:
            return None
        return divmod(int(action), board.cols)
    if board.kind == "columns":
        if not 0 <= action < board.cols:
            return None
        empty = np.flatnonzero(stones(state)[:, action] == 0)
        return (int(empty[-1]), int(action)) if len(empty) else None
    return None


def cell_action(state: State, row: int, col: int) -> int | None:
    """The action that plays at (row, col): the cell itself, or its column; None off the board."""
    board = board_of(state.game)
    if not (0 <= row < board.rows and 0 <= col < board.cols):
        return None
    if board.kind == "cells":
        return row * board.cols + col
    if board.kind == "columns":
        return col
    return None


def gtp_vertex(board: Board, row: int, col: int) -> str:
    """The GTP vertex of a cell: "A1" is the bottom-left."""
    return f"{GTP_LETTERS[col]}{board.rows - row}"


def parse_gtp_vertex(board: Board, text: str) -> tuple[int, int]:
    """(row, col) of a GTP vertex such as "d4" (case-insensitive); NotationError when off the board."""
    t = text.strip().upper()
    ok = len(t) >= 2 and t[0] in GTP_LETTERS and t[1:].isascii() and t[1:].isdigit() and len(t) <= 4  # not "D²"
    col = GTP_LETTERS.index(t[0]) if ok else -1
    number = int(t[1:]) if ok else 0
    if not (0 <= col < board.cols and 1 <= number <= board.rows):
        raise NotationError(f"bad vertex {text!r} for a {board.cols}x{board.rows} board")
    return board.rows - number, col
