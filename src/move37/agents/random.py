"""The random player: uniform over legal moves. The Elo anchor (rating 0)."""

from __future__ import annotations

import numpy as np

from move37.agents.base import Agent, Analysis
from move37.games.base import Game, State


class RandomAgent(Agent):
    def __init__(self, *, game: Game, seed: int = 0):
        self._seed = seed
        self._rng = np.random.default_rng(seed)

    def reset(self, seed: int | None = None) -> None:
        self._rng = np.random.default_rng(self._seed if seed is None else seed)

    def _analyse(self, state: State) -> Analysis:
        legal = state.legal_actions()
        policy = state.legal_mask() / len(legal)
        return Analysis(action=int(self._rng.choice(legal)), policy=policy)
