"""Reading the search a model writes (countdown_search): its size, its backtracks, and what lay beyond the demonstrator.

A trace is the text before ``=>``: entries ``TARGET|STATE:a op b=c`` separated by commas. An entry whose
state is not the previous entry's result state is a backtrack. A model's solution lies beyond
the demonstrator when the demonstrator's own search (the same budget and skip rate, `tries`
seeds) never solves that problem; a stricter count asks the same of the demonstrator's search
without its missed branches (skip 0), so only its budget and ordering limit it.
"""

from __future__ import annotations

import io
import re
from pathlib import Path

import numpy as np

from move37.atomic import write_bytes
from move37.errors import ConfigError
from move37.reasoning.rollout import rollout
from move37.reasoning.tasks import Problem, Task, split_completion

_ENTRY = re.compile(r"(?:\d{1,7}\|)?(\d{1,6}(?: \d{1,6}){0,7}):(\d{1,6})[-+*/](\d{1,6})=(\d{1,7})")


def trace_stats(text: str) -> tuple[int, int]:
    """(entries, backtracks) of a completion's search trace; entries that do not parse count, but never as
    backtracks (their state is unknown)."""
    parts = split_completion(text)
    head = parts[0] if parts is not None else text
    entries = [e for e in head.split(",") if e]
    backtracks, result = 0, None
    for e in entries:
        m = _ENTRY.fullmatch(e.strip())
        if m is None:
            result = None
            continue
        state = m[1].split()
        if result is not None and state != result:
            backtracks += 1
        rest = list(state)
        for operand in (m[2], m[3]):
            if operand in rest:
                rest.remove(operand)
        result = rest + [m[4]] if len(rest) == len(state) - 2 else None
    return len(entries), backtracks


def beyond_demonstrator(model, task: Task, problems: list[Problem], tries: int = 4, seed: int = 0) -> dict:
    """Greedy solve rate of `model` on `problems`, the demonstrator's, and the share of the model's solutions
    that the demonstrator's search does not find (in `tries` seeded runs; and without missed branches)."""
    if not hasattr(task, "search_solves"):
        raise ConfigError(f"task {task.name!r} writes no search; this report is for countdown_search")
    out = rollout(model, task, problems, 1, 0.0)
    solved = out.rewards > 0
    rng = np.random.default_rng([seed, 7])
    demo = np.array([[task.search_solves(p, rng) for _ in range(tries)] for p in problems])  # (P, tries)
    strict = np.array([task.search_solves(p, None, skip=0.0) for p in problems])             # (P,)
    stats = np.array([trace_stats(t) for t in out.texts])                                   # (P, 2)
    demo_stats = np.array([trace_stats(task.demonstrate(p, rng)) for p in problems])
    n = max(int(solved.sum()), 1)
    return {"problems": len(problems), "model_solved": float(solved.mean()),
            "demonstrator_solved": float(demo.mean()), "demonstrator_any_of_tries": float(demo.any(1).mean()),
            "demonstrator_no_skips": float(strict.mean()),
            "beyond_demonstrator": float((solved & ~demo.any(1)).sum() / n),
            "beyond_demonstrator_no_skips": float((solved & ~strict).sum() / n),
            "model_entries": float(stats[:, 0].mean()), "model_backtracks": float(stats[:, 1].mean()),
            "model_entries_solved": float(stats[solved, 0].mean()) if solved.any() else 0.0,
            "demonstrator_entries": float(demo_stats[:, 0].mean()),
            "demonstrator_backtracks": float(demo_stats[:, 1].mean()),
            "model_chars": float(np.mean([len(t) for t in out.texts]))}


def write_plot(rows: list[dict], sft_steps: int, difficulties: tuple[int, ...], title: str, path: Path) -> None:
    """Two panels: held-out greedy solve rate against steps (with the demonstrator's), and the sampled
    completion length against RL steps."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    demo = next((r for r in rows if r.get("phase") == "demonstrator"), {})
    evals = [r for r in rows if r.get("phase") == "eval"]
    rl = [r for r in rows if r.get("phase") == "rl" and "length" in r]
    fig, (a, b) = plt.subplots(1, 2, figsize=(10, 4))
    colors = plt.rcParams["axes.prop_cycle"].by_key()["color"]
    for i, d in enumerate(difficulties):
        c = colors[i % len(colors)]
        a.plot([r["step"] for r in evals], [r[f"greedy/{d}"] for r in evals], "-o", ms=3, color=c,
               label=f"model, {d} numbers")
        if f"accuracy/{d}" in demo:
            a.axhline(demo[f"accuracy/{d}"], color=c, ls="--", lw=1, label=f"demonstrator, {d} numbers")
    a.axvline(sft_steps, color="gray", lw=1)
    a.set(xlabel="step (imitation, then GRPO)", ylabel="held-out solve rate (greedy)", ylim=(0, 1.02))
    a.legend(fontsize=7)
    b.plot([r["step"] - sft_steps for r in rl], [r["length"] for r in rl], lw=1.2)
    b.set(xlabel="RL step", ylabel="sampled completion length (tokens)")
    fig.suptitle(title, fontsize=10)
    fig.tight_layout()
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=100)
    plt.close(fig)
    write_bytes(path, buf.getvalue())
