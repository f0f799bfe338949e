"""GRPO-family policy optimisation against the verifier's reward.

For each problem a group of completions is sampled; a completion's advantage is its
reward minus the group's mean (divided by the group's std in plain GRPO). The
policy-gradient loss is PPO's clipped surrogate per token:

    loss_t = -min(r_t A, clip(r_t, 1 - clip_low, 1 + clip_high) A) + beta * KL_t,
    r_t = pi(token_t) / pi_old(token_t),  KL_t = k3 estimator against the reference model.

Each batch of rollouts is used for `epochs` passes of `minibatches` updates each (PPO's
mu and minibatching). Only then does the policy move away from the one that sampled the
batch, so r_t departs from 1 and the clip binds; with one update per batch r_t is
exactly 1 and every variant is REINFORCE with a group baseline. `clip_frac` logs the
share of completion tokens whose ratio the clip held.

Variants (`GRPOConfig.preset`):
- "grpo": std-normalised advantages, per-sequence mean then batch mean (DeepSeekMath).
- "dr_grpo": no std division, and token losses summed and divided by one constant for
  every update (sequences x the model's whole block, the longest generation possible)
  instead of by each sequence's own length (Liu et al. 2025, "Understanding R1-Zero-like
  training"), removing the length and difficulty biases.
- "dapo": clip-higher (clip_high 0.28 > clip_low 0.2), dynamic sampling (groups
  whose completions are all right or all wrong carry no signal and are dropped),
  token-level loss, and overlong reward shaping over the last `overlong_buffer` tokens
  of the generation budget (Yu et al. 2025).

`overlong_filter` (DAPO) leaves completions cut by the length limit out of the loss, so
a reasoning chain is not punished for being unfinished.

Optional format reward (DeepSeek-R1-Zero's, for a learner never shown a solution):
`format_weight * format`, format the mean of three checks: the completion ended (EOS
before the length limit), it holds the separator, and the verifier did not call it
malformed.

Optional style reward: `style_weight * style`, where style is the fraction of the
completion's tokens that the frozen imitation model would itself have written
(its argmax), i.e. how much the reasoning reads like the demonstrator's.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Literal

import numpy as np
import torch

from move37.reasoning.batch import TokenBatch, token_logprobs
from move37.reasoning.rollout import Rollout


@dataclass(frozen=True)
class GRPOConfig:
    steps: int = 120
    prompts_per_step: int = 32
    group_size: int = 8
    lr: float = 5e-5
    epochs: int = 2                 # optimisation passes over each rollout batch (mu)
    minibatches: int = 2            # updates per pass, each on a random share of the completions
    clip_low: float = 0.2
    clip_high: float = 0.2
    scale_std: bool = True          # divide advantages by the group's std
    loss_agg: Literal["sequence", "token", "constant"] = "sequence"
    dynamic_sampling: bool = False  # drop groups with zero reward variance
    overlong_buffer: int = 0        # DAPO soft overlong punishment over this many final budget tokens (0: off)
    overlong_filter: bool = False   # leave completions cut at the length limit out of the loss
    kl_beta: float = 0.0            # weight of the KL penalty to the reference model
    temperature: float = 1.0
    style_weight: float = 0.0       # weight of the demonstrator-style reward
    format_weight: float = 0.0      # weight of the format reward (R1-Zero): ended, has "=>", answer parses

    @staticmethod
    def preset(name: str, **overrides) -> "GRPOConfig":
        """A named variant ("grpo", "dr_grpo", "dapo") with overrides on top."""
        base = {"grpo": {}, "dr_grpo": {"scale_std": False, "loss_agg": "constant"},
                "dapo": {"clip_high": 0.28, "dynamic_sampling": True, "loss_agg": "token", "overlong_buffer": 16}}
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


def overlong_penalty(lengths: np.ndarray, budgets: np.ndarray, buffer: int) -> np.ndarray:
    """DAPO's soft overlong punishment (N,): 0 up to budget - buffer tokens, then falling linearly to -1
    at the budget (a completion that reaches it was cut)."""
    if buffer <= 0:
        return np.zeros(len(lengths))
    return np.clip((budgets - buffer - lengths) / buffer, -1.0, 0.0)


def format_scores(rollout: Rollout) -> np.ndarray:
    """(N,) the share of the format checks each completion passes: ended, has the separator, well-formed."""
    ended = np.ones(len(rollout.texts), bool) if rollout.finished is None else rollout.finished
    has_sep = np.array(["=>" in t for t in rollout.texts])
    formed = np.array([not r.startswith("malformed") for r in rollout.reasons])
    return (ended.astype(float) + has_sep + formed) / 3


def style_scores(reference_model, rollout: Rollout) -> np.ndarray:
    """(N,) fraction of each completion's tokens that are the imitation model's own argmax."""
    with torch.no_grad():
        _, agrees = token_logprobs(reference_model, rollout.batch)
    m = rollout.batch.mask
    return ((agrees.float() * m).sum(1) / m.sum(1).clamp(min=1)).numpy()


def _rows(b: TokenBatch, rows: torch.Tensor) -> TokenBatch:
    return TokenBatch(b.inputs[rows], b.targets[rows], b.mask[rows])


def policy_loss(model, reference_model, batch: TokenBatch, adv: torch.Tensor, old_logp: torch.Tensor,
                cfg: GRPOConfig, norm: float) -> tuple[torch.Tensor, dict]:
    """The clipped surrogate (plus KL) over a minibatch (B sequences, adv (B,), old_logp (B, T)).

    `norm` is the "constant" aggregation's divisor per sequence (the model's block size)."""
    logp, _ = token_logprobs(model, batch)
    mask = batch.mask
    a = adv[:, None]  # (B, 1)
    ratio = torch.exp(logp - old_logp)
    clipped = torch.clamp(ratio, 1 - cfg.clip_low, 1 + cfg.clip_high)
    per_token = -torch.minimum(ratio * a, clipped * a)
    if cfg.kl_beta > 0:
        with torch.no_grad():
            ref, _ = token_logprobs(reference_model, batch)
        per_token = per_token + cfg.kl_beta * (torch.exp(ref - logp) - (ref - logp) - 1)
    if cfg.loss_agg == "sequence":
        loss = ((per_token * mask).sum(1) / mask.sum(1).clamp(min=1)).mean()
    elif cfg.loss_agg == "token":
        loss = (per_token * mask).sum() / mask.sum().clamp(min=1)
    else:
        loss = (per_token * mask).sum() / (mask.shape[0] * norm)
    # a token is clipped when the min picked the clamped term, i.e. its gradient is zero
    held = clipped * a < ratio * a - 1e-9
    return loss, {"clipped": float((held.float() * mask).sum()), "tokens": float(mask.sum())}


@torch.no_grad()
def _sampling_stats(model, reference_model, batch: TokenBatch) -> tuple[torch.Tensor, dict]:
    """The sampling policy's token log-probabilities (B, T), its mean token entropy and KL (k3) to the reference."""
    logits, _ = model(batch.inputs)
    logp_all = torch.log_softmax(logits.float(), dim=-1)
    logp = logp_all.gather(2, batch.targets[..., None]).squeeze(2)
    m, n = batch.mask, batch.mask.sum().clamp(min=1)
    entropy = -(logp_all.exp() * logp_all).sum(-1)
    ref, _ = token_logprobs(reference_model, batch)
    kl = torch.exp(ref - logp) - (ref - logp) - 1
    return logp, {"entropy": float((entropy * m).sum() / n), "kl": float((kl * m).sum() / n)}


