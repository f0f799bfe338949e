"""Token batches of (prompt, completion) pairs and their per-token log-probabilities.

A sequence is ``BOS prompt completion EOS``, right-padded. The model predicts
`inputs[:, t+1]` at position t; `mask` marks the predictions that belong to the
completion (its characters and the EOS), the only tokens SFT imitates and RL
reinforces. Shapes: B sequences, T = longest sequence - 1.
"""

from __future__ import annotations

from dataclasses import dataclass

import torch

from move37.reasoning import vocab


@dataclass
class TokenBatch:
    inputs: torch.Tensor   # (B, T) token ids fed to the model
    targets: torch.Tensor  # (B, T) the next token at each position
    mask: torch.Tensor     # (B, T) float, 1 where the target is a completion token


def from_ids(prompts: list[list[int]], completions: list[list[int]]) -> TokenBatch:
    """Build a batch from prompt ids (without BOS) and completion ids (with EOS if it ended)."""
    seqs = [[vocab.BOS] + p + c for p, c in zip(prompts, completions)]
    T = max(len(s) for s in seqs) - 1
    inputs = torch.full((len(seqs), T), vocab.PAD, dtype=torch.long)
    targets = torch.full((len(seqs), T), vocab.PAD, dtype=torch.long)
    mask = torch.zeros(len(seqs), T)
    for i, (s, p) in enumerate(zip(seqs, prompts)):
        n = len(s) - 1
        inputs[i, :n] = torch.tensor(s[:-1])
        targets[i, :n] = torch.tensor(s[1:])
        mask[i, len(p):n] = 1.0
    return TokenBatch(inputs, targets, mask)


def from_text(prompts: list[str], completions: list[str]) -> TokenBatch:
    """Batch of finished texts: each completion gets its EOS."""
    return from_ids([vocab.encode(p) for p in prompts], [vocab.encode(c) + [vocab.EOS] for c in completions])


def token_logprobs(model, batch: TokenBatch) -> tuple[torch.Tensor, torch.Tensor]:
    """(log-probabilities of the targets (B, T), whether each target is the model's argmax (B, T))."""
    logits, _ = model(batch.inputs)
    logp = torch.log_softmax(logits.float(), dim=-1)
    chosen = logp.gather(2, batch.targets[..., None]).squeeze(2)
    return chosen, logits.argmax(-1) == batch.targets
