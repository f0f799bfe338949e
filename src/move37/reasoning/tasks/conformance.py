"""Conformance check every registered task must pass (tests run it over the registry).

The verifier must accept the reference completion, reject corrupted answers with a
reason, survive junk and adversarial text without raising, and the generator must be
deterministic in its seed. The demonstrator must write well-formed completions and
be wrong sometimes (otherwise there is no ceiling to go past).
"""

from __future__ import annotations

import numpy as np

from move37.reasoning.tasks.base import MAX_COMPLETION_CHARS, SEPARATOR, Task, verify

# the repeated "=>9" is just over the length limit
_JUNK = ["", "=>", "=>=>", "abc=>xyz", "=>__import__('os').system('true')", "=>1e999", "=>((((1))))" * 3,
         "=>" + "(" * 500 + "1" + ")" * 500, "=>9" * (MAX_COMPLETION_CHARS // 3 + 1), "=>-1", "=>1/0", "=> 1 2 ",
         "x" * 10_000]


def check_task(task: Task, problems_per_difficulty: int = 20, seed: int = 0) -> None:
    """Raise AssertionError describing the first violation found."""
    demo_rewards: list[float] = []
    for difficulty in range(task.min_difficulty, task.max_difficulty + 1):
        rng = np.random.default_rng([seed, difficulty])
        again = np.random.default_rng([seed, difficulty])
        demo_rng = np.random.default_rng([seed, difficulty, 1])
        for _ in range(problems_per_difficulty):
            problem = task.generate(difficulty, rng)
            assert problem == task.generate(difficulty, again), "generator is not deterministic in its seed"
            assert problem.difficulty == difficulty
            reference = task.reference(problem)
            assert len(reference) <= MAX_COMPLETION_CHARS, f"reference longer than the limit: {reference!r}"
            verdict = verify(task, problem, reference)
            assert verdict.reward == 1.0, f"{task.name}: reference {reference!r} rejected ({verdict.reason})"
            for bad in (reference + "+1", reference[:-1], reference.replace(SEPARATOR, "")):
                verdict = verify(task, problem, bad)
                assert verdict.reward == 0.0 and verdict.reason != "ok", f"{task.name}: corrupted {bad!r} accepted"
            for junk in _JUNK:
                verdict = verify(task, problem, junk)
                assert verdict.reward == 0.0 and verdict.reason, f"{task.name}: junk {junk[:40]!r} accepted"
            demo = task.demonstrate(problem, demo_rng)
            verdict = verify(task, problem, demo)
            assert not verdict.reason.startswith("malformed"), f"{task.name}: malformed demonstration {demo!r}"
            demo_rewards.append(verdict.reward)
    assert 0.0 < float(np.mean(demo_rewards)) < 1.0, f"{task.name}: demonstrator never or always right"
