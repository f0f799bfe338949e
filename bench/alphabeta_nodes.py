"""Alpha-beta speed per game: nodes per second of the pure-Python search (the Deep Blue baseline).

For each game, searches a fixed set of positions (the start and seeded random
positions a few plies in) to a fixed depth with the game's hand-written evaluation
and the transposition table on, and reports nodes, seconds and nodes/s. Also
reports the table's effect (nodes with it off) on the same positions.

    .venv/bin/python bench/alphabeta_nodes.py            # writes bench/results/alphabeta_nodes.json
"""

from __future__ import annotations

import argparse
import os
import platform
import time
from pathlib import Path

import numpy as np

from move37 import games
from move37.atomic import write_json
from move37.search.alphabeta import AlphaBeta

# game -> search depth: deep enough that a search takes around a second in CPython.
DEPTHS = {"tictactoe": 9, "connect4": 10, "othello": 6}


def positions(game, count: int, seed: int) -> list:
    """The start plus count-1 positions after 2..10 random plies (live ones only)."""
    rng = np.random.default_rng(seed)
    out = [game.initial_state()]
    while len(out) < count:
        state = game.initial_state()
        for _ in range(int(rng.integers(2, 11))):
            state = state.play(int(rng.choice(state.legal_actions())))
            if state.is_terminal():
                break
        if not state.is_terminal():
            out.append(state)
    return out


def measure(name: str, depth: int, count: int, seed: int, tt_size: int) -> dict:
    game = games.make(name)
    nodes = seconds = 0.0
    reached = []
    for state in positions(game, count, seed):
        search = AlphaBeta(game, depth=depth, tt_size=tt_size)
        start = time.perf_counter()
        r = search.search(state)
        seconds += time.perf_counter() - start
        nodes += r.nodes
        reached.append(r.depth)
    return {"game": name, "depth": depth, "positions": count, "tt_size": tt_size, "nodes": int(nodes),
            "seconds": round(seconds, 3), "nodes_per_second": round(nodes / seconds), "depth_reached": reached}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--games", nargs="+", default=list(DEPTHS))
    parser.add_argument("--positions", type=int, default=12)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--out", default="bench/results/alphabeta_nodes.json")
    args = parser.parse_args()
    rows = []
    for name in args.games:
        with_tt = measure(name, DEPTHS[name], args.positions, args.seed, 1 << 20)
        without = measure(name, DEPTHS[name], args.positions, args.seed, 0)
        with_tt["nodes_without_tt"] = without["nodes"]
        with_tt["nodes_per_second_without_tt"] = without["nodes_per_second"]
        rows.append(with_tt)
        print(f"{name:<10} depth {with_tt['depth']}: {with_tt['nodes']} nodes in {with_tt['seconds']} s = "
              f"{with_tt['nodes_per_second']} nodes/s (without TT: {without['nodes']} nodes, "
              f"{without['nodes_per_second']} nodes/s)", flush=True)
    result = {"benchmark": "alphabeta_nodes", "python": platform.python_version(), "machine": platform.machine(),
              "cpus": os.cpu_count(), "rows": rows}
    write_json(Path(args.out), result, indent=2)


if __name__ == "__main__":
    main()
