"""Self-play on a Ray cluster: N worker actors play an iteration's games (the learner and evaluation: ray_stages.py).

Per iteration the driver puts the network's weights into Ray's object store once
(`ray.put`); every worker reads them from there into its own network copy and plays
its share of `games_per_iteration` through its own `BatchedSearch` and evaluation
cache; its game records come back through the object store. Share i of iteration t
draws on its own generator, seeded from (run seed, t, i), so the games of an
iteration depend only on the weights, the seed and the number of workers, not on
which process played them or when.

A worker whose process dies (a killed process, a lost node: `RayActorError`) is
replaced by a new actor, which plays the dead one's share again from the same seed;
the iteration goes on. The metrics line records `workers` and `worker_restarts` (the
replacements during that iteration). With `inference` the workers send their leaves to
one `InferenceServer` actor instead of running the network (ray_inference.py).
"""

from __future__ import annotations

import logging
import os
import socket

import numpy as np
import torch

from move37 import games as game_registry
from move37.errors import ConfigError, Move37Error
from move37.nets import PolicyValueNet, evaluator
from move37.train.config import ZeroConfig
from move37.train.source import Searchers, SelfPlayBatch, play_share

try:
    import ray
    from ray.exceptions import RayActorError, RayTaskError
except ImportError:  # the `ray` extra is not installed: connect() says so in one line
    ray = None

MAX_DEATHS = 3  # replacements of one share within one iteration before the run gives up
STAGE_CPUS = 1  # the learner actor (ray_stages.py); the evaluation actor works in bursts and reserves none


def connect(address: str, workers: int | None = None, inference: bool = False) -> tuple[int, str | None]:
    """Join the Ray cluster at HOST:PORT, or with `auto` the one this machine knows (RAY_ADDRESS or the
    latest `ray start` here), else a new single-machine Ray started for this process. Returns the number of
    self-play workers (`workers`, default: the cluster's CPUs minus one each for the learner and a CPU
    inference actor, at least 1) and, with `inference`, the inference actor's device (cuda where the
    cluster has a GPU, else cpu). ConfigError if Ray is not installed, the cluster cannot be reached or has too
    few CPUs."""
    if ray is None:
        raise ConfigError("--ray needs Ray: pip install 'move37[ray]'")
    if address != "auto":
        _check_reachable(address)  # Ray itself retries an unreachable head for ever
    os.environ.setdefault("RAY_USAGE_STATS_ENABLED", "0")
    try:
        ray.init(address=None if address == "auto" else address, logging_level=logging.WARNING,
                 include_dashboard=False, ignore_reinit_error=True)
    except (ConnectionError, RuntimeError, ValueError) as e:
        first = str(e).strip().splitlines()[0] if str(e).strip() else type(e).__name__
        raise ConfigError(f"cannot join the Ray cluster at {address}: {first}") from None
    resources = ray.cluster_resources()
    cpus = int(resources.get("CPU", 0))
    device = ("cuda" if resources.get("GPU", 0) >= 1 else "cpu") if inference else None
    others = STAGE_CPUS + int(device == "cpu")
    workers = workers if workers is not None else max(1, cpus - others)
    if not 1 <= workers <= cpus - others:
        ray.shutdown()
        raise ConfigError(f"{workers} Ray workers, the learner"
                          f"{' and a CPU inference actor' if device == 'cpu' else ''}: "
                          f"the cluster has {cpus} CPUs (each takes one)")
    return workers, device


def _check_reachable(address: str) -> None:
    host, _, port = address.rpartition(":")
    if not host or not (port.isascii() and port.isdigit()):  # int("²") fails though "²".isdigit()
        raise ConfigError(f"--ray {address}: expected HOST:PORT (the head's GCS port, 6379 by default) or auto")
    try:
        socket.create_connection((host, int(port)), timeout=5).close()
    except OSError as e:
        raise ConfigError(f"cannot reach a Ray head at {address}: {e.strerror or e}") from None


