"""How close each candidate value target is to the exact value, on solver-scored Connect Four positions.

    .venv/bin/python bench/zero_value_targets.py [--net PATH] [--sims 32,128,512]
                                                 [--positions N --seed S] [--out FILE]

Self-play trains the value head towards a mix of the game's discounted outcome and a value
the root search reports. This measures, for the network's discount g, the mean squared error
and the correlation against the exact value g ** plies_to_end (+ for a win, - for a loss, 0
for a draw; `solvers.connect4.plies_to_end`) of:

- `raw`: the network's own value of the position;
- `root_mean`: the root's mean backed-up value (what Gumbel search reported before: sequential
  halving spreads its first rounds' visits evenly over the considered moves, weak ones too);
- `improved`: the improved policy's value, discount * sum_a pi'(a) completed_Q(a), which the
  search reports now (`gumbel.root_decision`).

The positions are bench/zero_search_sims.py's (N drawn with seed S, labels kept in
bench/results/connect4_positions_N_S/). Writes bench/results/zero_value_targets.json.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import numpy as np
import torch
from tqdm import tqdm

from move37 import games
from move37.agents.zero import MODELS, play_config
from move37.atomic import write_json
from move37.nets import evaluator, load_net
from move37.search import BatchedSearch, compiled_for
from move37.solvers.connect4 import Connect4Solver, plies_to_end
from move37.train import evaluate as ev

BATCH = 128


def exact_values(game, labels: list[dict], discount: float) -> np.ndarray:
    """float64 (N,): the exact discounted value of each labelled position for its mover."""
    solver, out = Connect4Solver(game), []
    for label in tqdm(labels, desc="exact scores", unit="pos", leave=False):
        score, moves = solver.score(game.state_from_moves(label["moves"])), len(label["moves"])
        out.append(np.sign(score) * discount ** plies_to_end(score, moves))
    return np.array(out)


def candidates(game, evaluate, search_config, labels: list[dict], sims: int) -> dict[str, np.ndarray]:
    """Each candidate target (N,) after a search of `sims` simulations of every position."""
    search = BatchedSearch(game, evaluate, search_config, BATCH, sims, compiled_for(game))
    rows = {"raw": [], "root_mean": [], "improved": []}
    for start in range(0, len(labels), BATCH):
        part = labels[start:start + BATCH]
        for b in range(BATCH):
            search.set_root(b, game.state_from_moves(part[b]["moves"]) if b < len(part) else None)
        out = search.run(sims)
        t, n = search.tree, len(part)
        rows["raw"] += list(out.raw_value[:n])
        rows["root_mean"] += list(t.value_sum[:n, 0] / t.visits[:n, 0])
        rows["improved"] += list(out.value[:n])
    return {k: np.array(v, np.float64) for k, v in rows.items()}


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--net", type=Path, default=MODELS / "connect4.safetensors")
    p.add_argument("--sims", default="32,128,512", help="comma-separated simulation counts (each >= 1)")
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--positions", type=int, default=1000)
    p.add_argument("--out", type=Path, default=Path("bench/results/zero_value_targets.json"))
    args = p.parse_args()
    torch.set_num_threads(1)
    game = games.make("connect4")
    evaluate, config = evaluator(load_net(args.net, "connect4")), play_config(args.net)
    labels = ev.solver_labels(Path(f"bench/results/connect4_positions_{args.positions}_{args.seed}"), game,
                              args.positions, args.seed)
    exact = exact_values(game, labels, config.discount)
    rows = []
    for sims in (int(s) for s in args.sims.split(",")):
        for name, values in candidates(game, evaluate, config, labels, sims).items():
            row = {"sims": sims, "target": name, "mse": round(float(np.mean((values - exact) ** 2)), 4),
                   "corr": round(float(np.corrcoef(values, exact)[0, 1]), 4)}
            rows.append(row)
            print(json.dumps(row), flush=True)
    write_json(args.out, {"net": str(args.net), "discount": config.discount, "positions": len(labels),
                          "seed": args.seed, "rows": rows}, indent=1)


if __name__ == "__main__":
    main()
