"""`gym:ID`: any gymnasium environment with a discrete action space and a box of observations."""

from __future__ import annotations

import numpy as np

from move37.envs.base import EnvGame
from move37.errors import SpecError
from move37.games.base import GameInfo


class GymSimulator:
    """A gymnasium environment as a `Simulator` (observations flattened to float32)."""

    def __init__(self, env):
        self.env = env

    def reset(self, seed: int) -> np.ndarray:
        obs, _ = self.env.reset(seed=int(seed))
        return np.asarray(obs, np.float32).reshape(-1)

    def step(self, action: int) -> tuple[np.ndarray, float, bool, bool]:
        obs, reward, terminated, truncated, _ = self.env.step(int(action))
        return np.asarray(obs, np.float32).reshape(-1), float(reward), bool(terminated), bool(truncated)


class GymGame(EnvGame):
    """env_id: a registered gymnasium id (CartPole-v1). max_steps: the time limit (None: the
    environment's own). discount: the per-step discount a learner should use."""

    def __init__(self, env_id: str, /, max_steps: int | None = None, discount: float = 0.997, seed: int = 0):
        import gymnasium

        if max_steps is not None and max_steps < 1:
            raise SpecError("max_steps must be positive")
        if not 0.0 < discount <= 1.0:
            raise SpecError("discount must be in (0, 1]")
        try:
            spec = gymnasium.spec(env_id)
        except gymnasium.error.Error as e:
            raise SpecError(f"gym environment {env_id!r}: {e}") from None
        self.env_id = env_id
        self._max_steps = max_steps or spec.max_episode_steps
        if not self._max_steps:
            raise SpecError(f"gym environment {env_id!r} has no time limit: give max_steps")
        env = self._make()
        if not isinstance(env.action_space, gymnasium.spaces.Discrete):
            raise SpecError(f"gym environment {env_id!r} has no discrete action space ({env.action_space})")
        if not isinstance(env.observation_space, gymnasium.spaces.Box):
            raise SpecError(f"gym environment {env_id!r} does not observe a box ({env.observation_space})")
        size = int(np.prod(env.observation_space.shape))
        env.close()
        info = GameInfo(f"gym:{env_id}", int(env.action_space.n), (size,), 1, self._max_steps, num_players=1,
                        has_chance=True, rewards=True, discount=discount)
        super().__init__(info, seed)

    def _make(self):
        import gymnasium

        return gymnasium.make(self.env_id, max_episode_steps=self._max_steps)

    def simulator(self) -> GymSimulator:
        return GymSimulator(self._make())
