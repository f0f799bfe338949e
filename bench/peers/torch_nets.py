"""The benchmark's networks (see nets_spec.py) in PyTorch, observations NCHW (B, 2, 6, 7).

Used for the PyTorch forward rate beside JAX's, so the two frameworks' raw network
speed on this CPU is visible next to the search figures.
"""

from __future__ import annotations

import torch
from torch import nn

from bench.peers.measure import Timed, calls_for
from bench.peers.nets_spec import ACTIONS, COLS, MLP_HIDDEN, PLANES, RES_BLOCKS, RES_CHANNELS, ROWS


class MLP(nn.Module):
    def __init__(self):
        super().__init__()
        self.body = nn.Sequential(nn.Flatten(), nn.Linear(PLANES * ROWS * COLS, MLP_HIDDEN), nn.ReLU(),
                                  nn.Linear(MLP_HIDDEN, MLP_HIDDEN), nn.ReLU())
        self.policy = nn.Linear(MLP_HIDDEN, ACTIONS)
        self.value = nn.Linear(MLP_HIDDEN, 1)

    def forward(self, obs: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        x = self.body(obs)
        return self.policy(x), torch.tanh(self.value(x))[:, 0]


class _Block(nn.Module):
    def __init__(self, c: int):
        super().__init__()
        self.c1 = nn.Conv2d(c, c, 3, padding=1)
        self.c2 = nn.Conv2d(c, c, 3, padding=1)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return torch.relu(x + self.c2(torch.relu(self.c1(x))))


class ResNet(nn.Module):
    def __init__(self):
        super().__init__()
        c, cells = RES_CHANNELS, ROWS * COLS
        self.stem = nn.Sequential(nn.Conv2d(PLANES, c, 3, padding=1), nn.ReLU())
        self.blocks = nn.Sequential(*[_Block(c) for _ in range(RES_BLOCKS)])
        self.policy = nn.Sequential(nn.Conv2d(c, 2, 1), nn.ReLU(), nn.Flatten(), nn.Linear(2 * cells, ACTIONS))
        self.value = nn.Sequential(nn.Conv2d(c, 1, 1), nn.ReLU(), nn.Flatten(), nn.Linear(cells, 64), nn.ReLU(),
                                   nn.Linear(64, 1))

    def forward(self, obs: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        x = self.blocks(self.stem(obs))
        return self.policy(x), torch.tanh(self.value(x))[:, 0]


def build(name: str) -> nn.Module:
    """Network `name` ("mlp" or "resnet") in eval mode."""
    nets = {"mlp": MLP, "resnet": ResNet}
    if name not in nets:
        raise ValueError(f"unknown network {name!r}")
    return nets[name]().eval()


def num_params(net: nn.Module) -> int:
    return sum(p.numel() for p in net.parameters())


def forward(net_name: str, batch: int, seed: int = 0) -> Timed:
    """The network alone under `torch.inference_mode`: evaluations/s at `batch`."""
    torch.manual_seed(seed)
    net = build(net_name)
    obs = torch.randint(0, 2, (batch, PLANES, ROWS, COLS), generator=torch.Generator().manual_seed(seed)).float()

    with torch.inference_mode():
        calls = calls_for(lambda: net(obs))

    def once() -> float:
        with torch.inference_mode():
            for _ in range(calls):
                net(obs)
        return batch * calls

    return once, dict(batch=batch, net=net_name, params=num_params(net), threads=torch.get_num_threads())
