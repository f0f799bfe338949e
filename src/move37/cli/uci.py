"""`move37 uci --agent SPEC`: a UCI chess engine on standard input/output."""

from __future__ import annotations

import io
import sys

from move37.protocols.uci import UciEngine, serve


def register(sub) -> None:
    p = sub.add_parser("uci", help="run an agent as a UCI chess engine (for chess GUIs and match runners)",
                       description="Speak UCI on stdin/stdout; unknown or malformed lines are logged to stderr "
                                   "and ignored. See docs/protocols.md.")
    p.add_argument("--agent", required=True, help='agent spec, e.g. "mcts:sims=400"')
    p.add_argument("--game", default="chess", help="game spec (default: chess)")
    p.add_argument("--allow-engines", action="store_true",
                   help="let the GUI's `setoption name Agent` name agents that start programs; off by default")
    p.add_argument("--record", metavar="FILE", default=None,
                   help="append every game played to its end to FILE (JSON Lines game records, opt-in), for "
                        "`move37 train --experience FILE`")
    p.set_defaults(func=run)


def run(args) -> int:
    def out(line: str) -> None:
        sys.stdout.write(line + "\n")
        sys.stdout.flush()

    engine = UciEngine(args.agent, args.game, out=out, engines=args.allow_engines, record=args.record)
    stdin = io.TextIOWrapper(sys.stdin.buffer, encoding="utf-8", errors="replace")
    return serve(engine, stdin)
