"""Convolutional networks on the CPU through a folded, oneDNN copy of the module.

Why: at self-play's batch sizes (tens to hundreds of positions) PyTorch's eager
convolutions leave part of the CPU's speed unused. PyTorch's FX pass
`torch.fx.experimental.optimization.optimize_for_inference` folds each batch norm into its
convolution and runs the convolutions on oneDNN with prepacked weights: 1.10-1.22x the eager
module's speed for the 64x4 residual network on one core (bench/resnet_evaluator.py).

The copy is made at the first call and made again whenever an optimiser step or a
batch-norm update changes a parameter or buffer (PyTorch's version counters), so a learner
training the same module in place is seen at the next call. Results equal the eager module's
within float32 rounding (tests check it).

Not TorchScript: `torch.jit.trace` + `freeze` + `optimize_for_inference` ran 5-10% faster per
call, but every rebuild left 3-4 MiB that was never freed (a rebuild per training iteration:
RSS grew 3.4 MiB per iteration over an hour of training, docs/results/reliability.md). The FX
copy is an ordinary Python module, freed when replaced. `torch.compile` recompiles for every
new batch size, which search produces all the time.
"""

from __future__ import annotations

import numpy as np
import torch
import torch.fx.experimental.optimization as fx_optimization

from move37.nets.policy_value import PolicyValueNet


def supports(net: PolicyValueNet) -> bool:
    """Whether `net` gains from folding: a residual (convolutional) trunk."""
    return net.config.kind == "resnet"


class FoldedEvaluator:
    """`evaluate(obs float32 (K, *obs_shape), legal bool (K, A)) -> (priors float32 (K, A), values float32 (K,))`
    of a residual `PolicyValueNet` in eval mode, through its folded oneDNN copy."""

    def __init__(self, net: PolicyValueNet):
        if not supports(net):
            raise ValueError("FoldedEvaluator needs a residual PolicyValueNet")
        self.net = net
        self._tensors = [*net.parameters(), *net.buffers()]
        self._versions: tuple | None = None
        self._folded = None

    def _current(self):
        versions = tuple((t._version, t.data_ptr()) for t in self._tensors)
        if versions != self._versions:
            self.net.eval()
            self._folded = fx_optimization.optimize_for_inference(self.net)
            self._versions = versions
        return self._folded

    @torch.inference_mode()
    def __call__(self, obs: np.ndarray, legal: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        x, mask = torch.from_numpy(np.ascontiguousarray(obs, np.float32)), torch.from_numpy(np.ascontiguousarray(legal))
        logits, value = self._current()(x, mask)
        return torch.softmax(logits, dim=-1).numpy(), value.numpy()
