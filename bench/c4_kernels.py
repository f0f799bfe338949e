"""Connect Four: the compiled bitboard kernels against the object-level game.

Random playouts/s from the empty board: `_connect4_kernels.random_playouts` (one
compiled call over a batch) against `ConnectFourState.play` driven from Python.
(The `mcts:` agent's compiled UCT over these kernels, move37.search._mcts_compiled,
is measured beside OpenSpiel's MCTS by `bench/selfplay.py --parts openspiel,mcts`.)

    .venv/bin/python bench/c4_kernels.py

Writes bench/results/c4_kernels.json.
"""

from __future__ import annotations

import argparse
import os
import random
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.selfplay import environment, write_json  # noqa: E402
from move37.games import _connect4_kernels as k  # noqa: E402
from move37.games import make  # noqa: E402


def playouts_kernel(n: int):
    """`n` playouts from the empty board in one compiled call."""
    position, mask = np.zeros(n, np.int64), np.zeros(n, np.int64)
    k.random_playouts(position[:1], mask[:1], 0)  # compile
    seeds = iter(range(1, 10**6))
    return lambda: (k.random_playouts(position, mask, next(seeds)), n)[1], {"playouts_per_call": n}


def playouts_objects(n: int):
    """`n` playouts from the empty board through `ConnectFourState.play`."""
    game, rng = make("connect4"), random.Random(0)

    def once() -> float:
        for _ in range(n):
            state = game.initial_state()
            while not state.is_terminal():
                legal = state.legal_actions()
                state = state.play(int(legal[rng.randrange(len(legal))]))
        return n

    return once, {"playouts_per_call": n}


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--repeats", type=int, default=5)
    p.add_argument("--playouts", type=int, default=100_000, help="kernel playouts per timed call")
    p.add_argument("--object-playouts", type=int, default=2_000, help="object-level playouts per timed call")
    p.add_argument("--out", type=Path, default=ROOT / "bench" / "results" / "c4_kernels.json")
    args = p.parse_args(argv)
    from bench.selfplay import _prepare, print_table, run_rows

    load_start = os.getloadavg()
    rows = {}
    _prepare(rows, "playouts/kernel", lambda: playouts_kernel(args.playouts))
    _prepare(rows, "playouts/objects", lambda: playouts_objects(args.object_playouts))
    results = run_rows(rows, args.repeats)
    ratios, a, b = {}, results["playouts/kernel"], results["playouts/objects"]
    if a.get("available") and b.get("available"):
        ratios["kernel vs objects playouts"] = {"wall": a["median"] / b["median"],
                                                "cpu": a["median_cpu"] / b["median_cpu"]}
    python = os.path.relpath(sys.executable, ROOT) if sys.executable.startswith(str(ROOT)) else sys.executable
    data = {"command": " ".join([python, "bench/c4_kernels.py", *(argv if argv is not None else sys.argv[1:])]),
            "finished": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()), "loadavg_start": load_start,
            "loadavg_end": os.getloadavg(), "environment": environment(), "results": results, "ratios": ratios}
    write_json(args.out, data)
    print_table(results, ratios)
    print(f"wrote {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
