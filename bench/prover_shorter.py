"""Theorems where the prover's proof is shorter than set.mm's own, each re-checked by `metamath`.

    PYTHONPATH=src python bench/prover_shorter.py bench/results/prover_baselines_100.jsonl ... --out bench/results/prover_shorter.json

Reads the rows (label, proof) that bench/prover_baselines.py logged, keeps the shortest proof found for
each theorem, and compares it with set.mm's proof written out in the same normal format (every reused step
in full: verify.normal_proof). Length counts every label of the normal proof (syntax steps included);
`steps` counts only the steps that apply a `|-` assertion or use a hypothesis of the theorem (what
`metamath`'s SHOW PROOF lists). The shorter proofs go into a copy of set.mm, which `metamath` verifies.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
from pathlib import Path

from move37.atomic import write_json
from move37.prove import checker, database, export, verify
from move37.runs import read_rows


def essential_steps(db: database.Database, proof: list[str]) -> int:
    return sum(db.statements[label].kind == "e" or db.statements[label].expr[0] == "|-" for label in proof
               if db.statements[label].kind != "f")


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("logs", nargs="+", help="JSONL rows of bench/prover_baselines.py")
    ap.add_argument("--out", default="bench/results/prover_shorter.json")
    args = ap.parse_args()
    db = database.read(database.DEFAULT_DB)
    best: dict[str, tuple[list[str], str]] = {}
    for log in args.logs:
        for row in read_rows(Path(log)):
            if row["proved"] and (row["label"] not in best or len(row["proof"]) < len(best[row["label"]][0])):
                best[row["label"]] = (row["proof"], row["method"])
    shorter = []
    for label, (proof, method) in best.items():
        theirs = verify.normal_proof(db, db[label])
        if len(proof) < len(theirs):
            shorter.append({"label": label, "method": method, "length": len(proof), "setmm_length": len(theirs),
                            "steps": essential_steps(db, proof), "setmm_steps": essential_steps(db, theirs),
                            "proof": proof})
    shorter.sort(key=lambda r: r["length"] - r["setmm_length"])
    rejected = None
    if checker.available():
        with tempfile.TemporaryDirectory() as tmp:
            path = Path(tmp) / "shorter.mm"
            export.write(database.DEFAULT_DB, path, {r["label"]: r["proof"] for r in shorter})
            rejected = sorted(checker.metamath_failures(path))
    summary = {"logs": args.logs, "theorems_proved": len(best), "shorter": len(shorter),
               "metamath_rejected": rejected, "rows": shorter}
    write_json(Path(args.out), summary)
    for r in shorter:
        print(f"| {r['label']} | {r['length']} | {r['setmm_length']} | {r['steps']} | {r['setmm_steps']} | {r['method']} |")
    print(json.dumps({k: v for k, v in summary.items() if k != "rows"}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
