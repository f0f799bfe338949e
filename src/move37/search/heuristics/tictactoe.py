"""Tic-tac-toe evaluation: open lines, counted by how full they are.

A line holding only the mover's marks counts for the mover (more for two marks than
one), a line holding only the opponent's counts against; mixed lines are dead.
"""

from __future__ import annotations

from move37.games.tictactoe import TicTacToeState

_LINES = ((0, 1, 2), (3, 4, 5), (6, 7, 8), (0, 3, 6), (1, 4, 7), (2, 5, 8), (0, 4, 8), (2, 4, 6))
_WEIGHT = (0.0, 1.0, 3.0, 0.0)  # by marks in an open line
_SCALE = 8 * 3.0 + 1.0  # keeps the value strictly inside (-1, 1)

action_order = (4, 0, 2, 6, 8, 1, 3, 5, 7)  # centre, corners, edges


def evaluate(state: TicTacToeState) -> float:
    """Value in (-1, 1) for the player to move."""
    board = state.board
    me = state.current_player + 1
    total = 0.0
    for line in _LINES:
        cells = [board[i] for i in line]
        mine = sum(c == me for c in cells)
        theirs = sum(c == 3 - me for c in cells)
        if theirs == 0:
            total += _WEIGHT[mine]
        elif mine == 0:
            total -= _WEIGHT[theirs]
    return total / _SCALE
