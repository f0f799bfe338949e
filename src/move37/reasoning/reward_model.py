"""A reward model learned from pairwise preferences: Bradley-Terry on the policy's own transformer.

RLHF replaces the verifier by a model of what raters prefer. Given pairs (preferred,
rejected) the model is fitted so that P(a preferred to b) = sigmoid(s(a) - s(b))
(Bradley & Terry 1952; Ouyang et al. 2022). The scorer is the same small character
transformer as the policy, started from the imitation model's weights as InstructGPT
starts its reward model from the SFT model, with a linear head on the final hidden state
of the completion's last token. Shapes: B sequences, T tokens, C channels.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import torch
import torch.nn as nn
from safetensors import SafetensorError
from safetensors.torch import load_file, save

from move37.atomic import write_bytes, write_json
from move37 import jsontext
from move37.errors import JSONTextError, RunFolderError
from move37.reasoning.batch import TokenBatch, from_ids
from move37.reasoning.model import CharTransformer, ModelConfig


class RewardModel(nn.Module):
    def __init__(self, cfg: ModelConfig):
        super().__init__()
        self.body = CharTransformer(cfg)
        self.head = nn.Linear(cfg.n_embd, 1)

    def forward(self, batch: TokenBatch) -> torch.Tensor:
        """One score per sequence (B,): the head on the hidden state where the completion's last token is read."""
        h, _ = self.body.hidden(batch.inputs)  # (B, T, C)
        t = batch.inputs.shape[1]
        last = t - 1 - torch.flip(batch.mask, dims=[1]).argmax(1)  # (B,) last completion prediction
        return self.head(h[torch.arange(len(h)), last]).squeeze(1)


def bradley_terry_loss(rm: RewardModel, chosen: TokenBatch, rejected: TokenBatch) -> torch.Tensor:
    """-log sigmoid(s(chosen) - s(rejected)), averaged over pairs."""
    return -torch.nn.functional.logsigmoid(rm(chosen) - rm(rejected)).mean()


def _subset(ids: list[tuple[list[int], list[int]]], rows) -> TokenBatch:
    return from_ids([ids[i][0] for i in rows], [ids[i][1] for i in rows])


def fit(rm: RewardModel, chosen: list[tuple[list[int], list[int]]], rejected: list[tuple[list[int], list[int]]],
        epochs: int, lr: float, batch_size: int, rng: np.random.Generator) -> list[float]:
    """Fit on (prompt ids, completion ids) pairs, chosen[i] preferred to rejected[i]; the loss per epoch."""
    opt = torch.optim.AdamW(rm.parameters(), lr=lr, weight_decay=0.01)
    losses = []
    for _ in range(epochs):
        order, total = rng.permutation(len(chosen)), 0.0
        for i in range(0, len(order), batch_size):
            rows = order[i:i + batch_size]
            loss = bradley_terry_loss(rm, _subset(chosen, rows), _subset(rejected, rows))
            opt.zero_grad(set_to_none=True)
            loss.backward()
            torch.nn.utils.clip_grad_norm_(rm.parameters(), 1.0)
            opt.step()
            total += loss.item() * len(rows)
        losses.append(total / len(order))
    return losses


@torch.no_grad()
def scores(rm: RewardModel, batch: TokenBatch, chunk: int = 512) -> np.ndarray:
    """(B,) scores, in chunks."""
    rm.eval()
    out = [rm(TokenBatch(batch.inputs[i:i + chunk], batch.targets[i:i + chunk], batch.mask[i:i + chunk])).numpy()
           for i in range(0, len(batch.inputs), chunk)]
    return np.concatenate(out).astype(np.float64)


def save_reward_model(folder: Path, rm: RewardModel, cfg: ModelConfig, meta: dict) -> None:
    """reward_model.safetensors and reward_model.json (architecture, score normalisation, diagnostics)."""
    folder.mkdir(parents=True, exist_ok=True)
    write_json(folder / "reward_model.json", {"model": cfg.to_dict(), **meta}, indent=2, sort_keys=True)
    write_bytes(folder / "reward_model.safetensors",
                save({k: v.detach().contiguous().clone() for k, v in rm.state_dict().items()}))


def load_reward_model(folder: Path) -> tuple[RewardModel, dict]:
    """A saved reward model (eval mode, frozen) and its metadata; RunFolderError when missing or damaged."""
    folder = Path(folder)
    try:
        meta = jsontext.read(folder / "reward_model.json")
        rm = RewardModel(ModelConfig(**meta["model"]))
        rm.load_state_dict(load_file(str(folder / "reward_model.safetensors")))
        float(meta["mean"]), float(meta["std"])
    except (OSError, JSONTextError, SafetensorError, KeyError, TypeError, ValueError, RuntimeError) as e:
        raise RunFolderError(f"{folder}: no readable reward model ({type(e).__name__})") from None
    return rm.eval().requires_grad_(False), meta
