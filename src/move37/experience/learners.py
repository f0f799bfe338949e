"""Learners: agents that live in a stream, act on each observation and learn from each transition.

    learner = make_learner("streamq:kappa=2", observation_shape=(7, 10, 10), num_actions=6, seed=0)
    action = learner.act(obs, legal)                           # obs float32 [C, H, W], legal bool [A] | None
    learner.learn(obs, action, reward, next_obs, terminal, cut, next_legal)
    learner.tensors() / load_tensors(t); learner.state() / load_state(s)  # checkpoints: safetensors + JSON

Every learner has `net` (its MinAtarNet, which the plasticity measures probe), `plasticity` (the remedies
applied after each update), `last_grad_norm`, and `encode(obs)`: the observation as its network sees it.
"""

from __future__ import annotations

from typing import Protocol

import numpy as np
import torch

from move37.registry import Registry
from move37.spec import call_with_spec, parse_spec


class Learner(Protocol):
    net: torch.nn.Module
    last_grad_norm: float

    def act(self, obs: np.ndarray, legal: np.ndarray | None = None) -> int: ...
    def learn(self, obs: np.ndarray, action: int, reward: float, next_obs: np.ndarray, terminal: bool,
              cut: bool = False, next_legal: np.ndarray | None = None) -> None: ...
    def encode(self, obs: np.ndarray) -> np.ndarray: ...
    def tensors(self) -> dict[str, torch.Tensor]: ...
    def load_tensors(self, tensors: dict[str, torch.Tensor]) -> None: ...
    def state(self) -> dict: ...
    def load_state(self, state: dict) -> None: ...


LEARNERS = Registry("agent", {
    "streamq": "move37.experience.stream_q:StreamQ",
    "streamac": "move37.experience.stream_ac:StreamAC",
    "dqn": "move37.experience.dqn:DQN",
})


def make_learner(text: str, observation_shape: tuple[int, ...], num_actions: int, seed: int = 0) -> Learner:
    """The learner a spec names ("streamq:kappa=2,cbp=1e-4"); SpecError/UnknownNameError for bad specs."""
    spec = parse_spec(text)
    return call_with_spec(LEARNERS.load(spec.name), spec, "agent", observation_shape=tuple(observation_shape),
                          num_actions=num_actions, seed=seed)


def linear_epsilon(step: int, start: float, end: float, duration: int) -> float:
    """epsilon falling linearly from `start` to `end` over `duration` steps, then `end`."""
    return end if duration <= 0 else max(end, start + (end - start) * step / duration)


def epsilon_greedy(q: torch.Tensor, epsilon: float, legal: np.ndarray | None,
                   rng: np.random.Generator) -> tuple[int, bool]:
    """q [A]: a random legal action with probability epsilon, else the best legal one; and whether the action
    is exploratory (a random one that differs from the greedy one: Watkins's Q(lambda) cuts its traces there)."""
    actions = np.flatnonzero(legal) if legal is not None else np.arange(q.shape[0])
    best = int(actions[int(torch.argmax(q[torch.from_numpy(actions)]))])
    if rng.random() < epsilon:
        action = int(rng.choice(actions))
        return action, action != best
    return best, False


def masked_max(q: torch.Tensor, legal: np.ndarray | None) -> torch.Tensor:
    """max over legal actions of q [A] (all of them when legal is None)."""
    return q.max() if legal is None or not legal.any() else q[torch.from_numpy(legal)].max()


def rng_state(rng: np.random.Generator) -> dict:
    return rng.bit_generator.state


def set_rng_state(rng: np.random.Generator, state: dict) -> None:
    rng.bit_generator.state = state
