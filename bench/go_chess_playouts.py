"""Random playouts per second for Go (9x9, 19x19) and chess through the game API.

A playout is a whole game from the initial position with uniformly random legal
actions (pass included in Go), walked with `legal_actions` and `play` exactly as a
pure-Python search would walk them. Reports games/s (wall clock and per CPU second of
this process, which is the fairer figure on a shared machine), moves/s and mean length.

    .venv/bin/python bench/go_chess_playouts.py      # writes bench/results/go_chess_playouts.json
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import time
from pathlib import Path

import numpy as np

from move37 import games

SPECS = {"go": 200, "go:size=19": 20, "chess": 20}  # spec -> playouts


def playouts(spec: str, count: int, seed: int) -> dict:
    game = games.make(spec)
    rng = np.random.default_rng(seed)
    state = game.initial_state()  # warm-up: compiled kernels load before the clock starts
    state.play(int(state.legal_actions()[0]))
    moves, outcomes = 0, []
    start, cpu_start = time.perf_counter(), time.process_time()
    for _ in range(count):
        state = game.initial_state()
        while not state.is_terminal():
            legal = state.legal_actions()
            state = state.play(int(legal[rng.integers(len(legal))]))
            moves += 1
        outcomes.append(float(state.returns()[0]))
    seconds, cpu = time.perf_counter() - start, time.process_time() - cpu_start
    return {"spec": spec, "playouts": count, "seconds": round(seconds, 3), "cpu_seconds": round(cpu, 3),
            "playouts_per_s": round(count / seconds, 2), "playouts_per_cpu_s": round(count / cpu, 2),
            "moves_per_s": round(moves / seconds, 1), "mean_length": round(moves / count, 1),
            "first_player_score": round(float(np.mean([(o + 1) / 2 for o in outcomes])), 3)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--out", default=str(Path(__file__).parent / "results" / "go_chess_playouts.json"))
    args = parser.parse_args()
    rows = [playouts(spec, n, args.seed) for spec, n in SPECS.items()]
    for r in rows:
        print(f"{r['spec']:<12} {r['playouts_per_s']:>8} playouts/s ({r['playouts_per_cpu_s']} per CPU s) "
              f"{r['moves_per_s']:>9} moves/s  mean length {r['mean_length']}")
    report = {"benchmark": "go_chess_playouts", "machine": platform.processor() or platform.machine(),
              "cpus": os.cpu_count(), "python": platform.python_version(), "results": rows}
    Path(args.out).parent.mkdir(parents=True, exist_ok=True)
    Path(args.out).write_text(json.dumps(report, indent=2) + "\n")


if __name__ == "__main__":
    main()
