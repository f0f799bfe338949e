"""`move37 reason`: verifiable tasks, imitation then RL (GRPO), evaluation and reports.

    move37 reason tasks
    move37 reason sample addition --difficulty 6
    move37 reason train --task addition --out runs/add [--minutes 15] [--config FILE]
    move37 reason eval runs/add
    move37 reason report runs/add
    move37 reason style-experiment --out runs/style [--config FILE] [--weight 1.0]
    move37 reason pass-at-k runs/add [-n 256] [--problems 50]
    move37 reason rlhf-experiment --out runs/rlhf [--config FILE] [--pairs 2000]
    move37 reason search-report runs/sos [--problems 200] [--difficulty 4]
"""

from __future__ import annotations

import dataclasses
import json
import sys
from pathlib import Path

import numpy as np


def register(sub) -> None:
    p = sub.add_parser("reason", help="RL with verifiable rewards on a small transformer")
    rs = p.add_subparsers(dest="reason_command", required=True, metavar="ACTION")

    t = rs.add_parser("tasks", help="list the registered tasks")
    t.set_defaults(func=_tasks)

    s = rs.add_parser("sample", help="show problems, reference and demonstrator completions")
    s.add_argument("task", help='task spec, e.g. "addition" or "addition:slip=0.5"')
    s.add_argument("--difficulty", type=int, default=None)
    s.add_argument("-n", type=int, default=3)
    s.add_argument("--seed", type=int, default=0)
    s.set_defaults(func=_sample)

    tr = rs.add_parser("train", help="SFT on the demonstrator, then GRPO (resumes when OUT exists)")
    tr.add_argument("--out", required=True, type=Path, help="run folder")
    tr.add_argument("--task", default=None, help="task spec (overrides the config's)")
    tr.add_argument("--config", type=Path, default=None, help="JSON config (see docs/reasoning.md)")
    tr.add_argument("--minutes", type=float, default=None, help="stop (resumably) after this much wall clock")
    tr.add_argument("--quiet", action="store_true", help="no progress bar")
    tr.set_defaults(func=_train)

    e = rs.add_parser("eval", help="evaluate a run's latest and SFT models on held-out problems")
    e.add_argument("run", type=Path)
    e.add_argument("--problems", type=int, default=None, help="problems per difficulty")
    e.add_argument("--difficulty", type=int, action="append", default=None, help="repeatable")
    e.add_argument("--json", action="store_true")
    e.set_defaults(func=_eval)

    r = rs.add_parser("report", help="summary table and plot of a run folder")
    r.add_argument("run", type=Path)
    r.add_argument("--json", action="store_true")
    r.set_defaults(func=_report)

    x = rs.add_parser("style-experiment", help="train with and without the demonstrator-style reward")
    x.add_argument("--out", required=True, type=Path, help="folder for the two runs and the comparison")
    x.add_argument("--config", type=Path, default=None)
    x.add_argument("--weight", type=float, default=1.0, help="style reward weight")
    x.add_argument("--minutes", type=float, default=None, help="per run")
    x.add_argument("--quiet", action="store_true")
    x.set_defaults(func=_style)

    pk = rs.add_parser("pass-at-k", help="pass@k up to k=n (unbiased estimator) of a run's imitation and latest models")
    pk.add_argument("run", type=Path)
    pk.add_argument("-n", type=int, default=256, help="samples per problem (the largest k)")
    pk.add_argument("--problems", type=int, default=50, help="held-out problems per difficulty")
    pk.add_argument("--difficulty", type=int, action="append", default=None, help="repeatable")
    pk.add_argument("--temperature", type=float, default=1.0)
    pk.set_defaults(func=_pass_at_k)

    h = rs.add_parser("rlhf-experiment", help="GRPO against a reward model of a simulated rater vs the verifier")
    h.add_argument("--out", required=True, type=Path, help="folder for imitation, the reward model and the arms")
    h.add_argument("--config", type=Path, default=None, help="JSON config (default: 3-digit addition, 60 RL steps)")
    h.add_argument("--pairs", type=int, default=2000, help="rated preference pairs (80%% train the reward model)")
    h.add_argument("--minutes", type=float, default=None, help="per stage")
    h.add_argument("--quiet", action="store_true")
    h.set_defaults(func=_rlhf)


    sr = rs.add_parser("search-report", help="countdown_search: the written search, and solutions beyond the "
                                              "demonstrator's search")
    sr.add_argument("run", type=Path)
    sr.add_argument("--problems", type=int, default=None, help="held-out problems per difficulty")
    sr.add_argument("--difficulty", type=int, action="append", default=None, help="repeatable")
    sr.add_argument("--tries", type=int, default=4, help="seeded runs of the demonstrator's search per problem")
    sr.set_defaults(func=_search_report)


