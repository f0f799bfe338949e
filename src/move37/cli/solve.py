"""`move37 solve GAME MOVES` / `move37 solve GAME --positions FILE`: exact scores and best moves.

Prints `MOVES SCORE BEST_MOVES` a line: the position as given, its exact score for
the player to move (the game's own scale: Pons's convention for Connect Four,
+1/0/-1 for tic-tac-toe), and every optimal move in the game's notation, joined
as the game joins a move sequence (`4453 -2 367` in Connect Four). A finished
game has no moves, written `-`. `--json` prints one object a line instead, with
the nodes searched and the seconds spent.

In a positions file, the first field of each line is the position; other fields
(such as the expected score of a benchmark file) are ignored, and blank lines and
lines starting with '#' are skipped. A bad line is reported on stderr as
`move37: error: FILE:LINE: message`, the other lines are still solved, and the exit
status is 2 at the end.
"""

from __future__ import annotations

import json
import sys
import time

from tqdm import tqdm

from move37 import games, solvers
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
    return f"{text or '-'} {result.score} {game.join_moves(best) or '-'}"


def _read_lines(path: str) -> list[str]:
    if path == "-":
        return sys.stdin.read().splitlines()
    with open(path, encoding="utf-8") as f:
        return f.read().splitlines()


def run(args) -> int:
    game = games.make(args.game)
    solver = solvers.for_game(game)
    if args.positions is None:
        print(_solve_line(game, solver, args.moves.strip(), args.json), flush=True)
        return 0
    lines = _read_lines(args.positions)
    bad = 0
    progress = tqdm(lines, desc="solve", unit="pos", file=sys.stderr, disable=not sys.stderr.isatty())
    for number, line in enumerate(progress, 1):
        fields = line.split()
        if not fields or fields[0].startswith("#"):
            continue
        try:
            out = _solve_line(game, solver, fields[0], args.json)
        except Move37Error as e:
            progress.write(f"move37: error: {args.positions}:{number}: {e}", file=sys.stderr)
            bad += 1
            continue
        print(out, flush=True)
    if bad:
        print(f"move37: error: {bad} bad line(s) in {args.positions}", file=sys.stderr)
        return 2
    return 0
