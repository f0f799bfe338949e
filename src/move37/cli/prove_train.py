"""`move37 prove-train --out DIR [--rounds N] [--budget N] [--attempts N] [--test-limit N] [--conjectures N]`.

Expert iteration of the set.mm prover (move37/prove/learn.py): each round attempts training theorems of the
propositional calculus, learns from the proofs found (and from sub-goals proved inside failed searches),
and measures the held-out success; with --conjectures N it also attempts N new statements a round, made
from earlier assertions' patterns, and learns from them (Minimo-style). Resumes DIR when it holds a run
(--rounds and --conjectures may change then); `move37 prove --policy DIR` then
proves with the latest policy.
"""

from __future__ import annotations

from pathlib import Path

from move37 import runs
from move37.errors import ConfigError
from move37.prove import learn


def register(sub) -> None:
    p = sub.add_parser("prove-train", help="learn to prove set.mm theorems from the prover's own attempts")
    p.add_argument("--out", required=True, help="run folder (resumed when it exists)")
    defaults = learn.Config()
    p.add_argument("--rounds", type=int, default=defaults.rounds)
    p.add_argument("--budget", type=int, default=defaults.budget, help="expansions per theorem")
    p.add_argument("--attempts", type=int, default=defaults.attempts, help="training theorems per round")
    p.add_argument("--test-limit", type=int, default=defaults.test_limit, help="held-out theorems evaluated")
    p.add_argument("--epochs", type=int, default=defaults.epochs)
    p.add_argument("--conjectures", type=int, default=None,
                   help=f"conjectures attempted per round (default {defaults.conjectures}; when resuming, the run's)")
    p.add_argument("--seed", type=int, default=defaults.seed)
    p.add_argument("--db", default=defaults.db)
    p.set_defaults(func=run)


def run(args) -> int:
    for name in ("rounds", "budget", "attempts", "test_limit", "epochs"):
        if getattr(args, name) < 1:
            raise ConfigError(f"--{name.replace('_', '-')} must be at least 1")
    if args.conjectures is not None and args.conjectures < 0:
        raise ConfigError("--conjectures must be at least 0")
    config = learn.Config(rounds=args.rounds, budget=args.budget, attempts=args.attempts,
                          test_limit=args.test_limit, epochs=args.epochs, seed=args.seed, db=args.db,
                          conjectures=args.conjectures or 0)
    out = Path(args.out)
    if (out / "run.json").is_file():  # resuming: the stored config, but the rounds may be extended
        meta = runs.read_run(out, learn.TRAINER)
        changed = {"rounds": args.rounds}
        if args.conjectures is not None:
            changed["conjectures"] = args.conjectures
        config = runs.build(learn.Config, {**meta["config"], **changed})
        meta["config"] = runs.to_dict(config)
        with runs.hold(out):
            runs.write_run(out, meta)
    learn.run(out, config, log=lambda line: print(line, flush=True))
    return 0
