"""RLHF against RLVR: GRPO against a reward model of a hurried rater's preferences vs against the verifier.

The essay's contrast: RL against a grounded, verifiable reward goes past its teacher,
while RLHF optimises a model of human judgements and is capped by what the judges can
tell. The experiment, in one resumable folder:

1. imitation once (`sft/`, a normal run with no RL steps);
2. preference pairs: two samples per training problem from the imitation model (at
   temperature 1.3, so that the pairs differ in the surface features a rater sees), the
   simulated rater (`reasoning.rater`) picks one; a Bradley-Terry reward model, the same
   small transformer started from the imitation weights, is fitted on 80% of them
   (`rm/`, with its agreement with the rater and with the verifier on the rest);
3. GRPO arms forked from the same imitation state, equal budget: `verifier` (RLVR),
   `reward_model` (RLHF) and `mix` (their mean). Every arm logs the reward model's score
   of its samples, their true accuracy and the KL from the imitation model, so the
   over-optimisation curve of Gao et al. (2022) (proxy reward rising while the true
   reward falls, against KL) can be read off each.
The curriculum is off (it steers by true accuracy, which the RLHF arm must not see).
"""

from __future__ import annotations

import dataclasses
import io
from pathlib import Path

import numpy as np
import torch

from move37 import runs
from move37.atomic import write_bytes, write_json
from move37.reasoning import config as config_mod
from move37.reasoning import tasks, vocab
from move37.reasoning.config import TrainConfig
from move37.reasoning.evaluate import fresh_problem, held_out, held_out_keys
from move37.reasoning.rater import RaterConfig, features, prefers_first
from move37.reasoning.reward_model import RewardModel, fit, load_reward_model, save_reward_model, scores
from move37.reasoning.rollout import rollout
from move37.reasoning.style_experiment import fork
from move37.reasoning.train import load_model, train

ARMS = ("verifier", "reward_model", "mix")

DEFAULT_CONFIG = {
    "task": "addition:width=3", "seed": 0, "checkpoint_every": 20, "log_every": 2,
    "model": {"n_layer": 2, "n_head": 4, "n_embd": 64, "block_size": 64},
    "sft": {"steps": 600, "batch_size": 64, "lr": 0.003, "min_difficulty": 1, "max_difficulty": 3},
    "grpo": {"steps": 60, "prompts_per_step": 16, "group_size": 8, "lr": 0.00005},
    "curriculum": {"start": 3, "min_difficulty": 1, "max_difficulty": 3, "enabled": False},
    "eval": {"difficulties": [3], "problems": 200, "k": 2, "every": 10},
}


def default_config() -> TrainConfig:
    return config_mod.from_dict(DEFAULT_CONFIG)


def _ids(problem: tasks.Problem, text: str, finished: bool) -> tuple[list[int], list[int]]:
    return vocab.encode(problem.prompt), vocab.encode(text) + ([vocab.EOS] if finished else [])


def preference_pairs(model, task: tasks.Task, cfg: TrainConfig, rater: RaterConfig, n: int,
                     temperature: float) -> dict:
    """`n` rated pairs of imitation samples on training problems (never held out), with the rater's and the
    verifier's view of each: chosen/rejected ids, and whether the rater agreed with the verifier."""
    rng = np.random.default_rng([cfg.seed, 7])
    gen = torch.Generator().manual_seed(cfg.seed + 7)
    reject = held_out_keys(task, held_out(task, cfg.eval))
    problems = [fresh_problem(task, int(rng.integers(cfg.sft.min_difficulty, cfg.sft.max_difficulty + 1)), rng, reject)
                for _ in range(n)]
    ro = rollout(model, task, problems, 2, temperature, gen)
    chosen, rejected, correct_pair, agree = [], [], [], []
    for i, problem in enumerate(problems):
        a, b = 2 * i, 2 * i + 1
        first = prefers_first(rater, task, problem, ro.texts[a], ro.texts[b], rng)
        win, lose = (a, b) if first else (b, a)
        chosen.append(_ids(problem, ro.texts[win], bool(ro.finished[win])))
        rejected.append(_ids(problem, ro.texts[lose], bool(ro.finished[lose])))
        correct_pair.append((ro.rewards[win], ro.rewards[lose]))
    correct = np.array(correct_pair)  # (n, 2): verifier reward of chosen, rejected
    mixed = correct[:, 0] != correct[:, 1]
    return {"chosen": chosen, "rejected": rejected, "correct": correct,
            "rater_verifier_agreement": float((correct[mixed, 0] > correct[mixed, 1]).mean()) if mixed.any() else None,
            "mixed_pairs": int(mixed.sum())}


