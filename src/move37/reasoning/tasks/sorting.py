"""Sorting a list of numbers, with a demonstrator that sometimes sorts them as words.

Prompt ``sort 031 007 105 022:``; completion: the numbers picked smallest first as
reasoning, then the sorted list: ``007,022,031,105=>007 022 031 105``. The demonstrator's
habit: on a list whose numbers have different lengths it compares them as text with
probability `slip` (default 0.6), so "105" comes before "22". Difficulty is the
length of the list.

Numbers are written zero-padded to the width of `max_value` (``sort 031 007 105 022:``), in the
prompt, the trace and the answer (`pad=false` writes them bare). Why: one character is one token,
so a bare number is 1-3 tokens and copying it means finding a variable offset; a 2-layer model
imitating the bare task copies wrongly (held-out lists of 3: 96% of its answers are not a
permutation of the input, bench/reasoning_failures.py; imitation 0.300 / 0.130 at lists of 3 / 4
after 3000 steps against 0.650 / 0.635 padded). At a fixed width every number is the same span of
tokens. The demonstrator's habit compares the bare digits as text, so it keeps its slip padded.
"""

from __future__ import annotations

import re

import numpy as np

from move37.reasoning.tasks.base import SEPARATOR, Problem, Verdict, check_difficulty

_LIST = re.compile(r"[0-9]{1,6}( [0-9]{1,6}){0,31}")  # leading zeros allowed (the padded form)


class Sorting:
    name = "sorting"
    min_difficulty = 2
    max_difficulty = 10  # longer lists outgrow the default model's 128-token block

    def __init__(self, slip: float = 0.6, max_value: int = 999, pad: bool = True):
        if not 0.0 <= slip <= 1.0:
            raise ValueError(f"slip={slip} must lie in [0, 1]")
        if not 9 <= max_value <= 999_999:
            raise ValueError(f"max_value={max_value} must lie in [9, 999999]")
        self.slip, self.max_value = slip, max_value
        self.width = len(str(max_value)) if pad else 0
        # the padded (default) form's own config (config.for_task): lists of 2-4, 3000 imitation steps, 60 RL steps
        # (bench/reasoning_sorting.json: RL greedy 0.955 / 0.935 against the demonstrator's 0.634 / 0.544);
        # the bare form keeps the generic one
        self.train_defaults = None if not pad else {
            "sft": {"steps": 3000, "min_difficulty": 2, "max_difficulty": 4},
            "grpo": {"steps": 60, "prompts_per_step": 16},
            "curriculum": {"start": 3, "min_difficulty": 2, "max_difficulty": 4},
            "eval": {"difficulties": [3, 4], "every": 20}}

    def _show(self, value: int) -> str:
        return str(value).zfill(self.width)

    def generate(self, difficulty: int, rng: np.random.Generator) -> Problem:
        n = check_difficulty(self, difficulty)
        # mixed magnitudes so that text order and number order disagree often
        exponents = rng.integers(1, len(str(self.max_value)) + 1, size=n)
        values = [int(rng.integers(0, min(10 ** int(e), self.max_value + 1))) for e in exponents]
        return Problem("sort " + " ".join(map(self._show, values)) + ":",
                       " ".join(map(self._show, sorted(values))), n,
                       {"values": values})

    def canonical(self, problem: Problem) -> str:
        """The values as a multiset: a permutation of a held-out list is that list."""
        return " ".join(map(str, sorted(problem.meta["values"])))

    def check_answer(self, problem: Problem, answer: str) -> Verdict:
        if not _LIST.fullmatch(answer):
            return Verdict(0.0, "malformed: answer is not a space-separated list of numbers")
        got = [int(t) for t in answer.split(" ")]
        if sorted(got) != sorted(problem.meta["values"]):
            return Verdict(0.0, "wrong: not a permutation of the input")
        return Verdict(1.0, "ok") if got == sorted(got) else Verdict(0.0, "wrong: not in order")

    def reference(self, problem: Problem) -> str:
        return self._trace(sorted(problem.meta["values"]))

    def demonstrate(self, problem: Problem, rng: np.random.Generator) -> str:
        values = problem.meta["values"]
        if rng.random() < self.slip:
            return self._trace(sorted(values, key=str))
        return self._trace(sorted(values))

    def _trace(self, order: list[int]) -> str:
        shown = [self._show(v) for v in order]
        return ",".join(shown) + SEPARATOR + " ".join(shown)
