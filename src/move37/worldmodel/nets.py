"""MuZero's three networks, as small MLPs or as convolutional towers over a board-shaped latent, and the
JEPA-style predictor of the next latent.

    representation  h: obs (B, *obs_shape)            -> latent (B, D)   (optionally two convolutions first)
    dynamics        g: latent (B, D), action (B,)     -> next latent (B, D), reward (B,)
    prediction      f: latent (B, D)                  -> policy logits (B, A), value (B,)
    projector       p: latent (B, D)                  -> (B, P)  (consistency loss only)
    predictor       q: (B, P)                         -> (B, P)  (online branch only, as in SimSiam/EfficientZero)

With `spatial` C the latent is a (C, H, W) board (D = C H W, flattened where the search stores it), as in
MuZero's board-game networks: the dynamics is a residual tower over the latent planes and one plane that marks
the action (its cell, or its column where actions are columns), so where a stone lands and what it completes
are local patterns a 3x3 convolution sees, not a function an MLP over a 64-wide vector must find.

Latents are min-max scaled to [0, 1] per row, as in MuZero, so the dynamics' input and output live on
one scale however deep the unroll. Rewards and values live on MuZero's squashed scale
h(x) = sign(x)(sqrt(|x| + 1) - 1) + eps x (`squash`/`unsquash`; `transform` off: the raw scale, as MuZero's
board games), either as one regressed scalar (`support` 0) or, as in MuZero's Atari networks and
EfficientZero, as a categorical distribution over the 2S+1 whole numbers -S..S of that scale, trained by
cross-entropy against the target's two-hot encoding (`support` S). A sparse reward -- a board game's win,
one move in twenty -- is then a class the loss must name, not a small number a mean squared error can
round to zero (the scalar reward head of the Connect Four runs never predicted a win).
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
    MLP (a board's local patterns -- three in a row and the open cell beside them -- are what an MLP finds slowly).
    support: 0, a scalar value and reward; S > 0, categorical over -S..S (on the transformed scale).
    transform: MuZero's h(x) on values and rewards (off: board games, whose values are already in [-1, 1]).
    spatial: 0, the MLP latent of width `latent`; C > 0, a (C, H, W) latent from residual towers of `blocks`
    blocks (boards whose actions are cells or columns; `latent` and `conv` unused)."""

    latent: int = 64
    hidden: int = 128
    projection: int = 64
    conv: int = 0
    support: int = 0
    transform: bool = True
    spatial: int = 0
    blocks: int = 2

    def __post_init__(self):
        if min(self.latent, self.hidden, self.projection) < 1 or min(self.conv, self.support, self.spatial,
                                                                      self.blocks) < 0:
            raise ValueError("net: latent, hidden and projection must be positive, conv, support, spatial and "
                             "blocks >= 0")


def two_hot(y: torch.Tensor, support: int) -> torch.Tensor:
    """y (...,) on the (transformed) scale -> (..., 2S+1) probabilities on the atoms -S..S whose mean is y
    (clipped to [-S, S]): the weight split between the two atoms either side of it."""
    y = y.clamp(-support, support) + support
    low = y.floor().clamp(max=2 * support - 1)
    high_weight = (y - low).unsqueeze(-1)
    out = torch.zeros(*y.shape, 2 * support + 1, dtype=y.dtype)
    out.scatter_(-1, low.long().unsqueeze(-1), 1 - high_weight)
    out.scatter_(-1, low.long().unsqueeze(-1) + 1, high_weight)
    return out


def _mlp(inp: int, hidden: int, out: int) -> nn.Sequential:
    return nn.Sequential(nn.Linear(inp, hidden), nn.LayerNorm(hidden), nn.ReLU(), nn.Linear(hidden, hidden),
                         nn.LayerNorm(hidden), nn.ReLU(), nn.Linear(hidden, out))


class _Block(nn.Module):
    """A residual block: two 3x3 convolutions, each after a layer norm over (C, H, W) and a ReLU."""

    def __init__(self, channels: int):
        super().__init__()
        self.body = nn.Sequential(nn.GroupNorm(1, channels), nn.ReLU(), nn.Conv2d(channels, channels, 3, padding=1),
                                  nn.GroupNorm(1, channels), nn.ReLU(), nn.Conv2d(channels, channels, 3, padding=1))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return x + self.body(x)


def _tower(inp: int, channels: int, blocks: int) -> nn.Sequential:
    return nn.Sequential(nn.Conv2d(inp, channels, 3, padding=1), *[_Block(channels) for _ in range(blocks)])


def _head(channels: int, cells: int, hidden: int, out: int) -> nn.Sequential:
    """A board's planes (B, C, H, W) -> (B, out): a 1x1 convolution to two planes, then an MLP."""
    return nn.Sequential(nn.Conv2d(channels, 2, 1), nn.ReLU(), nn.Flatten(), nn.Linear(2 * cells, hidden), nn.ReLU(),
                         nn.Linear(hidden, out))


def _scale(s: torch.Tensor) -> torch.Tensor:
    lo, hi = s.min(dim=1, keepdim=True).values, s.max(dim=1, keepdim=True).values
    return (s - lo) / (hi - lo).clamp_min(1e-5)


