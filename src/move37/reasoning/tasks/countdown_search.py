"""Countdown with the search written out: depth-first search with backtracking in the text (Stream of Search).

Prompt ``target 24 from 3 5 2 7:`` (Countdown's problems). The completion is a search trace, one
entry per node expanded, then the winning path as the answer:

    24|3 5 2 7:3+5=8,24|2 7 8:7+2=9,24|8 9:9+8=17,24|8 9:9-8=1,...,24|3 5 2 7:3*5=15,...=>3*5=15,...

An entry is ``TARGET|STATE:a op b=c``: the target (as Stream of Search writes it in every state, so
that a hit is seen next to it), the numbers still available, then one operation on two of them;
the operation's state is the remaining numbers in order with ``c`` appended. An entry whose state
is not the previous entry's result is a backtrack. The answer is the path of steps from the start
to the target; the verifier checks only that: each step's arithmetic exactly (non-negative integers,
exact division), that each operand is a given number or an earlier result, each used at most once,
and that the last result is the target. The trace before ``=>`` is never judged (Gandhi et al.
2024 train on the whole stream and reward the outcome).

The demonstrator searches depth-first, trying pairs and operators in a fixed order (+ - * /; with
`best_first`, closest result first) and never writing a result over `max_target`, and it searches
badly: it skips each branch with probability `skip` (missed branches) and gives up after `budget`
expansions (writing its closest path, a wrong answer). `search_solves` replays that search, so one
can ask which of a model's solutions lay beyond it. Numbers are 1..`max_number` (default 6, so the
arithmetic a small model must learn stays small).
Difficulty is how many numbers are given.
"""

from __future__ import annotations

import re
from collections import Counter

import numpy as np

from move37.reasoning.tasks.base import SEPARATOR, Problem, Verdict, check_difficulty
from move37.reasoning.tasks.countdown import _OPS, Countdown, _apply

_STEP = re.compile(r"(\d{1,6})([-+*/])(\d{1,6})=(\d{1,7})")
MAX_STEPS = 8


def _exact(x: int, op: str, y: int) -> int | None:
    """The true value of `x op y` when it is a non-negative integer (what a step can write), else None."""
    if op == "+":
        return x + y
    if op == "-":
        return x - y if x >= y else None
    if op == "*":
        return x * y
    return x // y if y and x % y == 0 else None


def _children(state: list[int], target: int, best_first: bool, cap: int) -> list[tuple[str, list[int], int]]:
    """Every (step text, next state, result) of one operation on two numbers of `state`, result at most `cap`;
    in pair and operator order (+ - * /), or closest result first when `best_first`."""
    out = []
    for i in range(len(state)):
        for j in range(i + 1, len(state)):
            x, y = max(state[i], state[j]), min(state[i], state[j])
            rest = [v for k, v in enumerate(state) if k not in (i, j)]
            for op in _OPS:
                z = _apply(x, op, y)
                if z is not None and z <= cap and not (op in "*/" and y == 1):  # x*1 and x/1 change nothing
                    out.append((f"{x}{op}{y}={z}", rest + [z], z))
    if best_first:
        out.sort(key=lambda c: abs(c[2] - target))  # stable: ties keep pair and operator order
    return out


def search(numbers: list[int], target: int, budget: int, skip: float, rng: np.random.Generator | None,
           best_first: bool = False, cap: int = 10**6) -> tuple[list[str], list[str], bool]:
    """Depth-first search as the demonstrator does it: (trace entries, path of steps, solved).

    Without a solution within `budget` expansions the path is the closest one seen (a wrong answer)."""
    trace: list[str] = []
    closest: tuple[int, list[str]] = (abs(numbers[0] - target) + 10**9, [])

    def dfs(state: list[int], path: list[str]) -> list[str] | None:
        nonlocal closest
        for step, nxt, z in _children(state, target, best_first, cap):
            if len(trace) >= budget:
                return None
            if skip > 0 and rng is not None and rng.random() < skip:
                continue
            trace.append(f"{target}|" + " ".join(map(str, state)) + ":" + step)
            if abs(z - target) < closest[0]:
                closest = (abs(z - target), path + [step])
            if z == target:
                return path + [step]
            if len(nxt) > 1:
                found = dfs(nxt, path + [step])
                if found is not None:
                    return found
        return None

    found = dfs(list(numbers), [])
    return trace, found if found is not None else closest[1], found is not None


