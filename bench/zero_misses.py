"""Where a network's search misses the solver's best Connect Four move, and why.

    .venv/bin/python bench/zero_misses.py [--net PATH] [--sims 1024] [--positions N --seed S] [--out FILE]

Searches every labelled position (the sets of bench/zero_search_sims.py: training's 300 by
default, or N drawn with seed S) with the zero player's search, then sorts each miss:

- by what it costs: the result kept but not the exact score (a slower win, a faster loss)
  or the result changed (a win or draw given away);
- by the game's phase: plies played before the position (0-11, 12-23, 24 and more);
- by what the search saw: whether one of the optimal moves had the higher root value
  (then the final choice between near-equal moves went wrong) or not (the network's
  values themselves put the optimal move behind).

Writes bench/results/zero_misses.json: the counts and one row per miss (moves, best
actions, the chosen one, both solver scores and root values and visits).
"""

from __future__ import annotations

import argparse
import collections
import json
import time
from pathlib import Path

import numpy as np
import torch

from move37 import games, solvers
from move37.agents.zero import MODELS, play_config
from move37.atomic import write_json
from move37.nets import evaluator, load_net
from move37.train import evaluate as ev
from zero_search_sims import labels_for


def phase(plies: int) -> str:
    return "0-11" if plies < 12 else "12-23" if plies < 24 else "24+"


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--net", type=Path, default=MODELS / "connect4.safetensors")
    p.add_argument("--sims", type=int, default=1024, help="simulations per position (default 1024, the player's)")
    p.add_argument("--seed", type=int, help="draw other positions with this seed (default: training's 300)")
    p.add_argument("--positions", type=int, default=1000, help="with --seed: how many (default 1000)")
    p.add_argument("--out", type=Path, default=Path("bench/results/zero_misses.json"))
    args = p.parse_args()
    torch.set_num_threads(1)
    game = games.make("connect4")
    evaluate, search = evaluator(load_net(args.net, "connect4")), play_config(args.net)
    labels = labels_for(game, args.seed, args.positions)
    start = time.perf_counter()
    results = ev.searched_moves(game, evaluate, labels, args.sims, search)
    solver = solvers.for_game(game)
    counts: collections.Counter = collections.Counter()
    misses = []
    for label, (action, q, visits) in zip(labels, results):
        if action in label["best"]:
            continue
        scores = solver.move_scores(game.state_from_moves(label["moves"]))
        best = max(label["best"], key=lambda a: visits[a])  # the optimal move the search looked at most
        kept = np.sign(scores[action]) == np.sign(scores[best])
        cost = ("slower win" if scores[best] > 0 else "faster loss") if kept else "result changed"
        seen = "optimal move valued higher" if max(q[a] for a in label["best"]) > q[action] else "chosen move valued higher"
        plies = len(label["moves"])
        counts[f"cost: {cost}"] += 1
        counts[f"phase: {phase(plies)}"] += 1
        counts[f"search: {seen}"] += 1
        misses.append({"moves": label["moves"], "best": label["best"], "chosen": action, "score_best": int(scores[best]),
                       "score_chosen": int(scores[action]), "q_best": round(float(q[best]), 4),
                       "q_chosen": round(float(q[action]), 4), "visits_best": int(visits[best]),
                       "visits_chosen": int(visits[action])})
    report = {"net": str(args.net), "sims": args.sims, "positions": len(labels), "seed": args.seed,
              "optimal": round(1 - len(misses) / len(labels), 4), "misses": len(misses),
              "counts": dict(sorted(counts.items())), "seconds": round(time.perf_counter() - start, 1)}
    print(json.dumps(report, indent=1), flush=True)
    write_json(args.out, {**report, "rows": misses}, indent=1)


if __name__ == "__main__":
    main()
