"""Growing a trained residual network without changing what it computes (Net2Net's aim).

A run that has outgrown its network can continue with a wider or deeper tower instead of
starting again: `grow(net, state)` loads the weights of a smaller resnet (`state`, a state
dict) into the larger `net` so that both give the same outputs, and the new units can learn:

- every tensor of the small network fills the leading slice of its namesake;
- the small network's units ignore the new channels (their weights from new inputs are 0),
  so the old channels compute what they computed before, and the heads read only them;
- new channels keep `net`'s fresh random weights into them, so they carry signal and their
  zero outgoing weights get gradients at the first update;
- new residual blocks start as the identity: their last batch norm's scale is 0, and a
  block's input has already passed a ReLU, so relu(x + 0) = x.

Batch-norm statistics of new channels start at (mean 0, variance 1); they feed nothing until
training gives them outgoing weights, and training mode re-estimates them.
"""

from __future__ import annotations

import torch

from move37.errors import ConfigError
from move37.nets.policy_value import PolicyValueNet


def grow(net: PolicyValueNet, state: dict[str, torch.Tensor]) -> None:
    """Load a smaller resnet's `state` into the resnet `net` (same game; at least as many channels and
    blocks) so that `net` computes the same function. ConfigError when a tensor of `state` has no
    namesake in `net` at least as large."""
    if net.config.kind != "resnet":
        raise ConfigError("only a residual network can grow (net.kind 'resnet')")
    target = net.state_dict()
    for name, small in state.items():
        big = target.get(name)
        if big is None or big.dim() != small.dim() or any(s > b for s, b in zip(small.shape, big.shape)):
            raise ConfigError(f"cannot grow into this network: {name} {tuple(small.shape)} does not fit")
    grown = {}
    for name, big in target.items():
        big = big.clone()
        small = state.get(name)
        if small is not None:
            if big.dim() >= 2:  # (out, in, ...): old units read nothing from new inputs
                big[: small.shape[0], small.shape[1]:] = 0
            big[tuple(slice(0, s) for s in small.shape)] = small
        elif name.startswith("tower.") and name.endswith("bn2.weight"):
            big.zero_()  # a new block adds nothing at first
        grown[name] = big
    net.load_state_dict(grown)
