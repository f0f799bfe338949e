"""One figure for docs/results/prover.md: held-out success by round of prove-train runs (with and without
conjectures) against the search baselines at the same budget, and the difficulty of proved conjectures.

    PYTHONPATH=src python bench/prover_plot.py --runs runs/prove2 runs/prove2c --baselines bench/results/prover_baselines_100.jsonl --out docs/results/img/prover_curve.png
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from move37.runs import read_rows


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--runs", nargs="+", required=True, help="prove-train run folders")
    ap.add_argument("--baselines", help="JSONL rows of bench/prover_baselines.py at the runs' budget")
    ap.add_argument("--out", required=True)
    args = ap.parse_args()
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    fig, ax = plt.subplots(1, 2, figsize=(10, 3.8))
    for run in args.runs:
        rows = read_rows(Path(run) / "metrics.jsonl")
        ax[0].plot([r["round"] for r in rows], [r["test_proved"] for r in rows], marker="o", label=Path(run).name)
        conj = [r for r in rows if "conj_attempted" in r]
        if conj:
            ax[1].plot([r["round"] for r in conj], [r["conj_length_mean"] for r in conj], marker="o",
                       label=f"{Path(run).name}: mean length, all proved")
            ax[1].plot([r["round"] for r in conj], [r["conj_hard_length_mean"] for r in conj], marker="s",
                       label=f"{Path(run).name}: mean length, hard ones")
    if args.baselines:
        base = read_rows(Path(args.baselines))
        for method, style in (("uniform", "--"), ("bfs", ":")):
            proved = sum(r["proved"] for r in base if r["method"] == method)
            ax[0].axhline(proved, linestyle=style, color="grey", label=f"{method} (no learning)")
    from matplotlib.ticker import MaxNLocator
    for a in ax:
        a.xaxis.set_major_locator(MaxNLocator(integer=True))
    ax[0].set_ylim(50, 100)
    ax[0].set(xlabel="round", ylabel="held-out proved (of 100)", title="held-out success, 100 expansions")
    ax[0].legend(fontsize=8)
    ax[1].set(xlabel="round", ylabel="proof length (assertion steps)", title="conjectures proved")
    ax[1].legend(fontsize=8)
    fig.tight_layout()
    out = Path(args.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = out.with_name("." + out.name + ".tmp")
    fig.savefig(tmp, dpi=100, format="png")
    plt.close(fig)
    tmp.replace(out)
    return 0


if __name__ == "__main__":
    sys.exit(main())
