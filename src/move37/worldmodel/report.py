"""Plots of a MuZero run's metrics.jsonl against moves and minutes: an environment's return (self-play and
greedy), a board game's optimal-move rate (search and raw policy), and the loss terms."""

from __future__ import annotations

import io
from pathlib import Path

from move37 import runs
from move37.atomic import write_bytes


def write_plots(run: Path) -> list[Path]:
    """run/plots/return.png (environments) or optimal_rate.png (board games), and losses.png; the paths written."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    rows = runs.read_rows(Path(run) / "metrics.jsonl")
    folder = Path(run) / "plots"
    folder.mkdir(exist_ok=True)
    written = []
    board = any("optimal_rate" in r for r in rows)
    lines = ([("optimal_rate", "search"), ("optimal_rate_policy", "raw policy")] if board else
             [("return", "self-play (with noise)"), ("eval_return", "greedy")])
    fig, axes = plt.subplots(1, 2, figsize=(10, 4), sharey=True)
    for ax, (x, label, scale) in zip(axes, [("moves", "environment steps (moves)", 1), ("elapsed", "minutes", 60)]):
        for key, name in lines:
            some = [r for r in rows if key in r]
            if some:
                ax.plot([r[x] / scale for r in some], [r[key] for r in some], marker="." if len(some) < 40 else None,
                        label=name)
        ax.set_xlabel(label)
        ax.grid(alpha=0.3)
        ax.legend()
    axes[0].set_ylabel("optimal-move rate" if board else "episode return")
    written.append(_save(fig, folder / ("optimal_rate.png" if board else "return.png"), plt))
    fig, ax = plt.subplots(figsize=(6, 4))
    for key in ("policy", "value", "reward", "latent"):
        ax.plot([r["moves"] for r in rows], [r[f"loss_{key}"] for r in rows], label=key)
    ax.set_xlabel("environment steps (moves)")
    ax.set_ylabel("loss (per unroll step)")
    ax.grid(alpha=0.3)
    ax.legend()
    written.append(_save(fig, folder / "losses.png", plt))
    return written


def _save(fig, path: Path, plt) -> Path:
    fig.suptitle(path.parent.parent.name)
    fig.tight_layout()
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=100)
    plt.close(fig)
    write_bytes(path, buf.getvalue())
    return path
