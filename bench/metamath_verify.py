"""Our Metamath verifier against the `metamath` program on the whole of set.mm.

    PYTHONPATH=src python bench/metamath_verify.py [--db FILE] [--mutants 200] [--out bench/results/metamath_verify.json]

Times our reader and verifier and `metamath 'read' 'verify proof *'` on the database, then breaks
--mutants random proofs (swapped or deleted steps, see move37.prove.checker.mutants) in one copy and compares
the two verdicts proof by proof. Writes the figures (and the load average) as JSON.
"""

from __future__ import annotations

import argparse
import os
import random
import sys
import tempfile
import time
from pathlib import Path

from move37.atomic import write_json
from move37.prove import checker, database, verify


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--db", default=str(database.DEFAULT_DB))
    ap.add_argument("--mutants", type=int, default=200)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--out", default="bench/results/metamath_verify.json")
    args = ap.parse_args()
    start = time.perf_counter()
    db = database.read(args.db)
    read_s = time.perf_counter() - start
    start = time.perf_counter()
    ours = verify.verify_all(db)
    verify_s = time.perf_counter() - start
    start = time.perf_counter()
    theirs = checker.metamath_failures(args.db)
    metamath_s = time.perf_counter() - start
    labels = [s.label for s in db.theorems()]
    broken = random.Random(args.seed).sample(labels, args.mutants)
    text, done = checker.mutants(Path(args.db).read_text(), broken, seed=args.seed)
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "mutants.mm"
        path.write_text(text)
        ours_m = set(verify.verify_all(database.read(path), labels))
        theirs_m = checker.metamath_failures(path)
    result = {
        "db": args.db, "proofs": len(labels), "read_s": round(read_s, 2), "verify_s": round(verify_s, 2),
        "metamath_s": round(metamath_s, 2), "ours_rejected": sorted(ours), "metamath_rejected": sorted(theirs),
        "mutated": len(done), "ours_rejected_mutants": len(ours_m), "metamath_rejected_mutants": len(theirs_m),
        "verdicts_differ": sorted(ours_m ^ theirs_m), "loadavg": os.getloadavg(),
    }
    write_json(Path(args.out), result)
    print({k: v for k, v in result.items() if k not in ("ours_rejected", "metamath_rejected")})
    return 0 if not ours and not theirs and ours_m == theirs_m else 1


if __name__ == "__main__":
    sys.exit(main())
