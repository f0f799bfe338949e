"""The perfect player: an exact solver behind the Agent interface.

Generic over `move37.solvers.for_game`, so it plays any game that has a solver.
With `random=True` it picks uniformly among the optimal moves (games differ from
one another); with `random=False` it plays the lowest-numbered optimal move.
"""

from __future__ import annotations

import numpy as np

from move37 import solvers
from move37.agents.base import Agent, Analysis
from move37.games.base import Game, State


class SolverAgent(Agent):
    """Plays an optimal move; its analysis carries the exact score, value and best-move policy."""

    def __init__(self, *, game: Game, seed: int = 0, random: bool = True):
        self._solver = solvers.for_game(game)
        self._num_actions = game.info.num_actions
        self._seed = seed
        self._random = random
        self._rng = np.random.default_rng(seed)

    def reset(self, seed: int | None = None) -> None:
        self._rng = np.random.default_rng(self._seed if seed is None else seed)

    def _analyse(self, state: State) -> Analysis:
        result = self._solver.solve(state)
        best = result.best_actions
        policy = np.zeros(self._num_actions)
        policy[list(best)] = 1.0 / len(best)
        action = int(self._rng.choice(best)) if self._random else best[0]
        return Analysis(action=action, value=float(result.value), score=float(result.score), policy=policy,
                        pv=(action,), nodes=result.nodes)
