"""`move37 games`: list the registered games and their facts."""

from __future__ import annotations

import json

from move37 import games


def register(sub) -> None:
    p = sub.add_parser("games", help="list the registered games")
    p.add_argument("--json", action="store_true", help="machine-readable output")
    p.set_defaults(func=run)


def run(args) -> int:
    rows = []
    for name in games.names():
        info = games.make(name).info
        rows.append({"name": name, "actions": info.num_actions, "observation": list(info.observation_shape),
                     "symmetries": info.num_symmetries, "max_length": info.max_length})
    if args.json:
        print(json.dumps(rows))
    else:
        for r in rows:
            print(f"{r['name']:<12} actions={r['actions']:<4} observation={tuple(r['observation'])} symmetries={r['symmetries']}")
    return 0
