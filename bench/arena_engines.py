"""move37 agents against real programs: the arena table on 9x9 Go and on chess.

Go: random, UCT (`mcts`), GNU Go at levels 1 and 10 (GTP), plus any extra specs given
(a trained `zero:` agent). Chess: random, UCT (time-bounded per move), Stockfish at
skill levels 0, 5 and 10 (UCI, 1 thread, fixed movetime), and Fairy-Max (xboard, depth 4).
GNU Go runs with `--chinese-rules --capture-all-dead`: move37 scores by Tromp-Taylor
area, which counts dead stones left on the board, so GNU Go must capture them before
it passes or it would lose won games on the count.

Every pair plays `--games` games, colours alternated, from random 2-ply openings (no
solver vets them for these games); ratings are maximum-likelihood Elo with random at
0 and 95% intervals (move37.arena). Writes bench/results/arena_engines_<game>.json
(atomically) and the game records beside it, and prints the table as Markdown.

    .venv/bin/python bench/arena_engines.py go --games 6
    .venv/bin/python bench/arena_engines.py chess --games 4
"""

from __future__ import annotations

import argparse
import os
import platform
import sys
import time
from pathlib import Path

from move37 import arena, games
from move37.atomic import write_json

GNUGO = 'gtp:"gnugo --mode gtp --level {level} --chinese-rules --capture-all-dead"'
STOCKFISH = "uci:stockfish,skill={skill},movetime={ms}"
PANELS = {
    "go": lambda a: ["random", f"mcts:sims={a.sims}", GNUGO.format(level=1), GNUGO.format(level=10)],
    "chess": lambda a: ["random", f"mcts:ms={a.ms}", *(STOCKFISH.format(skill=s, ms=a.movetime) for s in (0, 5, 10))]
    + ["xboard:fairymax,depth=4"],
}
GAME_SPEC = {"go": "go:size=9", "chess": "chess"}


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("game", choices=sorted(PANELS))
    p.add_argument("--games", type=int, default=4, help="games per pair (default 4)")
    p.add_argument("--sims", type=int, default=100, help="UCT simulations per move (default 100)")
    p.add_argument("--ms", type=int, default=250,
                   help="chess UCT milliseconds per move (default 250: random rollouts of chess are slow in Python)")
    p.add_argument("--movetime", type=int, default=50, help="Stockfish milliseconds per move (default 50)")
    p.add_argument("--extra", nargs="*", default=[], metavar="SPEC", help="more agents, e.g. a trained zero: spec")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--out", default="bench/results")
    args = p.parse_args(argv)

    game = games.make(GAME_SPEC[args.game])
    specs = PANELS[args.game](args) + args.extra
    openings = arena.balanced_openings(game, plies=2, count=64, seed=args.seed)
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    records_path = out / f"arena_engines_{args.game}.jsonl"
    records_path.unlink(missing_ok=True)
    start = time.time()
    records = arena.round_robin(game, specs, args.games, openings.moves, seed=args.seed, records=records_path,
                                progress=True)
    ratings = arena.fit_elo(arena.results_from_records(records))
    result = {
        "command": " ".join(["python", "bench/arena_engines.py", *(argv if argv is not None else sys.argv[1:])]),
        "game": GAME_SPEC[args.game], "games_per_pair": args.games, "games": len(records),
        "seconds": round(time.time() - start, 1), "load_average_1min": os.getloadavg()[0],
        "machine": f"{platform.machine()}, {os.cpu_count()} CPUs", "openings_plies": 2,
        "mean_plies": round(sum(r.plies for r in records) / len(records), 1),
        "ratings": [{"agent": r.name, "elo": round(r.elo), "low": round(r.low), "high": round(r.high),
                     "wins": r.wins, "draws": r.draws, "losses": r.losses} for r in ratings],
    }
    path = out / f"arena_engines_{args.game}.json"
    write_json(path, result)
    print(markdown(result))
    return 0


def markdown(result: dict) -> str:
    lines = [f"{result['game']}: {result['games']} games, {result['games_per_pair']} per pair, "
             f"mean {result['mean_plies']} plies, {result['seconds']:.0f} s",
             "", "| rank | agent | Elo | 95% interval | W | D | L |", "|---:|---|---:|---:|---:|---:|---:|"]
    for k, r in enumerate(result["ratings"]):
        lines.append(f"| {k + 1} | `{r['agent']}` | {r['elo']} | [{r['low']}, {r['high']}] | "
                     f"{r['wins']} | {r['draws']} | {r['losses']} |")
    return "\n".join(lines)


if __name__ == "__main__":
    sys.exit(main())