def diagnostics(rm: RewardModel, data: dict, cut: int) -> dict:
    """The score normalisation (mean, std over the training pairs' chosen completions) and how the reward model
    agrees with the rater and with the verifier on the held-out pairs `cut:`. Identical pairs (the two samples
    wrote the same text: about 40% at temperature 1.3) tell nothing and are left out of the agreements."""
    from move37.reasoning.batch import from_ids

    def batch(side, rows):
        return from_ids([data[side][i][0] for i in rows], [data[side][i][1] for i in rows])

    n = len(data["chosen"])
    test = range(cut, n)
    s_chosen, s_rejected = scores(rm, batch("chosen", test)), scores(rm, batch("rejected", test))
    distinct = np.array([data["chosen"][i] != data["rejected"][i] for i in test])
    correct = data["correct"][cut:]
    mixed = correct[:, 0] != correct[:, 1]
    rm_right = np.where(correct[:, 0] > correct[:, 1], s_chosen > s_rejected, s_rejected > s_chosen)
    train_scores = scores(rm, batch("chosen", range(cut)))
    return {"mean": float(train_scores.mean()), "std": float(train_scores.std()),
            "identical_pairs": float(np.mean([c == r for c, r in zip(data["chosen"], data["rejected"])])),
            "rm_rater_agreement_test": float((s_chosen > s_rejected)[distinct].mean()) if distinct.any() else None,
            "rm_verifier_agreement_test": float(rm_right[mixed].mean()) if mixed.any() else None}


def build_reward_model(out: Path, cfg: TrainConfig, rater: RaterConfig, pairs: int, temperature: float,
                       epochs: int) -> dict:
    """Rate pairs and fit the reward model into `out` (skipped when it is there); its metadata."""
    if (out / "reward_model.json").exists():
        return load_reward_model(out)[1]
    imitation, _ = load_model(out.parent / "sft", "sft")
    task = tasks.make(cfg.task)
    data = preference_pairs(imitation, task, cfg, rater, pairs, temperature)
    cut = int(0.8 * pairs)
    torch.manual_seed(cfg.seed)
    rm = RewardModel(cfg.model)
    rm.body.load_state_dict(imitation.state_dict())
    losses = fit(rm, data["chosen"][:cut], data["rejected"][:cut], epochs, 1e-3, 64, np.random.default_rng(cfg.seed))
    meta = {"pairs": pairs, "pair_temperature": temperature, "epochs": epochs, "losses": losses,
            "rater": dataclasses.asdict(rater), "rater_verifier_agreement": data["rater_verifier_agreement"],
            "mixed_pairs": data["mixed_pairs"], **diagnostics(rm, data, cut)}
    save_reward_model(out, rm, cfg.model, meta)
    return meta


def _f(x: float | None) -> str:
    return "n/a" if x is None else f"{x:.3f}"


def _arm_rows(folder: Path) -> list[dict]:
    return runs.read_rows(folder / "metrics.jsonl")