class CountdownSearch:
    name = "countdown_search"
    min_difficulty = 2
    max_difficulty = 5

    # what `move37 reason train --task countdown_search` runs: traces need a longer block than the default
    # model's 128 tokens; about 25 minutes on a loaded 2-core CPU (bench/reasoning_countdown_search.json)
    train_defaults = {
        "checkpoint_every": 25, "log_every": 5,
        "model": {"n_layer": 3, "n_head": 4, "n_embd": 96, "block_size": 192},
        "sft": {"steps": 2400, "batch_size": 32, "lr": 0.002, "min_difficulty": 2, "max_difficulty": 4},
        "grpo": {"steps": 100, "prompts_per_step": 16, "group_size": 8, "lr": 0.00002},
        "curriculum": {"start": 3, "min_difficulty": 3, "max_difficulty": 4},
        "eval": {"difficulties": [3, 4], "problems": 100, "k": 2, "every": 25}}

    def __init__(self, max_number: int = 6, max_target: int = 100, budget: int = 6, skip: float = 0.25,
                 best_first: bool = False):
        if not 1 <= budget <= 64:
            raise ValueError(f"budget={budget} must lie in [1, 64]")
        if not 0.0 <= skip < 1.0:
            raise ValueError(f"skip={skip} must lie in [0, 1)")
        self.problems = Countdown(max_number, max_target)
        self.budget, self.skip, self.best_first, self.cap = budget, skip, best_first, max_target

    def _search(self, problem: Problem, rng: np.random.Generator | None, skip: float):
        return search(problem.meta["numbers"], problem.meta["target"], self.budget, skip, rng, self.best_first,
                      self.cap)

    def generate(self, difficulty: int, rng: np.random.Generator) -> Problem:
        return self.problems.generate(check_difficulty(self, difficulty), rng)

    def canonical(self, problem: Problem) -> str:
        return self.problems.canonical(problem)

    def check_answer(self, problem: Problem, answer: str) -> Verdict:
        steps = answer.split(",")
        if len(steps) > MAX_STEPS:
            return Verdict(0.0, f"malformed: more than {MAX_STEPS} steps")
        available = Counter(problem.meta["numbers"])
        z = None
        for text in steps:
            m = _STEP.fullmatch(text.strip())
            if m is None:
                return Verdict(0.0, f"malformed: step {text[:20]!r} is not 'a op b=c'")
            x, op, y, z = int(m[1]), m[2], int(m[3]), int(m[4])
            if _exact(x, op, y) != z:
                return Verdict(0.0, f"wrong: {text.strip()} is false")
            if Counter([x, y]) - available:
                return Verdict(0.0, "wrong: uses a number not available")
            available = available - Counter([x, y]) + Counter([z])
        return Verdict(1.0, "ok") if z == problem.meta["target"] else Verdict(0.0, "wrong: misses the target")

    def reference(self, problem: Problem) -> str:
        """The straight path to a solution written as a search that never backtracks."""
        state, entries, path = list(problem.meta["numbers"]), [], []
        for step in problem.meta["steps"]:
            m = _STEP.fullmatch(step)
            x, y, z = int(m[1]), int(m[3]), int(m[4])
            entries.append(f"{problem.meta['target']}|" + " ".join(map(str, state)) + ":" + step)
            path.append(step)
            rest = list(state)
            rest.remove(x)
            rest.remove(y)
            state = rest + [z]
        return ",".join(entries) + SEPARATOR + ",".join(path)

    def demonstrate(self, problem: Problem, rng: np.random.Generator) -> str:
        trace, path, _ = self._search(problem, rng, self.skip)
        return ",".join(trace) + SEPARATOR + ",".join(path)

    def search_solves(self, problem: Problem, rng: np.random.Generator | None, skip: float | None = None) -> bool:
        """Whether the demonstrator's search (its budget; its skip rate unless `skip` is given) solves `problem`."""
        return self._search(problem, rng, self.skip if skip is None else skip)[2]
