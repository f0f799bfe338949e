"""`move37 best-move GAME --agent SPEC --positions FILE`: the agent's move for each position.

One position a line: its first whitespace-separated field is the position as a
move sequence ("4453 -2" in Pons's files), except for games with their own
position notation (Othello's board + side to move, chess FEN), which contains
spaces: those get the whole line to parse. Blank lines and lines starting with
'#' are skipped. Prints one move a line in the game's notation.
A bad line is reported on stderr with its line number and skipped; the rest are
still processed, and the exit status is then 2.
"""

from __future__ import annotations

import json
import sys

from move37 import agents, games
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
    if args.positions == "-":
        lines = sys.stdin.read().splitlines()
    else:
        with open(args.positions, encoding="utf-8") as f:
            lines = f.read().splitlines()
    has_position_text = game.state_to_text(game.initial_state()) is not None
    bad = 0
    try:
        for number, line in enumerate(lines, 1):
            fields = line.split()
            if not fields or fields[0].startswith("#"):
                continue
            text = line.strip() if has_position_text else fields[0]
            try:
                state = game.state_from_text(text)
                if state.is_terminal():
                    raise IllegalMoveError("the game is already over in this position")
            except Move37Error as e:
                print(f"move37: error: {args.positions}: line {number}: {e}", file=sys.stderr)
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
