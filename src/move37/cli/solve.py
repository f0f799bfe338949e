"""`move37 solve GAME MOVES` / `move37 solve GAME --positions FILE`: exact scores and best moves.

Prints `MOVES SCORE BEST_MOVES` a line: the position as given, its exact score for
the player to move (the game's own scale: Pons's convention for Connect Four,
+1/0/-1 for tic-tac-toe), and every optimal move in the game's notation, joined
as the game joins a move sequence (`4453 -2 367` in Connect Four). A finished
game has no moves, written `-`. `--json` prints one object a line instead, with
the nodes searched and the seconds spent.

Positions files are read as `cli/_positions.py` describes (the first field of a line
is the move sequence; games with a position notation of their own, such as Othello's
.obf boards, get the whole line and print the position in that notation). A bad line
is reported on stderr as `move37: error: FILE:LINE: message`, the other lines are still
solved, and the exit status is 2 at the end.
"""

from __future__ import annotations

import json
import sys
import time

from tqdm import tqdm

from move37 import games, solvers
from move37.cli._positions import positions, read_lines, report_bad_line
from move37.errors import Move37Error
from move37.games.base import Game


def register(sub) -> None:
    p = sub.add_parser("solve", help="exact score and every optimal move (games with a solver)")
    p.add_argument("game", help="game spec, e.g. connect4")
    where = p.add_mutually_exclusive_group(required=True)
    where.add_argument("moves", nargs="?", help="the position as a move sequence, e.g. 4453")
    where.add_argument("--positions", metavar="FILE", help="one position a line ('-' for stdin)")
    p.add_argument("--json", action="store_true", help="one JSON object a line, with nodes and seconds")
    p.set_defaults(func=run)


def _solve_line(game: Game, solver, text: str, as_json: bool) -> str:
    state = game.state_from_text(text)
    start = time.perf_counter()
    result = solver.solve(state)
    seconds = time.perf_counter() - start
    best = [game.action_to_text(state, a) for a in result.best_actions]
    if as_json:
        return json.dumps({"position": text, "score": result.score, "value": result.value, "best": best,
                           "nodes": result.nodes, "seconds": round(seconds, 6)})
    shown = game.state_to_text(state) or text or "-"
    return f"{shown} {result.score} {game.join_moves(best) or '-'}"


def run(args) -> int:
    game = games.make(args.game)
    solver = solvers.for_game(game)
    if args.positions is None:
        print(_solve_line(game, solver, args.moves.strip(), args.json), flush=True)
        return 0
    lines = read_lines(args.positions)
    bad = 0
    progress = tqdm(total=len(lines), desc="solve", unit="line", file=sys.stderr, disable=not sys.stderr.isatty())
    for number, text in positions(game, lines):
        progress.update(number - progress.n)
        try:
            out = _solve_line(game, solver, text, args.json)
        except Move37Error as e:
            progress.write(report_bad_line(args.positions, number, e), file=sys.stderr)
            bad += 1
            continue
        print(out, flush=True)
    if bad:
        print(f"move37: error: {bad} bad line(s) in {args.positions}", file=sys.stderr)
        return 2
    return 0
