"""Policy-value networks: one trunk, a policy head (logits over the action space) and a
value head (tanh, the expected return for the player to move).

Two trunks, chosen by `NetConfig.kind`:
- "resnet": the AlphaZero residual tower (conv stem, `blocks` residual blocks of
  `channels` 3x3 convolutions with batch norm) for observations shaped (C, H, W);
- "mlp": fully connected layers of `hidden` widths over the flattened observation
  (84-128-128 for Connect Four is the 28k-parameter network of the speed benchmarks).

Illegal actions get logit -inf-like values (`LOGIT_FLOOR`), so a softmax over the
output never puts probability on them.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import torch
from torch import nn

from move37.errors import ConfigError

LOGIT_FLOOR = -1e9


@dataclass(frozen=True)
class NetConfig:
    """The shape of a policy-value network.

    kind: "resnet" or "mlp".
    channels, blocks: width and depth of the residual tower.
    hidden: widths of the MLP trunk; also the value head's hidden width (first entry) for resnets.
    """

    kind: str = "resnet"
    channels: int = 32
    blocks: int = 3
    hidden: tuple[int, ...] = field(default=(64,))

    def __post_init__(self):
        if self.kind not in ("resnet", "mlp"):
            raise ConfigError(f"net.kind must be 'resnet' or 'mlp', not {self.kind!r}")
        if self.channels < 1 or self.blocks < 0 or not self.hidden or min(self.hidden) < 1:
            raise ConfigError("net sizes must be positive (channels >= 1, blocks >= 0, hidden non-empty)")


class _Residual(nn.Module):
    def __init__(self, c: int):
        super().__init__()
        self.conv1 = nn.Conv2d(c, c, 3, padding=1, bias=False)
        self.bn1 = nn.BatchNorm2d(c)
        self.conv2 = nn.Conv2d(c, c, 3, padding=1, bias=False)
        self.bn2 = nn.BatchNorm2d(c)

    def forward(self, x):
        y = torch.relu(self.bn1(self.conv1(x)))
        return torch.relu(x + self.bn2(self.conv2(y)))


class PolicyValueNet(nn.Module):
    """forward(obs (B, *observation_shape), mask bool (B, A)) -> (logits (B, A), value (B,))."""

    def __init__(self, observation_shape: tuple[int, ...], num_actions: int, config: NetConfig):
        super().__init__()
        self.observation_shape = tuple(observation_shape)
        self.num_actions = num_actions
        self.config = config
        if config.kind == "resnet":
            if len(observation_shape) != 3:
                raise ConfigError(f"net.kind 'resnet' needs (C, H, W) observations, not {observation_shape}; use 'mlp'")
            c_in, h, w = observation_shape
            c = config.channels
            self.stem = nn.Sequential(nn.Conv2d(c_in, c, 3, padding=1, bias=False), nn.BatchNorm2d(c), nn.ReLU())
            self.tower = nn.Sequential(*[_Residual(c) for _ in range(config.blocks)])
            self.policy_head = nn.Sequential(
                nn.Conv2d(c, 2, 1, bias=False), nn.BatchNorm2d(2), nn.ReLU(), nn.Flatten(), nn.Linear(2 * h * w, num_actions)
            )
            self.value_head = nn.Sequential(
                nn.Conv2d(c, 1, 1, bias=False), nn.BatchNorm2d(1), nn.ReLU(), nn.Flatten(),
                nn.Linear(h * w, config.hidden[0]), nn.ReLU(), nn.Linear(config.hidden[0], 1),
            )
        else:
            layers: list[nn.Module] = [nn.Flatten()]
            width = math.prod(observation_shape)
            for h in config.hidden:
                layers += [nn.Linear(width, h), nn.ReLU()]
                width = h
            self.stem = nn.Sequential(*layers)
            self.tower = nn.Identity()
            self.policy_head = nn.Linear(width, num_actions)
            self.value_head = nn.Linear(width, 1)

    def forward(self, obs: torch.Tensor, mask: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        x = self.tower(self.stem(obs))
        logits = self.policy_head(x).masked_fill(~mask, LOGIT_FLOOR)  # (B, A)
        value = torch.tanh(self.value_head(x)).squeeze(-1)  # (B,)
        return logits, value


def num_parameters(net: nn.Module) -> int:
    """Trainable parameter count (for reports)."""
    return sum(p.numel() for p in net.parameters() if p.requires_grad)
