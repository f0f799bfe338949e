"""DQN, the replay baseline: the MinAtar network (ReLU, no layer norm) trained from a replay buffer with a target
network, with CleanRL's dqn_atari recipe at MinAtar's scale.

    learner = DQN(observation_shape=(4, 10, 10), num_actions=6, seed=0)       # or make_learner("dqn:lr=1e-4")
    action = learner.act(obs)                                                # obs float32 [C, H, W]
    learner.learn(obs, action, reward, next_obs, terminal)                   # stores, and trains every 4th step
    returns = train_on_minatar("breakout", steps=100_000)                     # [(step, episode return)]

Defaults: buffer 100k transitions, batch 32, Adam lr 2.5e-4, Huber loss, target network copied every 1000
steps, training every 4 steps from 5000 stored transitions, epsilon 1 -> 0.01 over 100k steps, gamma 0.99.
Observations must be binary (MinAtar's and the board games' are): the buffer keeps them as packed bits,
eight to a byte, so 100k transitions of a 7-channel stream take 18 MB and travel in checkpoints.
"""

from __future__ import annotations

import copy
from typing import Annotated

import numpy as np
import torch
import torch.nn.functional as F

from move37.experience import learners
from move37.experience.nets import MinAtarNet
from move37.experience.plasticity import Plasticity, Remedies, grad_norm
from move37.spec import Bound

Pos = Annotated[float, Bound(0.0, 1e6)]
Unit = Annotated[float, Bound(0.0, 1.0)]
Count = Annotated[int, Bound(1, 10**8)]


class Replay:
    """A ring buffer of transitions; observations [C, H, W] stored as packed bits."""

    def __init__(self, capacity: int, observation_shape: tuple[int, ...], num_actions: int):
        self.shape, self.size, self.next = tuple(observation_shape), 0, 0
        nbytes = (int(np.prod(observation_shape)) + 7) // 8
        self.arrays = {"obs": np.zeros((capacity, nbytes), np.uint8), "next_obs": np.zeros((capacity, nbytes), np.uint8),
                       "action": np.zeros(capacity, np.int64), "reward": np.zeros(capacity, np.float32),
                       "terminal": np.zeros(capacity, np.bool_), "next_legal": np.ones((capacity, num_actions), np.bool_)}

    def _pack(self, obs: np.ndarray) -> np.ndarray:
        flat = obs.reshape(-1)
        if not np.isin(flat, (0.0, 1.0)).all():
            raise ValueError("DQN's replay holds binary observations only")
        return np.packbits(flat.astype(np.uint8))

    def _unpack(self, bits: np.ndarray) -> torch.Tensor:
        n = int(np.prod(self.shape))
        return torch.from_numpy(np.unpackbits(bits, axis=-1)[:, :n].astype(np.float32).reshape(-1, *self.shape))

    def add(self, obs, action, reward, next_obs, terminal, next_legal) -> None:
        i, a = self.next, self.arrays
        a["obs"][i], a["next_obs"][i] = self._pack(obs), self._pack(next_obs)
        a["action"][i], a["reward"][i], a["terminal"][i] = action, reward, terminal
        a["next_legal"][i] = True if next_legal is None else next_legal
        self.next, self.size = (i + 1) % len(a["action"]), min(self.size + 1, len(a["action"]))

    def sample(self, batch: int, rng: np.random.Generator) -> dict[str, torch.Tensor]:
        idx = rng.integers(self.size, size=batch)
        a = self.arrays
        return {"obs": self._unpack(a["obs"][idx]), "next_obs": self._unpack(a["next_obs"][idx]),
                "action": torch.from_numpy(a["action"][idx]), "reward": torch.from_numpy(a["reward"][idx]),
                "terminal": torch.from_numpy(a["terminal"][idx]), "next_legal": torch.from_numpy(a["next_legal"][idx])}


