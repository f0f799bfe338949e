"""Ship a trained network: copy a run's newest weights into move37/models and write its card.

    .venv/bin/python -m move37.experiments.ship_network runs/c4 [--games 20] [--sims 64]

The card (models/GAME.md) records how the network was trained (the run's config, games,
iterations and wall-clock time, from its files), its optimal-move rate on the
solver-labelled positions (raw policy and with search) and its results against
alpha-beta at depth 8, each with the command that reproduces it.
"""

from __future__ import annotations

import argparse
import json
import platform
import shutil
from pathlib import Path

from move37 import agents, arena, games
from move37.agents.zero import MODELS
from move37.atomic import write_text
from move37.nets import evaluator, load_net
from move37.search._tree_search import SearchConfig
from move37.train import evaluate as ev
from move37.train.checkpoint import latest_checkpoint
from move37.train.loop import read_metrics, run_summary


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("run", type=Path)
    p.add_argument("--games", type=int, default=20, help="games against alphabeta:depth=8")
    p.add_argument("--sims", type=int, default=64)
    p.add_argument("--iteration", type=int, help="the checkpoint already shipped was taken at this iteration "
                                                 "(re-evaluate it instead of copying the newest checkpoint)")
    args = p.parse_args()
    summary = run_summary(args.run)
    game = games.make(summary["game"])
    name = game.info.name
    weights = MODELS / f"{name}.safetensors"
    if args.iteration is None:
        ckpt = latest_checkpoint(args.run)
        shutil.copyfile(ckpt / "weights.safetensors", weights)
        shutil.copyfile(ckpt / "weights.json", weights.with_suffix(".json"))
        iteration = int(ckpt.name)
    else:
        iteration = args.iteration
    net = load_net(weights, name)
    evaluate = evaluator(net)
    labels = ev.solver_labels(args.run, game, summary["config"]["eval"]["positions"])
    raw = ev.move_rates(game, evaluate, labels, 0, SearchConfig())
    searched = ev.move_rates(game, evaluate, labels, args.sims, SearchConfig())
    zero = agents.make(f"zero:sims={args.sims}", game)
    zero.spec = "zero"
    opponent = agents.make("alphabeta:depth=8", game)
    records = arena.play_match(game, zero, opponent, args.games, ev.openings(game), seed=1)
    wins = sum(r.score(r.players.index("zero")) == 1 for r in records)
    draws = sum(r.score(r.players.index("zero")) == 0.5 for r in records)
    rows = [r for r in read_metrics(args.run) if r["iteration"] <= iteration]
    last = rows[-1]
    curve = [r for r in rows if "optimal_rate" in r]
    lines = [
        f"# The shipped {name} network",
        "",
        f"Trained from zero by `move37 train {summary['game']} --out {args.run}` (self-play only) on "
        f"{platform.machine()} with 2 CPU cores shared with several other jobs; "
        f"{last['iteration']} iterations, {last['games']} self-play games, "
        f"{last['elapsed'] / 60:.0f} minutes of wall-clock training (checkpoint {iteration:06d}).",
        "",
        f"Network: {json.dumps(summary['config']['net'])}; search: {json.dumps(summary['config']['search'])}.",
        "",
        "## Evaluation",
        "",
        f"- optimal-move rate (exact score) on {len(labels)} solver-labelled positions from Pons's sets: raw policy "
        f"{raw['optimal']:.3f}, Gumbel search with {args.sims} simulations {searched['optimal']:.3f}",
        f"- good-move rate (keeps the win, draw or loss) on the same positions: raw policy {raw['good']:.3f}, "
        f"search {searched['good']:.3f}",
        f"- against `alphabeta:depth=8`, {args.games} games from 2-move openings, colours alternated: "
        f"{wins} wins, {draws} draws, {args.games - wins - draws} losses",
        "",
        f"Reproduce: `.venv/bin/python -m move37.experiments.ship_network {args.run} --games {args.games} "
        f"--sims {args.sims}{'' if args.iteration is None else f' --iteration {iteration}'}`",
        "",
        "## Training curve (every evaluation)",
        "",
        "| iteration | games | minutes | optimal-move rate (search) | (raw policy) | Elo vs ladder |",
        "|---|---|---|---|---|---|",
        *[f"| {r['iteration']} | {r['games']} | {r['elapsed'] / 60:.1f} | {r['optimal_rate']:.3f} | "
          f"{r['optimal_rate_policy']:.3f} | {r.get('elo', '')} |" for r in curve],
    ]
    write_text(MODELS / f"{name}.md", "\n".join(lines) + "\n")
    print("\n".join(lines[:12]))


if __name__ == "__main__":
    main()
