"""How much search adds to a trained network: optimal- and good-move rates on the labelled
Connect Four positions at several simulation counts, per stage of the game and overall.

    .venv/bin/python bench/zero_search_sims.py [--net PATH] [--sims 0,32,128,512,2048]
                                              [--positions N --seed S] [--out FILE]

PATH defaults to the shipped network; writes bench/results/zero_search_sims.json. By
default the 300 positions are those of training's evaluation (drawn with seed 37 from the
positions shipped in move37/data). `--positions N --seed S` takes N others by training's rule
with seed S, kept in bench/results/connect4_positions_N_S/labels.json (folders made before
move37/data existed hold positions drawn from Pons's sets and are read as they are): a larger
set, for a narrower interval. Each rate comes with its 95% Wilson interval; the stages are
opening (plies up to 13), middle (14-27) and end (28 on), as Pons's sets divide the game.
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

STAGES = {"opening": range(0, 14), "middle": range(14, 28), "end": range(28, 42)}  # by plies played


def labels_for(game, seed: int | None, positions: int) -> list[dict]:
    """Training's 300 labelled positions (seed None), or `positions` others drawn with `seed`,
    kept in bench/results/connect4_positions_POSITIONS_SEED/labels.json."""
    if seed is None:
        return ev.shipped_labels(game, 300)
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
    rows = []
    for sims in (int(s) for s in args.sims.split(",")):
        start = time.perf_counter()
        row = {"sims": sims, **{f"{k}_all": v for k, v in ev.move_rates(game, evaluate, labels, sims, search).items()}}
        ci = binomtest(round(row["optimal_all"] * len(labels)), len(labels)).proportion_ci(method="wilson")
        row["optimal_all_95"] = [round(ci.low, 4), round(ci.high, 4)]
        for name, plies in STAGES.items():
            part = [label for label in labels if len(label["moves"]) in plies]
            row[name] = ev.move_rates(game, evaluate, part, sims, search)["optimal"] if part else None
        row["seconds"] = round(time.perf_counter() - start, 1)
        rows.append(row)
        print(json.dumps(row), flush=True)
    write_json(args.out, {"net": str(args.net), "positions": len(labels), "seed": args.seed, "rows": rows}, indent=1)


if __name__ == "__main__":
    main()
