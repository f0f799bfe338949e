"""`move37 serve`: the web page to play any agent on any game (http://127.0.0.1:8000/)."""

from __future__ import annotations

from move37.protocols.web.server import serve


def register(sub) -> None:
    p = sub.add_parser("serve", help="serve a web page to play any agent on any game")
    p.add_argument("--host", default="127.0.0.1", help="address to bind (default 127.0.0.1: this machine only)")
    p.add_argument("--port", type=int, default=8000, help="port (default 8000; 0 picks a free one)")
    p.add_argument("--allow-engines", action="store_true",
                   help="let the page build agents that start programs (gtp:, uci:, xboard:, any engine kind); "
                        "off by default")
    p.add_argument("--verbose", action="store_true", help="log every request to stderr")
    p.add_argument("--record", metavar="FILE", default=None,
                   help="append every game played on the page to its end to FILE (JSON Lines game records, opt-in), for "
                        "`move37 train --experience FILE`")
    p.set_defaults(func=run)


def run(args) -> int:
    return serve(args.host, args.port, allow_engines=args.allow_engines, quiet=not args.verbose, record=args.record)
