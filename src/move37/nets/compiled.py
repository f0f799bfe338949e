"""Small MLPs evaluated without PyTorch, in compiled code that search can also run inside its own loop.

Why: at the batch sizes of self-play (tens of leaves a call) PyTorch's fixed cost per
call is larger than an 84-128-128 MLP's arithmetic, and a compiled search cannot call
PyTorch between simulations at all. `MLPEvaluator` reads the network's weights into a
`move37.search.kernel_eval.Kernel` (one flat float32 array, layers stored (in, out))
and evaluates it with that module's compiled row function, both when called as an
evaluator and when a fused search runs it per leaf. It follows the network: weights
are reread whenever PyTorch's version counter of a parameter changes (an optimiser
step), so a learner training the same module in place is seen at the next call.
Results equal the PyTorch module's within float32 rounding (tests check it).
"""

from __future__ import annotations

import numpy as np
import torch

from move37.nets.policy_value import PolicyValueNet
from move37.search import kernel_eval


def supports(net: PolicyValueNet) -> bool:
    """Whether `net` can be evaluated this way: an MLP trunk (Linear and ReLU layers only)."""
    return net.config.kind == "mlp"


class MLPEvaluator:
    """`evaluate(obs float32 (K, *obs_shape), legal bool (K, A)) -> (priors float32 (K, A), values float32 (K,))`
    for an MLP `PolicyValueNet`, plus the `kernel` compiled search evaluates in its own loop.

    large: an evaluator for batches of more than `large_from` positions (PyTorch's batched
    matrix products win there; measured in docs/results/speed.md), None to use the rows always.
    """

    def __init__(self, net: PolicyValueNet, large=None, large_from: int = 128):
        if not supports(net):
            raise ValueError("MLPEvaluator needs an MLP PolicyValueNet")
        self.net, self.large, self.large_from = net, large, large_from
        self._params = list(net.parameters())
        self._versions: tuple | None = None
        self._kernel: kernel_eval.Kernel | None = None

    @property
    def kernel(self) -> kernel_eval.Kernel:
        versions = tuple((p._version, p.data_ptr()) for p in self._params)
        if versions != self._versions:
            self._kernel, self._versions = self._read(), versions
        return self._kernel

    def _read(self) -> kernel_eval.Kernel:
        with torch.no_grad():
            linears = [m for m in self.net.stem if isinstance(m, torch.nn.Linear)]
            heads = (self.net.policy_head, self.net.value_head)
            layers = [(m.weight.detach().cpu().numpy().T, m.bias.detach().cpu().numpy()) for m in linears]
            layers.append((np.concatenate([h.weight.detach().cpu().numpy().T for h in heads], axis=1),
                           np.concatenate([h.bias.detach().cpu().numpy() for h in heads])))
        return kernel_eval.mlp_kernel(layers)

    def __call__(self, obs: np.ndarray, legal: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        if self.large is not None and len(obs) > self.large_from:
            return self.large(obs, legal)
        return kernel_eval.call(self.kernel, obs, legal)