class MuZeroNet(nn.Module):
    """The networks of one MuZero agent for observations of `obs_shape` and `num_actions` actions."""

    def __init__(self, obs_shape: tuple[int, ...], num_actions: int, config: NetConfig = NetConfig()):
        super().__init__()
        self.obs_shape, self.num_actions, self.config = tuple(obs_shape), num_actions, config
        H, P = config.hidden, config.projection
        if (config.conv or config.spatial) and len(self.obs_shape) != 3:
            raise ValueError(f"net.conv and net.spatial need (C, H, W) observations, not {self.obs_shape}")
        self.width = 2 * config.support + 1 if config.support else 1  # outputs of a value or a reward
        if config.spatial:
            C, (rows, cols) = config.spatial, self.obs_shape[1:]
            if num_actions not in (rows * cols, cols):
                raise ValueError(f"net.spatial needs one action per cell or per column, not {num_actions} actions "
                                 f"on a {rows}x{cols} board")
            self.board = (C, rows, cols)
            D = C * rows * cols
            self.represent = _tower(self.obs_shape[0], C, config.blocks)
            self.dynamic = _tower(C + 1, C, config.blocks)
            self.reward_head = _head(C, rows * cols, H, self.width)
            self.predict = _head(C, rows * cols, H, num_actions + self.width)
        else:
            D, C = config.latent, config.conv
            self.convolve = nn.Sequential(nn.Conv2d(self.obs_shape[0], C, 3, padding=1), nn.ReLU(),
                                          nn.Conv2d(C, C, 3, padding=1), nn.ReLU()) if C else nn.Identity()
            features = C * math.prod(self.obs_shape[1:]) if C else math.prod(obs_shape)
            self.represent = _mlp(features, H, D)
            self.dynamic = _mlp(D + num_actions, H, D + self.width)
            self.predict = _mlp(D, H, num_actions + self.width)
        self.latent_size = D
        self.project = nn.Sequential(nn.Linear(D, H), nn.ReLU(), nn.Linear(H, P))
        self.predictor = nn.Sequential(nn.Linear(P, H), nn.ReLU(), nn.Linear(H, P))

    def representation(self, obs: torch.Tensor) -> torch.Tensor:
        """obs (B, *obs_shape) -> latent (B, D)."""
        if self.config.spatial:
            return _scale(self.represent(obs).flatten(1))
        return _scale(self.represent(self.convolve(obs).reshape(obs.shape[0], -1)))

    def dynamics(self, latent: torch.Tensor, action: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        """latent (B, D), action int (B,) -> next latent (B, D), reward output (B,) or (B, 2S+1) (`scalar` reads it)."""
        if self.config.spatial:
            return self._board_dynamics(latent, action)
        out = self.dynamic(torch.cat([latent, F.one_hot(action.long(), self.num_actions).float()], dim=1))
        D = self.latent_size
        return _scale(out[:, :D]), self._squeeze(out[:, D:])

    def _board_dynamics(self, latent: torch.Tensor, action: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        C, rows, cols = self.board
        planes = torch.zeros(latent.shape[0], rows * cols) if self.num_actions == rows * cols else None
        if planes is not None:  # one action per cell: mark the cell
            planes[torch.arange(latent.shape[0]), action.long()] = 1.0
            planes = planes.reshape(-1, 1, rows, cols)
        else:  # one action per column: mark the column
            planes = F.one_hot(action.long(), cols).float()[:, None, None, :].expand(-1, 1, rows, cols)
        out = self.dynamic(torch.cat([latent.reshape(-1, C, rows, cols), planes], dim=1))
        return _scale(out.flatten(1)), self._squeeze(self.reward_head(out))

    def prediction(self, latent: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        """latent (B, D) -> policy logits (B, A), value output (B,) or (B, 2S+1) (`scalar` reads it)."""
        out = self.predict(latent.reshape(-1, *self.board) if self.config.spatial else latent)
        return out[:, :self.num_actions], self._squeeze(out[:, self.num_actions:])

    def _squeeze(self, out: torch.Tensor) -> torch.Tensor:
        return out if self.config.support else out[:, 0]

    def scalar(self, out: torch.Tensor) -> torch.Tensor:
        """A value or reward output (B,) or (B, 2S+1) -> the value or reward itself (B,), on its true scale."""
        if self.config.support:
            atoms = torch.arange(-self.config.support, self.config.support + 1, dtype=out.dtype)
            out = torch.softmax(out, dim=-1) @ atoms
        return unsquash(out) if self.config.transform else out

    def scalar_loss(self, out: torch.Tensor, target: torch.Tensor) -> torch.Tensor:
        """Per-row loss (B,) of a value or reward output against true-scale targets (B,): squared error, or
        cross-entropy against the two-hot target with a support."""
        y = squash(target) if self.config.transform else target
        if self.config.support:
            return -(two_hot(y, self.config.support) * F.log_softmax(out, dim=-1)).sum(-1)
        return (out - y) ** 2
