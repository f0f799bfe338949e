"""Does a training run's Python memory grow from iteration to iteration? RSS and tracemalloc per iteration.

    PYTHONPATH=src .venv/bin/python bench/reliability_tracemalloc.py --run COPY_OF_A_RUN --game connect4 --iterations 8

Resumes the run folder RUN (use a copy: the run goes on) for `--iterations` more iterations with tracemalloc on
(NumPy arrays are traced, PyTorch tensors and compiled code are not), and prints after each iteration the
process's RSS beside the memory tracemalloc holds, then the allocation sites that grew most between the second
and the last iteration. Flat traced memory under a growing RSS points below Python (the allocator, PyTorch,
Numba); growing traced memory names the Python line that keeps it.
"""

from __future__ import annotations

import argparse
import json
import tracemalloc
from pathlib import Path

import move37.train.loop as loop


def rss_mib() -> int:
    return int(Path("/proc/self/status").read_text().split("VmRSS:")[1].split()[0]) // 1024


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--run", type=Path, required=True)
    ap.add_argument("--game", default="connect4")
    ap.add_argument("--iterations", type=int, default=8)
    args = ap.parse_args()
    done = max(json.loads(line)["iteration"] for line in (args.run / "metrics.jsonl").read_text().splitlines())
    seen, first = [0], []
    append_line = loop.append_line

    def after_iteration(path, line):  # the loop appends one metrics line an iteration
        append_line(path, line)
        if not str(path).endswith("metrics.jsonl"):
            return
        seen[0] += 1
        traced = tracemalloc.get_traced_memory()[0] / 2**20
        print(f"iteration {done + seen[0]}: RSS {rss_mib()} MiB, traced {traced:.1f} MiB",
              flush=True)
        if seen[0] == 2:
            first.append(tracemalloc.take_snapshot())
        elif seen[0] == args.iterations:
            for stat in tracemalloc.take_snapshot().compare_to(first[0], "lineno")[:10]:
                print("  ", stat, flush=True)

    loop.append_line = after_iteration
    tracemalloc.start()
    loop.train(args.game, args.run, iterations=done + args.iterations, progress=False)


if __name__ == "__main__":
    main()
