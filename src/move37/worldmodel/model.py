"""The learned model as the search sees it: NumPy in, NumPy out, no gradients.

`LatentModel` is at once the search's `Evaluate` (latents -> priors, values: MuZero's prediction
function) and what the latent store steps with (observations -> latents, latents + actions -> latents,
rewards). Values and rewards come back on their true scale (`MuZeroNet.scalar`).
"""

from __future__ import annotations

import numpy as np
import torch

from move37.worldmodel.nets import MuZeroNet


class LatentModel:
    """Inference with `net` (put in eval mode; callers keep training a copy or reload weights)."""

    def __init__(self, net: MuZeroNet):
        self.net = net.eval()

    @torch.no_grad()
    def represent(self, obs: np.ndarray) -> np.ndarray:
        """obs float32 (K, *obs_shape) -> latents float32 (K, D)."""
        return self.net.representation(torch.from_numpy(np.ascontiguousarray(obs, np.float32))).numpy()

    @torch.no_grad()
    def step(self, latent: np.ndarray, action: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """latents (K, D), actions int (K,) -> next latents (K, D), rewards float32 (K,)."""
        nxt, reward = self.net.dynamics(torch.from_numpy(np.ascontiguousarray(latent, np.float32)),
                                        torch.from_numpy(np.asarray(action, np.int64)))
        return nxt.numpy(), self.net.scalar(reward).numpy()

    @torch.no_grad()
    def __call__(self, latent: np.ndarray, legal: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """latents (K, D), legal bool (K, A) -> priors float32 (K, A) (0 on illegal), values float32 (K,)."""
        logits, value = self.net.prediction(torch.from_numpy(np.ascontiguousarray(latent, np.float32)))
        logits = logits.masked_fill(~torch.from_numpy(np.asarray(legal, bool)), -1e9)
        return torch.softmax(logits, dim=1).numpy(), self.net.scalar(value).numpy()
