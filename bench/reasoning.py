"""The reasoning target, end to end: SFT on the flawed demonstrator, then GRPO, on addition.

    .venv/bin/python bench/reasoning.py [--out bench/results/reasoning_run] [--config FILE] [--minutes 15]

Runs `move37 reason train` with the default config (or FILE) in a fresh folder, then
writes bench/results/reasoning.json: per held-out difficulty the demonstrator's
accuracy, the SFT model's and the RL model's (greedy, sampled pass@1, pass@k), the
gains, the wall-clock time and the machine's core count and load. The plot is
<out>/accuracy.png. Wall-clock time depends on what else runs on the machine; the
load average is recorded beside it for that reason.
"""

from __future__ import annotations

import argparse
import os
import platform
import shutil
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))

from move37.reasoning import config  # noqa: E402
from move37.reasoning.report import format_summary  # noqa: E402
from move37.atomic import write_json  # noqa: E402
from move37.reasoning.train import train  # noqa: E402


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=Path("bench/results/reasoning_run"))
    parser.add_argument("--config", type=Path, default=None)
    parser.add_argument("--minutes", type=float, default=None)
    parser.add_argument("--results", type=Path, default=Path("bench/results/reasoning.json"))
    args = parser.parse_args()
    cfg = config.load(args.config) if args.config else config.TrainConfig()
    shutil.rmtree(args.out, ignore_errors=True)
    load_before = os.getloadavg()
    start = time.monotonic()
    summary = train(args.out, cfg, args.minutes, progress=True)
    wall = time.monotonic() - start
    result = {"command": " ".join(sys.argv), "config": cfg.to_dict(), "summary": summary,
              "wall_s": round(wall, 1), "cores": os.cpu_count(), "load_before": load_before,
              "load_after": os.getloadavg(), "python": platform.python_version()}
    args.results.parent.mkdir(parents=True, exist_ok=True)
    write_json(args.results, result, indent=2, sort_keys=True)
    if summary.get("finished"):
        print(format_summary(summary))
    print(f"wall {wall:.0f}s  load average before {load_before[0]:.1f}, after {os.getloadavg()[0]:.1f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
