"""A Connect Four run's optimal-move curve re-measured from its kept checkpoints, at several
search sizes: the training loop measures with `eval.sims` (32) to stay cheap, the `zero`
player searches 1024 simulations by default.

    .venv/bin/python bench/zero_curve.py runs/c4z [--sims 32,256] [--seed S --positions N] [--since I]
                                             [--out bench/results/zero_curve_c4z]

For every checkpoint folder left in RUN/checkpoints (the run keeps every `keep_every`-th and
the last few), the optimal- and good-move rates on the run's labelled positions (its
labels.json, the same 300 as training's evaluation), or with `--seed` on N others
(zero_search_sims.labels_for), with the `zero` player's deterministic Gumbel search of each
size (agents.zero.play_config: the discount the network was trained with), beside
the run's clock (metrics.jsonl "elapsed" of that iteration); `--since I` skips those before
iteration I (a run continued from another's folder). Writes OUT.json and OUT.png
(atomically).
"""

from __future__ import annotations

import argparse
import io
import json
from pathlib import Path

import torch

from move37 import games
from move37.agents.zero import play_config
from move37.atomic import write_bytes, write_json
from move37.nets import evaluator, load_net
from move37.train import evaluate as ev
from move37.train.loop import read_metrics, run_summary
from zero_search_sims import labels_for  # this folder is on the path of a script run from it


def measure(run: Path, sims: list[int], seed: int | None = None, positions: int = 1000, since: int = 0) -> list[dict]:
    summary = run_summary(run)
    game = games.make(summary["game"])
    labels = ev.solver_labels(run, game, summary["config"]["eval"]["positions"]) if seed is None else \
        labels_for(game, seed, positions)
    clock = {r["iteration"]: r for r in read_metrics(run)}
    rows = []
    for ckpt in sorted(p for p in (run / "checkpoints").iterdir() if p.name.isdigit() and int(p.name) >= since):
        iteration = int(ckpt.name)
        weights = ckpt / "weights.safetensors"
        evaluate, search = evaluator(load_net(weights, game.info.name, info=game.info)), play_config(weights)
        row = {"iteration": iteration, "minutes": round(clock[iteration]["elapsed"] / 60, 2) if iteration in clock else 0.0,
               "games": clock[iteration]["games"] if iteration in clock else 0}
        for n in sims:
            rates = ev.move_rates(game, evaluate, labels, n, search)
            row[f"optimal_{n}"], row[f"good_{n}"] = round(rates["optimal"], 4), round(rates["good"], 4)
        rows.append(row)
        print(json.dumps(row), flush=True)
    return rows


def plot(rows: list[dict], sims: list[int], title: str) -> bytes:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(7, 4))
    minutes = [r["minutes"] for r in rows]
    for n in sims:
        ax.plot(minutes, [r[f"optimal_{n}"] for r in rows], marker=".", label=f"optimal, {n} simulations")
    ax.axhline(0.9, color="grey", lw=0.8, ls="--", label="0.90 (issue's target)")
    ax.set_xlabel("training minutes (the run's clock)")
    ax.set_ylabel("share of optimal moves")
    ax.set_ylim(0.4, 1.0)
    ax.set_title(title)
    ax.grid(alpha=0.3)
    ax.legend(loc="lower right")
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=110, bbox_inches="tight")
    plt.close(fig)
    return buf.getvalue()


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("run", type=Path)
    p.add_argument("--sims", default="32,256", help="comma-separated simulation counts")
    p.add_argument("--seed", type=int, help="measure on other positions, drawn with this seed (default: the run's)")
    p.add_argument("--positions", type=int, default=1000, help="with --seed: how many (default 1000)")
    p.add_argument("--since", type=int, default=0, metavar="I", help="only checkpoints from iteration I on")
    p.add_argument("--out", help="output path without suffix (default bench/results/zero_curve_RUNNAME)")
    args = p.parse_args()
    torch.set_num_threads(1)  # batches of at most 128 positions: a second thread costs more than it gives
    sims = [int(s) for s in args.sims.split(",")]
    out = Path(args.out or f"bench/results/zero_curve_{args.run.name}")
    rows = measure(args.run, sims, args.seed, args.positions, args.since)
    write_json(out.with_suffix(".json"), {"run": str(args.run), "sims": sims, "seed": args.seed,
                                          "positions": args.positions if args.seed is not None else None,
                                          "rows": rows}, indent=1)
    where = f"{args.positions} positions of seed {args.seed}" if args.seed is not None else "the run's positions"
    write_bytes(out.with_suffix(".png"), plot(rows, sims, f"{args.run.name}: optimal-move rate, {where}"))


if __name__ == "__main__":
    main()
