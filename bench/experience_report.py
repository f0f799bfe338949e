"""The figures of docs/results/experience.md from the live runs of bench/experience_runs.sh.

    python bench/experience_report.py [runs/experience] [bench/results/experience]

Writes summary.json (every figure the page quotes) and three PNGs into the output folder (a run absent from the
runs folder keeps its figures from the summary.json already there, as NAME@earlier, and a section with no runs
keeps its PNG):
baselines.png (episode return against the step, stream Q beside DQN, per game), cycle.png (mean return of each
visit to each game of the four-game cycle, plain beside the remedies that ran) and feedback.png (the user's true
utility per rated segment and the reward's agreement with the user's goal, adapted beside fixed)."""

from __future__ import annotations

import io
import json
import sys
from pathlib import Path

import numpy as np

from move37.atomic import write_bytes, write_json
from move37.experience import feedback, plots
from move37.runs import read_rows

GAMES = ("breakout", "freeway")
LEARNERS = ("streamq", "dqn")
LAST = 20  # episodes averaged for a return
EVERY = 100_000  # the baselines' side-by-side table: each learner's return at every EVERY steps both reached
CYCLE_RUNS = ("cycle-plain", "cycle-cbp", "cycle-shrink", "cycle-l2init")
CURVE_RUNS = ("freeway-streamac", "breakout-streamac")


def _rows(runs: Path, name: str) -> list[dict]:
    path = runs / name / "metrics.jsonl"
    return read_rows(path) if path.exists() else []


def _steps(rows: list[dict]) -> int:
    return max((r["step"] for r in rows if "step" in r), default=0)


def _return_at(rows: list[dict], step: int) -> tuple[float | None, int]:
    """Mean return of the last LAST episodes that ended by `step`, and how many there were."""
    eps = [r["return"] for r in rows if r.get("kind") == "episode" and r["step"] <= step][-LAST:]
    return (round(float(np.mean(eps)), 3) if eps else None), len(eps)


def baselines(runs: Path) -> dict:
    out = {}
    for game in GAMES:
        rows = {ln: r for ln in LEARNERS if (r := _rows(runs, f"{game}-{ln}"))}
        if not rows:
            continue
        common = min(_steps(r) for r in rows.values())
        entry = {"equal_steps": common,
                 "at": {str(k): {ln: _return_at(r, k)[0] for ln, r in rows.items()}
                        for k in range(EVERY, common + 1, EVERY)}}
        for ln, r in rows.items():
            at, n = _return_at(r, common)
            final, _ = _return_at(r, _steps(r))
            entry[ln] = {"steps": _steps(r), "return_at_equal_steps": at, "episodes_averaged": n,
                         "return_at_own_end": final}
        out[game] = entry
    return out


def cycle(runs: Path) -> dict:
    out = {}
    for name in CYCLE_RUNS:
        rows = _rows(runs, name)
        if not rows:
            continue
        visits = plots.visit_returns(rows)
        entry = {"steps": _steps(rows), "visits": {t: [round(m, 3) for _, m, _ in v] for t, v in visits.items()}}
        kept = {}
        for task, v in visits.items():
            means = [m for _, m, _ in v]
            if len(means) >= 2 and max(means[:-1]) > 0:
                kept[task] = round(means[-1] / max(means[:-1]), 3)
        entry["last_over_best_earlier"] = kept
        probes = [r for r in rows if r.get("kind") == "probe" and "dormant" in r]
        if probes:
            entry["probe_first"] = {k: probes[0][k] for k in ("step", "dormant", "effective_rank", "weight_norm")}
            entry["probe_last"] = {k: probes[-1][k] for k in ("step", "dormant", "effective_rank", "weight_norm")}
            entry["units_replaced"] = probes[-1].get("units_replaced", 0)
        out[name] = entry
    return out


def feedback_figures(runs: Path) -> dict:
    return {name: {"steps": _steps(_rows(runs, name)), **feedback.summarise(_rows(runs, name))}
            for name in ("feedback-adapted", "feedback-first") if _rows(runs, name)}


def learning_curves(runs: Path) -> dict:
    """Stream Q and stream actor-critic on one game each: steps, speed and the mean return of the last LAST
    episodes at every 50k steps."""
    out = {}
    for name in CURVE_RUNS:
        rows = _rows(runs, name)
        if not rows:
            continue
        steps = _steps(rows)
        probes = [r for r in rows if r.get("kind") == "probe"]
        entry = {"steps": steps, "at": {str(k): _return_at(rows, k)[0] for k in range(50_000, steps + 1, 50_000)},
                 "return_at_end": _return_at(rows, steps)[0]}
        if probes:
            entry["steps_per_second"] = round(probes[-1]["step"] / max(probes[-1]["elapsed"], 1e-9), 1)
        out[name] = entry
    return out


def _pyplot():
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    return plt


def _save(fig, path: Path) -> None:
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=80)
    write_bytes(path, buf.getvalue())


