"""How much search adds to a trained network: optimal- and good-move rates on the labelled
Connect Four positions at several simulation counts, per Pons set and overall.

    .venv/bin/python bench/zero_search_sims.py [--net PATH] [--sims 0,32,128,512,2048]
                                              [--positions N --seed S] [--out FILE]

PATH defaults to the shipped network; writes bench/results/zero_search_sims.json. By
default the 300 positions are those of training's evaluation (move37/models/connect4_labels.json,
60 from each set in order). `--positions N --seed S` draws N others (N/5 from each set, by
the training evaluation's rule with seed S), labels them with the solver once and keeps
the labels in bench/results/connect4_positions_N_S/labels.json: a larger set that
training never measured, for a narrower interval. Each rate comes with its 95% Wilson
interval.
"""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path

import torch
from scipy.stats import binomtest

from move37 import games
from move37.agents.zero import MODELS, play_config
from move37.atomic import write_json
from move37.nets import evaluator, load_net
from move37.train import evaluate as ev

SETS = ("Test_L3_R1", "Test_L2_R1", "Test_L2_R2", "Test_L1_R1", "Test_L1_R2")  # the order of the labels file


def labels_for(game, seed: int | None, positions: int) -> list[dict]:
    """Training's 300 labelled positions (seed None), or `positions` others drawn with `seed`, solved once and
    kept in bench/results/connect4_positions_POSITIONS_SEED/labels.json."""
    if seed is None:
        return json.loads((MODELS / "connect4_labels.json").read_text())["labels"]
    return ev.solver_labels(Path(f"bench/results/connect4_positions_{positions}_{seed}"), game, positions, seed)


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--net", type=Path, default=MODELS / "connect4.safetensors")
    p.add_argument("--sims", default="0,32,128,512,2048", help="comma-separated simulation counts (0 = raw policy)")
    p.add_argument("--seed", type=int, help="draw other positions with this seed (default: training's 300)")
    p.add_argument("--positions", type=int, default=1000, help="with --seed: how many (default 1000)")
    p.add_argument("--out", type=Path, default=Path("bench/results/zero_search_sims.json"))
    args = p.parse_args()
    torch.set_num_threads(1)  # batches of at most 128 positions: a second thread costs more than it gives
    game = games.make("connect4")
    evaluate, search = evaluator(load_net(args.net, "connect4")), play_config(args.net)
    labels = labels_for(game, args.seed, args.positions)
    per_set = len(labels) // len(SETS)
    rows = []
    for sims in (int(s) for s in args.sims.split(",")):
        start = time.perf_counter()
        row = {"sims": sims, **{f"{k}_all": v for k, v in ev.move_rates(game, evaluate, labels, sims, search).items()}}
        ci = binomtest(round(row["optimal_all"] * len(labels)), len(labels)).proportion_ci(method="wilson")
        row["optimal_all_95"] = [round(ci.low, 4), round(ci.high, 4)]
        for i, name in enumerate(SETS):
            part = labels[i * per_set:(i + 1) * per_set]
            row[name] = ev.move_rates(game, evaluate, part, sims, search)["optimal"]
        row["seconds"] = round(time.perf_counter() - start, 1)
        rows.append(row)
        print(json.dumps(row), flush=True)
    write_json(args.out, {"net": str(args.net), "positions": len(labels), "seed": args.seed, "rows": rows}, indent=1)


if __name__ == "__main__":
    main()
