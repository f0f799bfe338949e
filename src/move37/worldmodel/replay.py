"""Stored episodes and MuZero's training targets from them.

A `Trajectory` of T moves (t = 0..T-1; index T is where it ended):

    obs       float32 (T+1, *obs_shape)  observation before move t (obs[T]: the last one)
    legal     bool    (T+1, A)           legal actions there
    player    int8    (T+1,)             the mover there
    action    int64   (T,)
    reward    float32 (T,)               the reward of move t, for the player who made it
    policy    float32 (T, A)             search's improved policy at t (the policy target)
    value     float32 (T+1,)             search's root value at t for its mover; value[T]: the raw network
                                         value of the last observation when a time limit cut the episode
                                         (bootstrapped past it), 0 when the rules ended it
    terminated bool                      the rules ended it (True) or a time limit did (False)

The value target of position t is the n-step return
    z_t = sum_{i<n} discount^i r_{t+i} s(t, t+i) + discount^n value_{t+n} s(t, t+n),
cut at the episode's end, where s is +1 when the same player moves at both indices and -1 otherwise
(board games keep their two-player signs; one-player environments have s = 1). Reanalyse rewrites
`policy` and `value` with the newest network and recomputes z (`value_targets`).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from move37.games.symmetry import move_actions, random_symmetries


@dataclass
class Trajectory:
    obs: np.ndarray
    legal: np.ndarray
    player: np.ndarray
    action: np.ndarray
    reward: np.ndarray
    policy: np.ndarray
    value: np.ndarray
    terminated: bool

    def __len__(self) -> int:
        return len(self.action)

    def episode_return(self) -> float:
        """The undiscounted sum of rewards (player 0's in a two-player game)."""
        sign = np.where(self.player[:-1] == 0, 1.0, -1.0)
        return float((self.reward * sign).sum())


def value_targets(traj: Trajectory, n: int, discount: float) -> np.ndarray:
    """float32 (T+1,): z_t for t = 0..T (z_T: the bootstrap value of the last observation)."""
    T = len(traj)
    z = np.zeros(T + 1, np.float64)
    z[T] = traj.value[T]
    for t in range(T):
        end = min(t + n, T)
        same = np.where(traj.player[t:end + 1] == traj.player[t], 1.0, -1.0)
        powers = discount ** np.arange(end - t + 1)
        z[t] = float((traj.reward[t:end] * same[:-1] * powers[:-1]).sum())
        z[t] += powers[-1] * same[-1] * traj.value[end]
    return z.astype(np.float32)


@dataclass
class Batch:
    """B positions unrolled K steps: what the learner's loss reads (targets beyond an episode's end are
    absorbing: reward 0, value 0, no policy loss, no latent loss).

    obs float32 (B, *obs_shape); action int64 (B, K); reward float32 (B, K): the targets of steps 1..K;
    value float32 (B, K+1); policy float32 (B, K+1, A); policy_mask float32 (B, K+1);
    next_obs float32 (B, K, *obs_shape): the real observations after steps 1..K; next_mask float32 (B, K).
    """

    obs: np.ndarray
    action: np.ndarray
    reward: np.ndarray
    value: np.ndarray
    policy: np.ndarray
    policy_mask: np.ndarray
    next_obs: np.ndarray
    next_mask: np.ndarray


def augment(batch: Batch, game, rng: np.random.Generator) -> Batch:
    """Each row under a random board symmetry of `game` (AlphaZero's `learn.augment`; a no-op for games with one):
    observations and next observations transformed, actions and policies permuted alike, so the unrolled
    dynamics sees the mirrored game it is. Rewards and values do not change under a symmetry."""
    if game.info.num_symmetries <= 1:
        return batch
    out = Batch(batch.obs.copy(), batch.action.copy(), batch.reward, batch.value, batch.policy.copy(),
                batch.policy_mask, batch.next_obs.copy(), batch.next_mask)
    for k, rows, perm in random_symmetries(game, len(batch.obs), rng):
        out.obs[rows] = game.transform_observation(batch.obs[rows], k)
        out.next_obs[rows] = game.transform_observation(batch.next_obs[rows], k)
        out.action[rows] = perm[batch.action[rows]]
        out.policy[rows] = move_actions(batch.policy[rows], perm)
    return out


class Replay:
    """The newest episodes holding at most `capacity` moves (oldest dropped), with their value targets."""

    def __init__(self, capacity: int, n: int, discount: float):
        self.capacity, self.n, self.discount = capacity, n, discount
        self.episodes: list[Trajectory] = []
        self.targets: list[np.ndarray] = []

    @property
    def moves(self) -> int:
        return sum(len(t) for t in self.episodes)

    def add(self, traj: Trajectory) -> None:
        self.episodes.append(traj)
        self.targets.append(value_targets(traj, self.n, self.discount))
        while self.moves - len(self.episodes[0]) >= self.capacity and len(self.episodes) > 1:
            self.episodes.pop(0)
            self.targets.pop(0)

    def refresh(self, i: int) -> None:
        """Recompute episode i's value targets (after reanalyse rewrote its values)."""
        self.targets[i] = value_targets(self.episodes[i], self.n, self.discount)

    def sample(self, rng: np.random.Generator, size: int, unroll: int) -> Batch:
        """`size` positions, uniform over stored moves, unrolled `unroll` steps."""
        lengths = np.array([len(t) for t in self.episodes])
        which = rng.choice(len(lengths), size=size, p=lengths / lengths.sum())
        first = self.episodes[0]
        A, K = first.policy.shape[1], unroll
        obs_shape = first.obs.shape[1:]
        out = Batch(np.zeros((size, *obs_shape), np.float32), rng.integers(0, A, (size, K)),
                    np.zeros((size, K), np.float32), np.zeros((size, K + 1), np.float32),
                    np.full((size, K + 1, A), 1.0 / A, np.float32), np.zeros((size, K + 1), np.float32),
                    np.zeros((size, K, *obs_shape), np.float32), np.zeros((size, K), np.float32))
        for i, e in enumerate(which):
            traj, z = self.episodes[e], self.targets[e]
            T = len(traj)
            t = int(rng.integers(T))
            out.obs[i] = traj.obs[t]
            live = min(K, T - t)  # real steps in the unroll
            out.action[i, :live] = traj.action[t:t + live]
            out.reward[i, :live] = traj.reward[t:t + live]  # for the player who moved, as the search reads it
            last = live  # value targets at t..t+last (t + last <= T)
            out.value[i, :last + 1] = z[t:t + last + 1]  # each for its own mover, as the prediction's value
            out.policy[i, :live] = traj.policy[t:t + live]
            out.policy_mask[i, :live] = 1.0
            out.next_obs[i, :live] = traj.obs[t + 1:t + live + 1]
            out.next_mask[i, :live] = 1.0
        return out
