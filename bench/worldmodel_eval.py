"""An environment MuZero run scored the way the issue defines "solved": the mean return of 100 greedy
episodes, played apart from training, for chosen checkpoints, beside the CPU minutes spent to reach them.

During training a run evaluates only `eval_episodes` (16 in configs/muzero-cartpole.json) greedy episodes
now and then; that is too few for "mean return >= 475 over 100 episodes". This script loads a
checkpoint's online network, plays `--episodes` episodes searching inside the model without root noise
(the `muzero:DIR` agent's play: search at `--sims` simulations, the most visited action), on seeds of
their own (from 2 * 10**9: neither training's 0.. nor the training evaluation's 10**9..), and writes
one row per checkpoint. The CPU minutes of a checkpoint come from RUN/cpu.jsonl (bench/worldmodel_c4.py
run, which trained it); the evaluation's own CPU is reported apart and is not part of the budget.

    python bench/worldmodel_eval.py eval RUN OUT.json [--episodes 100] [--sims 16] [--iterations 40,80 | --last]
    python bench/worldmodel_eval.py plot OUT.png RUN OUT.json [--target 475]
"""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path

import numpy as np

from move37 import games, jsontext, runs
from move37.atomic import write_json
from move37.worldmodel.checkpoint import load_net
from move37.worldmodel.config import MuZeroConfig
from move37.worldmodel.model import LatentModel
from move37.worldmodel.play import make_search, play
from move37.worldmodel.train import TRAINER

SEED = 2 * 10**9


def greedy_returns(run: Path, ckpt: Path, episodes: int, sims: int) -> np.ndarray:
    """Returns (episodes,) of greedy episodes played with checkpoint `ckpt` of `run` (its run.json's game
    and search settings)."""
    meta = runs.read_run(run, TRAINER)
    game = games.make(meta["game"])
    config = runs.build(MuZeroConfig, meta["config"])
    net, _ = load_net(ckpt / "weights.safetensors")
    search = make_search(game, LatentModel(net), config.search, min(episodes, 100), sims)
    played = play(game, search, [SEED + i for i in range(episodes)], sims, np.random.default_rng(0), False)
    return np.array([t.episode_return() for t in played], np.float64)


def _cpu_minutes(run: Path) -> dict[int, float]:
    """Iteration -> CPU minutes the run had spent when it logged that iteration's row (cpu.jsonl)."""
    cpu = {r["row"]: r["cpu"] for r in runs.read_rows(run / "cpu.jsonl")} if (run / "cpu.jsonl").exists() else {}
    return {i + 1: c / 60 for i, c in cpu.items()}


def evaluate(run: Path, out: Path, episodes: int, sims: int, iterations: list[int] | None) -> list[dict]:
    ckpts = {int(p.name): p for p in runs.checkpoint_dirs(run)}
    if not ckpts:
        raise SystemExit(f"{run}: no checkpoint")
    wanted = iterations or [max(ckpts)]
    missing = [i for i in wanted if i not in ckpts]
    if missing:
        raise SystemExit(f"{run}: no checkpoint for iteration(s) {missing} (kept: {sorted(ckpts)[:3]}..{max(ckpts)})")
    rows = runs.read_rows(run / "metrics.jsonl")
    cpu = _cpu_minutes(run)
    done = jsontext.read(out)["rows"] if out.exists() else []
    for it in wanted:
        t0 = time.process_time()
        ret = greedy_returns(run, ckpts[it], episodes, sims)
        row = {"iteration": it, "moves": rows[it - 1]["moves"], "train_minutes": rows[it - 1]["elapsed"] / 60,
               "cpu_minutes": cpu.get(it), "episodes": episodes, "sims": sims, "mean": float(ret.mean()),
               "std": float(ret.std()), "min": float(ret.min()), "solved_share": float((ret >= 475).mean()),
               "eval_cpu_minutes": round((time.process_time() - t0) / 60, 2)}
        print(json.dumps(row), flush=True)
        done = [r for r in done if r["iteration"] != it] + [row]
        write_json(out, {"run": str(run), "rows": sorted(done, key=lambda r: r["iteration"])})
    return done


def plot(out: Path, run: Path, scores: Path, target: float) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    rows = runs.read_rows(run / "metrics.jsonl")
    cpu = _cpu_minutes(run)
    fig, ax = plt.subplots(figsize=(7, 4.2))
    for key, label in [("return", "self-play (with noise), 16 episodes"), ("eval_return", "greedy, 16 episodes")]:
        pts = [(cpu[r["iteration"]], r[key]) for r in rows if key in r and r["iteration"] in cpu]
        if pts:
            ax.plot(*zip(*pts), marker="." if key == "eval_return" else None, label=label)
    evals = [r for r in jsontext.read(scores)["rows"] if r["cpu_minutes"] is not None]
    if evals:
        ax.errorbar([r["cpu_minutes"] for r in evals], [r["mean"] for r in evals], [r["std"] for r in evals],
                    fmt="s", color="k", capsize=3, label=f"greedy, {evals[0]['episodes']} episodes (mean, std)")
    ax.axhline(target, color="grey", ls=":", label=f"solved ({target:g})")
    ax.set_xlabel("CPU minutes of the training process")
    ax.set_ylabel("episode return")
    ax.set_title(f"{runs.read_run(run, TRAINER)['game']}: {run.name}")
    ax.grid(alpha=0.3)
    ax.legend(loc="lower right")
    fig.tight_layout()
    fig.savefig(out, dpi=110)


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = p.add_subparsers(dest="cmd", required=True)
    e = sub.add_parser("eval")
    e.add_argument("run", type=Path)
    e.add_argument("out", type=Path)
    e.add_argument("--episodes", type=int, default=100)
    e.add_argument("--sims", type=int, default=16)
    e.add_argument("--iterations", type=lambda s: [int(x) for x in s.split(",")])
    g = sub.add_parser("plot")
    g.add_argument("out", type=Path)
    g.add_argument("run", type=Path)
    g.add_argument("scores", type=Path)
    g.add_argument("--target", type=float, default=475.0)
    a = p.parse_args()
    if a.cmd == "eval":
        evaluate(a.run, a.out, a.episodes, a.sims, a.iterations)
    else:
        plot(a.out, a.run, a.scores, a.target)


if __name__ == "__main__":
    main()
