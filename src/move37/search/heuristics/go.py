"""Go evaluation: an area count of the current board, from the mover's side.

Stones plus the empty regions that touch only one colour — Tromp-Taylor's count —
but a region larger than a tenth of the board counts for nobody, so a lone stone does
not own an open board mid-game. With komi; exact once the board is settled into small
regions; one compiled flood fill per leaf, which suits alpha-beta.
"""

from __future__ import annotations

import math

from move37.games.go import GoState


def evaluate(state: GoState) -> float:
    """tanh(lead / size) in (-1, 1) for the player to move."""
    game = state.game
    black, white = state.area(max_region=max(game.num_points // 10, 4))
    lead = black - white - game.komi
    return math.tanh((lead if state.current_player == 0 else -lead) / game.size)
