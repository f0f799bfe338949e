"""Plots of a MuZero run's metrics.jsonl: return against moves and minutes, and the loss terms."""

from __future__ import annotations

import io
from pathlib import Path

from move37 import runs
from move37.atomic import write_bytes


def write_plots(run: Path) -> list[Path]:
    """run/plots/return.png and run/plots/losses.png; the paths written."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    rows = runs.read_rows(Path(run) / "metrics.jsonl")
    folder = Path(run) / "plots"
    folder.mkdir(exist_ok=True)
    written = []
    fig, axes = plt.subplots(1, 2, figsize=(10, 4), sharey=True)
    for ax, (x, label, scale) in zip(axes, [("moves", "environment steps (moves)", 1), ("elapsed", "minutes", 60)]):
        ax.plot([r[x] / scale for r in rows], [r["return"] for r in rows], label="self-play (with noise)")
        some = [r for r in rows if "eval_return" in r]
        if some:
            ax.plot([r[x] / scale for r in some], [r["eval_return"] for r in some], marker=".", label="greedy")
        ax.set_xlabel(label)
        ax.grid(alpha=0.3)
        ax.legend()
    axes[0].set_ylabel("episode return")
    written.append(_save(fig, folder / "return.png", plt))
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
