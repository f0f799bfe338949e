"""Training throughput with the learner beside self-play (`--ray`) against the local loop, in one run.

    .venv/bin/python bench/ray_pipeline.py [--game connect4] [--iterations 5] [--rounds 2] [--workers 1]
                                          [--out bench/results/ray_pipeline.json]

Each round trains the game's preset from zero, evaluation off, three ways, each in a fresh
temporary run folder: the local loop with every thread pool at 1 thread, the local loop
at 2 (torch and search threads), and `--ray` on a Ray started in this process with
WORKERS self-play workers plus the learner (ray_stages.py). The figure is wall-clock
seconds per iteration (metrics.jsonl "elapsed" differences), median over iterations 3..N:
the first starts the processes, and from the second the learner has a full iteration of
updates to make (a Ray run makes the first iteration's updates during the second).
Writes OUT (JSON, atomically).
"""

from __future__ import annotations

import argparse
import json
import statistics
import tempfile
from pathlib import Path

from move37.atomic import write_json
from move37.train.loop import read_metrics, train
from move37.train.ray_source import STAGE_CPUS

WAYS = {"local, 1 thread": ({"threads": 1, "search": {"threads": 1}}, False),
        "local, 2 threads": ({"threads": 2, "search": {"threads": 2}}, False),
        "ray: worker(s) + learner actor": ({"threads": 1, "search": {"threads": 1}}, True)}


def seconds_per_iteration(game: str, iterations: int, config: dict, workers: int | None) -> float:
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "config.json"
        path.write_text(json.dumps({**config, "eval": {"every": 0, "elo_every": 0}}))
        if workers is not None:
            import ray

            ray.init(num_cpus=workers + STAGE_CPUS, include_dashboard=False)  # train(ray="auto") joins this one
        train(game, Path(tmp) / "run", config_path=path, iterations=iterations, progress=False,
              ray="auto" if workers is not None else None, ray_workers=workers)
        clock = [r["elapsed"] for r in read_metrics(Path(tmp) / "run")]
    return statistics.median(b - a for a, b in zip(clock[1:], clock[2:]))


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--game", default="connect4")
    p.add_argument("--iterations", type=int, default=5)
    p.add_argument("--rounds", type=int, default=2)
    p.add_argument("--workers", type=int, default=1)
    p.add_argument("--out", type=Path, default=Path("bench/results/ray_pipeline.json"))
    args = p.parse_args()
    rounds = []
    for r in range(args.rounds):
        row = {}
        for name, (config, on_ray) in WAYS.items():
            row[name] = round(seconds_per_iteration(args.game, args.iterations, config,
                                                    args.workers if on_ray else None), 2)
            print(f"round {r + 1}: {name}: {row[name]} s/iteration", flush=True)
        rounds.append(row)
    medians = {name: statistics.median(row[name] for row in rounds) for name in WAYS}
    base = medians["local, 1 thread"]
    write_json(args.out, {"game": args.game, "iterations": args.iterations, "workers": args.workers, "rounds": rounds,
                          "median_s_per_iteration": medians,
                          "speedup_vs_local_1_thread": {k: round(base / v, 3) for k, v in medians.items()}})
    print(json.dumps(medians), flush=True)


if __name__ == "__main__":
    main()
