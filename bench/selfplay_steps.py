"""Where move37's batched search spends its time: CPU microseconds per simulation step.

Runs the benchmark's move37 self-play row (Connect Four, Gumbel, 32 simulations a move,
64 games, compiled store, no network) on the unfused loop (`fused=False`: the fused
search is one compiled call per move, see bench/selfplay.py) with each stage of
`BatchedSearch` wrapped by a `time.process_time` counter, one thread per pool. Stages nest: "run" holds select,
_fill (which holds evaluate), store.expand and backup; "advance" holds set_root. The
wrappers cost about a microsecond each, so small entries are upper bounds.

    .venv/bin/python bench/selfplay_steps.py        -> bench/results/selfplay_steps.json
"""

from __future__ import annotations

import argparse
import collections
import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def _wrap(obj, name: str, label: str, acc: collections.Counter) -> None:
    inner = getattr(obj, name)

    def timed(*args, **kwargs):
        start = time.process_time()
        try:
            return inner(*args, **kwargs)
        finally:
            acc[label] += time.process_time() - start

    setattr(obj, name, timed)


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--games", type=int, default=64)
    p.add_argument("--out", type=Path, default=ROOT / "bench" / "results" / "selfplay_steps.json")
    args = p.parse_args(argv)
    from bench.selfplay import set_threads, write_json

    set_threads(1)
    import move37.search.batched as ts
    from bench.peers import move37_runs

    acc: collections.Counter = collections.Counter()
    _wrap(ts.gumbel, "select", "gumbel.select", acc)
    _wrap(ts, "backup", "backup", acc)
    made = []
    original_init = ts.BatchedSearch.__init__

    def init(self, *a, **kw):
        original_init(self, *a, **{**kw, "fused": False})
        made.append(self)

    ts.BatchedSearch.__init__ = init
    once, meta = move37_runs.selfplay(None, args.games, 32, 8, store="bitboard")
    search = made[-1]
    for name, label in [("run", "run (total)"), ("_fill", "_fill (with evaluate)"), ("evaluate", "evaluate"),
                        ("advance", "advance (between moves)"), ("set_root", "set_root (between moves)")]:
        _wrap(search, name, label, acc)
    _wrap(search.store, "expand", "store.expand", acc)
    acc.clear()
    start = time.process_time()
    once()
    total = time.process_time() - start
    steps = meta["moves_per_call"] * 32
    per_step = {label: round(seconds / steps * 1e6, 1) for label, seconds in acc.most_common()}
    data = {"command": " ".join([os.path.relpath(sys.executable, ROOT), "bench/selfplay_steps.py",
                                 *(argv if argv is not None else sys.argv[1:])]),
            "finished": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()), "loadavg": os.getloadavg(),
            "games": args.games, "moves": meta["moves_per_call"], "cpu_us_per_step": round(total / steps * 1e6, 1),
            "cpu_us_per_step_by_stage": per_step}
    write_json(args.out, data)
    print(f"{data['cpu_us_per_step']} CPU us per simulation step of {args.games} games ({data['moves']} moves)")
    for label, us in per_step.items():
        print(f"  {label:28s} {us:7.1f} us")
    print(f"wrote {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
