"""`move37 surprises GAME --agent SPEC --imitation SPEC (--positions FILE | --games N) --out DIR`.

The move-37 finder (move37.alphago.surprises): the agent's moves whose imitation prior is below
--threshold, each judged by the exact solver against the imitation policy's favourite, with a Markdown
report and PNG boards in DIR. --imitation takes an agent spec that gives a policy (zero:NET,sims=0) or
a network file / imitation run folder, read as zero:...,sims=0.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

from move37 import agents, games
from move37.alphago import surprises
from move37.cli._positions import positions, read_lines, report_bad_line
from move37.errors import ConfigError, Move37Error


def register(sub) -> None:
    p = sub.add_parser("surprises", help="the move-37 finder: strong moves an imitation policy would not play")
    p.add_argument("game", help="game spec, e.g. connect4")
    p.add_argument("--agent", required=True, metavar="SPEC", help="the searching agent, e.g. alphago:runs/ag,sims=64")
    p.add_argument("--imitation", required=True, metavar="SPEC",
                   help="the imitation policy: zero:NET,sims=0, a .safetensors file or a move37 imitate folder")
    source = p.add_mutually_exclusive_group(required=True)
    source.add_argument("--positions", metavar="FILE", help="one position a line (as move37 best-move reads)")
    source.add_argument("--games", type=int, metavar="N", help="positions of N games of the agent against itself")
    p.add_argument("--opening-plies", type=int, default=4, metavar="P", help="random moves opening each game (4)")
    p.add_argument("--threshold", type=float, default=0.01, help="prior below which a move is a surprise (0.01)")
    p.add_argument("--out", required=True, metavar="DIR", help="folder for report.md, surprises.jsonl, boards/")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--json", action="store_true", help="print the counts as JSON")
    p.set_defaults(func=run)


def imitation_spec(text: str) -> str:
    """An agent spec for the imitation policy: a path (file or imitate run folder) becomes zero:...,sims=0."""
    path = Path(text)
    if path.is_dir() and (path / "policy.safetensors").is_file():
        return f"zero:{path / 'policy.safetensors'},sims=0"
    if path.suffix == ".safetensors":
        return f"zero:{path},sims=0"
    return text


def _file_positions(game, path: str):
    for number, text in positions(game, read_lines(path)):
        try:
            state = game.state_from_text(text)
            if state.is_terminal():
                raise Move37Error("the game is already over in this position")
        except Move37Error as e:
            print(report_bad_line(path, number, e), file=sys.stderr)
            continue
        yield text, state


def run(args) -> int:
    game = games.make(args.game)
    if not 0 < args.threshold <= 1 or (args.games is not None and args.games < 1) or args.opening_plies < 0:
        raise ConfigError("--threshold must be in (0, 1], --games at least 1, --opening-plies at least 0")
    agent = agents.make(args.agent, game)
    imitation = agents.make(imitation_spec(args.imitation), game)
    try:
        source = _file_positions(game, args.positions) if args.positions else \
            surprises.self_play_positions(game, agent, args.games, args.opening_plies, args.seed)
        found = []
        for s in surprises.find(game, agent, imitation, source, args.threshold):
            found.append(s)
            if s.prior < args.threshold and s.verdict != "same":
                print(f"{s.position or '(start)'}: {s.move} prior {s.prior:.4f} -> {s.verdict}", file=sys.stderr)
    finally:
        agent.close()
        imitation.close()
    path = surprises.report(game, found, Path(args.out), args.agent, imitation_spec(args.imitation), args.threshold)
    table = surprises.counts(found)
    if args.json:
        print(json.dumps({"report": str(path), "counts": table}))
    else:
        for row in table:
            print(f"prior < {row['threshold']:g}: {row['below']} of {row['positions']} positions "
                  f"({row['better']} proven better, {row['equal']} equal, {row['worse']} worse, "
                  f"{row['unverified']} unverified)")
        print(f"report: {path}")
    return 0
