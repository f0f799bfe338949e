"""Convolutional networks on the CPU through a frozen TorchScript graph.

Why: at self-play's batch sizes (tens to hundreds of positions) PyTorch's eager
convolutions leave most of the CPU's speed unused. `torch.jit.optimize_for_inference`
folds each batch norm into its convolution and runs the convolutions on oneDNN with
prepacked weights: 1.4x the eager module's evaluations per second for the 64x4 residual
network at batch 64 on one core, 1.5x on two (docs/results/speed.md). Eager folding alone
(`fuse_conv_bn_eval`) gained nothing there; `torch.compile` was about as fast but
recompiles for every new batch size, which search produces all the time.

The graph is traced once, from the first call's input shapes (it is shape-generic for the
batch), and traced again whenever an optimiser step or a batch-norm update changes a
parameter or buffer (PyTorch's version counters), so a learner training the same module
in place is seen at the next call. Results equal the eager module's within float32
rounding (tests check it). `torch.jit.trace` is deprecated in favour of `torch.export`,
whose CPU path has no equivalent of this freezing yet; the deprecation warning is
silenced here, and the torch pin (2.13.0) keeps the behaviour fixed.
"""

from __future__ import annotations

import warnings

import numpy as np
import torch

from move37.nets.policy_value import PolicyValueNet


def supports(net: PolicyValueNet) -> bool:
    """Whether `net` gains from freezing: a residual (convolutional) trunk."""
    return net.config.kind == "resnet"


class FrozenEvaluator:
    """`evaluate(obs float32 (K, *obs_shape), legal bool (K, A)) -> (priors float32 (K, A), values float32 (K,))`
    of a residual `PolicyValueNet` in eval mode, through its frozen, inference-optimised graph."""

    def __init__(self, net: PolicyValueNet):
        if not supports(net):
            raise ValueError("FrozenEvaluator needs a residual PolicyValueNet")
        self.net = net
        self._tensors = [*net.parameters(), *net.buffers()]
        self._versions: tuple | None = None
        self._graph = None

    def _frozen(self, obs: torch.Tensor, mask: torch.Tensor):
        versions = tuple((t._version, t.data_ptr()) for t in self._tensors)
        if versions != self._versions:
            self.net.eval()
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")  # the deprecation of torch.jit (see the module's docstring)
                traced = torch.jit.trace(self.net, (obs, mask), check_trace=False)
                self._graph = torch.jit.optimize_for_inference(torch.jit.freeze(traced))
            self._versions = versions
        return self._graph

    @torch.inference_mode()
    def __call__(self, obs: np.ndarray, legal: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        x, mask = torch.from_numpy(np.ascontiguousarray(obs, np.float32)), torch.from_numpy(np.ascontiguousarray(legal))
        logits, value = self._frozen(x, mask)(x, mask)
        return torch.softmax(logits, dim=-1).numpy(), value.numpy()
