"""Held-out success of the search baselines (BFS, uniform prior) and of the learned prover on set.mm's
propositional calculus.

    PYTHONPATH=src python bench/prover_baselines.py --budget 100 --limit 100 --out bench/results/prover_baselines_100.json
    PYTHONPATH=src python bench/prover_baselines.py --budget 1000 --methods best --policy runs/prove2 ...

Method `best` is best-first with the policy of --policy (a prove-train run folder or a policy folder).

The benchmark and split are move37.prove.benchmark's (seed 0); --limit takes the first N held-out theorems
(a fixed subset, in database order) to fit the machine. Theorems are attempted one after another with every
method in turn, so a run stopped early has all methods on the same theorems; --shuffle attempts them in a
random order (seeded), so what a stopped run measured is a random sample rather than the earliest ones. Each proof found is checked by our verifier and,
at the end, all of them together by `metamath` on a copy of set.mm (export.py). Resumable: rows are
appended to OUT.jsonl as they finish and skipped when rerun.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import random
import sys
import tempfile
from pathlib import Path

from scipy.stats import binomtest

from move37.atomic import write_json
from move37.prove import benchmark, checker, database, environment, export, search, verify
from move37.prove.policy import Policy
from move37.runs import append_row, read_rows


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--budget", type=int, default=100)
    ap.add_argument("--limit", type=int, default=100)
    ap.add_argument("--methods", default="bfs,uniform")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--policy", help="policy for method best (a prove-train run folder or policy folder)")
    ap.add_argument("--out", default="bench/results/prover_baselines.json")
    ap.add_argument("--shuffle", action="store_true", help="attempt the theorems in a random order (--seed)")
    ap.add_argument("--fixed", type=int, default=0,
                    help="the first N theorems were all attempted, the rest only a random sample (--shuffle): "
                         "the summary adds each figure over all --limit theorems, estimated by strata")
    ap.add_argument("--summarize", action="store_true",
                    help="attempt nothing: summarize the rows already in OUT.jsonl (a run stopped early)")
    args = ap.parse_args()
    db = database.read(database.DEFAULT_DB)
    theory = environment.Theory(db, upto=db[benchmark.BOUNDARY].number)
    _, test = benchmark.split(benchmark.propositional(db), args.seed)
    test = test[:args.limit]
    policy = None
    if "best" in args.methods.split(",") and not args.summarize:
        if args.policy is None:
            ap.error("method best needs --policy")
        policy = Policy.load(Path(args.policy))
    log = Path(args.out).with_suffix(".jsonl")
    done = {(r["method"], r["label"]): r for r in read_rows(log)}
    checker_ = verify.Verifier(db)
    methods = args.methods.split(",")
    order = list(test)
    if args.shuffle:
        random.Random(args.seed).shuffle(order)
    for label in order:
        for method in methods:
            if (method, label) in done or args.summarize:
                continue
            r = search.prove(theory, theory.task(label), budget=args.budget, method=method, policy=policy)
            if r.proved:
                checker_.check(db[label], r.proof)
            row = {"method": method, "label": label, "proved": r.proved, "expansions": r.expansions,
                   "seconds": round(r.seconds, 3), "proof": r.proof}
            append_row(log, row)
            done[(method, label)] = row
            print(json.dumps({k: v for k, v in row.items() if k != "proof"}), flush=True)
    summary = {"budget": args.budget, "theorems": len(test), "loadavg": os.getloadavg(), "policy": args.policy,
               "methods": {}}
    for method in methods:
        rows = [done[(method, lab)] for lab in test if (method, lab) in done]
        proofs = {r["label"]: r["proof"] for r in rows if r["proved"]}
        with tempfile.TemporaryDirectory() as tmp:
            path = Path(tmp) / "out.mm"
            export.write(database.DEFAULT_DB, path, proofs)
            rejected = sorted(checker.metamath_failures(path)) if checker.available() else None
        summary["methods"][method] = {"attempted": len(rows), "proved": len(proofs),
                                      "rate": round(len(proofs) / max(len(rows), 1), 4),
                                      "rate_95": [round(x, 4) for x in wilson(len(proofs), len(rows))],
                                      "metamath_rejected": rejected,
                                      "seconds": round(sum(r["seconds"] for r in rows), 1)}
    both = [lab for lab in test if all((m, lab) in done for m in methods)]
    summary["paired"] = {"theorems": len(both), "differences": {}}
    for i, a in enumerate(methods):
        for b in methods[i + 1:]:
            wins = sum(done[(a, lab)]["proved"] and not done[(b, lab)]["proved"] for lab in both)
            losses = sum(done[(b, lab)]["proved"] and not done[(a, lab)]["proved"] for lab in both)
            diff, half = paired_difference(wins, losses, len(both))
            summary["paired"]["differences"][f"{a}-{b}"] = {
                "only_first": wins, "only_second": losses, "points": round(100 * diff, 2),
                "points_95": [round(100 * (diff - half), 2), round(100 * (diff + half), 2)]}
    if args.fixed:
        fixed, rest = test[:args.fixed], [lab for lab in test[args.fixed:] if lab in both]
        if all(lab in both for lab in fixed):
            measured = fixed + rest
            values = {m: [float(done[(m, lab)]["proved"]) for lab in measured] for m in methods}
            values |= {f"{a}-{b}": [x - y for x, y in zip(values[a], values[b])]
                       for i, a in enumerate(methods) for b in methods[i + 1:]}
            summary["estimate_all"] = {"theorems": len(test), "fixed": len(fixed), "sampled": len(rest),
                                       "of": len(test) - len(fixed), "figures": {}}
            for name, xs in values.items():
                est, half = stratified(xs[:len(fixed)], xs[len(fixed):], len(test) - len(fixed))
                low, high = est - half, est + half
                if name in methods:  # a rate: the Wilson interval of the sample's rate, scaled to all
                    lo, hi = wilson(int(sum(xs[len(fixed):])), len(rest))
                    rest_n = len(test) - len(fixed)
                    low, high = ((sum(xs[:len(fixed)]) + rest_n * r) / len(test) for r in (lo, hi))
                summary["estimate_all"]["figures"][name] = {
                    "points": round(100 * est, 2), "points_95": [round(100 * low, 2), round(100 * high, 2)]}
    write_json(Path(args.out), summary)
    print(json.dumps(summary))
    return 0


def wilson(k: int, n: int) -> tuple[float, float]:
    """Wilson score 95% interval for k successes in n trials (scipy); (0, 1) when n is 0."""
    if n == 0:
        return 0.0, 1.0
    ci = binomtest(k, n).proportion_ci(confidence_level=0.95, method="wilson")
    return float(ci.low), float(ci.high)


def paired_difference(only_a: int, only_b: int, n: int, z: float = 1.96) -> tuple[float, float]:
    """Difference in success rate of two methods on the same n theorems, and the half-width of its 95%
    interval (normal approximation for paired proportions: only the theorems one proves and the other
    does not count). only_a: proved by the first method alone; only_b: by the second alone."""
    if n == 0:
        return 0.0, 1.0
    diff = (only_a - only_b) / n
    var = ((only_a + only_b) - (only_a - only_b) ** 2 / n) / (n * n)
    return diff, z * math.sqrt(max(var, 0.0))


def stratified(fixed: list[float], sample: list[float], rest: int, z: float = 1.96) -> tuple[float, float]:
    """Mean of a value over fixed + rest items when every fixed item was measured and only a simple random
    sample of the rest, and the half-width of its 95% interval (normal, with the finite-population
    correction: the sampling error of the sample only, zero when all of the rest were measured). For a
    rate, main() uses the sample's Wilson interval instead, which stays inside [0, 1] for small samples."""
    n = len(fixed) + rest
    k = len(sample)
    if k == 0:
        return sum(fixed) / max(len(fixed), 1), 1.0
    mean = sum(sample) / k
    est = (sum(fixed) + rest * mean) / n
    var_s = sum((x - mean) ** 2 for x in sample) / max(k - 1, 1)
    var = (rest / n) ** 2 * var_s / k * (1 - k / rest)
    return est, z * math.sqrt(max(var, 0.0))


if __name__ == "__main__":
    sys.exit(main())
