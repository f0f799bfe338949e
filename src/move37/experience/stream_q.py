"""Stream Q(lambda) (Elsayed, Vasan and Mahmood 2024): Q-learning from one transition at a time, no replay, no
target network, no batches.

Each step: normalise the observation (running mean/variance), scale the reward (running std of the return),
compute delta = r + gamma * max_a' Q(s', a') - Q(s, a) on the one transition, accumulate the gradient of
Q(s, a) into eligibility traces (decay gamma * lambda) and take ObGD's bounded step. Traces are cleared at
episode ends, task switches and, as in Watkins's Q(lambda) and the paper's code, after every exploratory
action that differs from the greedy one: the max in the target assumes the greedy policy from s' on, so
credit must not flow back through a random action. Without that cut the trace-carried updates inflate the
greedy action's value with no reward to explain it (Freeway, epsilon 0.1, rewards forced to 0: max Q 5.6 after
8k steps against 0.8 with the cut), the agent locks onto that action at the bottom of the road and never
scores. Exploration is epsilon-greedy, epsilon
falling linearly over `explore` steps. The network is MinAtarNet with layer norm and sparse init.
"""

from __future__ import annotations

from typing import Annotated

import numpy as np
import torch

from move37.experience import learners
from move37.experience.nets import MinAtarNet
from move37.experience.normalise import ObservationNormaliser, RewardScaler
from move37.experience.obgd import ObGD
from move37.experience.plasticity import Plasticity, Remedies, grad_norm
from move37.spec import Bound

Pos = Annotated[float, Bound(0.0, 1e6)]
Unit = Annotated[float, Bound(0.0, 1.0)]


class StreamQ:
    def __init__(self, *, observation_shape: tuple[int, ...], num_actions: int, seed: int = 0,
                 lr: Pos = 1.0, gamma: Unit = 0.99, lam: Unit = 0.8, kappa: Pos = 2.0,
                 hidden: Annotated[int, Bound(1, 4096)] = 128, eps_start: Unit = 1.0, eps_end: Unit = 0.01,
                 explore: Annotated[int, Bound(0, 10**12)] = 50_000, min_std: Pos = 0.1,
                 cbp: Unit = 0.0, shrink: Unit = 1.0, perturb: Pos = 0.0, l2init: Unit = 0.0):
        self.num_actions, self.gamma = num_actions, gamma
        self.eps_start, self.eps_end, self.explore = eps_start, eps_end, explore
        self.net = MinAtarNet(observation_shape[0], num_actions, hidden, streaming=True, seed=seed)
        self.optimizer = ObGD(self.net.parameters(), lr=lr, gamma=gamma, lam=lam, kappa=kappa)
        self.plasticity = Plasticity(self.net, self.optimizer, Remedies(cbp=cbp, shrink=shrink, perturb=perturb,
                                                                       l2init=l2init), seed)
        self.obs_norm = ObservationNormaliser(tuple(observation_shape))
        self.reward_scale = RewardScaler(gamma, min_std)
        self.rng = np.random.default_rng(seed)
        self.steps, self._cache = 0, (None, None)
        self.explored = False  # the last action was a random one that differs from the greedy one

    @property
    def epsilon(self) -> float:
        return learners.linear_epsilon(self.steps, self.eps_start, self.eps_end, self.explore)

    @property
    def last_grad_norm(self) -> float:
        """The L2 norm of the last update's gradient (the gradients stay on the parameters until the next)."""
        return grad_norm(self.net)

    def encode(self, obs: np.ndarray) -> np.ndarray:
        """The normalised observation; each new observation updates the running statistics once."""
        if self._cache[0] is not obs:
            self._cache = (obs, self.obs_norm(obs))
        return self._cache[1]

    def act(self, obs: np.ndarray, legal: np.ndarray | None = None) -> int:
        self.steps += 1
        with torch.no_grad():
            q = self.net(torch.from_numpy(self.encode(obs))[None])[0]
        action, self.explored = learners.epsilon_greedy(q, self.epsilon, legal, self.rng)
        return action

    def learn(self, obs: np.ndarray, action: int, reward: float, next_obs: np.ndarray, terminal: bool,
              cut: bool = False, next_legal: np.ndarray | None = None) -> None:
        s = torch.from_numpy(np.stack([self.encode(obs), self.encode(next_obs)]))  # [2, C, H, W]
        r = self.reward_scale(reward, terminal or cut)
        h = self.net.features(s)
        q = self.net.head(h)
        target = r + (0.0 if terminal else self.gamma * float(learners.masked_max(q[1].detach(), next_legal)))
        delta = target - float(q[0, action].detach())
        self.optimizer.zero_grad()
        (-q[0, action]).backward()
        self.optimizer.step(delta, reset=terminal or cut or self.explored)
        self.plasticity.after_update(h[:1].detach())

    def tensors(self) -> dict[str, torch.Tensor]:
        out = {f"net.{k}": v for k, v in self.net.state_dict().items()}
        out.update({f"trace.{i}": z for i, z in enumerate(self.optimizer.traces())})
        out.update(self.obs_norm.stats.tensors("obs"))
        out.update(self.reward_scale.stats.tensors("ret"))
        out.update(self.plasticity.tensors())
        return out

    def load_tensors(self, tensors: dict[str, torch.Tensor]) -> None:
        self.net.load_state_dict({k[4:]: v for k, v in tensors.items() if k.startswith("net.")})
        params = [p for g in self.optimizer.param_groups for p in g["params"]]
        for i, p in enumerate(params):
            if f"trace.{i}" in tensors:
                self.optimizer.state[p]["trace"] = tensors[f"trace.{i}"].clone()
        self.obs_norm.stats.load_tensors(tensors, "obs")
        self.reward_scale.stats.load_tensors(tensors, "ret")
        self.plasticity.load_tensors(tensors)

    def state(self) -> dict:
        return {"steps": self.steps, "rng": learners.rng_state(self.rng), "return_trace": self.reward_scale.trace}

    def load_state(self, state: dict) -> None:
        self.steps, self.reward_scale.trace = int(state["steps"]), float(state["return_trace"])
        learners.set_rng_state(self.rng, state["rng"])
