"""Summaries and PNG plots of a live run's metrics.jsonl (no learner needed).

returns.png: left, the mean return of each visit to each task (the plasticity question: is a game's later
visit worse than its earlier ones?); right, every episode's return over the stream with a running mean.
plasticity.png: dormant fraction, effective rank, weight norm and gradient norm along the stream.
feedback.png (runs with --feedback): the user's true utility per step, and how well the adapted reward
weights agree with the user's hidden goal, against the step, with the goal changes marked.
"""

from __future__ import annotations

import collections
import io
from pathlib import Path

import numpy as np

from move37.atomic import write_bytes


def visit_returns(rows: list[dict]) -> dict[str, list[tuple[int, float, int]]]:
    """task -> [(visit, mean return of its finished episodes, episodes)] in visit order."""
    acc: dict[str, dict[int, list[float]]] = collections.defaultdict(lambda: collections.defaultdict(list))
    for r in rows:
        if r.get("kind") == "episode":
            acc[r["task"]][r["visit"]].append(r["return"])
    return {task: [(v, float(np.mean(x)), len(x)) for v, x in sorted(visits.items())] for task, visits in acc.items()}


def summarise(rows: list[dict], step: int, elapsed: float) -> dict:
    episodes = [r for r in rows if r.get("kind") == "episode"]
    probes = [r for r in rows if r.get("kind") == "probe"]
    out = {"steps": step, "elapsed_s": round(elapsed, 1), "episodes": len(episodes),
           "steps_per_s": round(step / elapsed, 1) if elapsed else None,
           "visits": {t: [{"visit": v, "return": round(m, 3), "episodes": n} for v, m, n in vs]
                      for t, vs in visit_returns(rows).items()}}
    if episodes:
        out["last_returns"] = round(float(np.mean([r["return"] for r in episodes[-20:]])), 3)
    if probes:
        out["last_probe"] = {k: v for k, v in probes[-1].items() if k not in ("kind",)}
    if any(r.get("kind") == "rating" for r in rows):
        from move37.experience.feedback import summarise as feedback_summary

        out["feedback"] = feedback_summary(rows)
    return out


def format_summary(summary: dict) -> str:
    lines = [f"steps {summary['steps']}  episodes {summary['episodes']}  wall {summary['elapsed_s']:.0f}s"
             + (f"  ({summary['steps_per_s']} steps/s)" if summary.get("steps_per_s") else "")]
    for task, visits in summary["visits"].items():
        lines.append(f"  {task:<16} " + "  ".join(f"v{v['visit']}: {v['return']:.2f} ({v['episodes']})"
                                                 for v in visits))
    if "last_returns" in summary:
        lines.append(f"  mean return of the last 20 episodes: {summary['last_returns']:.2f}")
    if "last_probe" in summary:
        p = summary["last_probe"]
        lines.append("  plasticity: " + ", ".join(f"{k} {p[k]}" for k in ("dormant", "effective_rank", "weight_norm",
                                                                       "grad_norm") if k in p))
    if "feedback" in summary:
        lines.append("  feedback: " + ", ".join(f"{k} {v}" for k, v in summary["feedback"].items()))
    return "\n".join(lines)


def _save(fig, path: Path) -> None:
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=90)
    write_bytes(path, buf.getvalue())


def _pyplot():
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    return plt


def write_returns(rows: list[dict], path: Path) -> None:
    plt = _pyplot()
    fig, (a, b) = plt.subplots(1, 2, figsize=(11, 4))
    for task, visits in sorted(visit_returns(rows).items()):
        a.plot([v for v, _, _ in visits], [m for _, m, _ in visits], marker="o", label=task)
        episodes = [r for r in rows if r.get("kind") == "episode" and r["task"] == task]
        steps, returns = np.array([r["step"] for r in episodes]), np.array([r["return"] for r in episodes])
        line = b.scatter(steps, returns, s=3, alpha=0.3)
        if len(returns) >= 2:
            k = max(1, min(20, len(returns) // 5))
            b.plot(steps[k - 1:], np.convolve(returns, np.ones(k) / k, "valid"), color=line.get_facecolor()[0],
                   label=f"{task} ({k}-episode mean)")
    a.set_xlabel("visit"), a.set_ylabel("mean episode return"), a.set_title("return per task visit")
    b.set_xlabel("step"), b.set_ylabel("episode return"), b.set_title("online return")
    if a.lines:
        a.legend(fontsize=7), b.legend(fontsize=7)
    fig.tight_layout()
    _save(fig, path)
    plt.close(fig)


def write_plasticity(rows: list[dict], path: Path) -> None:
    plt = _pyplot()
    probes = [r for r in rows if r.get("kind") == "probe" and "dormant" in r]
    fig, axes = plt.subplots(1, 4, figsize=(14, 3.2))
    for ax, key in zip(axes, ("dormant", "effective_rank", "weight_norm", "grad_norm")):
        ax.plot([r["step"] for r in probes], [r[key] for r in probes])
        ax.set_title(key.replace("_", " ")), ax.set_xlabel("step")
    fig.tight_layout()
    _save(fig, path)
    plt.close(fig)


def write_all(rows: list[dict], out: Path) -> None:
    write_returns(rows, Path(out) / "returns.png")
    write_plasticity(rows, Path(out) / "plasticity.png")
    if any(r.get("kind") == "rating" for r in rows):
        from move37.experience.feedback import write_plot

        write_plot(rows, Path(out) / "feedback.png")
