"""Chess evaluation: material balance from the mover's side (pawn 1, knight and bishop 3,
rook 5, queen 9), squashed into (-1, 1). The classic first evaluation of Deep Blue's
ancestors; positional terms are left to search depth.
"""

from __future__ import annotations

import math

import chess

from move37.games.chess import ChessState

_VALUES = ((chess.PAWN, 1), (chess.KNIGHT, 3), (chess.BISHOP, 3), (chess.ROOK, 5), (chess.QUEEN, 9))


def evaluate(state: ChessState) -> float:
    """tanh(material lead / 10) for the player to move."""
    board = state.board
    me = board.turn
    lead = sum(v * (board.pieces_mask(p, me).bit_count() - board.pieces_mask(p, not me).bit_count())
               for p, v in _VALUES)
    return math.tanh(lead / 10.0)
