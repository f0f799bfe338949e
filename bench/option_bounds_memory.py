"""Memory behind the option bounds (move37.agents.options, docs/protocols.md "Bounds"): what a full
alpha-beta transposition table and a zero agent's search tree take, measured with tracemalloc.

Alpha-beta's table is a Python list of 5-tuples (key, depth, flag, value, action), one per slot
when full; the zero agent's tree holds arrays and one game state per node. Both grow linearly
with their option (tt_size, sims), so the bench measures at the outside top and scales to `high`.

    .venv/bin/python bench/option_bounds_memory.py    # writes bench/results/option_bounds_memory.json
"""

from __future__ import annotations

import platform
import random
import tracemalloc
import typing
from pathlib import Path

from move37 import agents, games
from move37.agents.options import Simulations, TableSlots
from move37.atomic import write_json
from move37.search.alphabeta import AlphaBeta

OUT = Path(__file__).resolve().parent / "results" / "option_bounds_memory.json"


def bound(annotation):
    return typing.get_args(annotation)[1]


def traced(build) -> tuple[object, int]:
    """(what build() returned, the bytes it holds), by tracemalloc."""
    tracemalloc.start()
    before = tracemalloc.get_traced_memory()[0]
    held = build()
    after = tracemalloc.get_traced_memory()[0]
    tracemalloc.stop()
    return held, after - before


def full_table(slots: int) -> AlphaBeta:
    search = AlphaBeta(games.make("connect4"), depth=1, tt_size=slots)
    rng = random.Random(0)
    for i in range(slots):  # the tuple _store writes: (key, depth, flag, value, action)
        search._tt[i] = (rng.getrandbits(64), i % 40, i % 3, rng.random(), i % 7)
    return search


def zero_tree(sims: int):
    game = games.make("connect4")
    agent = agents.make(f"zero:sims={sims}", game)
    agent.analyse(game.initial_state())
    return agent


def main() -> None:
    slots, sims = int(bound(TableSlots).outside), int(bound(Simulations).outside)
    _, table = traced(lambda: full_table(slots))
    _, tree = traced(lambda: zero_tree(sims))
    rows = {
        "tt_size": {"measured_at": slots, "bytes": table, "high": int(bound(TableSlots).high),
                    "bytes_at_high": table * int(bound(TableSlots).high) // slots},
        "sims (zero, connect4)": {"measured_at": sims, "bytes": tree, "high": int(bound(Simulations).high),
                                  "bytes_at_high": tree * int(bound(Simulations).high) // sims},
    }
    for name, row in rows.items():
        print(f"{name}: {row['bytes'] / 2**20:.0f} MB at {row['measured_at']}, "
              f"{row['bytes_at_high'] / 2**30:.1f} GB at {row['high']}")
    write_json(OUT, {"python": platform.python_version(), "rows": rows})


if __name__ == "__main__":
    main()
