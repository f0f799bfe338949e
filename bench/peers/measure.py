"""Repeated timing with medians, and the load of the shared machine beside each figure."""

from __future__ import annotations

import os
import statistics
import time
from typing import Callable


def rate(run: Callable[[], float], repeats: int) -> dict:
    """Call `run` (which does some work and returns how many units it did) `repeats`
    times; return the median units/s, every repeat's rate and the 1-minute load
    average before and after (the machine is shared: a high load explains a low figure)."""
    load_before = os.getloadavg()[0]
    rates = []
    for _ in range(repeats):
        start = time.perf_counter()
        units = run()
        rates.append(units / (time.perf_counter() - start))
    return {"median": statistics.median(rates), "rates": rates,
            "load_before": load_before, "load_after": os.getloadavg()[0]}


def calls_for(call: Callable[[], object], seconds: float = 0.5) -> int:
    """How many calls of `call` fill about `seconds` (at least 1), timed on one call."""
    start = time.perf_counter()
    call()
    return max(1, int(seconds / max(time.perf_counter() - start, 1e-6)))
