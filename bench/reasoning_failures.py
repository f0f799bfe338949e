"""Why a run's model fails: its held-out verdicts tallied by reason, with examples.

    .venv/bin/python bench/reasoning_failures.py RUN [--which sft|checkpoint] [--difficulty D] [--problems 200]

Greedy completions of the run's model on its held-out problems, counted by the verifier's reason
("ok", "wrong: not in order", "malformed: ..."), with a few prompts and completions for each.
"""

from __future__ import annotations

import argparse
import sys
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))

import dataclasses  # noqa: E402

from move37.reasoning import tasks  # noqa: E402
from move37.reasoning.evaluate import held_out  # noqa: E402
from move37.reasoning.rollout import rollout  # noqa: E402
from move37.reasoning.train import load_model  # noqa: E402


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("run", type=Path)
    parser.add_argument("--which", default="sft", choices=("sft", "checkpoint"))
    parser.add_argument("--difficulty", type=int, action="append", default=None)
    parser.add_argument("--problems", type=int, default=200)
    parser.add_argument("--examples", type=int, default=3)
    args = parser.parse_args()
    model, cfg = load_model(args.run, args.which)
    ev = dataclasses.replace(cfg.eval, problems=args.problems,
                             difficulties=tuple(args.difficulty) if args.difficulty else cfg.eval.difficulties)
    task = tasks.make(cfg.task)
    for d, problems in held_out(task, ev).items():
        out = rollout(model, task, problems, 1, 0.0)
        kinds = Counter(r.split(" (")[0][:40] for r in out.reasons)
        print(f"difficulty {d}: " + ", ".join(f"{k} {v / len(problems):.3f}" for k, v in kinds.most_common()))
        for kind in kinds:
            shown = [i for i, r in enumerate(out.reasons) if r.split(" (")[0][:40] == kind][: args.examples]
            for i in shown:
                print(f"   [{kind}] {problems[i].prompt} {out.texts[i]}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
