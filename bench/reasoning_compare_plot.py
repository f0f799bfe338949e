"""Runs side by side against RL steps: held-out greedy accuracy, sampled reward and completion length.

    .venv/bin/python bench/reasoning_compare_plot.py OUT.png LABEL=RUN [LABEL=RUN ...]

Used for R1-Zero (RL from a model never shown a solution) against imitation-then-RL at the same budget.
"""

from __future__ import annotations

import io
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))

from move37 import runs  # noqa: E402
from move37.atomic import write_bytes  # noqa: E402
from move37.reasoning.train import read_config  # noqa: E402


def main() -> int:
    if len(sys.argv) < 3 or any("=" not in a for a in sys.argv[2:]):
        print(__doc__.strip().splitlines()[2].strip(), file=sys.stderr)
        return 2
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, axes = plt.subplots(1, 3, figsize=(12, 3.8))
    for arg in sys.argv[2:]:
        label, folder = arg.split("=", 1)
        cfg = read_config(Path(folder))
        rows = runs.read_rows(Path(folder) / "metrics.jsonl")
        s0 = cfg.sft.steps
        ev = [r for r in rows if r.get("phase") == "eval"]
        rl = [r for r in rows if r.get("phase") == "rl"]
        line, = axes[0].plot([r["step"] - s0 for r in ev], [r["greedy"] for r in ev], "-o", ms=3, label=label)
        axes[1].plot([r["step"] - s0 for r in rl], [r["reward"] for r in rl], color=line.get_color(), lw=1)
        axes[2].plot([r["step"] - s0 for r in rl], [r["length"] for r in rl], color=line.get_color(), lw=1)
    for ax, title in zip(axes, ("held-out greedy accuracy", "sampled reward (verifier)",
                                "completion length (tokens)")):
        ax.set_title(title, fontsize=9)
        ax.set_xlabel("RL step (0 = end of the first phase)", fontsize=8)
    axes[0].legend(fontsize=7)
    fig.tight_layout()
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=100)
    plt.close(fig)
    write_bytes(Path(sys.argv[1]), buf.getvalue())
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