def grpo_step(model, reference_model, optimizer, rollout: Rollout, cfg: GRPOConfig,
              rewards: np.ndarray | None = None, generator: torch.Generator | None = None) -> dict:
    """One GRPO update from a rollout (cfg.group_size completions per problem); returns diagnostics.

    `rewards` (N,) replaces the verifier's for the advantages (a reward model's scores, say); the
    reported `reward` stays the verifier's. `generator` shuffles the minibatches (reproducible runs)."""
    correct = rollout.rewards
    rewards = correct.copy() if rewards is None else np.asarray(rewards, dtype=np.float64).copy()
    b = rollout.batch
    lengths = b.mask.sum(1).numpy()
    budgets = model.cfg.block_size - 1 - b.mask.argmax(1).numpy()  # tokens sampling could write after the prompt
    finished = np.ones(len(correct), bool) if rollout.finished is None else rollout.finished
    stats: dict = {"length": float(lengths.mean()), "cut": float(1 - finished.mean())}
    if cfg.style_weight > 0:
        style = style_scores(reference_model, rollout)
        rewards = rewards + cfg.style_weight * style
        stats["style"] = float(style.mean())
    if cfg.format_weight > 0:
        fmt = format_scores(rollout)
        rewards = rewards + cfg.format_weight * fmt
        stats["format"] = float(fmt.mean())
    rewards = rewards + overlong_penalty(lengths, budgets, cfg.overlong_buffer)
    adv, informative = advantages(rewards, rollout.group, cfg.scale_std)
    keep = informative if cfg.dynamic_sampling else np.ones(len(rewards), dtype=bool)
    if cfg.overlong_filter:
        keep = keep & finished
    stats.update(reward=float(correct.mean()), kept=float(keep.mean()))
    old_logp, sampling = _sampling_stats(model, reference_model, b)
    stats.update(sampling)
    if not keep.any():
        return {**stats, "loss": 0.0, "clip_frac": 0.0}
    kept = torch.from_numpy(np.flatnonzero(keep))
    adv_t = torch.tensor(adv, dtype=torch.float32)
    parts = min(cfg.minibatches, len(kept))
    clipped = tokens = 0.0
    losses = []
    for _ in range(cfg.epochs):
        order = kept[torch.randperm(len(kept), generator=generator)]
        for rows in torch.tensor_split(order, parts):
            loss, diag = policy_loss(model, reference_model, _rows(b, rows), adv_t[rows], old_logp[rows], cfg,
                                     float(model.cfg.block_size))
            optimizer.zero_grad(set_to_none=True)
            loss.backward()
            torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
            optimizer.step()
            clipped, tokens = clipped + diag["clipped"], tokens + diag["tokens"]
            losses.append(loss.item())
    return {**stats, "loss": float(np.mean(losses)), "clip_frac": clipped / max(tokens, 1.0)}
