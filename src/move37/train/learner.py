"""The learner: AdamW on policy cross-entropy plus value mean squared error.

Each sample is shown under a random board symmetry (when the game has any), which
multiplies what each self-play position teaches at no self-play cost.
"""

from __future__ import annotations

import numpy as np
import torch
import torch.nn.functional as F

from move37.games.base import Game
from move37.games.symmetry import move_actions, random_symmetries
from move37.nets.policy_value import PolicyValueNet
from move37.train.config import LearnConfig
from move37.train.replay import ReplayWindow


def augment(game: Game, batch: dict[str, np.ndarray], rng: np.random.Generator) -> dict[str, np.ndarray]:
    """Apply a random symmetry k to each sample's observation, legal mask and policy."""
    if game.info.num_symmetries <= 1:
        return batch
    out = {k: v.copy() for k, v in batch.items()}
    for k, rows, perm in random_symmetries(game, len(batch["value"]), rng):
        out["obs"][rows] = game.transform_observation(batch["obs"][rows], k)
        for key in ("legal", "policy"):
            out[key][rows] = move_actions(batch[key][rows], perm)
    return out


class Learner:
    """Owns the network's training mode and the optimiser."""

    def __init__(self, net: PolicyValueNet, game: Game, config: LearnConfig):
        self.net, self.game, self.config = net, game, config
        self.optimizer = torch.optim.AdamW(net.parameters(), lr=config.lr, weight_decay=config.weight_decay)
        self.step = 0

    def set_lr(self, lr: float) -> None:
        """The learning rate from the next update on (a schedule's step, ZeroConfig.at)."""
        for group in self.optimizer.param_groups:
            group["lr"] = lr

    def train(self, replay: ReplayWindow, steps: int, rng: np.random.Generator) -> dict[str, float]:
        """`steps` updates on batches from `replay`; mean loss terms."""
        self.net.train()
        totals = {"loss_policy": 0.0, "loss_value": 0.0, "entropy_target": 0.0}
        for _ in range(steps):
            batch = replay.sample(self.config.batch_size, rng)
            if self.config.augment:
                batch = augment(self.game, batch, rng)
            obs, legal = torch.from_numpy(batch["obs"]), torch.from_numpy(batch["legal"])
            target, z = torch.from_numpy(batch["policy"]), torch.from_numpy(batch["value"])
            logits, value = self.net(obs, legal)
            loss_p = -(target * F.log_softmax(logits, dim=-1)).sum(-1).mean()
            loss_v = F.mse_loss(value, z)
            self.optimizer.zero_grad(set_to_none=True)
            (loss_p + loss_v).backward()
            self.optimizer.step()
            self.step += 1
            totals["loss_policy"] += loss_p.item()
            totals["loss_value"] += loss_v.item()
            totals["entropy_target"] += -(target * torch.log(target.clamp_min(1e-12))).sum(-1).mean().item()
        self.net.eval()
        return {k: v / max(steps, 1) for k, v in totals.items()}