def _tasks(args) -> int:
    from move37.reasoning import tasks

    for name in tasks.names():
        if name == "gym":  # a family: one task per reasoning-gym dataset
            from move37.reasoning.tasks.gym import GYM_EXAMPLES, datasets

            print(f"{'gym:NAME':<10} {len(datasets())} reasoning-gym datasets, each with its own scorer and "
                  f"curriculum, e.g. {', '.join('gym:' + n for n in GYM_EXAMPLES)}")
            continue
        t = tasks.make(name)
        doc = sys.modules[type(t).__module__].__doc__ or ""
        print(f"{name:<10} difficulties {t.min_difficulty}-{t.max_difficulty}  {doc.strip().splitlines()[0]}")
    return 0


def _sample(args) -> int:
    from move37.reasoning import tasks
    from move37.reasoning.tasks.base import check_difficulty

    task = tasks.make(args.task)
    d = check_difficulty(task, args.difficulty if args.difficulty is not None else task.min_difficulty + 2)
    rng = np.random.default_rng(args.seed)
    for _ in range(args.n):
        problem = task.generate(d, rng)
        demo = task.demonstrate(problem, rng)
        print(f"prompt       {problem.prompt}\nreference    {task.reference(problem)}\n"
              f"demonstrator {demo}   [{tasks.verify(task, problem, demo).reason}]\n")
    return 0


def _load_config(path: Path | None, task: str | None):
    from move37.reasoning import config

    if path is None:
        return config.for_task(task) if task is not None else config.TrainConfig()
    cfg = config.load(path)
    if task is not None:
        cfg = dataclasses.replace(cfg, task=task)
    config.validate(cfg)
    return cfg


def _train(args) -> int:
    from move37.reasoning.report import format_summary
    from move37.reasoning.train import train

    resuming = (args.out / "run.json").exists()
    cfg = None if resuming and args.config is None and args.task is None else _load_config(args.config, args.task)
    result = train(args.out, cfg, args.minutes, progress=not args.quiet)
    if not result["finished"]:
        print(f"stopped at step {result['step']} (time budget); run the same command to resume")
        return 0
    print(format_summary(result))
    return 0


def _eval(args) -> int:
    from move37.reasoning import tasks
    from move37.reasoning.evaluate import demonstrator_accuracy, evaluate, held_out
    from move37.reasoning.train import load_model, model_path

    model, cfg = load_model(args.run, "checkpoint")
    ev = cfg.eval
    if args.problems is not None or args.difficulty:
        ev = dataclasses.replace(ev, problems=args.problems or ev.problems,
                                 difficulties=tuple(args.difficulty) if args.difficulty else ev.difficulties)
    from move37.reasoning.config import validate

    validate(dataclasses.replace(cfg, eval=ev))
    task = tasks.make(cfg.task)
    problems = held_out(task, ev)
    out = {"demonstrator": demonstrator_accuracy(task, problems, ev.k, ev.seed),
           "latest": evaluate(model, task, problems, ev)}
    if model_path(args.run, "sft") is not None:
        out["sft"] = evaluate(load_model(args.run, "sft")[0], task, problems, ev)
    if args.json:
        print(json.dumps(out))
        return 0
    print(f"{'difficulty':>10} {'demonstrator':>12} " + " ".join(f"{m + ' ' + k:>14}" for m in ("sft", "latest")
                                                          for k in ("greedy", "pass1", f"pass{ev.k}") if m in out))
    for d in ev.difficulties:
        cells = [f"{out[m][f'{k}/{d}']:>14.3f}" for m in ("sft", "latest") if m in out
                 for k in ("greedy", "pass1", f"pass{ev.k}")]
        print(f"{d:>10} {out['demonstrator'][d]:>12.3f} " + " ".join(cells))
    return 0


def _report(args) -> int:
    from move37 import runs
    from move37.reasoning.report import format_summary, summarise, write_learner_plot, write_plot
    from move37.reasoning.train import read_config

    cfg = read_config(args.run)
    rows = runs.read_rows(args.run / "metrics.jsonl")
    summary = summarise(rows, cfg)
    write_plot(rows, cfg, args.run / "accuracy.png")
    learner = write_learner_plot(rows, cfg, args.run / "learner.png")
    print(json.dumps(summary, indent=2) if args.json else format_summary(summary))
    if not args.json:
        print(f"plots: {args.run / 'accuracy.png'}" + (f", {args.run / 'learner.png'}" if learner else ""))
    return 0


