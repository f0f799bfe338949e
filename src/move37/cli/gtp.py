"""`move37 gtp --agent SPEC [--game go]`: a GTP engine on standard input/output."""

from __future__ import annotations

import io
import sys

from move37.protocols.gtp import GtpEngine, serve


def register(sub) -> None:
    p = sub.add_parser("gtp", help="run an agent as a GTP engine (for Go GUIs and match runners)",
                       description="Speak GTP 2 on stdin/stdout. Grid games other than Go work too; "
                                   "see docs/protocols.md for the vertex mapping.")
    p.add_argument("--agent", required=True, help='agent spec, e.g. "mcts:sims=400"')
    p.add_argument("--game", default="go", help="game spec (default: go; also tictactoe, connect4, othello)")
    p.add_argument("--record", metavar="FILE", default=None,
                   help="append every game played to its end to FILE (JSON Lines game records, opt-in), for "
                        "`move37 train --experience FILE`")
    p.set_defaults(func=run)


def run(args) -> int:
    engine = GtpEngine(args.agent, args.game, record=args.record)
    # Undecodable bytes from a controller must not end the session.
    stdin = io.TextIOWrapper(sys.stdin.buffer, encoding="utf-8", errors="replace")
    return serve(engine, stdin, sys.stdout)
