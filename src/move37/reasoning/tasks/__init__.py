"""Task registry: `make("addition")`, `make("addition:slip=0.7")`, like the game registry.

Adding a task is one module plus one line in `TASKS`; tests/test_reasoning_tasks.py
runs the conformance check (`conformance.check_task`) over every registered task.
"""

from __future__ import annotations

from move37.reasoning.tasks.base import SEPARATOR, Problem, Task, Verdict, canonical, split_completion, verify
from move37.registry import Registry
from move37.spec import call_with_spec, parse_spec

TASKS = Registry("task", {
    "addition": "move37.reasoning.tasks.addition:Addition",
    "countdown": "move37.reasoning.tasks.countdown:Countdown",
    "countdown_search": "move37.reasoning.tasks.countdown_search:CountdownSearch",
    "gym": "move37.reasoning.tasks.gym:Gym",
    "sorting": "move37.reasoning.tasks.sorting:Sorting",
})


def names() -> list[str]:
    """Registered task names, sorted."""
    return TASKS.names()


def make(spec: str) -> Task:
    """Build a task from its spec; UnknownNameError / SpecError on bad input."""
    parsed = parse_spec(spec)
    return call_with_spec(TASKS.load(parsed.name), parsed, "task")


__all__ = ["SEPARATOR", "Problem", "Task", "Verdict", "canonical", "make", "names", "split_completion", "verify"]
