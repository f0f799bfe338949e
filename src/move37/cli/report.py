"""`move37 report DIR`: PNG plots of a training run (Elo and optimal-move rate vs time and games)."""

from __future__ import annotations

from pathlib import Path


def register(sub) -> None:
    p = sub.add_parser("report", help="plot a training run's metrics as PNG files in the run folder")
    p.add_argument("run", metavar="DIR", help="run folder of `move37 train`")
    p.set_defaults(func=run)


def run(args) -> int:
    from move37.train.report import write_plots

    for path in write_plots(Path(args.run)):
        print(f"wrote {path}")
    return 0
