"""MuZero's three networks as small MLPs, and the JEPA-style predictor of the next latent.

    representation  h: obs (B, *obs_shape)            -> latent (B, D)   (optionally two convolutions first)
    dynamics        g: latent (B, D), action (B,)     -> next latent (B, D), reward (B,)
    prediction      f: latent (B, D)                  -> policy logits (B, A), value (B,)
    projector       p: latent (B, D)                  -> (B, P)  (consistency loss only)
    predictor       q: (B, P)                         -> (B, P)  (online branch only, as in SimSiam/EfficientZero)

Latents are min-max scaled to [0, 1] per row, as in MuZero, so the dynamics' input and output live on
one scale however deep the unroll. Rewards and values are regressed as scalars on MuZero's squashed
scale h(x) = sign(x)(sqrt(|x| + 1) - 1) + eps x (`squash`/`unsquash`), so a CartPole value of 300
and a board game's +-1 train with the same loss weights.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import torch
from torch import nn
from torch.nn import functional as F

EPS = 0.001


def squash(x: torch.Tensor) -> torch.Tensor:
    """MuZero's value transform h(x)."""
    return torch.sign(x) * (torch.sqrt(x.abs() + 1) - 1) + EPS * x


def unsquash(y: torch.Tensor) -> torch.Tensor:
    """The inverse of `squash`."""
    return torch.sign(y) * (((torch.sqrt(1 + 4 * EPS * (y.abs() + 1 + EPS)) - 1) / (2 * EPS)) ** 2 - 1)


@dataclass(frozen=True)
class NetConfig:
    """latent: D, the latent width. hidden: width of every MLP's hidden layers. projection: P.
    conv: 0, or the channels of two 3x3 convolutions that read a (C, H, W) board before the representation's
    MLP (a board's local patterns -- three in a row and the open cell beside them -- are what an MLP finds slowly)."""

    latent: int = 64
    hidden: int = 128
    projection: int = 64
    conv: int = 0

    def __post_init__(self):
        if min(self.latent, self.hidden, self.projection) < 1 or self.conv < 0:
            raise ValueError("net: latent, hidden and projection must be positive, conv >= 0")


def _mlp(inp: int, hidden: int, out: int) -> nn.Sequential:
    return nn.Sequential(nn.Linear(inp, hidden), nn.LayerNorm(hidden), nn.ReLU(), nn.Linear(hidden, hidden),
                         nn.LayerNorm(hidden), nn.ReLU(), nn.Linear(hidden, out))


def _scale(s: torch.Tensor) -> torch.Tensor:
    lo, hi = s.min(dim=1, keepdim=True).values, s.max(dim=1, keepdim=True).values
    return (s - lo) / (hi - lo).clamp_min(1e-5)


class MuZeroNet(nn.Module):
    """The networks of one MuZero agent for observations of `obs_shape` and `num_actions` actions."""

    def __init__(self, obs_shape: tuple[int, ...], num_actions: int, config: NetConfig = NetConfig()):
        super().__init__()
        self.obs_shape, self.num_actions, self.config = tuple(obs_shape), num_actions, config
        D, H, P = config.latent, config.hidden, config.projection
        if config.conv and len(self.obs_shape) != 3:
            raise ValueError(f"net.conv needs (C, H, W) observations, not {self.obs_shape}")
        C = config.conv
        self.convolve = nn.Sequential(nn.Conv2d(self.obs_shape[0], C, 3, padding=1), nn.ReLU(),
                                      nn.Conv2d(C, C, 3, padding=1), nn.ReLU()) if C else nn.Identity()
        features = C * math.prod(self.obs_shape[1:]) if C else math.prod(obs_shape)
        self.represent = _mlp(features, H, D)
        self.dynamic = _mlp(D + num_actions, H, D + 1)
        self.predict = _mlp(D, H, num_actions + 1)
        self.project = nn.Sequential(nn.Linear(D, H), nn.ReLU(), nn.Linear(H, P))
        self.predictor = nn.Sequential(nn.Linear(P, H), nn.ReLU(), nn.Linear(H, P))

    def representation(self, obs: torch.Tensor) -> torch.Tensor:
        """obs (B, *obs_shape) -> latent (B, D)."""
        return _scale(self.represent(self.convolve(obs).reshape(obs.shape[0], -1)))

    def dynamics(self, latent: torch.Tensor, action: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        """latent (B, D), action int (B,) -> next latent (B, D), reward (B,) on the squashed scale."""
        out = self.dynamic(torch.cat([latent, F.one_hot(action.long(), self.num_actions).float()], dim=1))
        return _scale(out[:, :-1]), out[:, -1]

    def prediction(self, latent: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        """latent (B, D) -> policy logits (B, A), value (B,) on the squashed scale."""
        out = self.predict(latent)
        return out[:, :-1], out[:, -1]
