"""The learned model's own accuracy: k = 1..H steps of latent rollout along real games, against the rules.

    python bench/worldmodel_accuracy.py RUN OUT_DIR [--games 200] [--horizon 10] [--threshold 0.01] [--opening 10]

RUN: a MuZero run folder (its latest checkpoint) or weights file. The games are played by the rules, each
move drawn from the model's own raw policy after 0..opening random moves (the self-play distribution,
but games the model never trained on). Legal moves are read from the prediction head's policy (no
legality head: see move37/worldmodel/accuracy.py), rewards from the dynamics, game end from |reward| >= 0.5.
Writes OUT_DIR/accuracy.json (rows per k, and what made them) and OUT_DIR/accuracy.png.
"""

from __future__ import annotations

import argparse
from pathlib import Path

import numpy as np
import torch

from move37 import games
from move37.atomic import write_json
from move37.worldmodel.accuracy import continuations, rollout_accuracy
from move37.runs import weights_file
from move37.worldmodel.checkpoint import load_net
from move37.worldmodel.model import LatentModel


def plot(rows: list[dict], title: str, out: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    k = [r["k"] for r in rows]
    fig, ax = plt.subplots(figsize=(7, 4.2))
    for key, label, style in [("legal_exact", "legal set exactly right", "-o"),
                              ("illegal_recall", "illegal moves called illegal", "-s"),
                              ("separated", "illegal ranked below all legal", "-v"),
                              ("reward", "reward right (within 0.5)", "-^"),
                              ("end_recall", "real ends called ends", "-d"),
                              ("all_legal", "base: 'all legal' scores", ":"),
                              ("reward_zero", "base: 'reward 0' scores", ":")]:
        ax.plot(k, [np.nan if r[key] is None else r[key] for r in rows], style, label=label)
    ax.set_xlabel("k, dynamics steps from the real observation")
    ax.set_ylabel("share")
    ax.set_ylim(-0.02, 1.02)
    ax.set_title(title)
    ax.grid(alpha=0.3)
    ax.legend(fontsize=8)
    fig.tight_layout()
    fig.savefig(out, dpi=110)


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("run")
    p.add_argument("out")
    p.add_argument("--games", type=int, default=200)
    p.add_argument("--horizon", type=int, default=10)
    p.add_argument("--threshold", type=float, default=0.01)
    p.add_argument("--opening", type=int, default=10)
    p.add_argument("--seed", type=int, default=0)
    args = p.parse_args()
    torch.set_num_threads(1)
    weights = weights_file(args.run, "MuZero weights")
    net, meta = load_net(weights)
    game = games.make(meta["game"])
    model = LatentModel(net)
    trajs = continuations(game, model, args.games, np.random.default_rng(args.seed), args.opening)
    rows = rollout_accuracy(model, trajs, args.horizon, args.threshold)
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    write_json(out / "accuracy.json", {"weights": str(weights), "game": meta["game"], "games": args.games,
                                       "moves": int(sum(len(t) for t in trajs)), "opening": args.opening,
                                       "threshold": args.threshold, "seed": args.seed, "rows": rows})
    plot(rows, f"{meta['game']}: latent rollout against the rules ({Path(args.run).name})", out / "accuracy.png")
    for r in rows:
        print(" ".join(f"{k}={'-' if v is None else round(v, 3)}" for k, v in r.items()))


if __name__ == "__main__":
    main()
