"""Plots of a run's metrics.jsonl: Elo and optimal-move rate against wall-clock time and games played.

The optimal-move plot also draws the raw policy's rate and, where measured, the good-move
rates (moves that keep the result) beside the optimal (exact-score) ones."""

from __future__ import annotations

from pathlib import Path

from move37.errors import RunFolderError
from move37.train.loop import read_metrics

# Lines drawn in the optimal-move plot beside the searched optimal-move rate, with their styles.
_RATE_COMPANIONS = [("optimal_rate_policy", "raw policy", "--"), ("good_rate", "good moves, with search", ":"),
                    ("good_rate_policy", "good moves, raw policy", "-.")]
_SERIES = [("elo", "Elo (random = 0)"), ("optimal_rate", "optimal-move rate"), ("loss_policy", "policy loss"),
           ("loss_value", "value loss")]


def write_plots(run: Path) -> list[Path]:
    """Write run/plots/{metric}.png for every metric the run has; the paths written."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from move37.atomic import write_bytes

    rows = read_metrics(run)
    if not rows:
        raise RunFolderError(f"{run}: metrics.jsonl has no complete line yet")
    folder = Path(run) / "plots"
    folder.mkdir(exist_ok=True)
    written = []
    for key, label in _SERIES:
        pts = [r for r in rows if key in r]
        if not pts:
            continue
        fig, axes = plt.subplots(1, 2, figsize=(10, 4), sharey=True)
        for ax, (x, xlabel) in zip(axes, [("elapsed", "wall-clock minutes"), ("games", "self-play games")]):
            xs = [r[x] / 60 if x == "elapsed" else r[x] for r in pts]
            ys = [r[key] for r in pts]
            if key == "elo" and "elo_low" in pts[0]:  # the 95% interval as bars: Elo is measured seldom, often once
                ax.errorbar(xs, ys, yerr=[[y - r["elo_low"] for y, r in zip(ys, pts)],
                                          [r["elo_high"] - y for y, r in zip(ys, pts)]], marker=".", capsize=3)
            else:
                ax.plot(xs, ys, marker="." if len(pts) < 50 else None, label="with search")
            if key == "optimal_rate":
                for other, name, style in _RATE_COMPANIONS:
                    some = [(x, r[other]) for x, r in zip(xs, pts) if other in r]  # a rate added mid-run starts late
                    if some:
                        ax.plot(*zip(*some), linestyle=style, label=name)
                ax.legend()
            ax.set_xlabel(xlabel)
            ax.grid(alpha=0.3)
        axes[0].set_ylabel(label)
        fig.suptitle(f"{Path(run).name}: {label}")
        fig.tight_layout()
        path = folder / f"{key}.png"
        import io

        buf = io.BytesIO()
        fig.savefig(buf, format="png", dpi=100)
        plt.close(fig)
        write_bytes(path, buf.getvalue())
        written.append(path)
    return written
