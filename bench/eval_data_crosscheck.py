"""Cross-check the labeller of the shipped evaluation data (move37.experiments.eval_data) against
the public sets made by others, where ../shared/data (or $MOVE37_SHARED_DATA) is present.

    .venv/bin/python bench/eval_data_crosscheck.py [--connect4-limit N] [--max-empties E]

- Connect Four: the exact labeller (`connect4_label`: score, optimal moves, result-keeping
  moves) on the first N positions of each of Pons's sets but the hard opening one; its score
  must equal Pons's, its optimal moves must keep the result. Also every shipped position that
  also appears in a Pons set (same position, by key) must carry Pons's score.
- Othello: `othello_label` (the exact score of every legal move) on every FFO problem with at
  most E empties; its best score and best moves must equal the suite's. The suite's scores of
  the other moves are compared too and their disagreements listed (the suite is guaranteed only
  for the best move: ../shared/data/README.md).

Writes bench/results/eval_data_crosscheck.json.
"""

from __future__ import annotations

import argparse
import platform
import sys
import time
from pathlib import Path

from move37 import data, games, solvers
from move37.atomic import write_json
from move37.experiments.eval_data import connect4_label, othello_label

PONS_SETS = ("Test_L3_R1", "Test_L2_R1", "Test_L2_R2", "Test_L1_R1", "Test_L1_R2")  # L1_R3: 15-80 s a position


def connect4(public: Path, limit: int) -> dict:
    game = games.make("connect4")
    solver = solvers.for_game(game)
    rows, pons = {}, {}
    for name in PONS_SETS:
        lines = [line.split() for line in (public / "connect4" / name).read_text().splitlines() if line.strip()]
        pons.update({game.state_from_moves(m).key(): int(s) for m, s in lines})
        start, wrong, good_ok = time.perf_counter(), [], 0
        for moves, score in lines[:limit]:
            _, label_score, best, good = connect4_label(game, solver, moves).split()
            if int(label_score) != int(score):
                wrong.append([moves, int(score), int(label_score)])
            good_ok += set(best) <= set(good)
        checked = min(limit, len(lines))
        rows[name] = {"checked": checked, "agree": checked - len(wrong), "wrong": wrong,
                      "best_within_good": good_ok, "seconds": round(time.perf_counter() - start, 1)}
    shipped = data.connect4_labels()
    common = [(lab, pons[key]) for lab in shipped if (key := game.state_from_moves(lab["moves"]).key()) in pons]
    rows["shipped_in_pons"] = {"shipped": len(shipped), "also_in_pons": len(common),
                               "agree": sum(lab["score"] == score for lab, score in common)}
    return rows


def othello(public: Path, max_empties: int) -> dict:
    game = games.make("othello")
    solver = solvers.for_game(game)
    rows = []
    for line in (public / "othello" / "ffo_1-79.tsv").read_text().splitlines()[1:]:
        no, empties, side, board, best_score, best_moves, all_scores = line.split("\t")
        if int(empties) > max_empties:
            continue
        start = time.perf_counter()
        mine = data.obf_scores(othello_label(game, solver, f"{board} {side}"))
        theirs = {m.split(":")[0]: int(m.split(":")[1]) for m in all_scores.split()}
        top = max(mine.values())
        best = {m for m, s in mine.items() if s == top}
        rows.append({"no": int(no), "empties": int(empties),
                     "best_ok": top == int(best_score) and best == set(best_moves.split(",")),
                     "other_moves_differ": {m: [theirs.get(m), s] for m, s in mine.items() if theirs.get(m) != s},
                     "seconds": round(time.perf_counter() - start, 2)})
    return {"problems": rows, "best_ok": sum(r["best_ok"] for r in rows), "of": len(rows)}


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--connect4-limit", type=int, default=1000, help="positions checked per Pons set")
    p.add_argument("--max-empties", type=int, default=20, help="FFO problems with at most this many empties")
    p.add_argument("--out", type=Path, default=Path("bench/results/eval_data_crosscheck.json"))
    args = p.parse_args()
    public = data.public_data()
    if public is None:
        print("no public sets here (../shared/data or $MOVE37_SHARED_DATA): nothing to cross-check", file=sys.stderr)
        return 2
    report = {"connect4": connect4(public, args.connect4_limit), "othello": othello(public, args.max_empties),
              "command": "python bench/eval_data_crosscheck.py " + " ".join(sys.argv[1:]),
              "machine": f"{platform.machine()}, {platform.python_version()}",
              "date": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime())}
    write_json(args.out, report)
    c4 = report["connect4"]
    print({name: f"{row['agree']}/{row['checked']}" for name, row in c4.items() if name in PONS_SETS},
          c4["shipped_in_pons"], f"othello best {report['othello']['best_ok']}/{report['othello']['of']}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
