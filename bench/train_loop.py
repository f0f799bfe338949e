"""The training loop's own cost, before and after a change to it: two source trees, runs interleaved.

    .venv/bin/python bench/train_loop.py --before /tmp/m37-before/src --after src [--repeats 5] [--iterations 4]

Each run is a fresh process (`PYTHONPATH=TREE`) training a new run folder for a fixed number of
iterations with `train()` (Connect Four's preset, 64 games an iteration, evaluation off, the
learner on from the first iteration) and reporting the run's own clock (seconds of training, start-up
excluded) and the process's CPU seconds. The two trees take turns (after one unmeasured warm-up run
each, which fills Numba's cache), so both see the same moments of a shared machine's load; the
table gives each tree's median, min and max and the ratio of medians. Results:
bench/results/train_loop.json.

A tree from a commit: `git archive COMMIT src | tar -x -C /tmp/m37-before`.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

from move37.atomic import write_json

CONFIG = {"games_per_iteration": 64, "selfplay": {"parallel_games": 64},
          "learn": {"min_positions": 256}, "eval": {"every": 0, "elo_every": 0}}
CHILD = """
import json, resource, sys, time
from move37.train.loop import train
start = time.monotonic()
last = train("connect4", sys.argv[1], iterations=int(sys.argv[2]), config_path=sys.argv[3], progress=False)
usage = resource.getrusage(resource.RUSAGE_SELF)
print(json.dumps({"train_s": last["elapsed"], "wall_s": time.monotonic() - start,
                  "cpu_s": usage.ru_utime + usage.ru_stime, "step": last["step"], "games": last["games"]}))
"""


def run_once(tree: Path, iterations: int, config: Path, work: Path) -> dict:
    out = Path(tempfile.mkdtemp(dir=work)) / "run"
    env = {**os.environ, "PYTHONPATH": str(tree.resolve())}
    done = subprocess.run([sys.executable, "-c", CHILD, str(out), str(iterations), str(config)], env=env,
                          capture_output=True, text=True, check=True)
    return json.loads(done.stdout.strip().splitlines()[-1])


def summary(rows: list[dict], key: str) -> dict:
    values = [r[key] for r in rows]
    return {"median": round(statistics.median(values), 2), "min": round(min(values), 2), "max": round(max(values), 2)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--before", type=Path, required=True, help="source tree (the folder holding move37/)")
    parser.add_argument("--after", type=Path, required=True)
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--iterations", type=int, default=4)
    parser.add_argument("--out", type=Path, default=Path("bench/results/train_loop.json"))
    args = parser.parse_args()
    trees = {"before": args.before, "after": args.after}
    results: dict[str, list[dict]] = {name: [] for name in trees}
    with tempfile.TemporaryDirectory(prefix="m37-loop-") as work:
        config = Path(work) / "config.json"
        config.write_text(json.dumps(CONFIG))
        for name, tree in trees.items():  # warm-up: Numba's cache, the page cache
            run_once(tree, 1, config, Path(work))
        for _ in range(args.repeats):
            for name, tree in trees.items():
                results[name].append(run_once(tree, args.iterations, config, Path(work)))
                print(name, results[name][-1], flush=True)
    assert results["before"][0]["step"] == results["after"][0]["step"]  # the same work was done
    table = {name: {key: summary(rows, key) for key in ("train_s", "cpu_s")} for name, rows in results.items()}
    ratio = {key: round(table["after"][key]["median"] / table["before"][key]["median"], 3) for key in ("train_s", "cpu_s")}
    write_json(args.out, {"config": CONFIG, "game": "connect4", "iterations": args.iterations, "repeats": args.repeats,
                          "trees": {k: str(v) for k, v in trees.items()}, "summary": table,
                          "after_over_before": ratio, "runs": results})
    for name in trees:
        print(f"{name:7s} " + "  ".join(f"{key} {s['median']} [{s['min']}, {s['max']}]" for key, s in table[name].items()))
    print(f"after / before (medians): {ratio}")


if __name__ == "__main__":
    main()