class DQN:
    def __init__(self, *, observation_shape: tuple[int, ...], num_actions: int, seed: int = 0,
                 lr: Pos = 2.5e-4, gamma: Unit = 0.99, buffer: Count = 100_000, batch: Count = 32,
                 start: Annotated[int, Bound(1, 10**8)] = 5_000, train_every: Count = 4, target_every: Count = 1_000,
                 eps_start: Unit = 1.0, eps_end: Unit = 0.01, explore: Annotated[int, Bound(0, 10**12)] = 100_000,
                 hidden: Annotated[int, Bound(1, 4096)] = 128,
                 cbp: Unit = 0.0, shrink: Unit = 1.0, perturb: Pos = 0.0, l2init: Unit = 0.0):
        self.num_actions, self.gamma, self.batch, self.start = num_actions, gamma, batch, max(start, batch)
        self.train_every, self.target_every = train_every, target_every
        self.eps_start, self.eps_end, self.explore = eps_start, eps_end, explore
        self.net = MinAtarNet(observation_shape[0], num_actions, hidden, streaming=False, seed=seed)
        self.target = copy.deepcopy(self.net)
        self.optimizer = torch.optim.Adam(self.net.parameters(), lr=lr)
        self.plasticity = Plasticity(self.net, self.optimizer, Remedies(cbp=cbp, shrink=shrink, perturb=perturb,
                                                                       l2init=l2init), seed)
        self.replay = Replay(buffer, observation_shape, num_actions)
        self.rng = np.random.default_rng(seed)
        self.steps, self.updates = 0, 0

    @property
    def epsilon(self) -> float:
        return learners.linear_epsilon(self.steps, self.eps_start, self.eps_end, self.explore)

    @property
    def last_grad_norm(self) -> float:
        """The L2 norm of the last update's gradient (the gradients stay on the parameters until the next)."""
        return grad_norm(self.net)

    def encode(self, obs: np.ndarray) -> np.ndarray:
        return obs

    def act(self, obs: np.ndarray, legal: np.ndarray | None = None) -> int:
        self.steps += 1
        with torch.no_grad():
            q = self.net(torch.from_numpy(obs)[None])[0]
        return learners.epsilon_greedy(q, self.epsilon, legal, self.rng)[0]

    def learn(self, obs: np.ndarray, action: int, reward: float, next_obs: np.ndarray, terminal: bool,
              cut: bool = False, next_legal: np.ndarray | None = None) -> None:
        self.replay.add(obs, action, reward, next_obs, terminal, next_legal)
        if self.replay.size < self.start or self.steps % self.train_every:
            return
        b = self.replay.sample(self.batch, self.rng)
        with torch.no_grad():
            q_next = self.target(b["next_obs"]).masked_fill(~b["next_legal"], float("-inf")).max(1).values
            target = b["reward"] + self.gamma * q_next * (~b["terminal"]).float()
        h = self.net.features(b["obs"])
        q = self.net.head(h).gather(1, b["action"][:, None])[:, 0]
        loss = F.smooth_l1_loss(q, target)
        self.optimizer.zero_grad()
        loss.backward()
        self.optimizer.step()
        self.plasticity.after_update(h.detach())
        self.updates += 1
        if self.updates % max(1, self.target_every // self.train_every) == 0:
            self.target.load_state_dict(self.net.state_dict())

    def tensors(self) -> dict[str, torch.Tensor]:
        from move37.runs import optimizer_record

        out = {f"net.{k}": v for k, v in self.net.state_dict().items()}
        out.update({f"target.{k}": v for k, v in self.target.state_dict().items()})
        out.update({f"replay.{k}": torch.from_numpy(v) for k, v in self.replay.arrays.items()})
        out.update({f"adam.{k}": v for k, v in optimizer_record(self.optimizer)[0].items()})
        out.update(self.plasticity.tensors())
        return out

    def load_tensors(self, tensors: dict[str, torch.Tensor]) -> None:
        self.net.load_state_dict({k[4:]: v for k, v in tensors.items() if k.startswith("net.")})
        self.target.load_state_dict({k[7:]: v for k, v in tensors.items() if k.startswith("target.")})
        for k in self.replay.arrays:
            self.replay.arrays[k] = tensors[f"replay.{k}"].numpy().copy()
        self._adam = {k[5:]: v for k, v in tensors.items() if k.startswith("adam.")}
        self.plasticity.load_tensors(tensors)

    def state(self) -> dict:
        from move37.runs import optimizer_record

        return {"steps": self.steps, "updates": self.updates, "rng": learners.rng_state(self.rng),
                "replay_size": self.replay.size, "replay_next": self.replay.next,
                "adam": optimizer_record(self.optimizer)[1]}

    def load_state(self, state: dict) -> None:
        from move37.runs import restore_optimizer

        self.steps, self.updates = int(state["steps"]), int(state["updates"])
        self.replay.size, self.replay.next = int(state["replay_size"]), int(state["replay_next"])
        learners.set_rng_state(self.rng, state["rng"])
        if state["adam"]["state_keys"]:
            restore_optimizer(self.optimizer, self._adam, state["adam"])


def train_on_minatar(game: str, steps: int, seed: int = 0, **options) -> list[tuple[int, float]]:
    """Train a DQN (options as the class's) on one MinAtar game for `steps` steps; [(step, episode return)] of
    every finished episode. The model-free baseline other experiments compare against."""
    from move37.experience.streams import make_stream

    stream = make_stream(f"minatar:games={game}", seed)
    learner = DQN(observation_shape=stream.observation_shape, num_actions=stream.num_actions, seed=seed, **options)
    obs, ret, out = stream.observation(), 0.0, []
    for t in range(1, steps + 1):
        action = learner.act(obs)
        step = stream.step(action)
        learner.learn(obs, action, step.reward, step.next_obs, step.terminal)
        ret += step.reward
        if step.terminal:
            out.append((t, ret))
            ret = 0.0
        obs = stream.observation()
    return out
