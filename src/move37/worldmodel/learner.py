"""MuZero's loss over an unrolled batch, with the JEPA-style latent prediction loss beside it.

For each position the representation gives s_0; the dynamics unrolls K real actions into s_1..s_K.
At every step k the prediction is trained on the search's policy and the n-step value target, and
every dynamics step on the real reward (MuZero). With `consistency` on, the predicted latent s_k
must also match the latent a stop-gradient target encoder gives the real observation after step k,
through a projector and, on the online side only, a predictor, by negative cosine similarity: the
latent prediction objective of JEPA and EfficientZero's self-supervised consistency. No observation
is ever reconstructed. The target encoder is an exponential moving average of the online one (`ema_update`).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import torch
from torch.nn import functional as F

from move37.worldmodel.nets import MuZeroNet
from move37.worldmodel.replay import Batch


@dataclass(frozen=True)
class LossConfig:
    """Weights of the loss terms, and the target encoder's averaging.

    value, reward, policy, latent: weights (MuZero Reanalyze's 0.25 on values; EfficientZero's 2 on the
    consistency term). consistency: the latent prediction loss on or off (the ablation). ema: the target
    encoder's decay tau (target = tau target + (1 - tau) online after every update).
    """

    value: float = 0.25
    reward: float = 1.0
    policy: float = 1.0
    latent: float = 2.0
    consistency: bool = True
    ema: float = 0.99

    def __post_init__(self):
        if not 0.0 <= self.ema < 1.0 or min(self.value, self.reward, self.policy, self.latent) < 0:
            raise ValueError("loss: weights >= 0 and 0 <= ema < 1 required")


def _t(x: np.ndarray) -> torch.Tensor:
    return torch.from_numpy(np.ascontiguousarray(x))


def losses(net: MuZeroNet, target: MuZeroNet, batch: Batch, config: LossConfig) -> dict[str, torch.Tensor]:
    """The loss terms (means over the batch and the K+1 steps) and their weighted "total"."""
    K = batch.action.shape[1]
    action, reward, value = _t(batch.action), _t(batch.reward), _t(batch.value)
    policy, policy_mask, next_mask = _t(batch.policy), _t(batch.policy_mask), _t(batch.next_mask)
    state = net.representation(_t(batch.obs))
    terms = {"policy": 0.0, "value": 0.0, "reward": 0.0, "latent": 0.0}
    if config.consistency:
        with torch.no_grad():  # the target encoder: no gradient, slowly moving
            shape = batch.next_obs.shape
            goal = target.project(target.representation(_t(batch.next_obs).reshape(-1, *shape[2:])))
            goal = goal.reshape(shape[0], K, -1)
    for k in range(K + 1):
        logits, v = net.prediction(state)
        terms["policy"] = terms["policy"] + (-(policy[:, k] * F.log_softmax(logits, 1)).sum(1) * policy_mask[:, k]).mean()
        terms["value"] = terms["value"] + net.scalar_loss(v, value[:, k]).mean()
        if k == K:
            break
        state, r = net.dynamics(state, action[:, k])
        terms["reward"] = terms["reward"] + net.scalar_loss(r, reward[:, k]).mean()
        if config.consistency:
            guess = net.predictor(net.project(state))
            terms["latent"] = terms["latent"] - (F.cosine_similarity(guess, goal[:, k], dim=1) * next_mask[:, k]).mean()
        state = 0.5 * state + 0.5 * state.detach()  # MuZero: halve the gradient through each dynamics step
    out = {key: torch.as_tensor(val) / (K + 1) for key, val in terms.items()}
    out["total"] = (config.policy * out["policy"] + config.value * out["value"] + config.reward * out["reward"]
                    + config.latent * out["latent"])
    return out


@torch.no_grad()
def ema_update(target: MuZeroNet, net: MuZeroNet, tau: float) -> None:
    """target <- tau target + (1 - tau) net, parameter by parameter."""
    for t, p in zip(target.parameters(), net.parameters()):
        t.mul_(tau).add_(p, alpha=1.0 - tau)
