"""Chess perft through move37's action encoding, against the standard counts.

Walks the legal move tree with `legal_actions` and `play` only (the last ply is
counted from the mask), so it checks python-chess's move generation and the 4672-action
encoding together, and reports leaves per second.

    .venv/bin/python bench/chess_perft.py --depth 4   # writes bench/results/chess_perft.json
"""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path

from move37 import games

EPD = Path(__file__).resolve().parents[2] / "shared" / "data" / "chess" / "perft.epd"


def perft(state, depth: int) -> int:
    actions = state.legal_actions()
    if depth == 1:
        return len(actions)
    return sum(perft(state.play(int(a)), depth - 1) for a in actions)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--depth", type=int, default=4)
    parser.add_argument("--epd", default=str(EPD))
    parser.add_argument("--out", default=str(Path(__file__).parent / "results" / "chess_perft.json"))
    args = parser.parse_args()
    game = games.make("chess")
    rows = []
    for line in Path(args.epd).read_text().splitlines():
        if not line.strip():
            continue
        fen, *counts = line.split(";")
        expected = {int(c.split()[0][1:]): int(c.split()[1]) for c in counts}
        start = time.perf_counter()
        got = perft(game.state_from_text(fen), args.depth)
        seconds = time.perf_counter() - start
        rows.append({"fen": fen.strip(), "depth": args.depth, "leaves": got, "expected": expected[args.depth],
                     "ok": got == expected[args.depth], "seconds": round(seconds, 2),
                     "leaves_per_s": round(got / seconds)})
        print(f"{'ok ' if got == expected[args.depth] else 'BAD'} depth {args.depth} {got:>9} leaves "
              f"{seconds:7.1f} s  {fen.strip()}")
    Path(args.out).parent.mkdir(parents=True, exist_ok=True)
    Path(args.out).write_text(json.dumps({"benchmark": "chess_perft", "results": rows}, indent=2) + "\n")
    if not all(r["ok"] for r in rows):
        raise SystemExit(1)


if __name__ == "__main__":
    main()
