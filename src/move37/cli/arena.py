"""`move37 arena GAME SPEC SPEC... --games N`: a round-robin tournament and its Elo table."""

from __future__ import annotations

import json

from move37 import agents, arena, games
from move37.errors import ConfigError


def register(sub) -> None:
    p = sub.add_parser("arena", help="round-robin tournament between agents; prints the Elo table",
                       description="Every pair of agents plays N games, colours alternated, from balanced "
                                   "openings (solver-vetted where the game has a solver). Ratings are "
                                   "maximum-likelihood Elo with random anchored at 0 and 95% intervals.")
    p.add_argument("game", help="game spec, e.g. connect4")
    p.add_argument("agents", nargs="+", metavar="SPEC", help="agent specs, e.g. random mcts:sims=200 alphabeta:depth=4")
    p.add_argument("--games", type=int, default=10, metavar="N", help="games per pair of agents (default 10)")
    p.add_argument("--opening-plies", type=int, metavar="P",
                   help="length of the openings (default: 8 for connect4, 2 otherwise; 0 = none)")
    p.add_argument("--openings", type=int, metavar="K",
                   help="number of random openings, each played with both colours (default: half of --games)")
    p.add_argument("--records", metavar="FILE", help="append the game records (JSON Lines) to FILE")
    p.add_argument("--resume", action="store_true",
                   help="continue an interrupted tournament: games already in --records are not replayed")
    p.add_argument("--seed", type=int, default=0, help="seed for openings and agents (default 0)")
    p.add_argument("--json", action="store_true", help="machine-readable output")
    p.set_defaults(func=run)


def run(args) -> int:
    game = games.make(args.game)
    players = [agents.make(spec, game) for spec in args.agents]  # bad specs fail before any work
    plies = arena.default_plies(game) if args.opening_plies is None else args.opening_plies
    count = args.openings if args.openings is not None else max(1, (args.games + 1) // 2)
    if plies < 0 or count < 1 or args.games < 1:
        raise ConfigError("--games and --openings must be at least 1, --opening-plies at least 0")
    openings = arena.balanced_openings(game, plies=plies, count=count, seed=args.seed)
    records = arena.round_robin(game, players, args.games, openings.moves, seed=args.seed, records=args.records,
                                resume=args.resume, name=args.game)
    results = arena.results_from_records(records)
    ratings = arena.fit_elo(results)
    pairs = arena.head_to_head(results)
    if args.json:
        print(json.dumps({
            "game": args.game, "games_per_pair": args.games, "games": len(records), "seed": args.seed,
            "openings": list(openings.moves), "opening_scores": list(openings.scores),
            "openings_vetted_by_solver": openings.filtered,
            "ratings": [{"rank": k + 1, "agent": r.name, "elo": round(r.elo, 1), "low": round(r.low, 1),
                         "high": round(r.high, 1), "wins": r.wins, "draws": r.draws, "losses": r.losses,
                         "games": r.games} for k, r in enumerate(ratings)],
            "head_to_head": [{"agent": a, "opponent": b, "points": p, "games": n}
                             for (a, b), (p, n) in pairs.items()],
        }))
        return 0
    vetted = "vetted by the solver" if openings.filtered else "not vetted (no solver)"
    print(f"{args.game}: {len(records)} games, {args.games} per pair; "
          f"{len(openings.moves)} opening(s) of {plies} plies, {vetted}")
    print(format_table(ratings))
    print()
    print(format_head_to_head(ratings, pairs))
    return 0


def format_table(ratings: list[arena.Rating]) -> str:
    """The Elo table as aligned text."""
    width = max(len("agent"), *(len(r.name) for r in ratings))
    lines = [f"{'rank':>4}  {'agent':<{width}}  {'Elo':>6}  {'95% interval':>16}  "
             f"{'W':>4} {'D':>4} {'L':>4}  {'games':>5}"]
    for k, r in enumerate(ratings):
        interval = f"[{r.low:.0f}, {r.high:.0f}]"
        lines.append(f"{k + 1:>4}  {r.name:<{width}}  {r.elo:>6.0f}  {interval:>16}  "
                     f"{r.wins:>4} {r.draws:>4} {r.losses:>4}  {r.games:>5}")
    return "\n".join(lines)


def format_head_to_head(ratings: list[arena.Rating], pairs: dict[tuple[str, str], tuple[float, int]]) -> str:
    """Points of each row agent against each column agent (columns numbered by rank)."""
    width = max(len(r.name) for r in ratings) + 4
    cells = [[f"{pairs[a.name, b.name][0]:g}/{pairs[a.name, b.name][1]}" if (a.name, b.name) in pairs else "-"
              for b in ratings] for a in ratings]
    col = max(5, *(len(c) for row in cells for c in row)) + 2
    header = " " * width + "".join(f"{k + 1:>{col}}" for k in range(len(ratings)))
    lines = ["head to head: points of the row agent / games", header]
    for k, (r, row) in enumerate(zip(ratings, cells)):
        lines.append(f"{k + 1:>2}  {r.name:<{width - 4}}" + "".join(f"{c:>{col}}" for c in row))
    return "\n".join(lines)
