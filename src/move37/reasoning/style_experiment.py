"""The reward-design experiment: does forcing demonstrator-like reasoning cost accuracy?

DeepSeek-R1 reports that a language-consistency reward (keep the chain of thought
in the user's language) made output more readable and reasoning slightly worse.
The analogue here: `grpo.style_weight` adds the fraction of completion tokens that
the frozen imitation model would itself have written, so reasoning that departs
from the demonstrator's way of writing earns less. Two runs with the same seed and
config, without and with that reward, are compared on held-out accuracy and on the
style score of their greedy completions; the report states the difference
whichever way it comes out.
"""

from __future__ import annotations

import dataclasses
import shutil
from pathlib import Path

from move37 import runs
from move37.atomic import write_bytes, write_json
from move37.reasoning import config as config_mod
from move37.reasoning import tasks
from move37.reasoning.config import TrainConfig
from move37.reasoning.evaluate import held_out
from move37.reasoning.grpo import style_scores
from move37.reasoning.rollout import rollout
from move37.reasoning.train import TRAINER, load_model, train


def greedy_style(out: Path) -> float:
    """Mean style score of a run's greedy held-out completions, judged by its own imitation model."""
    model, cfg = load_model(out, "checkpoint")
    reference, _ = load_model(out, "sft")
    task = tasks.make(cfg.task)
    problems = [p for ps in held_out(task, cfg.eval).values() for p in ps]
    return float(style_scores(reference, rollout(model, task, problems, 1, 0.0)).mean())


def fork(sft_run: Path, arm: Path, cfg: TrainConfig) -> None:
    """Start an arm from the shared imitation run: same weights, random streams and step."""
    if (arm / "run.json").exists():
        return  # already forked (resuming)
    tmp = arm.with_name(f".{arm.name}.tmp")
    shutil.rmtree(tmp, ignore_errors=True)
    shutil.copytree(sft_run, tmp)
    (tmp / "summary.json").unlink(missing_ok=True)
    runs.write_run(tmp, {**runs.read_run(sft_run, TRAINER), "config": cfg.to_dict()})
    tmp.rename(arm)


def run_style_experiment(out: Path, cfg: TrainConfig, weight: float, minutes: float | None = None,
                         progress: bool = True) -> str:
    """Imitation once, then RL twice from the same state; write comparison.json and comparison.md.

    Both arms fork the same imitation run (weights, random generator states), so the
    style reward is the only difference between them. Resumable like a training run.
    """
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    shared = train(out / "sft", dataclasses.replace(cfg, grpo={**cfg.grpo, "steps": 0}), minutes, progress)
    if not shared["finished"]:
        return f"imitation stopped at step {shared['step']} (time budget); run the same command to resume"
    arms = {"plain": dataclasses.replace(cfg, grpo={**cfg.grpo, "style_weight": 0.0}),
            "style": dataclasses.replace(cfg, grpo={**cfg.grpo, "style_weight": weight})}
    results = {}
    for name, arm_cfg in arms.items():
        config_mod.validate(arm_cfg)
        fork(out / "sft", out / name, arm_cfg)
        result = train(out / name, arm_cfg, minutes, progress)  # RunFolderError if the arm differs
        if not result["finished"]:
            return f"arm {name!r} stopped at step {result['step']} (time budget); run the same command to resume"
        results[name] = {"summary": result, "greedy_style": greedy_style(out / name)}
    lines = [f"# Style-reward experiment ({cfg.task}, style weight {weight})", "",
             "| difficulty | demonstrator | plain greedy | style greedy | plain pass@1 | style pass@1 |",
             "|---|---|---|---|---|---|"]
    for d, plain in results["plain"]["summary"]["difficulties"].items():
        style = results["style"]["summary"]["difficulties"][d]
        lines.append(f"| {d} | {plain['demonstrator']:.3f} | {plain['rl']['greedy']:.3f} | {style['rl']['greedy']:.3f} "
                     f"| {plain['rl']['pass1']:.3f} | {style['rl']['pass1']:.3f} |")
    lines += ["", f"Greedy completions written as the imitation model would (style score): "
              f"plain {results['plain']['greedy_style']:.3f}, style {results['style']['greedy_style']:.3f}."]
    diffs = [results["style"]["summary"]["difficulties"][d]["rl"]["greedy"] - e["rl"]["greedy"]
             for d, e in results["plain"]["summary"]["difficulties"].items()]
    mean = sum(diffs) / len(diffs)
    lines.append(f"Style reward changed held-out greedy accuracy by {mean:+.3f} on average "
                 f"({'lower' if mean < 0 else 'higher' if mean > 0 else 'no change'} with the style reward).")
    text = "\n".join(lines) + "\n"
    write_json(out / "comparison.json", {"weight": weight, **results}, indent=2, sort_keys=True)
    write_bytes(out / "comparison.md", text.encode())
    return text
