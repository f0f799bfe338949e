"""The task protocol: a generator, an exact verifier and a flawed demonstrator.

A completion is text the model writes after the prompt: an optional reasoning
segment, the separator ``=>`` and the final answer (``5+5+0=10,...=>1110``).
Only the final answer is judged; the reasoning is the model's own business
(except for the optional style reward). Verifiers parse the answer with their own
whitelist grammar and never evaluate model text.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Protocol

import numpy as np

SEPARATOR = "=>"
MAX_COMPLETION_CHARS = 2048  # anything longer is judged malformed; the model's block_size is the usual limit,
#                             so a searching trace (countdown_search) may run as long as the model allows


@dataclass(frozen=True)
class Problem:
    """One task instance: the prompt the model sees and the reference answer text."""

    prompt: str
    answer: str
    difficulty: int
    meta: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Verdict:
    """The verifier's judgement: reward in [0, 1] and a short reason ("ok", "wrong", "malformed: ...")."""

    reward: float
    reason: str


class Task(Protocol):
    """A verifiable task. Difficulty is an integer level in [min_difficulty, max_difficulty]."""

    name: str
    min_difficulty: int
    max_difficulty: int

    def generate(self, difficulty: int, rng: np.random.Generator) -> Problem: ...

    def check_answer(self, problem: Problem, answer: str) -> Verdict:
        """Judge a final answer (the text after the separator)."""
        ...

    def reference(self, problem: Problem) -> str:
        """A correct completion (reasoning + separator + answer)."""
        ...

    def demonstrate(self, problem: Problem, rng: np.random.Generator) -> str:
        """A completion as the flawed demonstrator writes it, mistakes included."""
        ...


def canonical(task: Task, problem: Problem) -> str:
    """The problem's identity up to trivial rewrites (a+b as b+a, numbers reordered): the task's own
    `canonical(problem)` where it defines one, else the prompt. Held-out exclusion compares these keys,
    so a training problem is never a held-out one written another way."""
    own = getattr(task, "canonical", None)
    return f"{task.name}|{own(problem)}" if own is not None else f"{task.name}|{problem.prompt}"


def split_completion(text: str) -> tuple[str, str] | None:
    """(reasoning, answer) split at the last separator, or None when there is none."""
    head, sep, tail = text.rpartition(SEPARATOR)
    return (head, tail) if sep else None


def verify(task: Task, problem: Problem, text: str, max_chars: int = MAX_COMPLETION_CHARS) -> Verdict:
    """Judge a whole completion: length limit, format, then the task's answer check. Never raises."""
    if len(text) > max_chars:
        return Verdict(0.0, f"malformed: longer than {max_chars} characters")
    parts = split_completion(text)
    if parts is None:
        return Verdict(0.0, f"malformed: no {SEPARATOR!r} before the answer")
    answer = parts[1].strip()
    if not answer:
        return Verdict(0.0, "malformed: empty answer")
    return task.check_answer(problem, answer)


def check_difficulty(task: Task, difficulty: int) -> int:
    """The difficulty as an int in the task's range, or ConfigError."""
    from move37.errors import ConfigError

    if not isinstance(difficulty, (int, np.integer)) or not task.min_difficulty <= difficulty <= task.max_difficulty:
        raise ConfigError(f"task {task.name!r}: difficulty {difficulty!r} outside "
                          f"[{task.min_difficulty}, {task.max_difficulty}]")
    return int(difficulty)
