"""Task registry: `make("addition")`, `make("addition:slip=0.7")`, like the game registry.

Adding a task is one module plus one line in `_REGISTRY`; tests/test_reasoning_tasks.py
runs the conformance check (`conformance.check_task`) over every registered task.
"""

from __future__ import annotations

import importlib

from move37.errors import UnknownNameError
from move37.reasoning.tasks.base import SEPARATOR, Problem, Task, Verdict, verify
from move37.spec import call_with_spec, parse_spec

_REGISTRY: dict[str, str] = {
    "addition": "move37.reasoning.tasks.addition:Addition",
    "countdown": "move37.reasoning.tasks.countdown:Countdown",
    "sorting": "move37.reasoning.tasks.sorting:Sorting",
}


def names() -> list[str]:
    """Registered task names, sorted."""
    return sorted(_REGISTRY)


def make(spec: str) -> Task:
    """Build a task from its spec; UnknownNameError / SpecError on bad input."""
    parsed = parse_spec(spec)
    if parsed.name not in _REGISTRY:
        raise UnknownNameError(f"unknown task {parsed.name!r} (known: {', '.join(names())})")
    module, _, attr = _REGISTRY[parsed.name].partition(":")
    return call_with_spec(getattr(importlib.import_module(module), attr), parsed, "task")


__all__ = ["SEPARATOR", "Problem", "Task", "Verdict", "make", "names", "verify"]
