"""`move37 alphago GAME --out DIR (--records FILES | --imitation DIR)`: the AlphaGo pipeline's stages.

Supervised policy, RL policy by self-play against a pool, value network (move37.alphago.pipeline); each
stage resumes from its files when the command runs again. Then play it as `alphago:DIR`.
"""

from __future__ import annotations

import json
from pathlib import Path

from move37 import games, runs
from move37.alphago import STAGES, alphago_config, run_pipeline


def register(sub) -> None:
    p = sub.add_parser("alphago", help="the AlphaGo pipeline: supervised, RL and value networks (resumable)",
                       description="Stages exchanging files in DIR: a supervised policy from game records (or an "
                                   "existing `move37 imitate` run), an RL policy by policy-gradient self-play "
                                   "against a pool of its earlier versions, a value network on RL self-play "
                                   "positions. Play the result as alphago:DIR.")
    p.add_argument("game", help="game spec, e.g. connect4")
    p.add_argument("--out", required=True, metavar="DIR", help="run folder (resumed when it exists)")
    source = p.add_mutually_exclusive_group(required=True)
    source.add_argument("--records", nargs="+", metavar="FILE", help="expert game records (.sgf, .pgn, .jsonl)")
    source.add_argument("--imitation", metavar="DIR", help="a finished `move37 imitate` run to start from")
    p.add_argument("--config", metavar="FILE", help="JSON/TOML settings: seed, threads, imitation, rl, value")
    p.add_argument("--until", choices=STAGES, default="value", help="last stage to run (default value)")
    p.add_argument("--json", action="store_true", help="print the files written as JSON")
    p.set_defaults(func=run)


def run(args) -> int:
    game = games.make(args.game)
    config = alphago_config(args.game, runs.read_file(Path(args.config)) if args.config else {})
    written = run_pipeline(game, args.game, Path(args.out), config, records=args.records, imitation=args.imitation,
                           until=args.until)
    if args.json:
        print(json.dumps({stage: str(path) for stage, path in written.items()}))
    else:
        for stage, path in written.items():
            print(f"{stage}: {path}")
        if "value" in written:
            print(f"play it: move37 arena {args.game} alphago:{args.out},sims=64 zero --games 10")
    return 0
