"""Where GRPO's signal goes: sampled groups on training problems, tallied by whether they carry any.

    .venv/bin/python bench/reasoning_group_signal.py RUN [--which sft] [--difficulty 1] [--prompts 64]
        [--group-size 8] [--temperatures 0.7,1.0,1.3]

A group whose completions are all right or all wrong has zero advantage everywhere: it moves
nothing (Dr. GRPO, DAPO's dynamic sampling). For each temperature this prints the mean reward, the
share of groups all right / all wrong / mixed, and, on the held-out problems the model gets wrong
greedily, the share where some sample in the group is right (what RL could reinforce there).
Also: the number of distinct training problems at the difficulty among 2000 draws, and the held-out share.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

import numpy as np
import torch

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))

from move37.reasoning import tasks  # noqa: E402
from move37.reasoning.evaluate import fresh_problem, held_out, held_out_keys  # noqa: E402
from move37.reasoning.rollout import rollout  # noqa: E402
from move37.reasoning.tasks import canonical  # noqa: E402
from move37.reasoning.train import load_model  # noqa: E402


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("run", type=Path)
    ap.add_argument("--which", default="sft")
    ap.add_argument("--difficulty", type=int, default=1)
    ap.add_argument("--prompts", type=int, default=64)
    ap.add_argument("--group-size", type=int, default=8)
    ap.add_argument("--temperatures", default="0.7,1.0,1.3")
    a = ap.parse_args()
    torch.set_num_threads(1)
    model, cfg = load_model(a.run, a.which)
    task = tasks.make(cfg.task)
    held = held_out(task, cfg.eval)
    reject = held_out_keys(task, held)
    rng = np.random.default_rng(7)
    draws = [canonical(task, task.generate(a.difficulty, rng)) for _ in range(2000)]
    space = {"distinct_in_2000_draws": len(set(draws)), "held_out_share": float(np.mean([d in reject for d in draws]))}
    train_ps = [fresh_problem(task, a.difficulty, rng, reject) for _ in range(a.prompts)]
    test_ps = held.get(a.difficulty, [])
    wrong = [p for p, r in zip(test_ps, rollout(model, task, test_ps, 1, 0.0).rewards) if r == 0] if test_ps else []
    out = {"run": str(a.run), "which": a.which, "task": cfg.task, "difficulty": a.difficulty, **space,
           "held_out_greedy_wrong": len(wrong), "held_out": len(test_ps), "by_temperature": {}}
    gen = torch.Generator().manual_seed(0)
    g = a.group_size
    for t in map(float, a.temperatures.split(",")):
        r = rollout(model, task, train_ps, g, t, gen)
        rw = r.rewards.reshape(-1, g)
        row = {"reward": float(rw.mean()), "all_right": float((rw.min(1) == 1).mean()),
               "all_wrong": float((rw.max(1) == 0).mean()), "mixed": float(((rw.max(1) > 0) & (rw.min(1) < 1)).mean()),
               "length": float(r.batch.mask.sum(1).float().mean())}
        if wrong:
            rw2 = rollout(model, task, wrong, g, t, gen).rewards.reshape(-1, g)
            row["greedy_wrong_some_sample_right"] = float((rw2.max(1) > 0).mean())
            row["greedy_wrong_sample_reward"] = float(rw2.mean())
        out["by_temperature"][t] = row
    print(json.dumps(out, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