def plot_baselines(runs: Path, path: Path, figures: dict) -> None:
    """Episode-return curves of the runs present; a DQN run of an earlier session as its two recorded points."""
    plt = _pyplot()
    fig, axes = plt.subplots(1, len(GAMES), figsize=(10, 3.5))
    for ax, game in zip(axes, GAMES):
        for ln in LEARNERS + ("streamac",):
            eps = [r for r in _rows(runs, f"{game}-{ln}") if r.get("kind") == "episode"]
            if len(eps) >= 2:
                k = max(1, min(LAST, len(eps) // 3))
                ret = np.convolve([r["return"] for r in eps], np.ones(k) / k, "valid")
                ax.plot([r["step"] for r in eps][k - 1:], ret, label=f"{ln} ({k}-episode mean)")
        dqn = figures.get(game, {}).get("dqn_earlier_session")
        if dqn:
            ax.plot([dqn["equal_steps"], dqn["steps"]], [dqn["return_at_equal_steps"], dqn["return_at_own_end"]],
                    "k^", label=f"dqn, earlier session ({LAST}-episode mean)")
        ax.set_title(game), ax.set_xlabel("step"), ax.set_ylabel("episode return")
        ax.ticklabel_format(axis="x", style="sci", scilimits=(0, 0))  # full step counts ran together
        if ax.get_legend_handles_labels()[0]:
            ax.legend(fontsize=7)
    fig.tight_layout()
    _save(fig, path)
    plt.close(fig)


def plot_cycle(runs: Path, path: Path) -> None:
    plt = _pyplot()
    names = [n for n in CYCLE_RUNS if _rows(runs, n)]
    fig, axes = plt.subplots(1, len(names), figsize=(5 * len(names), 3.5), sharey=True, squeeze=False)
    for ax, name in zip(axes[0], names):
        for task, v in sorted(plots.visit_returns(_rows(runs, name)).items()):
            ax.plot([x for x, _, _ in v], [m for _, m, _ in v], marker="o", label=task)
        ax.set_title(name), ax.set_xlabel("visit"), ax.set_ylabel("mean episode return"), ax.legend(fontsize=7)
    fig.tight_layout()
    _save(fig, path)
    plt.close(fig)


def plot_feedback(runs: Path, path: Path) -> None:
    plt = _pyplot()
    fig, (a, b) = plt.subplots(1, 2, figsize=(10, 3.5))
    for name in ("feedback-adapted", "feedback-first"):
        ratings = [r for r in _rows(runs, name) if r.get("kind") == "rating"]
        steps = [r["step"] for r in ratings]
        u = np.array([r["utility"] for r in ratings])
        k = min(feedback.WINDOW, max(1, len(u)))
        if len(u):
            a.plot(steps[k - 1:], np.convolve(u, np.ones(k) / k, "valid"), label=name)
            b.plot(steps, [r["cosine"] for r in ratings], label=name)
        change = next((r["step"] for r in ratings if r["goal"] == 1), None)
        if change:
            for ax in (a, b):
                ax.axvline(change, color="grey", ls="--", lw=0.8)
    a.set_title(f"user's utility per step ({feedback.WINDOW}-rating mean)"), a.set_xlabel("step"), a.legend(fontsize=7)
    b.set_title("cosine(reward weights, user's goal)"), b.set_xlabel("step"), b.legend(fontsize=7)
    fig.tight_layout()
    _save(fig, path)
    plt.close(fig)


def main(argv: list[str]) -> int:
    runs = Path(argv[0]) if argv else Path("runs/experience")
    out = Path(argv[1]) if len(argv) > 1 else Path("bench/results/experience")
    summary = {"baselines": baselines(runs), "cycle": cycle(runs), "feedback": feedback_figures(runs),
               "curves": learning_curves(runs)}
    old = json.loads((out / "summary.json").read_text()) if (out / "summary.json").exists() else {}
    for section, plot in (("baselines", None), ("cycle", plot_cycle), ("feedback", plot_feedback)):
        if summary[section]:
            if plot is not None:
                plot(runs, out / f"{section}.png")
        if section in old and section != "baselines":  # runs absent here: keep what an earlier session measured
            for name, figures in old[section].items():
                if name not in summary[section] and name.split("@")[0] not in summary[section]:
                    summary[section][name if "@" in name else f"{name}@earlier"] = figures
    for game, entry in list(summary["baselines"].items()):  # a DQN this session did not rerun: earlier figures
        earlier = old.get("baselines", {}).get(game) or old.get("baselines", {}).get(f"{game}@earlier", {})
        if "dqn" not in entry and ("dqn" in earlier or "dqn_earlier_session" in earlier):
            dqn = earlier.get("dqn_earlier_session") or {**earlier["dqn"], "equal_steps": earlier["equal_steps"]}
            entry["dqn_earlier_session"] = dqn
            stream_rows = _rows(runs, f"{game}-streamq")
            if _steps(stream_rows) >= dqn["equal_steps"]:
                at, n = _return_at(stream_rows, dqn["equal_steps"])
                entry["streamq_at_dqn_equal_steps"] = {"step": dqn["equal_steps"], "return": at,
                                                       "episodes_averaged": n}
    for game, figures in old.get("baselines", {}).items():
        if game.split("@")[0] not in summary["baselines"]:
            summary["baselines"][game if "@" in game else f"{game}@earlier"] = figures
    if summary["baselines"]:
        plot_baselines(runs, out / "baselines.png", summary["baselines"])
    write_json(out / "summary.json", summary)
    print(json.dumps(summary, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
