"""Countdown: reach a target from given numbers with + - * /, each number used at most once.

Prompt ``target 31 from 3 5 2 7:``; completion: the steps, then an expression:
``3+5=8,8*2=16,16+7=23=>...``. The verifier parses the expression with the
whitelist grammar of `expression`, checks its value and that it uses only the
given numbers (each at most as often as given). Intermediate results may be any
rational; the demonstrator and the generator keep to positive integers.

The demonstrator only ever combines left to right, ``((a op b) op c) op d`` over a
prefix of the numbers in the order given; when no such chain hits the target it
writes its closest chain anyway (a wrong answer). The generator builds targets from
random expression trees, so every problem has a solution that may need another
order or grouping. Difficulty is how many numbers are given.
"""

from __future__ import annotations

import itertools
from collections import Counter

import numpy as np

from move37.reasoning.tasks.base import SEPARATOR, Problem, Verdict, check_difficulty
from move37.reasoning.tasks.expression import ExpressionError, evaluate

_OPS = "+-*/"


def _apply(x: int, op: str, y: int) -> int | None:
    """Positive-integer arithmetic as a human does it on paper; None when not allowed."""
    if op == "+":
        return x + y
    if op == "-":
        return x - y if x > y else None
    if op == "*":
        return x * y
    return x // y if y > 1 and x % y == 0 else None


class Countdown:
    name = "countdown"
    min_difficulty = 2
    max_difficulty = 6

    def __init__(self, max_number: int = 20, max_target: int = 999):
        if not 2 <= max_number <= 100:
            raise ValueError(f"max_number={max_number} must lie in [2, 100]")
        self.max_number, self.max_target = max_number, max_target

    def generate(self, difficulty: int, rng: np.random.Generator) -> Problem:
        n = check_difficulty(self, difficulty)
        while True:
            numbers = [int(x) for x in rng.integers(1, self.max_number + 1, size=n)]
            items = [(x, str(x), []) for x in numbers]  # (value, expression, steps)
            while len(items) > 1:
                i, j = rng.choice(len(items), size=2, replace=False)
                (x, ex, sx), (y, ey, sy) = items[i], items[j]
                ops = [op for op in _OPS if _apply(x, op, y) is not None]
                op = ops[int(rng.integers(len(ops)))]
                z = _apply(x, op, y)
                items = [it for k, it in enumerate(items) if k not in (i, j)]
                items.append((z, f"({ex}{op}{ey})", sx + sy + [f"{x}{op}{y}={z}"]))
            target, expr, steps = items[0]
            if 1 <= target <= self.max_target and target not in numbers:
                break
        expr = expr[1:-1] if expr.startswith("(") else expr
        prompt = f"target {target} from {' '.join(map(str, numbers))}:"
        return Problem(prompt, expr, n, {"numbers": numbers, "target": target, "steps": steps})

    def canonical(self, problem: Problem) -> str:
        """The target and the numbers as a multiset: their order is a rewrite, not another problem."""
        return f"{problem.meta['target']}:" + " ".join(map(str, sorted(problem.meta["numbers"])))

    def check_answer(self, problem: Problem, answer: str) -> Verdict:
        try:
            value, leaves = evaluate(answer)
        except ExpressionError as e:
            return Verdict(0.0, f"malformed: {e}")
        if Counter(leaves) - Counter(problem.meta["numbers"]):
            return Verdict(0.0, "wrong: uses numbers not given")
        return Verdict(1.0, "ok") if value == problem.meta["target"] else Verdict(0.0, "wrong: misses the target")

    def reference(self, problem: Problem) -> str:
        return ",".join(problem.meta["steps"]) + SEPARATOR + problem.answer

    def demonstrate(self, problem: Problem, rng: np.random.Generator) -> str:
        numbers, target = problem.meta["numbers"], problem.meta["target"]
        best: tuple[int, list[str], str] | None = None
        for k in range(2, len(numbers) + 1):
            for ops in itertools.product(_OPS, repeat=k - 1):
                value, expr, steps = numbers[0], str(numbers[0]), []
                for op, y in zip(ops, numbers[1:k]):
                    z = _apply(value, op, y)
                    if z is None:
                        break
                    steps.append(f"{value}{op}{y}={z}")
                    expr = f"({expr}){op}{y}" if op in "*/" and len(steps) > 1 else f"{expr}{op}{y}"
                    value = z
                else:
                    if best is None or abs(value - target) < best[0]:
                        best = (abs(value - target), steps, expr)
                    if value == target:
                        return ",".join(steps) + SEPARATOR + expr
        assert best is not None  # k=2 with "+" always succeeds
        return ",".join(best[1]) + SEPARATOR + best[2]
