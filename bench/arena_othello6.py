"""Othello 6x6: a trained zero network against alpha-beta at equal time per move.

For each time T (`--ms`), a round robin of `zero:NET,ms=T,search=S` (`--search`: Gumbel,
whose simulation count is planned to fill T, or PUCT, which searches in chunks up to the
deadline), `alphabeta:ms=T` (iterative deepening within T, the best alpha-beta baseline at
that time) and alpha-beta at a fixed depth for reference, colours alternated, from the
arena's random openings (`--opening-plies`, unvetted: the Othello solver stops at 24 empty
squares). Ratings are maximum-likelihood Elo anchored at `alphabeta:ms=T` = 0
(move37.arena.elo); beside them, zero's score against `alphabeta:ms=T` with a 95% interval
(normal approximation over games) and each agent's mean seconds per move from the
records, which shows how equal the time really was.

PyTorch runs with `--threads` threads (1 by default, as alpha-beta searches on one core).
Writes the records to bench/results/arena_othello6.jsonl and the tables to
bench/results/arena_othello6.json (atomically); prints the tables as Markdown.

    .venv/bin/python bench/arena_othello6.py --net bench/results/othello6-zero/weights.safetensors --ms 200 --games 20
"""

from __future__ import annotations

import argparse
import math
import os
import platform
import sys
import time
from pathlib import Path

import torch

from arena_connect4 import seconds_per_move
from move37 import arena, games
from move37.atomic import write_json

GAME = "othello:size=6"


def score_interval(points: list[float]) -> tuple[float, float, float]:
    """(mean score, low, high): a 95% normal interval over the games' points, clipped to [0, 1]."""
    n = len(points)
    mean = sum(points) / n
    sd = math.sqrt(sum((p - mean) ** 2 for p in points) / max(n - 1, 1))
    half = 1.959964 * sd / math.sqrt(n)
    return mean, max(0.0, mean - half), min(1.0, mean + half)


def one_time(game, args, ms: int, openings: tuple[str, ...], records_path: Path) -> dict:
    """The round robin at `ms` milliseconds per move, and its table."""
    zero = f'zero:"{args.net}",ms={ms}' + (f",search={args.search}" if args.search != "gumbel" else "")
    timed = f"alphabeta:ms={ms}"
    specs = [zero, timed] + ([f"alphabeta:depth={args.depth}"] if args.depth else [])
    start = time.time()
    records = arena.round_robin(game, specs, args.games, openings, seed=args.seed, records=records_path,
                                progress=True, resume=args.resume, name=GAME)
    ratings = arena.fit_elo(arena.results_from_records(records), anchor=timed)
    per_move = seconds_per_move(game, records)
    pair = [r for r in records if set(r.players) == {zero, timed}]
    head = [r.score(r.players.index(zero)) for r in pair]
    mean, low, high = score_interval(head)
    pair_seconds = seconds_per_move(game, pair)
    return {
        "ms": ms, "games": len(records), "seconds": round(time.time() - start, 1),
        "load_average_1min": os.getloadavg()[0],
        "zero_vs_alphabeta_ms": {"games": len(head), "wins": head.count(1.0), "draws": head.count(0.5),
                                 "losses": head.count(0.0), "score": round(mean, 3), "low": round(low, 3),
                                 "high": round(high, 3), "zero_seconds_per_move": pair_seconds[zero],
                                 "alphabeta_seconds_per_move": pair_seconds[timed]},
        "ratings": [{"agent": r.name, "elo": round(r.elo), "low": round(r.low), "high": round(r.high),
                     "wins": r.wins, "draws": r.draws, "losses": r.losses,
                     "seconds_per_move": per_move.get(r.name)} for r in ratings],
    }


def markdown(row: dict) -> str:
    h = row["zero_vs_alphabeta_ms"]
    lines = [f"{row['ms']} ms per move: {row['games']} games, {row['seconds']:.0f} s; zero against "
             f"`alphabeta:ms={row['ms']}`: {h['wins']} W / {h['draws']} D / {h['losses']} L, score "
             f"{h['score']:.3f} [{h['low']:.3f}, {h['high']:.3f}], seconds per move {h['zero_seconds_per_move']} "
             f"and {h['alphabeta_seconds_per_move']}", "",
             "| rank | agent | Elo | 95% interval | W | D | L | s/move |", "|---:|---|---:|---:|---:|---:|---:|---:|"]
    for k, r in enumerate(row["ratings"]):
        lines.append(f"| {k + 1} | `{r['agent']}` | {r['elo']} | [{r['low']}, {r['high']}] | {r['wins']} | "
                     f"{r['draws']} | {r['losses']} | {r['seconds_per_move']} |")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--net", default="bench/results/othello6-zero/weights.safetensors",
                   help="zero network: weights file or run folder")
    p.add_argument("--ms", type=int, nargs="+", default=[200], help="milliseconds per move (default 200)")
    p.add_argument("--search", choices=["gumbel", "puct"], default="gumbel",
                   help="zero's search: gumbel plans its count from its simulation rate and may overrun T when the "
                        "machine's load changes; puct runs in chunks to the deadline (default gumbel)")
    p.add_argument("--games", type=int, default=20, help="games per pair (default 20)")
    p.add_argument("--depth", type=int, default=6,
                   help="the fixed-depth alpha-beta for reference (default 6; 0 = none)")
    p.add_argument("--opening-plies", type=int, default=4)
    p.add_argument("--threads", type=int, default=1, help="PyTorch threads (default 1)")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--resume", action="store_true", help="keep the games already in the records file")
    p.add_argument("--out", default="bench/results/arena_othello6")
    args = p.parse_args(argv)

    torch.set_num_threads(args.threads)
    game = games.make(GAME)
    openings = arena.balanced_openings(game, plies=args.opening_plies, count=max(1, (args.games + 1) // 2),
                                       seed=args.seed)
    records_path, json_path = Path(args.out + ".jsonl"), Path(args.out + ".json")
    records_path.parent.mkdir(parents=True, exist_ok=True)
    if not args.resume:
        records_path.unlink(missing_ok=True)
    rows = []
    for ms in args.ms:
        rows.append(one_time(game, args, ms, openings.moves, records_path))
        print(markdown(rows[-1]), flush=True)
    result = {
        "benchmark": "arena_othello6",
        "command": " ".join(["python", "bench/arena_othello6.py", *(argv if argv is not None else sys.argv[1:])]),
        "game": GAME, "net": args.net, "games_per_pair": args.games, "torch_threads": args.threads,
        "machine": f"{platform.machine()}, {os.cpu_count()} CPUs", "openings_plies": args.opening_plies,
        "openings": list(openings.moves), "openings_vetted_by_solver": openings.filtered, "times": rows,
    }
    write_json(json_path, result, indent=2)
    return 0


if __name__ == "__main__":
    sys.exit(main())
