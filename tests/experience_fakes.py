"""A tiny stream for the experience tests: a learner that is any good learns it in a few hundred steps."""

import numpy as np

from move37.experience.streams import SIGNALS, Step


class CorridorStream:
    """Episodes of 5 steps; the observation is a one-hot of the step in a [2, 10, 10] frame; action `best` (of 3)
    pays 1, the others 0. `switch`: every N steps the paying action moves on (a new task)."""

    observation_shape = (2, 10, 10)
    num_actions = 3

    def __init__(self, *, switch: int = 10**9, seed: int = 0):
        self.switch, self.t, self.k, self.best, self.visits = switch, 0, 0, 0, {"a0": 1}

    @property
    def task(self) -> str:
        return f"a{self.best}"

    @property
    def visit(self) -> int:
        return self.visits[self.task]

    def observation(self) -> np.ndarray:
        obs = np.zeros(self.observation_shape, np.float32)
        obs[0, self.k // 10, self.k % 10] = 1.0
        obs[1, 0, self.best] = 1.0
        return obs

    def legal(self):
        return None

    def step(self, action: int) -> Step:
        reward = 1.0 if action == self.best else 0.0
        self.k += 1
        self.t += 1
        terminal = self.k == 5
        obs = self.observation()
        signals = np.zeros(len(SIGNALS), np.float32)
        signals[0], signals[3] = reward, action - 1.0
        cut = False
        if terminal:
            self.k = 0
        if self.t % self.switch == 0:
            cut, self.k = not terminal, 0
            self.best = (self.best + 1) % self.num_actions
            self.visits[self.task] = self.visits.get(self.task, 0) + 1
        return Step(obs, reward, terminal, cut, signals)

    def state(self) -> dict:
        return {"t": self.t, "best": self.best, "visits": self.visits}

    def load_state(self, state: dict) -> None:
        self.t, self.best, self.visits, self.k = state["t"], state["best"], dict(state["visits"]), 0
