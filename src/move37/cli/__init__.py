"""The `move37` command line: one entry point, one module per subcommand.

Each module in `_COMMANDS` exposes `register(subparsers)` which adds its parser and
sets `func(args) -> int`. User errors (Move37Error, unreadable files) become one
line on stderr and exit status 2, never a traceback.
"""

from __future__ import annotations

import argparse
import importlib
import sys

from move37.errors import Move37Error

_COMMANDS = [
    "move37.cli.reason",
    "move37.cli.games",
    "move37.cli.solve",
    "move37.cli.gtp",
    "move37.cli.uci",
    "move37.cli.serve",
    "move37.cli.play",
    "move37.cli.arena",
    "move37.cli.best_move",
    "move37.cli.train",
    "move37.cli.report",
    "move37.cli.demonstrate",
    "move37.cli.imitate",
    "move37.cli.alphago",
    "move37.cli.surprises",
    "move37.cli.live",
    "move37.cli.prove",
    "move37.cli.prove_train",
]


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="move37", description="Agents that learn from their own experience.")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for name in _COMMANDS:
        importlib.import_module(name).register(sub)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return int(args.func(args) or 0)
    except Move37Error as e:
        print(f"move37: error: {e}", file=sys.stderr)
        return 2
    except OSError as e:
        print(f"move37: error: {e.strerror or e}: {e.filename}" if e.filename else f"move37: error: {e}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("move37: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        return 0
