"""Games played by raw policies, many at once: the self-play of AlphaGo's RL and value stages.

A policy here is `policy(obs (K, *obs_shape) float32, mask (K, A) bool) -> probabilities (K, A)`;
moves are sampled from it (no search), which is what makes policy-gradient self-play cheap.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy as np
import torch

from move37.games.base import State
from move37.nets import PolicyValueNet

Policy = Callable[[np.ndarray, np.ndarray], np.ndarray]


def net_policy(net: PolicyValueNet) -> Policy:
    """The network's move probabilities (softmax over legal moves), evaluated in eval mode without gradients."""

    @torch.inference_mode()
    def policy(obs: np.ndarray, mask: np.ndarray) -> np.ndarray:
        was = net.training
        net.eval()
        logits, _ = net(torch.from_numpy(obs), torch.from_numpy(mask))
        net.train(was)
        return torch.softmax(logits.double(), dim=-1).numpy()

    return policy


def uniform_policy(obs: np.ndarray, mask: np.ndarray) -> np.ndarray:
    """Every legal move equally likely."""
    return mask / mask.sum(axis=1, keepdims=True)


def observe(states: Sequence[State]) -> tuple[np.ndarray, np.ndarray]:
    """Stacked observations float32 (K, *obs_shape) and legal masks bool (K, A)."""
    return np.stack([s.encode() for s in states]).astype(np.float32), np.stack([s.legal_mask() for s in states])


def sample(probs: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """One action per row of probs (K, A), by inverse CDF on a uniform draw each (int64 (K,))."""
    cdf = np.cumsum(probs, axis=1)
    draws = rng.random(len(probs)) * cdf[:, -1]
    # the first action whose cumulative share passes the draw; a zero-probability action never is (<=)
    return np.minimum((cdf <= draws[:, None]).sum(axis=1), probs.shape[1] - 1).astype(np.int64)


def step(states: list[State], games: Sequence[int], policy: Policy, rng: np.random.Generator,
         ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Move `states[g]` for each g in `games` by a move sampled from `policy` (states updated in place).
    Returns the positions before the moves: obs (K, *obs_shape), mask (K, A), and the actions (K,)."""
    obs, mask = observe([states[g] for g in games])
    actions = sample(policy(obs, mask), rng)
    for g, a in zip(games, actions):
        states[g] = states[g].play(int(a))
    return obs, mask, actions
