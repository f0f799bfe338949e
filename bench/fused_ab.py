"""Before and after of a change to the fused Gumbel kernels, in one process: nothing slower?

Two versions of move37/search/_fused_gumbel.py (the current one and another file, e.g. main's
before the change: `git show main:src/move37/search/_fused_gumbel.py > /tmp/before.py`) run
in turn inside the same `BatchedSearch` (Connect Four self-play, 64 games, 32 simulations a
move, the compiled Connect Four store), swapped call by call (bench.peers.measure.interleaved),
so both see the same moments of a loaded machine; separate processes at load 5-7 differed by
more than the change being measured. The other file is compiled without Numba's disk cache
(a module loaded from a path has no importable name to cache under).

    PYTHONPATH=src .venv-bench/bin/python bench/fused_ab.py --before /tmp/before.py --rows none,mlp,none_t2

Rows: an evaluator ("none": uniform priors, "mlp": the 28k MLP) and, after `_t`, the search's
Numba threads. Prints the median simulations per CPU-second of each version and after/before.
"""

from __future__ import annotations

import argparse
import os
import sys
import types
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def load_uncached(path: Path) -> types.ModuleType:
    """The kernels module at `path`, compiled afresh (its `cache=True` turned off)."""
    module = types.ModuleType("fused_before")
    module.__file__ = str(path)
    sys.modules[module.__name__] = module
    exec(compile(path.read_text().replace("cache=True", "cache=False"), str(path), "exec"), module.__dict__)
    return module


def row(name: str, versions: dict[str, types.ModuleType], moves: int):
    """One timed call per version for row `name`: `moves` moves of every game with that version's kernels."""
    import numpy as np

    from bench.peers import move37_runs
    from move37.games import make
    from move37.search import batched
    from move37.search.batched import BatchedSearch, SearchConfig
    from move37.search.compiled import compiled_for

    net, _, threads = name.partition("_t")
    game = make("connect4")
    evaluate, _ = move37_runs.evaluator(None if net == "none" else net, "cpu")
    search = BatchedSearch(game, evaluate, SearchConfig(algorithm="gumbel", threads=int(threads or 1)), 64, 32,
                           compiled_for(game))
    rng = np.random.default_rng(0)
    for b in range(64):
        search.set_root(b, game.initial_state())

    def play(kernels: types.ModuleType, n: int) -> float:
        batched._fused_gumbel = kernels
        for _ in range(n):
            out = search.run(32, rng, explore=True)
            for b in np.flatnonzero(search.advance_all(out.action)):
                search.set_root(b, game.initial_state())
        return 64 * 32 * n

    for kernels in versions.values():
        play(kernels, 2)  # compile and warm up outside the timing
    return {label: (lambda k=kernels: play(k, moves)) for label, kernels in versions.items()}


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--before", type=Path, required=True, help="the other version of _fused_gumbel.py")
    p.add_argument("--rows", default="none,mlp", help="comma-separated: none, mlp, with _tN for N search threads")
    p.add_argument("--rounds", type=int, default=30, help="timed calls per version and row (the median is shown)")
    p.add_argument("--moves", type=int, default=4, help="moves of every game per timed call")
    args = p.parse_args(argv)
    for var in ("OMP_NUM_THREADS", "MKL_NUM_THREADS", "OPENBLAS_NUM_THREADS"):
        os.environ[var] = "1"
    import torch

    from bench.peers.measure import interleaved
    from move37.search import batched

    torch.set_num_threads(1)
    versions = {"before": load_uncached(args.before), "after": batched._fused_gumbel}
    for name in args.rows.split(","):
        timed = interleaved(row(name, versions, args.moves), args.rounds)
        b, a = timed["before"]["median_cpu"], timed["after"]["median_cpu"]
        load = sorted(timed["before"]["loads"])[len(timed["before"]["loads"]) // 2]
        print(f"{name}: before {b:,.0f} after {a:,.0f} simulations per CPU-second, after/before {a / b:.3f} "
              f"(median of {args.rounds}; load {load:.1f})", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