def shares(num_games: int, workers: int) -> list[int]:
    """Games per worker: as even as possible, the first ones taking the remainder."""
    return [num_games // workers + (i < num_games % workers) for i in range(workers)]


class SelfPlayWorker:
    """One self-play process: a network copy, a `BatchedSearch` per batch size and search settings, torch on
    `threads` threads."""

    def __init__(self, game_spec: str, config: ZeroConfig):
        torch.set_num_threads(config.threads)
        self.game, self.config = game_registry.make(game_spec), config
        self.net = PolicyValueNet(self.game.info.observation_shape, self.game.info.num_actions, config.net)
        self.evaluate = evaluator(self.net)
        self.searchers = Searchers(self.game, self.evaluate)

    def pid(self) -> int:
        return os.getpid()

    def play(self, weights: dict[str, np.ndarray] | None, num_games: int, seed: list[int],
             server=None, config: ZeroConfig | None = None) -> SelfPlayBatch:
        """`num_games` games with `weights` (the network's state dict as arrays), or with the network of the
        inference actor `server` (weights None), under `config` (the one in force; default: the worker's own)."""
        if server is None:
            self.net.load_state_dict({k: torch.tensor(v) for k, v in weights.items()})
            self.net.eval()
            evaluate = self.evaluate
        else:
            def evaluate(obs: np.ndarray, legal: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
                return ray.get(server.evaluate.remote(obs, legal))
        cfg = config or self.config
        # the searcher's size shapes the draws: fix it per share
        searcher = self.searchers.get(cfg, min(cfg.selfplay.parallel_games, num_games))
        return play_share(self.game, evaluate, cfg, num_games, np.random.default_rng(seed), searcher)


class RaySelfPlay:
    """`SelfPlaySource` over `workers` actors, one CPU each, spread over the nodes, and with `inference`
    (a device) one `InferenceServer` that evaluates for all of them. Needs `connect()` first."""

    def __init__(self, game_spec: str, config: ZeroConfig, workers: int, inference: str | None = None):
        self.game_spec, self.config = game_spec, config
        self._actor = ray.remote(num_cpus=1, scheduling_strategy="SPREAD")(SelfPlayWorker)
        self.actors = [self._spawn() for _ in range(workers)]
        self.server = None
        if inference is not None:
            from move37.train.ray_inference import InferenceServer

            place = {"num_cpus": 0, "num_gpus": 1} if inference == "cuda" else {"num_cpus": 1}
            self.server = ray.remote(**place)(InferenceServer).remote(game_spec, config, inference)

    def _spawn(self):
        return self._actor.remote(self.game_spec, self.config)

    def play(self, net: PolicyValueNet, iteration: int, config: ZeroConfig, rng: np.random.Generator) -> SelfPlayBatch:
        """The run's `rng` is not used: each share has its own generator (see the module docstring)."""
        weights = ray.put({k: v.detach().cpu().numpy() for k, v in net.state_dict().items()})
        if self.server is not None:
            try:
                ray.get(self.server.load.remote(weights))
            except RayActorError as e:
                raise Move37Error(f"the Ray inference actor died ({type(e).__name__}); "
                                  "the last checkpoint is intact") from None
            weights = None
        sizes = shares(config.games_per_iteration, len(self.actors))
        seeds = [[config.seed, iteration, i] for i in range(len(sizes))]
        pending = {self.actors[i].play.remote(weights, n, seeds[i], self.server, config): i
                   for i, n in enumerate(sizes) if n}
        results = [SelfPlayBatch([], 0, 0)] * len(sizes)
        deaths = [0] * len(sizes)
        while pending:
            [ref], _ = ray.wait(list(pending), num_returns=1)
            i = pending.pop(ref)
            try:
                results[i] = ray.get(ref)
            except RayActorError as e:
                if isinstance(e, RayTaskError):  # the worker lives; what it called (the inference actor) died
                    raise Move37Error(f"Ray self-play worker {i} failed: {type(e).__name__}; the last checkpoint "
                                      "is intact") from None
                deaths[i] += 1
                if deaths[i] > MAX_DEATHS:
                    raise Move37Error(f"Ray self-play worker {i} died {deaths[i]} times in iteration {iteration} "
                                      f"({type(e).__name__}); the last checkpoint is intact") from None
                ray.kill(self.actors[i], no_restart=True)
                self.actors[i] = self._spawn()
                pending[self.actors[i].play.remote(weights, sizes[i], seeds[i], self.server, config)] = i
        records = [r for share in results for r in share.records]
        extra = {"workers": len(self.actors), "worker_restarts": sum(deaths)}
        if self.server is not None:
            extra["inference_calls"], extra["inference_requests"] = ray.get(self.server.stats.remote())
        return SelfPlayBatch(records, sum(share.hits for share in results), sum(share.misses for share in results), extra)

    def close(self) -> None:
        for actor in [*self.actors, *([self.server] if self.server is not None else [])]:
            ray.kill(actor, no_restart=True)
        ray.shutdown()
