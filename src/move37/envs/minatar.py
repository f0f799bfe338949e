"""`minatar:GAME`: the MinAtar games (breakout, freeway, asterix, seaquest, space_invaders).

Observations are the game's channels first, float32 (C, 10, 10); the actions are the game's
minimal action set (Breakout: no-op, left, right), as in the MinAtar paper's agents. Sticky
actions (probability 0.1) as MinAtar's default.
"""

from __future__ import annotations

import numpy as np

from move37.envs.base import EnvGame
from move37.errors import SpecError
from move37.games.base import GameInfo

GAMES = ("asterix", "breakout", "freeway", "seaquest", "space_invaders")


class MinAtarSimulator:
    """A MinAtar Environment as a `Simulator`, with a time limit."""

    def __init__(self, name: str, max_steps: int, sticky: float):
        from minatar import Environment

        self.env = Environment(name, sticky_action_prob=sticky)
        self.actions = self.env.minimal_action_set()
        self.max_steps, self.steps = max_steps, 0

    def observe(self) -> np.ndarray:
        return np.ascontiguousarray(self.env.state().transpose(2, 0, 1), np.float32)

    def reset(self, seed: int) -> np.ndarray:
        self.env.seed(int(seed))
        self.env.reset()
        self.steps = 0
        return self.observe()

    def step(self, action: int) -> tuple[np.ndarray, float, bool, bool]:
        reward, terminated = self.env.act(int(self.actions[int(action)]))
        self.steps += 1
        return self.observe(), float(reward), bool(terminated), self.steps >= self.max_steps and not terminated


class MinAtarGame(EnvGame):
    """name: one of GAMES. max_steps: the time limit. sticky: MinAtar's sticky-action probability."""

    def __init__(self, name: str, /, max_steps: int = 10_000, discount: float = 0.99, sticky: float = 0.1,
                 seed: int = 0):
        if name not in GAMES:
            raise SpecError(f"unknown MinAtar game {name!r} (known: {', '.join(GAMES)})")
        if max_steps < 1 or not 0.0 < discount <= 1.0 or not 0.0 <= sticky <= 1.0:
            raise SpecError("minatar: max_steps >= 1, discount in (0, 1] and sticky in [0, 1] required")
        self.name, self.max_steps, self.sticky = name, max_steps, sticky
        sim = self.simulator()
        channels = sim.env.state_shape()[2]
        info = GameInfo(f"minatar:{name}", len(sim.actions), (channels, 10, 10), 1, max_steps, num_players=1,
                        has_chance=True, rewards=True, discount=discount)
        super().__init__(info, seed)

    def simulator(self) -> MinAtarSimulator:
        return MinAtarSimulator(self.name, self.max_steps, self.sticky)
