"""Policy-value networks (PyTorch) and the bridge from a network to search.

Search never imports torch: it receives `evaluate(obs, mask) -> (priors, values)`,
and `evaluator(net)` is the one place that turns a network into that function.
"""

from __future__ import annotations

import numpy as np
import torch

from move37.nets import compiled, folded
from move37.nets.io import load_net, save_net
from move37.nets.policy_value import NetConfig, PolicyValueNet, num_parameters


def evaluator(net: PolicyValueNet, device: str = "cpu"):
    """`evaluate(obs float32 (B, *obs_shape), mask bool (B, A)) -> (priors float32 (B, A), values float32 (B,))`.

    Runs in inference mode with the network in eval mode (batch norm uses its running statistics).
    An MLP on the CPU gets `compiled.MLPEvaluator` (same results within float32 rounding):
    compiled rows at self-play's batch sizes, where PyTorch's cost per call dominates, a kernel
    that compiled search runs in its own loop, and PyTorch for large batches. A residual network
    on the CPU gets `folded.FoldedEvaluator` (batch norms folded, oneDNN convolutions; same
    results within float32 rounding).
    """
    net.eval()

    @torch.inference_mode()
    def evaluate(obs: np.ndarray, mask: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        logits, value = net(torch.from_numpy(obs).to(device), torch.from_numpy(mask).to(device))
        return torch.softmax(logits, dim=-1).cpu().numpy(), value.cpu().numpy()

    if torch.device(device).type == "cpu" and compiled.supports(net):
        return compiled.MLPEvaluator(net, large=evaluate)
    if torch.device(device).type == "cpu" and folded.supports(net):
        return folded.FoldedEvaluator(net)
    return evaluate


__all__ = ["NetConfig", "PolicyValueNet", "evaluator", "load_net", "num_parameters", "save_net"]