def write_plot(curves: dict[str, list[dict]], sft_steps: int, path: Path) -> None:
    """Four panels per arm: reward-model score and true accuracy against RL steps and against KL."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, axes = plt.subplots(2, 2, figsize=(10, 7))
    for arm, rows in curves.items():
        rl = [r for r in rows if r.get("phase") == "rl"]
        ev = [r for r in rows if r.get("phase") == "eval" and r.get("stage") in ("sft", "rl")]
        steps = [r["step"] - sft_steps for r in rl]
        line, = axes[0, 0].plot(steps, [r["rm_score"] for r in rl], "-", lw=1.2, label=arm)
        axes[0, 1].plot([r["step"] - sft_steps for r in ev], [r["greedy"] for r in ev], "-o", ms=3,
                        color=line.get_color(), label=f"{arm}, held-out greedy")
        axes[0, 1].plot(steps, [r["reward"] for r in rl], ":", color=line.get_color(), label=f"{arm}, samples")
        axes[1, 0].plot([r["kl"] for r in rl], [r["rm_score"] for r in rl], "-", color=line.get_color(), label=arm)
        axes[1, 1].plot([r["kl"] for r in rl], [r["reward"] for r in rl], "-", color=line.get_color(), label=arm)
    titles = [("RL step", "reward-model score (standardised)"), ("RL step", "true accuracy (verifier)"),
              ("KL from the imitation model", "reward-model score (standardised)"),
              ("KL from the imitation model", "true accuracy of samples")]
    for ax, (x, y) in zip(axes.flat, titles):
        ax.set_xlabel(x, fontsize=8)
        ax.set_ylabel(y, fontsize=8)
        ax.tick_params(labelsize=8)
        ax.legend(fontsize=7)
    fig.suptitle("RLHF (reward model of a hurried rater) against RLVR (the verifier), same imitation model and budget",
                 fontsize=9)
    fig.tight_layout()
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=100)
    plt.close(fig)
    write_bytes(path, buf.getvalue())


def run_rlhf_experiment(out: Path, cfg: TrainConfig | None = None, rater: RaterConfig = RaterConfig(),
                        pairs: int = 2000, pair_temperature: float = 1.3, rm_epochs: int = 6,
                        minutes: float | None = None, progress: bool = True) -> str:
    """Imitation, the reward model, then the three RL arms; comparison.json, comparison.md and rlhf.png in `out`."""
    out = Path(out)
    cfg = cfg or default_config()
    out.mkdir(parents=True, exist_ok=True)
    shared = train(out / "sft", dataclasses.replace(cfg, grpo={**cfg.grpo, "steps": 0}), minutes, progress)
    if not shared["finished"]:
        return f"imitation stopped at step {shared['step']} (time budget); run the same command to resume"
    meta = build_reward_model(out / "rm", cfg, rater, pairs, pair_temperature, rm_epochs)
    curriculum = dataclasses.replace(cfg.curriculum, enabled=False)
    results = {}
    for arm in ARMS:
        arm_cfg = dataclasses.replace(cfg, reward=arm, reward_model=str((out / "rm").resolve()),
                                      curriculum=curriculum)
        config_mod.validate(arm_cfg)
        fork(out / "sft", out / arm, arm_cfg)
        result = train(out / arm, arm_cfg, minutes, progress)
        if not result["finished"]:
            return f"arm {arm!r} stopped at step {result['step']} (time budget); run the same command to resume"
        rows = _arm_rows(out / arm)
        rl = [r for r in rows if r.get("phase") == "rl"]
        last = [r for r in rows if r.get("phase") == "eval"][-1]
        results[arm] = {"held_out_greedy": last["greedy"], "held_out_pass1": last["pass1"],
                        "final_rm_score": rl[-1]["rm_score"], "final_kl": rl[-1]["kl"],
                        "final_sample_accuracy": rl[-1]["reward"], "final_length": rl[-1]["length"]}
    sft_eval = [r for r in _arm_rows(out / "sft") if r.get("phase") == "eval"][-1]
    write_plot({arm: _arm_rows(out / arm) for arm in ARMS}, cfg.sft.steps, out / "rlhf.png")
    gap = results["verifier"]["held_out_greedy"] - results["reward_model"]["held_out_greedy"]
    lines = [f"# RLHF against RLVR ({cfg.task}, {cfg.grpo_config().steps} RL steps per arm)", "",
             f"Rater agrees with the verifier on {_f(meta['rater_verifier_agreement'])} of the "
             f"{meta['mixed_pairs']} pairs where exactly one answer is right; the reward model agrees with the rater "
             f"on {_f(meta['rm_rater_agreement_test'])} of distinct held-out pairs ({_f(meta['identical_pairs'])} of all "
             f"pairs are two identical samples, which tell nothing) and with the verifier on "
             f"{_f(meta['rm_verifier_agreement_test'])} of the held-out mixed pairs.", "",
             "| arm | held-out greedy | held-out pass@1 | RM score (last step) | KL (last step) | sample accuracy | length |",
             "|---|---|---|---|---|---|---|",
             f"| imitation (start) | {sft_eval['greedy']:.3f} | {sft_eval['pass1']:.3f} | | 0 | | |"]
    for arm, r in results.items():
        lines.append(f"| {arm} | {r['held_out_greedy']:.3f} | {r['held_out_pass1']:.3f} | {r['final_rm_score']:.2f} "
                     f"| {r['final_kl']:.3f} | {r['final_sample_accuracy']:.3f} | {r['final_length']:.1f} |")
    lines += ["", f"The RLHF arm ends {gap:+.3f} below the verifier arm in held-out greedy accuracy "
              f"(target: at least 0.20 below): {'met' if gap >= 0.2 else 'NOT met'}."]
    text = "\n".join(lines) + "\n"
    write_json(out / "comparison.json", {"reward_model": meta, "imitation": sft_eval, "arms": results},
               indent=2, sort_keys=True)
    write_bytes(out / "comparison.md", text.encode())
    return text
