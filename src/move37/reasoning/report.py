"""Summaries and plots of a run folder's metrics.jsonl (no model needed)."""

from __future__ import annotations

import io
from pathlib import Path

from move37.reasoning.config import TrainConfig
from move37.atomic import write_bytes


def _evals(rows: list[dict], stage: str | None = None) -> list[dict]:
    return [r for r in rows if r.get("phase") == "eval" and (stage is None or r.get("stage") == stage)]


def summarise(rows: list[dict], cfg: TrainConfig) -> dict:
    """Demonstrator, imitation (end of SFT) and final accuracies per held-out difficulty."""
    demo = next((r for r in rows if r.get("phase") == "demonstrator"), {})
    sft, rl = _evals(rows, "sft"), _evals(rows, "rl")
    last_step = max((r.get("elapsed", 0) for r in rows if "elapsed" in r), default=0.0)
    out: dict = {"task": cfg.task, "steps": max((r["step"] for r in rows), default=0),
                 "elapsed_s": round(float(last_step), 1), "difficulties": {}}
    k = cfg.eval.k
    for d in cfg.eval.difficulties:
        entry = {"demonstrator": demo.get(f"accuracy/{d}")}
        for name, evals in (("sft", sft), ("rl", rl)):
            if evals:
                e = evals[-1]
                entry[name] = {"greedy": e[f"greedy/{d}"], "pass1": e[f"pass1/{d}"], f"pass{k}": e[f"pass{k}/{d}"]}
        if "rl" in entry and entry["demonstrator"] is not None:
            entry["rl_greedy_minus_demonstrator"] = round(entry["rl"]["greedy"] - entry["demonstrator"], 4)
        if "rl" in entry and "sft" in entry:
            entry["rl_greedy_minus_sft_greedy"] = round(entry["rl"]["greedy"] - entry["sft"]["greedy"], 4)
        out["difficulties"][str(d)] = entry
    return out


def format_summary(summary: dict) -> str:
    """A short plain-text table of a summary."""
    lines = [f"task {summary['task']}  steps {summary['steps']}  wall {summary['elapsed_s']:.0f}s",
             f"{'difficulty':>10} {'demonstrator':>12} {'sft greedy':>10} {'sft pass1':>9} {'rl greedy':>9} {'rl pass1':>8}"]
    for d, e in summary["difficulties"].items():
        def get(stage, key):
            v = e.get(stage, {}).get(key)
            return f"{v:.3f}" if v is not None else "-"
        demo = f"{e['demonstrator']:.3f}" if e.get("demonstrator") is not None else "-"
        lines.append(f"{d:>10} {demo:>12} {get('sft', 'greedy'):>10} {get('sft', 'pass1'):>9} "
                     f"{get('rl', 'greedy'):>9} {get('rl', 'pass1'):>8}")
    return "\n".join(lines)


def write_plot(rows: list[dict], cfg: TrainConfig, path: Path) -> None:
    """Held-out accuracy against steps per difficulty, with the demonstrator's line and the SFT/RL boundary."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    demo = next((r for r in rows if r.get("phase") == "demonstrator"), {})
    evals = _evals(rows)
    fig, ax = plt.subplots(figsize=(7, 4.2))
    colors = plt.rcParams["axes.prop_cycle"].by_key()["color"]
    for i, d in enumerate(cfg.eval.difficulties):
        c = colors[i % len(colors)]
        steps = [r["step"] for r in evals]
        ax.plot(steps, [r[f"greedy/{d}"] for r in evals], "-o", color=c, ms=3, label=f"greedy, difficulty {d}")
        ax.plot(steps, [r[f"pass1/{d}"] for r in evals], ":", color=c, label=f"sampled pass@1, difficulty {d}")
        if f"accuracy/{d}" in demo:
            ax.axhline(demo[f"accuracy/{d}"], color=c, ls="--", lw=1, label=f"demonstrator, difficulty {d}")
    ax.axvline(cfg.sft.steps, color="gray", lw=1)
    ax.text(cfg.sft.steps, 0.02, " SFT | RL", color="gray", fontsize=8)
    ax.set_xlabel("step (imitation, then GRPO)")
    ax.set_ylabel("held-out accuracy")
    ax.set_ylim(0, 1.02)
    ax.set_title(f"{cfg.task}: imitation, then RL against the verifier")
    ax.legend(fontsize=7, loc="lower right")
    fig.tight_layout()
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=110)
    plt.close(fig)
    write_bytes(path, buf.getvalue())


LEARNER_KEYS = (("reward", "reward (verifier, sampled)"), ("clip_frac", "clipped share of tokens"),
                ("entropy", "token entropy (nats)"), ("kl", "KL to the imitation model (k3)"),
                ("length", "completion length (tokens)"), ("kept", "share of completions in the loss"))


def write_learner_plot(rows: list[dict], cfg: TrainConfig, path: Path) -> bool:
    """The learner's diagnostics against RL steps (one panel each); False (nothing written) before RL logs any."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    rl = [r for r in rows if r.get("phase") == "rl"]
    if not rl:
        return False
    fig, axes = plt.subplots(2, 3, figsize=(10, 5.2), sharex=True)
    for ax, (key, title) in zip(axes.flat, LEARNER_KEYS):
        have = [r for r in rl if key in r]
        ax.plot([r["step"] - cfg.sft.steps for r in have], [r[key] for r in have], "-", lw=1.2)
        ax.set_title(title, fontsize=9)
        ax.tick_params(labelsize=8)
    for ax in axes[1]:
        ax.set_xlabel("RL step", fontsize=8)
    fig.suptitle(f"{cfg.task}: the learner ({cfg.grpo_preset})", fontsize=10)
    fig.tight_layout()
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=100)
    plt.close(fig)
    write_bytes(path, buf.getvalue())
    return True
