"""Timing with medians, interleaved across rows, and the load of the shared machine beside each figure.

A runner prepares its work (builds, compiles, warms up) and returns a `Timed`: a
closure that does one timed unit of work and returns how many units (simulations,
evaluations) it did, plus a dict describing the setting.
"""

from __future__ import annotations

import os
import statistics
import sys
import time
from typing import Callable

Timed = tuple[Callable[[], float], dict]


def interleaved(rows: dict[str, Callable[[], float]], repeats: int) -> dict[str, dict]:
    """Time every row `repeats` times in round-robin order, so rows compared with each
    other see the same moments of the shared machine's load.

    Per row: `median` units per wall-clock second (the figure the issue asks for),
    `median_cpu` units per CPU-second of this process (all its threads; with one thread
    per pool it is the speed on a core of its own, much steadier when other processes
    take turns on the cores), every call's rates, and the 1-minute load average before
    each call."""
    rates: dict[str, list[float]] = {key: [] for key in rows}
    cpu_rates: dict[str, list[float]] = {key: [] for key in rows}
    loads: dict[str, list[float]] = {key: [] for key in rows}
    for round_ in range(repeats):
        for key, run in rows.items():
            loads[key].append(os.getloadavg()[0])
            start, start_cpu = time.perf_counter(), time.process_time()
            units = run()
            rates[key].append(units / (time.perf_counter() - start))
            cpu_rates[key].append(units / max(time.process_time() - start_cpu, 1e-9))
        print(f"  round {round_ + 1}/{repeats} done", file=sys.stderr, flush=True)
    return {key: {"median": statistics.median(rates[key]), "median_cpu": statistics.median(cpu_rates[key]),
                  "rates": rates[key], "cpu_rates": cpu_rates[key], "loads": loads[key],
                  "load_median": statistics.median(loads[key])} for key in rows}


def calls_for(call: Callable[[], object], seconds: float = 0.5) -> int:
    """How many calls of `call` fill about `seconds` (at least 1), timed on one call."""
    start = time.perf_counter()
    call()
    return max(1, int(seconds / max(time.perf_counter() - start, 1e-6)))
