"""The small MinAtar network every learner here uses, with the streaming learners' two changes.

    obs [B, C, 10, 10] -> conv 3x3, 16 channels -> [B, 16, 8, 8] -> (LN) -> act -> flatten [B, 1024]
        -> linear [B, hidden] -> (LN) -> act  =  features [B, hidden] -> linear [B, outputs]

This is the network of the MinAtar paper (Young and Tian 2019). Elsayed et al. (2024) add layer
normalisation without learned scale or shift over each sample's whole activation map, a leaky ReLU,
and sparse initialisation (90% of each unit's incoming weights zero, the rest uniform in
+-1/sqrt(fan_in)), which together keep single-sample updates from interfering with each other.
`features` is the hidden layer the plasticity measures (plasticity.py) look at.
"""

from __future__ import annotations

import math

import torch
import torch.nn.functional as F
from torch import nn


def sparse_init_(weight: torch.Tensor, sparsity: float, generator: torch.Generator | None = None) -> None:
    """Uniform in +-1/sqrt(fan_in), then ceil(sparsity * fan_in) of each output unit's inputs set to zero."""
    rows = weight.reshape(weight.shape[0], -1)
    fan_in = rows.shape[1]
    with torch.no_grad():
        bound = math.sqrt(1.0 / fan_in)
        rows.uniform_(-bound, bound, generator=generator)
        zeros = int(math.ceil(sparsity * fan_in))
        for row in rows:
            row[torch.randperm(fan_in, generator=generator)[:zeros]] = 0.0


class MinAtarNet(nn.Module):
    """in_channels: C of the observations; outputs: actions (Q) or 1 (value); streaming: layer norm, leaky ReLU
    and sparse init (else ReLU and PyTorch's default init, as the DQN baseline has it)."""

    def __init__(self, in_channels: int, outputs: int, hidden: int = 128, streaming: bool = True,
                 sparsity: float = 0.9, seed: int = 0):
        super().__init__()
        self.streaming, self.sparsity = streaming, sparsity
        self.conv = nn.Conv2d(in_channels, 16, 3)
        self.fc = nn.Linear(16 * 8 * 8, hidden)
        self.head = nn.Linear(hidden, outputs)
        self.generator = torch.Generator().manual_seed(seed)
        for layer in (self.conv, self.fc, self.head):  # from our generator: the same seed, the same network
            self.reinit_units(layer, torch.arange(layer.weight.shape[0]))

    def reinit_units(self, layer: nn.Module, units: torch.Tensor) -> None:
        """Fresh incoming weights (sparse init when streaming, else PyTorch's uniform) and zero bias for `units`."""
        fresh = torch.empty_like(layer.weight[units])
        if self.streaming:
            sparse_init_(fresh, self.sparsity, self.generator)
        else:
            bound = 1.0 / math.sqrt(fresh[0].numel())
            fresh.uniform_(-bound, bound, generator=self.generator)
        with torch.no_grad():
            layer.weight[units] = fresh
            layer.bias[units] = 0.0

    def _act(self, x: torch.Tensor) -> torch.Tensor:
        if self.streaming:
            return F.leaky_relu(F.layer_norm(x, x.shape[1:]))
        return F.relu(x)

    def features(self, obs: torch.Tensor) -> torch.Tensor:
        """obs [B, C, 10, 10] -> the hidden layer's activations [B, hidden]."""
        return self._act(self.fc(self._act(self.conv(obs)).flatten(1)))

    def forward(self, obs: torch.Tensor) -> torch.Tensor:
        """obs [B, C, 10, 10] -> [B, outputs]."""
        return self.head(self.features(obs))
