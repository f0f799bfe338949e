"""Resident memory of a long `move37 train` run, sampled every few seconds: does it grow?

    .venv/bin/python bench/reliability_rss.py --run /tmp/rss-run --minutes 60 --every 15 \
        [--game connect4] [--config FILE] [--out bench/results/reliability_rss.json]
    .venv/bin/python bench/reliability_rss.py --run - --plot-only     (redraw OUT.png from OUT)

Starts `move37 train GAME --out RUN --minutes M` as a child process (RUN must not exist: a
fresh run on the game's default config, as `make run` trains), samples the resident set size
of it and of every process below it (psutil) every `--every` seconds, and writes the samples
with the run's iteration count at each one (from RUN/metrics.jsonl) to OUT (JSON, atomically,
rewritten every sample so a killed benchmark keeps what it measured). The summary compares
the median RSS of the second quarter of the run with that of the last quarter: the first
quarter holds the warm-up (Numba compilation, the replay window filling up).
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import time
from pathlib import Path
from statistics import median

import psutil

from move37.atomic import write_json


def tree_rss(proc: psutil.Process) -> int:
    """Bytes resident in `proc` and all its descendants (0 for those gone meanwhile)."""
    total = 0
    for p in [proc, *proc.children(recursive=True)]:
        try:
            total += p.memory_info().rss
        except psutil.Error:
            pass
    return total


def iterations_done(run: Path) -> int:
    try:
        lines = (run / "metrics.jsonl").read_text().splitlines()
    except OSError:
        return 0
    done = 0
    for line in lines:
        try:
            done = max(done, int(json.loads(line).get("iteration", 0)))
        except (ValueError, AttributeError):
            continue  # a partial last line of a run being written
    return done


def summarise(samples: list[dict]) -> dict:
    """Median RSS (MiB) of the second and the last quarter of the samples, and their ratio."""
    n = len(samples)
    if n < 8:
        return {}
    second = median(s["rss_mib"] for s in samples[n // 4: n // 2])
    last = median(s["rss_mib"] for s in samples[3 * n // 4:])
    return {"median_rss_mib_second_quarter": round(second, 1), "median_rss_mib_last_quarter": round(last, 1),
            "growth_last_over_second": round(last / second, 4), "max_rss_mib": max(s["rss_mib"] for s in samples)}


def plot(result: dict, path: Path) -> None:
    """RSS (MiB) and the run's iterations against minutes, as a PNG (atomically)."""
    import io

    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from move37.atomic import write_bytes

    samples = result["samples"]
    minutes = [s["t_s"] / 60 for s in samples]
    fig, ax = plt.subplots(figsize=(7, 3.5))
    ax.plot(minutes, [s["rss_mib"] for s in samples], color="tab:blue")
    ax.set_xlabel("minutes since the start")
    ax.set_ylabel("RSS of the training process (MiB)", color="tab:blue")
    ax.grid(alpha=0.3)
    ax2 = ax.twinx()
    ax2.plot(minutes, [s["iteration"] for s in samples], color="tab:orange")
    ax2.set_ylabel("iterations done", color="tab:orange")
    ax.set_title(result["command"].split(" --out")[0].replace("-m move37.cli ", "move37 "))
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=100, bbox_inches="tight")
    plt.close(fig)
    write_bytes(path, buf.getvalue())


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--run", type=Path, required=True, help="run folder to create (must not exist)")
    ap.add_argument("--game", default="connect4")
    ap.add_argument("--minutes", type=float, default=60.0)
    ap.add_argument("--every", type=float, default=15.0, help="seconds between samples")
    ap.add_argument("--config", help="config file handed to `move37 train --config`")
    ap.add_argument("--out", type=Path, default=Path("bench/results/reliability_rss.json"))
    ap.add_argument("--plot-only", action="store_true", help="only draw OUT's samples into OUT with .png")
    args = ap.parse_args()
    if args.plot_only:
        plot(json.loads(args.out.read_text()), args.out.with_suffix(".png"))
        return
    if args.run.exists():
        sys.exit(f"error: {args.run} exists; the benchmark measures a fresh run")
    cmd = [sys.executable, "-m", "move37.cli", "train", args.game, "--out", str(args.run),
           "--minutes", str(args.minutes)]
    if args.config:
        cmd += ["--config", args.config]
    commit = subprocess.run(["git", "rev-parse", "HEAD"], capture_output=True, text=True).stdout.strip()
    log = open(args.run.with_name(args.run.name + ".log"), "w")
    child = subprocess.Popen(cmd, stdout=log, stderr=subprocess.STDOUT)
    proc, start, samples = psutil.Process(child.pid), time.monotonic(), []
    result = {"command": " ".join(cmd[1:]), "commit": commit, "every_s": args.every, "samples": samples}
    while child.poll() is None:
        rss = tree_rss(proc)
        if rss:
            samples.append({"t_s": round(time.monotonic() - start, 1), "rss_mib": round(rss / 2**20, 1),
                            "iteration": iterations_done(args.run)})
            result["summary"] = summarise(samples)
            write_json(args.out, result)
        time.sleep(args.every)
    result["exit_status"] = child.returncode
    result["summary"] = summarise(samples)
    write_json(args.out, result)
    plot(result, args.out.with_suffix(".png"))
    print(json.dumps({k: v for k, v in result.items() if k != "samples"}, indent=1))


if __name__ == "__main__":
    main()
