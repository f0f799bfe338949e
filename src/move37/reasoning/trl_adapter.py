"""The tasks for Hugging Face TRL: dataset rows and GRPOTrainer reward functions.

GPU users train a real language model on move37's tasks with TRL's GRPOTrainer:

    rows = dataset_rows("addition", difficulties=[4, 5, 6], n=5000, seed=0)
    trainer = GRPOTrainer(model=..., reward_funcs=[reward_function("addition")],
                          train_dataset=datasets.Dataset.from_list(rows), ...)

A row carries the model's `prompt` (an instruction plus the task's own prompt), the
reference `answer` and what the verifier needs to rebuild the problem
(`task_prompt`, `difficulty`, `problem`: the problem's facts as JSON). TRL passes
those extra columns to reward functions as keyword lists, which is how the reward
judges each completion by the exact same verifier as the small model's RL.
Nothing here imports TRL; only the test and the user do.
"""

from __future__ import annotations

import json
from typing import Callable, Iterable

import numpy as np

from move37.reasoning import tasks
from move37.reasoning.tasks import SEPARATOR, Problem

INSTRUCTION = ("Solve the problem. Write your working, then '" + SEPARATOR +
               "' followed by the final answer only.\n")


def dataset_rows(task: str, difficulties: Iterable[int], n: int, seed: int = 0,
                 instruction: str = INSTRUCTION) -> list[dict]:
    """`n` rows with difficulties cycling through `difficulties`, reproducible from `seed`."""
    t = tasks.make(task)
    levels = list(difficulties)
    rng = np.random.default_rng(seed)
    rows = []
    for i in range(n):
        p = t.generate(levels[i % len(levels)], rng)
        rows.append({"prompt": instruction + p.prompt, "answer": p.answer, "task": task,
                     "task_prompt": p.prompt, "difficulty": p.difficulty, "problem": json.dumps(p.meta)})
    return rows


def _text(completion) -> str:
    """A completion as TRL passes it: a string, or a conversation (list of {"role", "content"})."""
    if isinstance(completion, str):
        return completion
    if isinstance(completion, list) and completion and isinstance(completion[-1], dict):
        return str(completion[-1].get("content", ""))
    return ""


def reward_function(task: str) -> Callable[..., list[float]]:
    """A GRPOTrainer reward function: (prompts, completions, **columns) -> one reward per completion.

    Judges with the task's verifier (whitelist grammar, length limit); a malformed
    answer scores 0. The completion may stop after the answer with an end-of-text
    token or a newline: only the first line after the last separator is judged.
    """
    t = tasks.make(task)

    def reward(prompts, completions, task_prompt, answer, difficulty, problem, **_) -> list[float]:
        out = []
        for c, tp, a, d, meta in zip(completions, task_prompt, answer, difficulty, problem):
            text = _text(c)
            head, sep, tail = text.rpartition(SEPARATOR)
            if sep:
                text = head + sep + tail.strip().split("\n", 1)[0]
            out.append(tasks.verify(t, Problem(tp, a, int(d), json.loads(meta)), text).reward)
        return out

    reward.__name__ = f"{task.split(':')[0]}_verifier"
    return reward


def format_reward(prompts, completions, **_) -> list[float]:
    """0.1 for a completion that contains the separator and a non-empty answer (shaping, optional)."""
    return [0.1 if (p := _text(c).rpartition(SEPARATOR))[1] and p[2].strip() else 0.0 for c in completions]
