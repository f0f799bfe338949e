"""A human-like demonstrator: `humanlike:depth=2,temperature=0.1` (shallow alpha-beta, softmax noise).

No human game databases are reachable here, so the imitation experiments (move37.imitation) learn
from a stand-in for a club player: it looks `depth` plies ahead with the game's hand-written
evaluation (move37.search.heuristics), scores every legal move, and plays move a with probability
softmax(value(a) / temperature), value in [-1, 1] (a proven win +1, a proven loss -1). Like a human
it sees short tactics, mostly plays a good move, sometimes a plausible second choice and rarely a
blunder; unlike alpha-beta its choices have a spread an imitation policy can learn. `temperature=0`
plays the best move (ties broken by seed). Analysis.policy holds the softmax it sampled from.
"""

from __future__ import annotations

from typing import Annotated

import numpy as np

from move37.agents.base import Agent, Analysis
from move37.agents.options import Depth
from move37.games.base import Game, State
from move37.search.alphabeta import AlphaBeta
from move37.spec import Bound

#: softmax temperature over move values in [-1, 1]; 0 plays the best move
Temperature = Annotated[float, Bound(0.0, 100.0)]


class HumanlikeAgent(Agent):
    default_budget = {"depth": 2}

    def __init__(self, *, game: Game, depth: Depth = 2, temperature: Temperature = 0.1, seed: int = 0):
        self._seed, self.temperature = seed, float(temperature)
        self.search = AlphaBeta(game, depth=depth, tt_size=1 << 16, seed=seed)
        self._rng = np.random.default_rng(seed)

    def reset(self, seed: int | None = None) -> None:
        seed = self._seed if seed is None else seed
        self.search.reset(seed)
        self._rng = np.random.default_rng(seed)

    def _analyse(self, state: State) -> Analysis:
        scores = self.search.move_scores(state)
        actions = np.fromiter(scores, dtype=np.int64)
        values = np.clip(np.fromiter(scores.values(), dtype=np.float64), -1.0, 1.0)  # proven +-WIN -> +-1
        if self.temperature > 0:
            weights = np.exp((values - values.max()) / self.temperature)
        else:
            weights = (values == values.max()).astype(np.float64)
        probs = weights / weights.sum()
        policy = np.zeros(state.game.info.num_actions, dtype=np.float32)
        policy[actions] = probs
        pick = int(self._rng.choice(len(actions), p=probs))
        return Analysis(action=int(actions[pick]), value=float(values.max()), policy=policy,
                        pv=(int(actions[pick]),), nodes=self.search.nodes, depth=self.search.max_depth)
