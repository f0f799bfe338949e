"""Sample completions for many problems at once and judge them with the verifier.

Prompts are bucketed by length so each bucket is one batched, KV-cached sampling
call with no padding inside the prompt (positions stay exact). A completion that
reaches the length limit without EOS is cut there and scores zero.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

import numpy as np
import torch

from move37.reasoning import vocab
from move37.reasoning.batch import TokenBatch, from_ids
from move37.reasoning.tasks import Problem, Task, Verdict, verify


@dataclass
class Rollout:
    problems: list[Problem]  # one per completion (a problem repeated group_size times)
    group: np.ndarray        # (N,) index of the problem each completion answers
    texts: list[str]         # (N) completions without EOS
    rewards: np.ndarray      # (N,) verifier rewards in [0, 1]
    reasons: list[str]       # (N) verifier reasons
    batch: TokenBatch        # the completions as tokens, for log-probabilities
    finished: np.ndarray | None = None  # (N,) whether each completion ended with EOS (None: all did)


def judge(task: Task, problem: Problem, text: str, finished: bool) -> Verdict:
    """The verifier's verdict; a completion cut by the length limit is malformed."""
    if not finished:
        return Verdict(0.0, "malformed: cut at the length limit")
    return verify(task, problem, text)


@torch.no_grad()
def rollout(model, task: Task, problems: list[Problem], group_size: int = 1, temperature: float = 1.0,
            generator: torch.Generator | None = None) -> Rollout:
    """Sample `group_size` completions for every problem (greedy when temperature is 0)."""
    flat = [p for p in problems for _ in range(group_size)]
    prompt_ids = [vocab.encode(p.prompt) for p in flat]
    completion_ids: list[list[int]] = [[] for _ in flat]
    finished = [False] * len(flat)
    buckets: dict[int, list[int]] = defaultdict(list)
    for i, ids in enumerate(prompt_ids):
        buckets[len(ids)].append(i)
    model.eval()
    for length, rows in sorted(buckets.items()):
        prompts = torch.tensor([[vocab.BOS] + prompt_ids[i] for i in rows])
        out = model.sample(prompts, model.cfg.block_size, temperature, generator)
        for row, tokens in zip(rows, out.tolist()):
            if vocab.EOS in tokens:
                tokens = tokens[: tokens.index(vocab.EOS) + 1]
                finished[row] = True
            completion_ids[row] = tokens
    model.train()
    texts = [vocab.decode(c) for c in completion_ids]
    verdicts = [judge(task, p, t, f) for p, t, f in zip(flat, texts, finished)]
    return Rollout(flat, np.repeat(np.arange(len(problems)), group_size), texts,
                   np.array([v.reward for v in verdicts]), [v.reason for v in verdicts],
                   from_ids(prompt_ids, completion_ids), np.array(finished))
