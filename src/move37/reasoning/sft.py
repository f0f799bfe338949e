"""Supervised fine-tuning: imitate the demonstrator's completions, mistakes included.

Each step draws fresh problems and fresh demonstrations, so the model sees the
demonstrator's habits at their true rates and converges to its policy (and so to
about its accuracy) rather than memorising a fixed data set. With `targets="format"`
it sees no solution at all, only the output's shape (the R1-Zero start).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import torch

from move37.errors import ConfigError
from move37.reasoning.batch import from_text, token_logprobs
from move37.reasoning.evaluate import fresh_problem
from move37.reasoning.tasks import SEPARATOR, Task


@dataclass(frozen=True)
class SFTConfig:
    steps: int = 800
    batch_size: int = 64
    lr: float = 3e-3
    min_difficulty: int = 1
    max_difficulty: int = 6  # difficulties drawn uniformly from this range
    targets: str = "demonstrator"  # "demonstrator", or "format": the answer's shape only, never a solution


def format_only(task: Task, problem, rng: np.random.Generator) -> str:
    """A completion that shows the output format and nothing of the solution: the separator, then the
    reference answer with every digit and letter replaced by a random one of its kind (R1-Zero's base
    model knows the template, not the answers)."""
    import string

    answer = task.reference(problem).rpartition(SEPARATOR)[2]
    pools = (string.digits, string.ascii_lowercase, string.ascii_uppercase)
    out = []
    for c in answer:
        pool = next((p for p in pools if c in p), None)
        out.append(pool[int(rng.integers(len(pool)))] if pool else c)
    return SEPARATOR + "".join(out)


def sft_step(model, optimizer, task: Task, cfg: SFTConfig, rng: np.random.Generator,
             reject: set[str] = frozenset()) -> float:
    """One imitation step on fresh demonstrations; returns the mean token loss."""
    prompts, completions = [], []
    for _ in range(cfg.batch_size):  # held-out evaluation problems are never trained on
        problem = fresh_problem(task, int(rng.integers(cfg.min_difficulty, cfg.max_difficulty + 1)), rng, reject)
        prompts.append(problem.prompt)
        completions.append(task.demonstrate(problem, rng) if cfg.targets == "demonstrator"
                           else format_only(task, problem, rng))
    batch = from_text(prompts, completions)
    if batch.inputs.shape[1] > model.cfg.block_size:
        raise ConfigError(f"a demonstration of {batch.inputs.shape[1]} tokens exceeds model.block_size "
                          f"{model.cfg.block_size}; raise it or lower the difficulty")
    logp, _ = token_logprobs(model, batch)
    loss = -(logp * batch.mask).sum() / batch.mask.sum()
    optimizer.zero_grad(set_to_none=True)
    loss.backward()
    torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
    optimizer.step()
    return loss.item()
