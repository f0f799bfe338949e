"""PNG line plots of a run's metric rows (imitation epochs, AlphaGo stages), written atomically."""

from __future__ import annotations

import io
from collections.abc import Sequence
from pathlib import Path

from move37.atomic import write_bytes


def plot_rows(path: Path, rows: Sequence[dict], x: str, series: Sequence[tuple[str, str]], title: str,
              xlabel: str, ylabel: str) -> Path | None:
    """One PNG with a line per (key, label) in `series` over `x`; rows lacking a key are skipped for it.
    None (nothing written) when no row has any of the keys."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    drawn = [(key, label, [(r[x], r[key]) for r in rows if key in r and x in r]) for key, label in series]
    drawn = [d for d in drawn if d[2]]
    if not drawn:
        return None
    fig, ax = plt.subplots(figsize=(6.5, 4))
    for _, label, points in drawn:
        xs, ys = zip(*points)
        ax.plot(xs, ys, marker="." if len(xs) < 60 else None, label=label)
    ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel)
    ax.set_title(title)
    ax.grid(alpha=0.3)
    ax.legend()
    fig.tight_layout()
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=90)
    plt.close(fig)
    Path(path).parent.mkdir(parents=True, exist_ok=True)
    write_bytes(Path(path), buf.getvalue())
    return Path(path)
