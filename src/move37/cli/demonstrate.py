"""`move37 demonstrate GAME --agent SPEC --games N --out FILE`: expert game records by self-play.

The agent plays both sides (two instances, seeded per game), each game from `--opening-plies` random
moves (so a deterministic program such as GNU Go still plays varied games; those plies are the record's
`opening` and are not learned from). Records are appended to FILE as JSON Lines (move37.arena.records),
one fsynced line per game; run it again and it plays only the games still missing.
"""

from __future__ import annotations

import sys
import time

import numpy as np

from move37 import agents, games
from move37.arena.match import game_seed, play_game
from move37.arena.records import RecordWriter, read_records
from move37.errors import ConfigError


def register(sub) -> None:
    p = sub.add_parser("demonstrate", help="expert game records by self-play (for move37 imitate)",
                       description="The agent plays itself N times; the games are appended to FILE as JSON "
                                   "Lines. An interrupted run continues where it stopped.")
    p.add_argument("game", help="game spec, e.g. connect4 or go:size=9")
    p.add_argument("--agent", required=True, metavar="SPEC",
                   help='the demonstrator, e.g. humanlike:depth=2 or gtp:"gnugo --mode gtp --level 1"')
    p.add_argument("--games", type=int, required=True, metavar="N", help="games the file should hold")
    p.add_argument("--out", required=True, metavar="FILE", help="JSON Lines file of game records (appended)")
    p.add_argument("--opening-plies", type=int, default=0, metavar="P", help="random moves before each game (0)")
    p.add_argument("--seed", type=int, default=0, help="seed of the openings and the agents (default 0)")
    p.set_defaults(func=run)


def random_opening(game, plies: int, rng: np.random.Generator) -> str:
    """`plies` uniformly random legal moves (fewer if the game would end), as move text."""
    state, moves = game.initial_state(), []
    for _ in range(plies):
        legal = state.legal_actions()
        choices = [a for a in legal if not state.play(int(a)).is_terminal()]
        if not choices:
            break
        action = int(rng.choice(choices))
        moves.append(game.action_to_text(state, action))
        state = state.play(action)
    return game.join_moves(moves)


def run(args) -> int:
    game = games.make(args.game)
    if args.games < 1 or args.opening_plies < 0:
        raise ConfigError("--games must be at least 1 and --opening-plies at least 0")
    done = read_records(args.out) if _exists(args.out) else []
    if any(games.make(r.game).info != game.info for r in done):
        raise ConfigError(f"{args.out} holds records of another game; choose a new --out")
    players = [agents.make(args.agent, game) for _ in range(game.info.num_players)]
    start = time.perf_counter()
    try:
        with RecordWriter(args.out) as writer:
            for index in range(len(done), args.games):
                seed = game_seed(args.seed, index)
                opening = random_opening(game, args.opening_plies, np.random.default_rng(seed))
                record = play_game(game, players, opening, seed=seed, name=args.game)
                writer.write(record)
                print(f"game {index + 1}/{args.games}: {record.plies} plies, result {list(record.result)}, "
                      f"{time.perf_counter() - start:.0f} s", file=sys.stderr, flush=True)
    finally:
        for p in players:
            p.close()
    print(f"{args.out}: {args.games} games of {args.game} by {args.agent}")
    return 0


def _exists(path: str) -> bool:
    from pathlib import Path

    return Path(path).is_file()
