"""GRPO-family policy optimisation against the verifier's reward.

For each problem a group of completions is sampled; a completion's advantage is its
reward minus the group's mean (divided by the group's std in plain GRPO). The
policy-gradient loss is PPO's clipped surrogate per token:

    loss_t = -min(r_t A, clip(r_t, 1 - clip_low, 1 + clip_high) A) + beta * KL_t,
    r_t = pi(token_t) / pi_old(token_t),  KL_t = k3 estimator against the reference model.

Variants (`GRPOConfig.preset`):
- "grpo": std-normalised advantages, per-sequence mean then batch mean (DeepSeekMath).
- "dr_grpo": no std division, and token losses summed and divided by one number for
  the whole batch (sequences x padded length) instead of by each sequence's own
  length (Liu et al. 2025, "Understanding R1-Zero-like training"), removing the
  length and difficulty biases.
- "dapo": clip-higher (clip_high 0.28 > clip_low 0.2), dynamic sampling (groups
  whose completions are all right or all wrong carry no signal and are dropped),
  token-level loss (Yu et al. 2025).

Optional style reward: `style_weight * style`, where style is the fraction of the
completion's tokens that the frozen imitation model would itself have written
(its argmax), i.e. how much the reasoning reads like the demonstrator's.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Literal

import numpy as np
import torch

from move37.reasoning.batch import token_logprobs
from move37.reasoning.rollout import Rollout


@dataclass(frozen=True)
class GRPOConfig:
    steps: int = 120
    prompts_per_step: int = 32
    group_size: int = 8
    lr: float = 5e-5
    epochs: int = 1                 # optimisation passes over each rollout batch (mu)
    clip_low: float = 0.2
    clip_high: float = 0.2
    scale_std: bool = True          # divide advantages by the group's std
    loss_agg: Literal["sequence", "token", "constant"] = "sequence"
    dynamic_sampling: bool = False  # drop groups with zero reward variance
    kl_beta: float = 0.0            # weight of the KL penalty to the reference model
    temperature: float = 1.0
    style_weight: float = 0.0       # weight of the demonstrator-style reward

    @staticmethod
    def preset(name: str, **overrides) -> "GRPOConfig":
        """A named variant ("grpo", "dr_grpo", "dapo") with overrides on top."""
        base = {"grpo": {}, "dr_grpo": {"scale_std": False, "loss_agg": "constant"},
                "dapo": {"clip_high": 0.28, "dynamic_sampling": True, "loss_agg": "token"}}
        if name not in base:
            raise ValueError(f"unknown GRPO preset {name!r} (known: {', '.join(base)})")
        return replace(GRPOConfig(), **{**base[name], **overrides})


def advantages(rewards: np.ndarray, group: np.ndarray, scale_std: bool) -> tuple[np.ndarray, np.ndarray]:
    """(advantage per completion (N,), whether its group has any reward variance (N,))."""
    adv = np.zeros_like(rewards, dtype=np.float64)
    informative = np.zeros(len(rewards), dtype=bool)
    for g in np.unique(group):
        rows = group == g
        r = rewards[rows]
        adv[rows] = r - r.mean()
        if scale_std:
            adv[rows] /= r.std() + 1e-4
        informative[rows] = r.std() > 1e-9
    return adv, informative


def style_scores(reference_model, rollout: Rollout) -> np.ndarray:
    """(N,) fraction of each completion's tokens that are the imitation model's own argmax."""
    with torch.no_grad():
        _, agrees = token_logprobs(reference_model, rollout.batch)
    m = rollout.batch.mask
    return ((agrees.float() * m).sum(1) / m.sum(1).clamp(min=1)).numpy()


def policy_loss(model, reference_model, rollout: Rollout, adv: np.ndarray, keep: np.ndarray,
                old_logp: torch.Tensor, cfg: GRPOConfig) -> tuple[torch.Tensor, dict]:
    """The clipped surrogate (plus KL) over the kept completions, and diagnostics."""
    b = rollout.batch
    rows = torch.from_numpy(np.flatnonzero(keep))
    logp, _ = token_logprobs(model, type(b)(b.inputs[rows], b.targets[rows], b.mask[rows]))
    mask, old = b.mask[rows], old_logp[rows]
    a = torch.tensor(adv[keep], dtype=torch.float32)[:, None]  # (N, 1)
    ratio = torch.exp(logp - old)
    clipped = torch.clamp(ratio, 1 - cfg.clip_low, 1 + cfg.clip_high)
    per_token = -torch.minimum(ratio * a, clipped * a)
    if cfg.kl_beta > 0:
        with torch.no_grad():
            ref, _ = token_logprobs(reference_model, type(b)(b.inputs[rows], b.targets[rows], mask))
        per_token = per_token + cfg.kl_beta * (torch.exp(ref - logp) - (ref - logp) - 1)
    if cfg.loss_agg == "sequence":
        loss = ((per_token * mask).sum(1) / mask.sum(1).clamp(min=1)).mean()
    elif cfg.loss_agg == "token":
        loss = (per_token * mask).sum() / mask.sum()
    else:
        loss = (per_token * mask).sum() / (mask.shape[0] * mask.shape[1])
    clip_frac = float((((ratio - clipped).abs() > 1e-9).float() * mask).sum() / mask.sum())
    return loss, {"clip_frac": clip_frac}


def grpo_step(model, reference_model, optimizer, rollout: Rollout, cfg: GRPOConfig) -> dict:
    """One GRPO update from a rollout (cfg.group_size completions per problem); returns diagnostics."""
    correct = rollout.rewards
    rewards = correct.copy()
    stats: dict = {}
    if cfg.style_weight > 0:
        style = style_scores(reference_model, rollout)
        rewards = rewards + cfg.style_weight * style
        stats["style"] = float(style.mean())
    adv, _ = advantages(rewards, rollout.group, cfg.scale_std)
    # dynamic sampling judges groups by correctness: all right or all wrong teaches nothing
    _, informative = advantages(correct, rollout.group, False)
    keep = informative if cfg.dynamic_sampling else np.ones(len(rewards), dtype=bool)
    stats.update(reward=float(correct.mean()), kept=float(keep.mean()))
    if not keep.any():
        return {**stats, "loss": 0.0, "clip_frac": 0.0}
    with torch.no_grad():
        old_logp, _ = token_logprobs(model, rollout.batch)
    for _ in range(cfg.epochs):
        loss, diag = policy_loss(model, reference_model, rollout, adv, keep, old_logp, cfg)
        optimizer.zero_grad(set_to_none=True)
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        optimizer.step()
    return {**stats, "loss": loss.item(), **diag}
