"""Plasticity: how much a network can still learn, measured along the stream, and three remedies.

Measures (Dohare et al., Nature 2024; Sokar et al. 2023; Kumar et al. 2021), of the hidden layer's
features on a probe batch of recent observations [N, hidden]:
  dormant_fraction   units whose mean |activation| is at most tau (0.025) of the layer's average
  effective_rank     exp(entropy of the normalised singular values) (Roy and Vetterli 2007)
  weight_norm        the L2 norm of all parameters; grad_norm the L2 norm of the last update's gradient

Remedies, applied after each update (`Remedies`; all off by default):
  cbp       continual backprop: every step a fraction `cbp` of the mature hidden units (older than
            `maturity` updates) with the lowest contribution utility (running mean of |h| * sum |w_out|)
            get fresh incoming weights and zero outgoing ones, so they change nothing at once
  shrink, perturb   shrink-and-perturb: theta <- shrink * theta + perturb * N(0, 1) (Ash and Adams 2020)
  l2init    regularisation toward the initial weights, decoupled: theta <- theta - l2init * (theta - theta0)
            (Kumar et al. 2023)
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import torch

from move37.experience.nets import MinAtarNet

DORMANT_TAU = 0.025


def dormant_fraction(features: torch.Tensor, tau: float = DORMANT_TAU) -> float:
    """features [N, hidden] -> the fraction of units whose normalised mean |activation| <= tau."""
    score = features.abs().mean(0)
    score = score / score.mean().clamp_min(1e-12)
    return float((score <= tau).float().mean())


def effective_rank(features: torch.Tensor) -> float:
    """features [N, hidden] -> exp(H(sigma / sum sigma)), between 1 and min(N, hidden)."""
    sigma = torch.linalg.svdvals(features.double())
    p = sigma / sigma.sum().clamp_min(1e-12)
    p = p[p > 0]
    return float(torch.exp(-(p * p.log()).sum()))


def weight_norm(net: torch.nn.Module) -> float:
    return float(torch.sqrt(sum((p.detach() ** 2).sum() for p in net.parameters())))


def grad_norm(net: torch.nn.Module) -> float:
    return float(torch.sqrt(sum((p.grad ** 2).sum() for p in net.parameters() if p.grad is not None)))


def measure(net: MinAtarNet, probe: torch.Tensor) -> dict[str, float]:
    """The plasticity measures of `net` on probe observations [N, C, H, W]."""
    with torch.no_grad():
        h = net.features(probe)
    return {"dormant": round(dormant_fraction(h), 4), "effective_rank": round(effective_rank(h), 3),
            "weight_norm": round(weight_norm(net), 3)}


@dataclass(frozen=True)
class Remedies:
    cbp: float = 0.0
    maturity: int = 100
    utility_decay: float = 0.99
    shrink: float = 1.0
    perturb: float = 0.0
    l2init: float = 0.0

    def __post_init__(self):
        if not (0 <= self.cbp < 1 and 0 < self.shrink <= 1 and self.perturb >= 0 and 0 <= self.l2init < 1):
            raise ValueError("remedies: need 0 <= cbp < 1, 0 < shrink <= 1, perturb >= 0, 0 <= l2init < 1")

    @property
    def any(self) -> bool:
        return self.cbp > 0 or self.shrink < 1 or self.perturb > 0 or self.l2init > 0


class Plasticity:
    """Applies `remedies` to `net` after each update; `optimizer`'s per-parameter state (traces, moments) of
    replaced units is zeroed with them. State travels as tensors (`tensors` / `load_tensors`)."""

    def __init__(self, net: MinAtarNet, optimizer: torch.optim.Optimizer, remedies: Remedies, seed: int = 0):
        self.net, self.optimizer, self.remedies = net, optimizer, remedies
        hidden = net.fc.weight.shape[0]
        self.utility = torch.zeros(hidden)
        self.age = torch.zeros(hidden)
        self.owed = torch.zeros(1)  # fractional units owed to continual backprop
        self.initial = {n: p.detach().clone() for n, p in net.named_parameters()} if remedies.l2init else {}
        self.generator = torch.Generator().manual_seed(seed + 7)
        self.replaced = 0

    @torch.no_grad()
    def after_update(self, features: torch.Tensor) -> None:
        """features [B, hidden]: the hidden activations of the batch just learnt from."""
        r = self.remedies
        if r.cbp:
            self._continual_backprop(features)
        if r.shrink < 1 or r.perturb:
            for p in self.net.parameters():
                p.mul_(r.shrink)
                if r.perturb:
                    p.add_(torch.randn(p.shape, generator=self.generator), alpha=r.perturb)
        if r.l2init:
            for n, p in self.net.named_parameters():
                p.sub_(p - self.initial[n], alpha=r.l2init)

    def _continual_backprop(self, features: torch.Tensor) -> None:
        r = self.remedies
        contribution = features.abs().mean(0) * self.net.head.weight.abs().sum(0)
        self.utility.mul_(r.utility_decay).add_(contribution, alpha=1 - r.utility_decay)
        self.age += 1
        mature = torch.nonzero(self.age > r.maturity).flatten()
        self.owed += r.cbp * len(mature)
        count = int(self.owed.item())
        if count == 0:
            return
        self.owed -= count
        units = mature[torch.argsort(self.utility[mature])[:count]]
        self.net.reinit_units(self.net.fc, units)
        self.net.head.weight[:, units] = 0.0
        self.utility[units], self.age[units] = 0.0, 0.0
        self.replaced += len(units)
        for p, index in ((self.net.fc.weight, (units,)), (self.net.fc.bias, (units,)),
                         (self.net.head.weight, (slice(None), units))):
            for slot in self.optimizer.state.get(p, {}).values():
                if torch.is_tensor(slot) and slot.shape == p.shape:
                    slot[index] = 0.0

    def tensors(self) -> dict[str, torch.Tensor]:
        out = {"plasticity.utility": self.utility, "plasticity.age": self.age, "plasticity.owed": self.owed,
               "plasticity.replaced": torch.tensor([self.replaced]),
               "plasticity.noise_rng": self.generator.get_state(), "plasticity.init_rng": self.net.generator.get_state()}
        out.update({f"plasticity.initial.{n}": t for n, t in self.initial.items()})
        return out

    def load_tensors(self, tensors: dict[str, torch.Tensor]) -> None:
        self.utility, self.age = tensors["plasticity.utility"].clone(), tensors["plasticity.age"].clone()
        self.owed, self.replaced = tensors["plasticity.owed"].clone(), int(tensors["plasticity.replaced"][0])
        self.initial = {n: tensors[f"plasticity.initial.{n}"].clone() for n in self.initial}
        if "plasticity.noise_rng" in tensors:  # the perturbation noise and the fresh units go on as they would have
            self.generator.set_state(tensors["plasticity.noise_rng"].clone())
            self.net.generator.set_state(tensors["plasticity.init_rng"].clone())
