"""Stream AC(lambda) (Elsayed, Vasan and Mahmood 2024): actor-critic from one transition at a time.

Two MinAtarNets, a policy (logits [A]) and a value ([1]), each with its own ObGD (kappa 3 for the policy,
2 for the value) and traces. Each step: delta = r + gamma * V(s') - V(s); the value's trace takes the
gradient of V(s); the policy's takes that of log pi(a|s) + entropy_coef * sign(delta) * H(pi(.|s)) (the
entropy bonus pushed in the direction of the update, as in the paper); both step with delta. Observations
and rewards are normalised as in stream Q.
"""

from __future__ import annotations

from typing import Annotated

import numpy as np
import torch
import torch.nn.functional as F

from move37.experience import learners
from move37.experience.nets import MinAtarNet
from move37.experience.normalise import ObservationNormaliser, RewardScaler
from move37.experience.obgd import ObGD
from move37.experience.plasticity import Plasticity, Remedies, grad_norm
from move37.spec import Bound

Pos = Annotated[float, Bound(0.0, 1e6)]
Unit = Annotated[float, Bound(0.0, 1.0)]


class StreamAC:
    def __init__(self, *, observation_shape: tuple[int, ...], num_actions: int, seed: int = 0,
                 lr: Pos = 1.0, gamma: Unit = 0.99, lam: Unit = 0.8, kappa_policy: Pos = 3.0,
                 kappa_value: Pos = 2.0, entropy: Pos = 0.01, hidden: Annotated[int, Bound(1, 4096)] = 128,
                 min_std: Pos = 0.1, cbp: Unit = 0.0, shrink: Unit = 1.0, perturb: Pos = 0.0, l2init: Unit = 0.0):
        self.num_actions, self.gamma, self.entropy = num_actions, gamma, entropy
        self.net = MinAtarNet(observation_shape[0], num_actions, hidden, streaming=True, seed=seed)  # the policy
        self.value = MinAtarNet(observation_shape[0], 1, hidden, streaming=True, seed=seed + 1)
        self.optimizer = ObGD(self.net.parameters(), lr=lr, gamma=gamma, lam=lam, kappa=kappa_policy)
        self.value_optimizer = ObGD(self.value.parameters(), lr=lr, gamma=gamma, lam=lam, kappa=kappa_value)
        remedies = Remedies(cbp=cbp, shrink=shrink, perturb=perturb, l2init=l2init)
        self.plasticity = Plasticity(self.net, self.optimizer, remedies, seed)
        self.value_plasticity = Plasticity(self.value, self.value_optimizer, remedies, seed + 1)
        self.obs_norm = ObservationNormaliser(tuple(observation_shape))
        self.reward_scale = RewardScaler(gamma, min_std)
        self.rng = np.random.default_rng(seed)
        self.steps, self._cache = 0, (None, None)

    @property
    def last_grad_norm(self) -> float:
        """The L2 norm of the last update's gradient (the gradients stay on the parameters until the next)."""
        return grad_norm(self.net)

    def encode(self, obs: np.ndarray) -> np.ndarray:
        if self._cache[0] is not obs:
            self._cache = (obs, self.obs_norm(obs))
        return self._cache[1]

    def act(self, obs: np.ndarray, legal: np.ndarray | None = None) -> int:
        self.steps += 1
        with torch.no_grad():
            logits = self.net(torch.from_numpy(self.encode(obs))[None])[0]
        if legal is not None:
            logits = logits.masked_fill(~torch.from_numpy(legal), float("-inf"))
        p = torch.softmax(logits.double(), 0).numpy()
        return int(self.rng.choice(self.num_actions, p=p / p.sum()))

    def learn(self, obs: np.ndarray, action: int, reward: float, next_obs: np.ndarray, terminal: bool,
              cut: bool = False, next_legal: np.ndarray | None = None) -> None:
        s = torch.from_numpy(np.stack([self.encode(obs), self.encode(next_obs)]))  # [2, C, H, W]
        r = self.reward_scale(reward, terminal or cut)
        v = self.value(s)[:, 0]
        delta = r + (0.0 if terminal else self.gamma * float(v[1].detach())) - float(v[0].detach())
        h = self.net.features(s[:1])
        log_p = F.log_softmax(self.net.head(h)[0], 0)
        entropy = -(log_p.exp() * log_p).sum()
        self.optimizer.zero_grad(), self.value_optimizer.zero_grad()
        (-v[0]).backward()
        (-(log_p[action] + self.entropy * np.sign(delta) * entropy)).backward()
        self.value_optimizer.step(delta, reset=terminal or cut)
        self.optimizer.step(delta, reset=terminal or cut)
        self.plasticity.after_update(h.detach())
        self.value_plasticity.after_update(self.value.features(s[:1]).detach())

    def tensors(self) -> dict[str, torch.Tensor]:
        out = {f"net.{k}": v for k, v in self.net.state_dict().items()}
        out.update({f"value.{k}": v for k, v in self.value.state_dict().items()})
        out.update({f"trace.{i}": z for i, z in enumerate(self.optimizer.traces())})
        out.update({f"value_trace.{i}": z for i, z in enumerate(self.value_optimizer.traces())})
        out.update(self.obs_norm.stats.tensors("obs"))
        out.update(self.reward_scale.stats.tensors("ret"))
        out.update(self.plasticity.tensors())
        out.update({f"value_{k}": v for k, v in self.value_plasticity.tensors().items()})
        return out

    def load_tensors(self, tensors: dict[str, torch.Tensor]) -> None:
        self.net.load_state_dict({k[4:]: v for k, v in tensors.items() if k.startswith("net.")})
        self.value.load_state_dict({k[6:]: v for k, v in tensors.items() if k.startswith("value.")})
        for prefix, opt in (("trace", self.optimizer), ("value_trace", self.value_optimizer)):
            for i, p in enumerate(p for g in opt.param_groups for p in g["params"]):
                if f"{prefix}.{i}" in tensors:
                    opt.state[p]["trace"] = tensors[f"{prefix}.{i}"].clone()
        self.obs_norm.stats.load_tensors(tensors, "obs")
        self.reward_scale.stats.load_tensors(tensors, "ret")
        self.plasticity.load_tensors(tensors)
        self.value_plasticity.load_tensors({k[6:]: v for k, v in tensors.items() if k.startswith("value_plasticity.")})

    def state(self) -> dict:
        return {"steps": self.steps, "rng": learners.rng_state(self.rng), "return_trace": self.reward_scale.trace}

    def load_state(self, state: dict) -> None:
        self.steps, self.reward_scale.trace = int(state["steps"]), float(state["return_trace"])
        learners.set_rng_state(self.rng, state["rng"])
