"""Self-play speed, move37 beside its peers, in one run on the same machine.

Connect Four, Gumbel root search, 32 simulations a move, 64 games in flight, three
evaluation settings ("none": uniform priors and zero value, tree and game only;
"mlp": the 28k-parameter MLP 84-128-128; "resnet": 64 channels x 4 blocks), plus
random-rollout MCTS (move37's `mcts:` agent against OpenSpiel's C++ and Python MCTS)
and each network's own batched forward rate (JAX, PyTorch, and move37's evaluator),
so the search's overhead is visible. Every figure is the median of `--repeats`
timed calls, the rows taking turns (round-robin) so that compared rows see the same
moments of the shared machine's load; the 1-minute load average is recorded beside
each call.

It installs nothing: peers that are not importable (use `make bench-env` and run with
.venv-bench/bin/python) and move37 parts that do not exist yet are reported as
"not available".

    .venv-bench/bin/python bench/selfplay.py                 # everything, 5 repeats
    .venv-bench/bin/python bench/selfplay.py --parts pgx,move37 --repeats 3

Writes bench/results/selfplay.json (atomically) and prints a table.
"""

from __future__ import annotations

import argparse
import os
import platform
import sys
import time
import traceback
from pathlib import Path
from typing import Callable

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from move37.atomic import write_json  # noqa: E402

PARTS = ("forward", "pgx", "move37", "openspiel", "mcts")
NETS = (None, "mlp", "resnet")


def _label(net: str | None) -> str:
    return net or "none"


def _prepare(rows: dict, key: str, build: Callable[[], "Timed"]) -> None:
    """Build one row (compile, warm up) into rows[key]; an absent framework or move37
    part becomes a 'not available' record in its place."""
    print(f"  preparing {key} ...", file=sys.stderr, flush=True)
    try:
        rows[key] = build()
    except (ImportError, AttributeError) as e:
        rows[key] = {"available": False, "reason": f"{type(e).__name__}: {e}"}
    except Exception as e:  # a peer that breaks must not cost the other figures
        rows[key] = {"available": False, "reason": f"{type(e).__name__}: {e}", "traceback": traceback.format_exc()}


def run_rows(rows: dict, repeats: int) -> dict:
    """Time the prepared rows interleaved; results in the rows' order, missing ones explained."""
    from bench.peers.measure import interleaved

    ready = {key: row for key, row in rows.items() if isinstance(row, tuple)}
    timed = interleaved({key: once for key, (once, _) in ready.items()}, repeats)
    return {key: {"available": True, **row[1], **timed[key]} if key in ready else row for key, row in rows.items()}


