"""The baseline Elo table on Connect Four: random, UCT, alpha-beta and the exact solver.

A round robin (colours alternated, solver-vetted openings) whose ratings are
maximum-likelihood Elo with random anchored at 0 (see move37.arena.elo). Writes the
game records to bench/results/arena_connect4.jsonl and the table, the openings and
each agent's mean time per move to bench/results/arena_connect4.json.

    .venv/bin/python bench/arena_connect4.py --games 10
"""

from __future__ import annotations

import argparse
import sys
import time
from collections import defaultdict
from pathlib import Path

from move37 import arena, games
from move37.atomic import write_json
from move37.cli.arena import format_head_to_head, format_table

SPECS = ["random", "mcts:sims=200", "mcts:sims=2000", "alphabeta:depth=4", "alphabeta:depth=8", "solver"]


def seconds_per_move(game, records) -> dict[str, float]:
    """Mean thinking time per move of each agent, from the records."""
    spent, moves = defaultdict(float), defaultdict(int)
    for r in records:
        first_mover = len(game.split_moves(r.opening)) % 2 if r.opening else 0
        played = r.plies - (len(game.split_moves(r.opening)) if r.opening else 0)
        for p, name in enumerate(r.players):
            spent[name] += r.extra["seconds"][p]
            moves[name] += (played + (p == first_mover)) // 2
    return {name: round(spent[name] / max(moves[name], 1), 4) for name in spent}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--games", type=int, default=10, help="games per pair")
    parser.add_argument("--opening-plies", type=int, default=8)
    parser.add_argument("--openings", type=int, help="random vetted openings (default: half of --games)")
    parser.add_argument("--specs", nargs="+", default=SPECS)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--resume", action="store_true", help="keep the games already in the records file")
    parser.add_argument("--out", default="bench/results/arena_connect4")
    args = parser.parse_args()
    game = games.make("connect4")
    records_path, json_path = Path(args.out + ".jsonl"), Path(args.out + ".json")
    records_path.parent.mkdir(parents=True, exist_ok=True)
    if not args.resume:
        records_path.unlink(missing_ok=True)
    start = time.perf_counter()
    count = args.openings or max(1, (args.games + 1) // 2)
    openings = arena.balanced_openings(game, plies=args.opening_plies, count=count, seed=args.seed)
    opening_seconds = time.perf_counter() - start
    print(f"{len(openings.moves)} openings (vetted by solver: {openings.filtered}) in {opening_seconds:.1f} s",
          file=sys.stderr, flush=True)
    records = arena.round_robin(game, args.specs, args.games, openings.moves, seed=args.seed,
                                records=records_path, progress=True, resume=args.resume)
    wall = time.perf_counter() - start
    results = arena.results_from_records(records)
    ratings = arena.fit_elo(results)
    pairs = arena.head_to_head(results)
    per_move = seconds_per_move(game, records)
    print(format_table(ratings))
    print(format_head_to_head(ratings, pairs))
    print(f"{len(records)} games in {wall / 60:.1f} min")
    result = {
        "benchmark": "arena_connect4", "command": " ".join(["python", *sys.argv]), "games_per_pair": args.games,
        "games": len(records), "seed": args.seed, "wall_seconds": round(wall, 1),
        "openings": list(openings.moves), "opening_scores": list(openings.scores),
        "openings_vetted_by_solver": openings.filtered,
        "ratings": [{"rank": k + 1, "agent": r.name, "elo": round(r.elo, 1), "low": round(r.low, 1),
                     "high": round(r.high, 1), "wins": r.wins, "draws": r.draws, "losses": r.losses,
                     "games": r.games, "seconds_per_move": per_move.get(r.name)} for k, r in enumerate(ratings)],
        "head_to_head": [{"agent": a, "opponent": b, "points": p, "games": n} for (a, b), (p, n) in pairs.items()],
    }
    write_json(json_path, result, indent=2)


if __name__ == "__main__":
    main()
