"""Self-play speed of move37's batched search: simulations/s, games/s, and the network's own
batched forward rate, on Connect Four with Gumbel root search (issue 4's setting).

    .venv/bin/python bench/zero_selfplay.py [--parallel 64] [--games 256] [--sims 32] [--repeats 3]

Cases: no network (uniform priors, value 0: tree and game only), the 28k-parameter MLP
(84-128-128), the 64x4 residual network. Each case plays `--games` games, `--parallel` of
them in flight at once (a finished game's slot starts a new one, as Pgx's auto-reset
does), `--repeats` times; medians are reported. Results go to bench/results/zero_selfplay.json.
"""

from __future__ import annotations

import argparse
import json
import statistics
import time
from pathlib import Path

import numpy as np
import torch

from move37 import games
from move37.nets import NetConfig, PolicyValueNet, evaluator, num_parameters
from move37.search.batched import BatchedSearch, SearchConfig
from move37.search.compiled import compiled_for
from move37.selfplay import SelfPlayConfig, play_games


def uniform(obs, legal):
    return (legal / legal.sum(1, keepdims=True)).astype(np.float32), np.zeros(len(obs), np.float32)


def forward_rate(evaluate, game, batch: int, seconds: float = 2.0) -> float:
    """Positions per second of evaluate() alone on batches of `batch` real positions."""
    rng = np.random.default_rng(0)
    states = []
    for _ in range(batch):
        s = game.initial_state()
        for _ in range(int(rng.integers(0, 20))):
            if s.is_terminal():
                break
            s = s.play(int(rng.choice(s.legal_actions())))
        states.append(s if not s.is_terminal() else game.initial_state())
    obs = np.stack([s.encode() for s in states])
    legal = np.stack([s.legal_mask() for s in states])
    evaluate(obs, legal)
    n, start = 0, time.perf_counter()
    while time.perf_counter() - start < seconds:
        evaluate(obs, legal)
        n += batch
    return n / (time.perf_counter() - start)


def selfplay_rate(evaluate, game, parallel: int, num_games: int, sims: int, seed: int) -> dict:
    search = SearchConfig(algorithm="gumbel", gumbel_k=7)
    config = SelfPlayConfig(parallel_games=parallel, sims=sims, full_search_prob=1.0)
    searcher = BatchedSearch(game, evaluate, search, parallel, sims, compiled_for(game))
    start = time.perf_counter()
    records = play_games(game, evaluate, search, config, num_games, np.random.default_rng(seed), searcher)
    dt = time.perf_counter() - start
    plies = sum(len(game.split_moves(r.moves)) for r in records)
    return {"seconds": dt, "simulations_per_s": searcher.simulations / dt, "games_per_s": len(records) / dt,
            "moves_per_s": plies / dt}


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--parallel", type=int, default=64)
    p.add_argument("--games", type=int, default=256)
    p.add_argument("--sims", type=int, default=32)
    p.add_argument("--repeats", type=int, default=3)
    p.add_argument("--threads", type=int, default=1)
    p.add_argument("--cases", default="no network,mlp 84-128-128,resnet 64x4", help="comma-separated subset")
    p.add_argument("--out", default="bench/results/zero_selfplay.json")
    args = p.parse_args()
    torch.set_num_threads(args.threads)
    game = games.make("connect4")
    info = game.info
    cases = {"no network": (uniform, None),
             "mlp 84-128-128": (None, NetConfig("mlp", hidden=(128, 128))),
             "resnet 64x4": (None, NetConfig("resnet", channels=64, blocks=4, hidden=(64,)))}
    selfplay_rate(uniform, game, 4, 4, 4, 0)  # compile the kernels outside the timings
    rows = []
    for name, (fn, cfg) in cases.items():
        if name not in args.cases.split(","):
            continue
        params = 0
        if cfg is not None:
            torch.manual_seed(0)
            net = PolicyValueNet(info.observation_shape, info.num_actions, cfg)
            fn, params = evaluator(net), num_parameters(net)
        runs = [selfplay_rate(fn, game, args.parallel, args.games, args.sims, seed) for seed in range(args.repeats)]
        fwd = statistics.median(forward_rate(fn, game, args.parallel) for _ in range(args.repeats)) if cfg else None
        row = {"case": name, "parameters": params,
               **{k: statistics.median(r[k] for r in runs) for k in runs[0]},
               "forward_positions_per_s": fwd}
        if fwd:
            row["selfplay_share_of_forward_rate"] = row["simulations_per_s"] / fwd
        rows.append(row)
        print(json.dumps({k: round(v, 3) if isinstance(v, float) else v for k, v in row.items()}), flush=True)
    out = {"game": "connect4", "search": "gumbel", "games_in_parallel": args.parallel, "games": args.games, "sims": args.sims,
           "repeats": args.repeats, "torch_threads": args.threads, "cases": rows}
    Path(args.out).parent.mkdir(parents=True, exist_ok=True)
    Path(args.out).write_text(json.dumps(out, indent=1))


if __name__ == "__main__":
    main()