def measure(args) -> dict:
    from bench.peers import move37_runs, openspiel_mcts, pgx_mctx, torch_nets

    rows = {}
    g, s, m = args.games, args.sims, args.moves
    kw = dict(seed=args.seed, calibrate=not args.fixed)  # every self-play row
    if "forward" in args.parts:
        for net in ("mlp", "resnet"):
            _prepare(rows, f"forward/jax/{net}", lambda: pgx_mctx.forward(net, g))
            _prepare(rows, f"forward/torch/{net}", lambda: torch_nets.forward(net, g))
            _prepare(rows, f"forward/move37/{net}", lambda: move37_runs.forward(net, g, device=args.device))
        _prepare(rows, "forward/numpy/mlp", lambda: move37_runs.forward_numpy_mlp(g))
    nets = [None if n == "none" else n for n in args.nets]
    if "pgx" in args.parts:
        for net in nets:
            moves = m if net != "resnet" else max(2, m // 4)
            _prepare(rows, f"selfplay/pgx_mctx/{_label(net)}",
                     lambda: pgx_mctx.selfplay(net, g, s, moves, **kw))
    if "move37" in args.parts:
        for store in args.stores:
            for net in nets:
                moves = m if net != "resnet" else max(2, m // 4)
                _prepare(rows, f"selfplay/move37/{store}/{_label(net)}",
                         lambda: move37_runs.selfplay(net, g, s, moves, device=args.device, store=store, **kw))
            if store != "bitboard":
                continue
            for net in nets:  # the fused search on Numba's threads (compiled-in evaluators only)
                if net != "resnet" and args.search_threads > 1:
                    _prepare(rows, f"selfplay/move37/{store}/{_label(net)}_t{args.search_threads}",
                             lambda: move37_runs.selfplay(net, g, s, m, store=store, threads=args.search_threads, **kw))
            if "mlp" in nets:
                _prepare(rows, f"selfplay/move37/{store}/mlp_nocache",  # without the compiled search's cache
                         lambda: move37_runs.selfplay("mlp", g, s, m, store=store, kernel_cache=False, **kw))
                _prepare(rows, f"selfplay/move37/{store}/mlp_torch",  # PyTorch evaluator, fused steps
                         lambda: move37_runs.selfplay("mlp_torch", g, s, m, store=store, **kw))
            if "resnet" in nets:  # with the training loop's evaluation cache
                moves = max(2, m // 4)
                _prepare(rows, f"selfplay/move37/{store}/resnet_cache",
                         lambda: move37_runs.selfplay("resnet", g, s, moves, device=args.device, store=store, cache=True,
                                              **kw))
    if "openspiel" in args.parts:
        _prepare(rows, "mcts/openspiel/cpp",
                 lambda: openspiel_mcts.selfplay("cpp", args.mcts_sims, games=args.mcts_games))
        _prepare(rows, "mcts/openspiel/python", lambda: openspiel_mcts.selfplay("python", args.mcts_sims, games=1))
    if "mcts" in args.parts:
        _prepare(rows, "mcts/move37/uct", lambda: move37_runs.uct(args.mcts_sims))
        _prepare(rows, "mcts/move37/uct_python", lambda: move37_runs.uct(args.mcts_sims, games=1, compiled=False))
    return run_rows(rows, args.repeats)


def ratios(results: dict) -> dict:
    """move37 / peer for every pair measured in this run: {pair: {"wall": x, "cpu": y}}
    (per wall-clock second and per CPU-second; see bench.peers.measure.interleaved)."""
    def pair(ours_key: str, peer_key: str) -> dict | None:
        ours, peer = results.get(ours_key, {}), results.get(peer_key, {})
        if not (ours.get("available") and peer.get("available")):
            return None
        return {"wall": ours["median"] / peer["median"], "cpu": ours["median_cpu"] / peer["median_cpu"]}

    wanted = {}
    for key in results:
        if key.startswith("selfplay/move37/"):
            _, _, store, net = key.split("/")
            base = net.split("_")[0]  # mlp_t2, mlp_torch, resnet_cache -> mlp, resnet
            wanted[f"{store}/{net} vs pgx+mctx"] = (key, f"selfplay/pgx_mctx/{base}")
            wanted[f"{store}/{net} vs its forward"] = (
                key, f"forward/move37/{base}")
    for kind in ("cpp", "python"):
        wanted[f"mcts vs openspiel {kind}"] = ("mcts/move37/uct", f"mcts/openspiel/{kind}")
        wanted[f"mcts python vs openspiel {kind}"] = ("mcts/move37/uct_python", f"mcts/openspiel/{kind}")
    out = {name: pair(*keys) for name, keys in wanted.items()}
    return {name: r for name, r in out.items() if r}


def environment() -> dict:
    versions = {}
    for name in ("numpy", "numba", "torch", "jax", "jaxlib", "mctx", "pgx", "open_spiel"):
        try:
            from importlib.metadata import version

            versions[name] = version(name.replace("_", "-"))
        except Exception:
            versions[name] = None
    return {"python": platform.python_version(), "platform": platform.platform(), "cpus": os.cpu_count(),
            "processor": platform.processor(), "versions": versions}


def print_table(results: dict, ratios_: dict) -> None:
    print(f"{'figure':40s} {'per wall s':>12s} {'per CPU s':>12s}  load")
    for key, row in results.items():
        shown = (f"{row['median']:12,.0f} {row['median_cpu']:12,.0f}  {row['load_median']:.1f}"
                 if row.get("available") else "not available")
        print(f"{key:40s} {shown}")
    for key, r in ratios_.items():
        print(f"ratio {key:34s} {r['wall']:8.2f}x wall {r['cpu']:8.2f}x CPU")


def set_threads(n: int) -> None:
    """Cap every thread pool at n before the frameworks start (on a shared 2-core machine
    a pool of 2 spin-waiting threads can be many times slower than 1)."""
    for var in ("OMP_NUM_THREADS", "MKL_NUM_THREADS", "OPENBLAS_NUM_THREADS"):
        os.environ[var] = str(n)
    if n == 1:
        os.environ["XLA_FLAGS"] = (os.environ.get("XLA_FLAGS", "") +
                                   " --xla_cpu_multi_thread_eigen=false intra_op_parallelism_threads=1").strip()
    import torch

    torch.set_num_threads(n)  # Numba's pool is left alone: only the rows *_tN use it (--search-threads)


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--repeats", type=int, default=5, help="timed calls per figure (the median is reported)")
    p.add_argument("--games", type=int, default=64, help="games in flight (the evaluation batch)")
    p.add_argument("--sims", type=int, default=32, help="Gumbel simulations a move")
    p.add_argument("--moves", type=int, default=8, help="moves of all games per timed call (a quarter for resnet)")
    p.add_argument("--fixed", action="store_true",
                   help="every self-play row plays exactly --moves moves per timed call (no calibration by time), "
                        "so runs at different moments time the same games")
    p.add_argument("--seed", type=int, default=0,
                   help="seed of the random networks and of the games (each peer draws its own network from it)")
    p.add_argument("--mcts-sims", type=int, default=200, help="UCT simulations a move (move37 and OpenSpiel)")
    p.add_argument("--mcts-games", type=int, default=2, help="games per timed call for OpenSpiel C++ MCTS")
    p.add_argument("--parts", default=",".join(PARTS), help=f"comma-separated subset of {','.join(PARTS)}")
    p.add_argument("--nets", default="none,mlp,resnet",
                   help="evaluation settings of the self-play rows: none (uniform priors, zero value), mlp, resnet")
    p.add_argument("--stores", default="generic,bitboard",
                   help="move37 game stepping: generic (State objects), bitboard (compiled Connect Four)")
    p.add_argument("--threads", type=int, default=0,
                   help="threads of every library's thread pool (torch, OpenMP, BLAS, XLA); 0: each library's default")
    p.add_argument("--search-threads", type=int, default=2,
                   help="also time move37's fused search on this many Numba threads (rows *_tN; 1: no such rows)")
    p.add_argument("--device", default="cpu", help="torch device for move37's network (cpu, cuda)")
    p.add_argument("--out", type=Path, default=ROOT / "bench" / "results" / "selfplay.json")
    args = p.parse_args(argv)
    args.parts = [x for x in args.parts.split(",") if x]
    args.stores = [x for x in args.stores.split(",") if x]
    args.nets = [x for x in args.nets.split(",") if x]
    bad = [x for x in args.parts if x not in PARTS] + [x for x in args.nets if x not in map(_label, NETS)]
    if bad or args.repeats < 1:
        p.error(f"unknown parts or nets {bad}" if bad else "--repeats must be >= 1")
    if args.device != "cpu":
        import torch

        if not args.device.startswith("cuda") or not torch.cuda.is_available():
            p.error(f"--device {args.device}: torch {torch.__version__} sees no such device here "
                    f"(CUDA available: {torch.cuda.is_available()}); see the README for a CUDA build")
    if args.threads:
        set_threads(args.threads)
    started = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())
    load_start = os.getloadavg()
    results = measure(args)
    python = os.path.relpath(sys.executable, ROOT) if sys.executable.startswith(str(ROOT)) else sys.executable
    data = {"command": " ".join([python, "bench/selfplay.py", *(argv if argv is not None else sys.argv[1:])]),
            "started": started, "finished": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
            "loadavg_start": load_start, "loadavg_end": os.getloadavg(), "environment": environment(),
            "settings": {k: v for k, v in vars(args).items() if k != "out"} | {"out": str(args.out)},
            "results": results, "ratios": ratios(results)}
    write_json(args.out, data)
    print_table(results, data["ratios"])
    print(f"wrote {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