def _style(args) -> int:
    from move37.reasoning.style_experiment import run_style_experiment

    cfg = _load_config(args.config, None)
    print(run_style_experiment(args.out, cfg, args.weight, args.minutes, progress=not args.quiet))
    return 0


def _pass_at_k(args) -> int:
    from move37.atomic import write_json
    from move37.errors import ConfigError
    from move37.reasoning import pass_at_k as pk
    from move37.reasoning import tasks
    from move37.reasoning.evaluate import held_out
    from move37.reasoning.train import load_model, model_path

    if not 1 <= args.n <= 4096 or args.problems < 1:
        raise ConfigError("-n must lie in [1, 4096] and --problems must be positive")
    model, cfg = load_model(args.run, "checkpoint")
    ev = dataclasses.replace(cfg.eval, problems=args.problems,
                             difficulties=tuple(args.difficulty) if args.difficulty else cfg.eval.difficulties)
    from move37.reasoning.config import validate

    validate(dataclasses.replace(cfg, eval=ev))
    task = tasks.make(cfg.task)
    models = {"imitation": load_model(args.run, "sft")[0]} if model_path(args.run, "sft") is not None else {}
    models["latest"] = model
    results = {}
    for d, problems in held_out(task, ev).items():
        counts = {name: pk.correct_counts(m, task, problems, args.n, args.temperature, ev.seed)
                  for name, m in models.items()}
        results[str(d)] = pk.curves(counts, args.n)
        for name, curve in results[str(d)].items():
            print(f"difficulty {d} {name:<9} " + "  ".join(f"@{k} {v:.3f}" for k, v in curve.items()), flush=True)
    write_json(args.run / "pass_at_k.json", {"n": args.n, "problems": args.problems, "temperature": args.temperature,
                                             "curves": results}, indent=2)
    pk.write_plot(results, f"{cfg.task}: pass@k, imitation against RL (n={args.n})", args.run / "pass_at_k.png")
    print(f"wrote {args.run / 'pass_at_k.json'} and {args.run / 'pass_at_k.png'}")
    return 0


def _rlhf(args) -> int:
    from move37.errors import ConfigError
    from move37.reasoning.rlhf_experiment import run_rlhf_experiment

    if args.pairs < 10:
        raise ConfigError("--pairs must be at least 10")
    cfg = _load_config(args.config, None) if args.config is not None else None
    print(run_rlhf_experiment(args.out, cfg, pairs=args.pairs, minutes=args.minutes, progress=not args.quiet))
    return 0


def _search_report(args) -> int:
    from move37 import runs
    from move37.atomic import write_json
    from move37.errors import ConfigError
    from move37.reasoning import search_trace, tasks
    from move37.reasoning.config import validate
    from move37.reasoning.evaluate import held_out
    from move37.reasoning.train import load_model, model_path

    if args.tries < 1 or (args.problems is not None and args.problems < 1):
        raise ConfigError("--tries and --problems must be positive")
    model, cfg = load_model(args.run, "checkpoint")
    ev = dataclasses.replace(cfg.eval, problems=args.problems or cfg.eval.problems,
                             difficulties=tuple(args.difficulty) if args.difficulty else cfg.eval.difficulties)
    validate(dataclasses.replace(cfg, eval=ev))
    task = tasks.make(cfg.task)
    models = {"imitation": load_model(args.run, "sft")[0]} if model_path(args.run, "sft") is not None else {}
    models["latest"] = model
    report = {name: {str(d): search_trace.beyond_demonstrator(m, task, ps, args.tries, ev.seed)
                     for d, ps in held_out(task, ev).items()} for name, m in models.items()}
    write_json(args.run / "search.json", report, indent=2, sort_keys=True)
    search_trace.write_plot(runs.read_rows(args.run / "metrics.jsonl"), cfg.sft.steps, cfg.eval.difficulties,
                            f"{cfg.task}: search in the text, imitation then RL", args.run / "search.png")
    keys = ("model_solved", "demonstrator_solved", "beyond_demonstrator", "beyond_demonstrator_no_skips",
            "model_entries", "model_backtracks", "demonstrator_entries")
    print(f"{'model':<10} {'numbers':>7} " + " ".join(f"{k:>14.14}" for k in keys))
    for name, per in report.items():
        for d, r in per.items():
            print(f"{name:<10} {d:>7} " + " ".join(f"{r[k]:>14.3f}" for k in keys))
    print(f"wrote {args.run / 'search.json'} and {args.run / 'search.png'}")
    return 0
