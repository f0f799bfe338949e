"""Connect Four: the compiled bitboard kernels against the object-level game.

1. Random playouts/s from the empty board: `_connect4_kernels.random_playouts` (one
   compiled call over a batch) against `ConnectFourState.play` driven from Python.
2. How far a compiled search goes with these kernels: a UCT sketch (random rollouts,
   UCB1, the tree in arrays, everything in one Numba call per move) against move37's
   `mcts:` agent and, when pyspiel is importable, OpenSpiel's C++ MCTSBot, all with
   the same simulations per move and UCT constant. The sketch is a measurement of what
   the `mcts:` agent could reach on a compiled path, not a player.

    .venv-bench/bin/python bench/c4_kernels.py     (or .venv/bin/python without OpenSpiel)

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
from numba import njit

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


@njit(cache=True)
def uct_move(position, mask, sims, c, capacity):
    """One UCT search from (position, mask): root visit counts (7,). Numba's generator
    must be seeded by the caller. Values are stored for the player who moved into a node."""
    visits = np.zeros(capacity, np.int32)
    total = np.zeros(capacity, np.float32)
    children = np.full((capacity, k.WIDTH), -1, np.int32)
    expanded = np.zeros(capacity, np.bool_)
    pos = np.zeros(capacity, np.int64)
    msk = np.zeros(capacity, np.int64)
    pos[0], msk[0] = position, mask
    nodes = 1
    path = np.zeros(k.WIDTH * k.HEIGHT + 2, np.int32)
    for _ in range(sims):
        node, depth = 0, 0
        path[0] = 0
        while not k.is_terminal_one(pos[node], msk[node]):
            if not expanded[node]:
                expanded[node] = True
                for a in range(k.WIDTH):
                    if k.can_play(msk[node], a) and nodes < capacity:
                        children[node, a] = nodes
                        pos[nodes], msk[nodes] = k.play_one(pos[node], msk[node], a)
                        nodes += 1
            best, best_score = -1, -np.inf
            log_n = np.log(max(visits[node], 1))
            for a in range(k.WIDTH):
                ch = children[node, a]
                if ch < 0:
                    continue
                if visits[ch] == 0:
                    score = 1e30 + np.random.random()  # unvisited first, ties at random
                else:
                    score = total[ch] / visits[ch] + c * np.sqrt(log_n / visits[ch])
                if score > best_score:
                    best, best_score = ch, score
            if best < 0:
                break
            node = best
            depth += 1
            path[depth] = node
            if visits[node] == 0:
                break
        if k.is_terminal_one(pos[node], msk[node]):
            value = k.terminal_value_one(pos[node], msk[node])
        else:
            value = k.random_playout_one(pos[node], msk[node])
        # `value` is for the player to move at the leaf; the leaf's stored value is for its parent's mover.
        for d in range(depth, -1, -1):
            visits[path[d]] += 1
            total[path[d]] -= value
            value = -value
    out = np.zeros(k.WIDTH, np.int32)
    for a in range(k.WIDTH):
        if children[0, a] >= 0:
            out[a] = visits[children[0, a]]
    return out


@njit(cache=True)
def _seed(seed):
    """Seed Numba's own generator (separate from NumPy's)."""
    np.random.seed(seed)


@njit(cache=True)
def uct_selfplay(games, sims, c, seed):
    """Play `games` whole games, both sides by UCT; returns the number of moves played."""
    np.random.seed(seed)
    moves = 0
    for _ in range(games):
        position, mask = np.int64(0), np.int64(0)
        while not k.is_terminal_one(position, mask):
            counts = uct_move(position, mask, sims, c, sims * k.WIDTH + 1)
            position, mask = k.play_one(position, mask, np.argmax(counts))
            moves += 1
    return moves


def check_sketch(sims: int, games: int = 20) -> dict:
    """Evidence that the sketch is a working UCT: it takes an immediate win, blocks the
    opponent's, and beats a uniformly random player (alternating colours)."""
    game = make("connect4")
    np_seed = np.random.default_rng(0)

    def best(state) -> int:
        _seed(int(np_seed.integers(1 << 30)))
        counts = uct_move(np.int64(state.position), np.int64(state.mask), sims, 2.0, sims * k.WIDTH + 1)
        return int(np.argmax(counts))

    rng, wins = random.Random(0), 0
    for g in range(games):
        state = game.initial_state()
        while not state.is_terminal():
            if state.current_player == g % 2:
                state = state.play(best(state))
            else:
                legal = state.legal_actions()
                state = state.play(int(legal[rng.randrange(len(legal))]))
        wins += int(state.returns()[g % 2] > 0)
    return {"takes_immediate_win": best(game.state_from_moves("121212")) == 0,
            "blocks_immediate_loss": best(game.state_from_moves("12121")) == 0,
            "wins_against_random": f"{wins}/{games}"}


def uct_compiled(sims: int, games: int):
    uct_selfplay(1, 8, 2.0, 0)  # compile
    seeds = iter(range(1, 10**6))
    return lambda: sims * uct_selfplay(games, sims, 2.0, next(seeds)), {"sims_per_move": sims, "games_per_call": games}


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--repeats", type=int, default=5)
    p.add_argument("--playouts", type=int, default=100_000, help="kernel playouts per timed call")
    p.add_argument("--object-playouts", type=int, default=2_000, help="object-level playouts per timed call")
    p.add_argument("--mcts-sims", type=int, default=200)
    p.add_argument("--out", type=Path, default=ROOT / "bench" / "results" / "c4_kernels.json")
    args = p.parse_args(argv)
    from bench.peers import move37_runs, openspiel_mcts
    from bench.selfplay import _prepare, print_table, run_rows

    load_start = os.getloadavg()
    rows = {}
    _prepare(rows, "playouts/kernel", lambda: playouts_kernel(args.playouts))
    _prepare(rows, "playouts/objects", lambda: playouts_objects(args.object_playouts))
    _prepare(rows, "mcts/compiled_uct_sketch", lambda: uct_compiled(args.mcts_sims, 4))
    _prepare(rows, "mcts/move37/uct", lambda: move37_runs.uct(args.mcts_sims, games=1))
    _prepare(rows, "mcts/openspiel/cpp", lambda: openspiel_mcts.selfplay("cpp", args.mcts_sims, games=2))
    results = run_rows(rows, args.repeats)
    if results["mcts/compiled_uct_sketch"].get("available"):
        results["mcts/compiled_uct_sketch"]["checks"] = check_sketch(args.mcts_sims)
    ratios = {}
    for name, ours, peer in [("kernel vs objects playouts", "playouts/kernel", "playouts/objects"),
                             ("compiled UCT sketch vs openspiel cpp", "mcts/compiled_uct_sketch", "mcts/openspiel/cpp"),
                             ("move37 mcts vs openspiel cpp", "mcts/move37/uct", "mcts/openspiel/cpp")]:
        a, b = results[ours], results[peer]
        if a.get("available") and b.get("available"):
            ratios[name] = {"wall": a["median"] / b["median"], "cpu": a["median_cpu"] / b["median_cpu"]}
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
