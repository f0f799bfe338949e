"""Held-out evaluation: greedy and sampled pass@1, pass@k, and the demonstrator on the same problems.

The held-out problems come from their own seed stream and their canonical keys are
excluded from training (`held_out_keys`: trivial rewrites such as b+a for a+b count as
the same problem), so accuracy is measured on problems the model never trained on.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import torch

from move37.errors import ConfigError
from move37.reasoning.rollout import rollout
from move37.reasoning.tasks import Problem, Task, canonical, verify


@dataclass(frozen=True)
class EvalConfig:
    difficulties: tuple[int, ...] = (4, 6)
    problems: int = 200   # per difficulty
    k: int = 4            # samples per problem for sampled pass@1 and pass@k
    temperature: float = 1.0
    every: int = 20       # RL steps between evaluations
    seed: int = 12345


def held_out(task: Task, cfg: EvalConfig) -> dict[int, list[Problem]]:
    """The evaluation problems per difficulty, from their own seed stream."""
    return {d: [task.generate(d, rng) for _ in range(cfg.problems)]
            for d in cfg.difficulties for rng in [np.random.default_rng([cfg.seed, d])]}


def held_out_keys(task: Task, problems: dict[int, list[Problem]]) -> set[str]:
    """The canonical keys (tasks.canonical) of the held-out problems: training never sees them, rewritten or not."""
    return {canonical(task, p) for ps in problems.values() for p in ps}


def fresh_problem(task: Task, difficulty: int, rng: np.random.Generator, reject: set[str]) -> Problem:
    """A training problem whose canonical key is not held out; ConfigError when they all seem to be."""
    for _ in range(1000):
        problem = task.generate(difficulty, rng)
        if canonical(task, problem) not in reject:
            return problem
    raise ConfigError(f"task {task.name!r} at difficulty {difficulty}: the held-out set covers (nearly) every "
                      "problem; evaluate at other difficulties or on fewer problems")


def check_training_space(task: Task, reject: set[str], difficulties, seed: int, draws: int = 200,
                         most: float = 0.5) -> None:
    """ConfigError when the held-out set holds most of a training difficulty's problems.

    `fresh_problem` only fails when (nearly) every problem is held out; short of that it silently trains on
    the few that are left, which the model then memorises (a 200-problem held-out set at 1-digit addition,
    55 problems up to a+b = b+a, left two to train on: RL "solved" them while held-out accuracy sat at 0.09).
    So `draws` problems per difficulty are drawn from their own stream and the share already held out is
    checked against `most`."""
    for d in sorted(set(difficulties)):
        rng = np.random.default_rng([seed, d, 2])
        share = float(np.mean([canonical(task, task.generate(d, rng)) in reject for _ in range(draws)]))
        if share > most:
            raise ConfigError(f"task {task.name!r} at difficulty {d}: {share:.0%} of its problems are in the "
                              "held-out set (too few left to learn from); evaluate at other difficulties or on "
                              "fewer problems")


def demonstrator_accuracy(task: Task, problems: dict[int, list[Problem]], k: int, seed: int) -> dict[int, float]:
    """Mean reward of k demonstrations per problem, per difficulty."""
    rng = np.random.default_rng([seed, 1])
    return {d: float(np.mean([verify(task, p, task.demonstrate(p, rng)).reward for p in ps for _ in range(k)]))
            for d, ps in problems.items()}


def evaluate(model, task: Task, problems: dict[int, list[Problem]], cfg: EvalConfig) -> dict[str, float]:
    """Flat metrics: greedy/<d>, pass1/<d>, pass<k>/<d> and the same averaged over difficulties."""
    gen = torch.Generator().manual_seed(cfg.seed)
    out: dict[str, float] = {}
    for d, ps in problems.items():
        out[f"greedy/{d}"] = float(rollout(model, task, ps, 1, 0.0).rewards.mean())
        sampled = rollout(model, task, ps, cfg.k, cfg.temperature, gen).rewards.reshape(len(ps), cfg.k)
        out[f"pass1/{d}"] = float(sampled.mean())
        out[f"pass{cfg.k}/{d}"] = float((sampled.max(1) > 0).mean())
    for key in ("greedy", "pass1", f"pass{cfg.k}"):
        out[key] = float(np.mean([out[f"{key}/{d}"] for d in problems]))
    return out
