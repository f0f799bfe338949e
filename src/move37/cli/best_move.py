"""`move37 best-move GAME --agent SPEC --positions FILE`: the agent's move for each position.

Positions files are read as `cli/_positions.py` describes (first field a move
sequence, or the whole line for games with their own position notation).
Prints one move a line in the game's notation.
A bad line is reported on stderr with its line number and skipped; the rest are
still processed, and the exit status is then 2.
"""

from __future__ import annotations

import json
import sys

from move37 import agents, games
from move37.cli._positions import positions, read_lines, report_bad_line
from move37.errors import IllegalMoveError, Move37Error


def register(sub) -> None:
    p = sub.add_parser("best-move", help="the move an agent chooses in each position of a file")
    p.add_argument("game", help="game spec, e.g. connect4")
    p.add_argument("--agent", required=True, metavar="SPEC", help="agent spec, e.g. alphabeta:depth=8")
    p.add_argument("--positions", required=True, metavar="FILE", help="one position a line ('-' for stdin)")
    p.add_argument("--seed", type=int, default=0, help="seed the agent is reset with before each position")
    p.add_argument("--json", action="store_true", help="one JSON object a line (position, move, value, nodes)")
    p.set_defaults(func=run)


def run(args) -> int:
    game = games.make(args.game)
    agent = agents.make(args.agent, game)
    lines = read_lines(args.positions)
    bad = 0
    try:
        for number, text in positions(game, lines):
            try:
                state = game.state_from_text(text)
                if state.is_terminal():
                    raise IllegalMoveError("the game is already over in this position")
            except Move37Error as e:
                print(report_bad_line(args.positions, number, e), file=sys.stderr)
                bad += 1
                continue
            agent.reset(args.seed)
            analysis = agent.analyse(state)
            move = game.action_to_text(state, analysis.action)
            if args.json:
                print(json.dumps({"line": number, "position": text, "move": move, "value": analysis.value,
                                  "nodes": analysis.nodes, "depth": analysis.depth}), flush=True)
            else:
                print(move, flush=True)
    finally:
        agent.close()
    if bad:
        print(f"move37: error: {bad} bad line(s) in {args.positions}", file=sys.stderr)
        return 2
    return 0
