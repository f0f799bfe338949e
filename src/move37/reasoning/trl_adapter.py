"""The tasks for Hugging Face TRL: dataset rows and GRPOTrainer reward functions.

GPU users train a real language model on move37's tasks with TRL's GRPOTrainer:

    rows = dataset_rows("addition", difficulties=[4, 5, 6], n=5000, seed=0)
    trainer = GRPOTrainer(model=..., reward_funcs=[reward_function()],
                          train_dataset=datasets.Dataset.from_list(rows), ...)

A row carries the model's `prompt` (an instruction plus the task's own prompt), the
reference `answer`, the `task` spec and what the verifier needs to rebuild the problem
(`task_prompt`, `difficulty`, `problem`: the problem's facts as JSON). TRL passes
those extra columns to reward functions as keyword lists, which is how the reward
judges each completion by the exact same verifier as the small model's RL, and how one
data set mixes tasks. Rows never include a problem of move37's held-out evaluation set
(`EvalConfig`), rewritten or not (tasks.canonical), so scores on it stay held out.
Nothing here imports TRL; only the test and the user do.
"""

from __future__ import annotations

import json
from typing import Callable, Iterable

import numpy as np

from move37.reasoning import config, tasks
from move37.reasoning.evaluate import EvalConfig, fresh_problem, held_out, held_out_keys
from move37.reasoning.tasks import SEPARATOR, Problem

INSTRUCTION = ("Solve the problem. Write your working, then '" + SEPARATOR +
               "' followed by the final answer only.\n")
MAX_ANSWER_CHARS = 256  # the final answer (not the reasoning before it) is cut off here


def dataset_rows(task: str, difficulties: Iterable[int], n: int, seed: int = 0,
                 instruction: str = INSTRUCTION, held_out_set: EvalConfig | None = None) -> list[dict]:
    """`n` rows with difficulties cycling through `difficulties`, reproducible from `seed`, none of them
    a problem of the held-out set `held_out_set` (default: the task's default config's, what `move37
    reason train --task TASK` evaluates on) or a rewrite of one."""
    t = tasks.make(task)
    levels = list(difficulties)
    reject = held_out_keys(t, held_out(t, held_out_set or config.for_task(task).eval))
    rng = np.random.default_rng(seed)
    rows = []
    for i in range(n):
        p = fresh_problem(t, levels[i % len(levels)], rng, reject)
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


def final_answer(text: str) -> str | None:
    """The first line after the last separator, stripped; None without a separator. The reasoning before it
    may be any length: a long chain of thought is the point, not a fault."""
    head, sep, tail = text.rpartition(SEPARATOR)
    return tail.strip().split("\n", 1)[0].strip() if sep else None


def reward_function(task: str | None = None) -> Callable[..., list[float]]:
    """A GRPOTrainer reward function: (prompts, completions, **columns) -> one reward per completion.

    Each row is judged by the task its `task` column names (`task`, when given, for rows without
    one), with that task's verifier on the final answer alone (whitelist grammar; an answer over
    MAX_ANSWER_CHARS or malformed scores 0).
    """
    made: dict[str, tasks.Task] = {}

    def make(spec: str) -> tasks.Task:
        if spec not in made:
            made[spec] = tasks.make(spec)
        return made[spec]

    if task is not None:
        make(task)  # a bad spec fails here, not in the middle of training

    def reward(prompts, completions, task_prompt, answer, difficulty, problem, **columns) -> list[float]:
        specs = columns.get("task") or [task] * len(completions)
        out = []
        for c, spec, tp, a, d, meta in zip(completions, specs, task_prompt, answer, difficulty, problem):
            if spec is None:
                raise ValueError("a row has no task column and the reward function was made without a task")
            ans = final_answer(_text(c))
            if ans is None or len(ans) > MAX_ANSWER_CHARS:
                out.append(0.0)
                continue
            t = make(spec)
            out.append(tasks.verify(t, Problem(tp, a, int(d), json.loads(meta)), SEPARATOR + ans).reward)
        return out

    reward.__name__ = f"{task.split(':')[0]}_verifier" if task is not None else "verifier"
    return reward


def format_reward(prompts, completions, **_) -> list[float]:
    """0.1 for a completion that contains the separator and a non-empty answer (shaping, optional)."""
    return [0.1 if (p := _text(c).rpartition(SEPARATOR))[1] and p[2].strip() else 0.0 for c in completions]
