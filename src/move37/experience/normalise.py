"""Running normalisation of observations and rewards, as streaming learners need it (Elsayed et al. 2024).

A learner that takes one step per transition has no batch to normalise over, so it keeps running
statistics instead: each observation feature is centred and scaled by its running mean and variance
(Welford's algorithm), and each reward is divided by the running standard deviation of the discounted
return, so the TD errors the optimiser sees keep one scale from game to game.

The variance of the return is floored at `min_std`**2: a game whose reward is zero for thousands of
steps (Freeway before the first crossing) has a return variance of zero, and dividing the first reward
by sqrt(0 + 1e-8) multiplies it by 10^4, which swamps every value the network has learned.
"""

from __future__ import annotations

import numpy as np
import torch


class RunningMeanVar:
    """Welford's running mean and (sample) variance of arrays of one shape; variance 1 until two samples."""

    def __init__(self, shape: tuple[int, ...]):
        self.count = 0
        self.mean = np.zeros(shape, np.float64)
        self.m2 = np.zeros(shape, np.float64)

    def update(self, x: np.ndarray) -> None:
        self.count += 1
        delta = x - self.mean
        self.mean += delta / self.count
        self.m2 += delta * (x - self.mean)

    @property
    def var(self) -> np.ndarray:
        return self.m2 / (self.count - 1) if self.count >= 2 else np.ones_like(self.m2)

    def tensors(self, prefix: str) -> dict[str, torch.Tensor]:
        return {f"{prefix}.mean": torch.from_numpy(self.mean.copy()), f"{prefix}.m2": torch.from_numpy(self.m2.copy()),
                f"{prefix}.count": torch.tensor([self.count], dtype=torch.int64)}

    def load_tensors(self, tensors: dict[str, torch.Tensor], prefix: str) -> None:
        self.mean = tensors[f"{prefix}.mean"].numpy().astype(np.float64).copy()
        self.m2 = tensors[f"{prefix}.m2"].numpy().astype(np.float64).copy()
        self.count = int(tensors[f"{prefix}.count"][0])


class ObservationNormaliser:
    """obs -> (obs - mean) / sqrt(var + eps), the statistics updated with every observation seen."""

    def __init__(self, shape: tuple[int, ...], eps: float = 1e-8):
        self.stats, self.eps = RunningMeanVar(shape), eps

    def __call__(self, obs: np.ndarray, update: bool = True) -> np.ndarray:
        if update:
            self.stats.update(obs)
        return ((obs - self.stats.mean) / np.sqrt(self.stats.var + self.eps)).astype(np.float32)


class RewardScaler:
    """reward -> reward / max(std of the discounted return, min_std); the return restarts at episode ends."""

    def __init__(self, gamma: float, min_std: float = 0.1):
        self.stats, self.gamma, self.min_std = RunningMeanVar(()), gamma, min_std
        self.trace = 0.0

    def __call__(self, reward: float, terminal: bool) -> float:
        self.trace = self.trace * self.gamma + reward
        self.stats.update(np.array(self.trace))
        if terminal:
            self.trace = 0.0
        return float(reward / max(float(np.sqrt(self.stats.var)), self.min_std))
