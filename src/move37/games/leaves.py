"""`Leaves`: what a batched state store tells tree search about new nodes.

It lives beside the games, not in the search package, so that the compiled stores
(`_connect4_kernels.BitboardStore`, `_othello_store.OthelloStore`) can build it without
importing the search, which itself imports those kernels.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


@dataclass
class Leaves:
    """What search needs to know about K new nodes.

    obs: float32 (K, *observation_shape); legal: bool (K, A); player: int8 (K,);
    terminal: bool (K,); final_value: float32 (K,) player 0's return where terminal.
    reward: float32 (K,) the reward of the step into each node, for the player who made it (a learned
    model's stores give it, move37.worldmodel); None: no rewards on edges (the game's rules score only
    terminals), and search backs values up as AlphaZero does.
    """

    obs: np.ndarray
    legal: np.ndarray
    player: np.ndarray
    terminal: np.ndarray
    final_value: np.ndarray
    reward: np.ndarray | None = None
