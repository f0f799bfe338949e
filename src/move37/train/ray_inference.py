"""One network for all Ray self-play workers: an actor that evaluates their leaves, merged into larger batches.

With `--ray-inference` the workers do not run the network themselves: each search step
sends its leaves (obs float32 (K, *obs_shape), legal bool (K, A)) to this actor, which
sits on a GPU where the cluster has one (else on one CPU). Requests that arrive while a
forward pass runs are concatenated into the next one, so the device sees batches of
several workers' leaves. Merged batches change the floating-point rounding of a few
values, so with it a replayed share is not bit-identical to the lost one.
"""

from __future__ import annotations

import asyncio

import numpy as np
import torch

from move37 import games as game_registry
from move37.nets import PolicyValueNet, evaluator
from move37.train.config import ZeroConfig


class InferenceServer:
    """An async Ray actor: `evaluate` calls queue up and are answered by one forward pass per flush."""

    def __init__(self, game_spec: str, config: ZeroConfig, device: str):
        torch.set_num_threads(config.threads)
        game = game_registry.make(game_spec)
        self.net = PolicyValueNet(game.info.observation_shape, game.info.num_actions, config.net).to(device)
        self.device = device
        self._evaluate = evaluator(self.net, device)
        self._queue: list[tuple[np.ndarray, np.ndarray, asyncio.Future]] = []
        self.calls = self.requests = 0

    async def load(self, weights: dict[str, np.ndarray]) -> None:
        self.net.load_state_dict({k: torch.tensor(v) for k, v in weights.items()})
        self.net.eval()

    async def evaluate(self, obs: np.ndarray, legal: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """(priors float32 (K, A), values float32 (K,)) for one worker's K leaves."""
        loop = asyncio.get_running_loop()
        future = loop.create_future()
        self._queue.append((obs, legal, future))
        if len(self._queue) == 1:
            loop.call_soon(self._flush)  # after the requests already delivered have queued too
        return await future

    def _flush(self) -> None:
        batch, self._queue = self._queue, []
        priors, values = self._evaluate(np.concatenate([b[0] for b in batch]), np.concatenate([b[1] for b in batch]))
        self.calls += 1
        self.requests += len(batch)
        start = 0
        for obs, _, future in batch:
            future.set_result((priors[start:start + len(obs)], values[start:start + len(obs)]))
            start += len(obs)

    async def stats(self) -> tuple[int, int]:
        """(forward passes, requests) since the last call."""
        out = (self.calls, self.requests)
        self.calls = self.requests = 0
        return out
