"""Multi-digit addition, written column by column, with a demonstrator that drops carries.

Prompt ``004725+001385=`` (operands zero-padded to `width` digits, default 6);
completion, one column per step from the right, each step ``x+y+carry=sum`` with
the sum in two digits, then the answer in width + 1 digits:
``5+5+0=10,2+8+1=11,7+3+1=11,4+1+1=06,0+0+0=00,0+0+0=00=>0006110``. Like squared
paper, the fixed layout puts every column at the same place for every problem,
which a small model with absolute positions learns far faster than a layout that
shifts with the numbers. The verifier accepts any decimal number (leading zeros
allowed) and compares values.

The demonstrator is a careful pupil with one systematic slip: when a column adds up
to exactly ten it writes the 0 and, with probability `slip` (default 0.8), forgets
to carry the 1. The slip is tied to a digit pattern, not random noise, so an
imitator learns it as a habit: greedy imitation makes it every time and sampled
imitation at the demonstrator's rate, while the correct carry keeps a small
probability that RL can find and reinforce. Difficulty is the number of digits of
each operand (at most `width`).
"""

from __future__ import annotations

import re

import numpy as np

from move37.reasoning.tasks.base import SEPARATOR, Problem, Verdict, check_difficulty

_NUMBER = re.compile(r"[0-9]{1,40}")


class Addition:
    name = "addition"
    min_difficulty = 1
    max_difficulty = 12

    def __init__(self, slip: float = 0.8, width: int = 6):
        if not 0.0 <= slip <= 1.0:
            raise ValueError(f"slip={slip} must lie in [0, 1]")
        if not 1 <= width <= 12:
            raise ValueError(f"width={width} must lie in [1, 12]")
        self.slip, self.width = slip, width
        self.max_difficulty = width

    def generate(self, difficulty: int, rng: np.random.Generator) -> Problem:
        d = check_difficulty(self, difficulty)
        a, b = (self._operand(d, rng).zfill(self.width) for _ in range(2))
        return Problem(f"{a}+{b}=", str(int(a) + int(b)), d, {"a": a, "b": b})

    @staticmethod
    def _operand(digits: int, rng: np.random.Generator) -> str:
        first = str(rng.integers(1, 10)) if digits > 1 else str(rng.integers(0, 10))
        return first + "".join(str(x) for x in rng.integers(0, 10, size=digits - 1))

    def canonical(self, problem: Problem) -> str:
        """a+b and b+a are one problem."""
        return "+".join(sorted((str(int(problem.meta["a"])), str(int(problem.meta["b"]))), key=int))

    def check_answer(self, problem: Problem, answer: str) -> Verdict:
        if not _NUMBER.fullmatch(answer):
            return Verdict(0.0, "malformed: answer is not a decimal number")
        return Verdict(1.0, "ok") if int(answer) == int(problem.answer) else Verdict(0.0, "wrong")

    def reference(self, problem: Problem) -> str:
        return self._columns(problem, None)

    def demonstrate(self, problem: Problem, rng: np.random.Generator) -> str:
        return self._columns(problem, rng)

    def _columns(self, problem: Problem, rng: np.random.Generator | None) -> str:
        """Column-by-column trace; with an rng the demonstrator's slip applies."""
        a, b = problem.meta["a"][::-1], problem.meta["b"][::-1]
        width = max(len(a), len(b))
        steps, digits, carry = [], [], 0
        for i in range(width):
            x = int(a[i]) if i < len(a) else 0
            y = int(b[i]) if i < len(b) else 0
            total = x + y + carry
            steps.append(f"{x}+{y}+{carry}={total:02d}")
            digits.append(str(total % 10))
            carry = total // 10
            if total == 10 and rng is not None and rng.random() < self.slip:
                carry = 0  # the slip: "ten" written as 0 and the 1 forgotten
        digits.append(str(carry))
        answer = "".join(reversed(digits))
        return ",".join(steps) + SEPARATOR + answer
