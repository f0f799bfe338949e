"""`move37 prove LABEL... [--db FILE] [--budget N] [--method best|bfs|uniform] [--policy DIR] [--out FILE]`.

Proves statements of a Metamath database (set.mm of the Debian package by default) by label, each with
only the assertions before it in the database. Prints one line per label, `LABEL proved|failed EXPANSIONS
SECONDS`. Every proof found is checked by our verifier before it counts; `--out FILE` writes a copy of the
database in which each proved label's proof is replaced by the one found (atomically; an existing file is
kept unless --force), which `metamath` verifies like any other.
"""

from __future__ import annotations

from pathlib import Path

from move37.errors import MetamathError
from move37.prove import database, environment, export, search, verify


def register(sub) -> None:
    p = sub.add_parser("prove", help="prove Metamath statements (set.mm) by search, optionally with a learned policy")
    p.add_argument("labels", nargs="+", metavar="LABEL", help="labels of $p/$a statements to prove")
    p.add_argument("--db", default=str(database.DEFAULT_DB), help="the .mm database (default: Debian's set.mm)")
    p.add_argument("--budget", type=int, default=1000, help="expansions per label (default 1000)")
    p.add_argument("--seconds", type=float, default=None, help="wall-clock limit per label")
    p.add_argument("--method", choices=search.METHODS, default="best",
                   help="best-first with the policy (uniform priors without one), bfs, or uniform")
    p.add_argument("--policy", metavar="DIR", help="a prove-train run folder or a saved policy folder")
    p.add_argument("--out", metavar="FILE", help="write a copy of the database with the proofs found")
    p.add_argument("--force", action="store_true", help="let --out replace an existing file")
    p.set_defaults(func=run)


def run(args) -> int:
    if args.budget < 1:
        raise MetamathError(f"--budget must be at least 1, got {args.budget}")
    if args.seconds is not None and not args.seconds > 0:
        raise MetamathError(f"--seconds must be positive, got {args.seconds}")
    if args.out is not None:
        out = Path(args.out)
        if out.resolve() == Path(args.db).resolve():
            raise MetamathError(f"--out {out} is the database itself; write the copy elsewhere")
        if out.exists() and not args.force:
            raise MetamathError(f"--out {out} exists (use --force to replace it)")
    policy = None
    if args.policy is not None:
        from move37.prove.policy import Policy
        policy = Policy.load(Path(args.policy))
    db = database.read(args.db)
    numbers = [db[label].number for label in args.labels]
    theory = environment.Theory(db, upto=max(numbers) + 1)
    tasks = [theory.task(label) for label in args.labels]
    checker = verify.Verifier(db)
    proofs: dict[str, list[str]] = {}
    for task in tasks:
        result = search.prove(theory, task, budget=args.budget, method=args.method, policy=policy,
                              seconds=args.seconds)
        if result.proved:
            checker.check(task.statement, result.proof)  # a ProofError here is a bug: let it surface
            proofs[task.label] = result.proof
        print(f"{task.label} {'proved' if result.proved else 'failed'} {result.expansions} {result.seconds:.2f}",
              flush=True)
    if args.out is not None:
        proofs = {label: proof for label, proof in proofs.items() if db[label].kind == "p"}
        export.write(Path(args.db), Path(args.out), proofs)
    return 0
