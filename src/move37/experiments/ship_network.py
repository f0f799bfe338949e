"""Ship a trained network: copy a run's newest weights (or those of `--checkpoint N`) into move37/models
and write its card.

    .venv/bin/python -m move37.experiments.ship_network runs/c4 [--games 20] [--sims 64] [--checkpoint N]
                                                        [--fresh-seed S --fresh-positions 1000]

The card (models/GAME.md) records how the network was trained (the run's config, games,
iterations and wall-clock time, from its files), its optimal-move rate on the
solver-labelled positions (raw policy and with search; with `--fresh-seed`, also on a
larger set drawn with that seed, labels kept in bench/results/connect4_positions_N_S/)
and its results against alpha-beta at depth 8, each with the command that reproduces it.
Files are replaced atomically.
"""

from __future__ import annotations

import argparse
import json
import platform
from pathlib import Path

from move37 import agents, arena, games
from move37.agents.zero import MODELS, play_config
from move37.atomic import write_bytes, write_text
from move37.nets import evaluator, load_net
from move37.train import evaluate as ev
from move37.runs import checkpoint_dirs, latest_checkpoint
from move37.train.loop import read_metrics, run_summary


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("run", type=Path)
    p.add_argument("--games", type=int, default=20, help="games against alphabeta:depth=8")
    p.add_argument("--sims", type=int, default=64)
    p.add_argument("--iteration", type=int, help="the checkpoint already shipped was taken at this iteration "
                                                 "(re-evaluate it instead of copying the newest checkpoint)")
    p.add_argument("--checkpoint", type=int, help="ship this kept checkpoint instead of the newest")
    p.add_argument("--fresh-seed", type=int, help="also measure on positions drawn with this seed")
    p.add_argument("--fresh-positions", type=int, default=1000)
    args = p.parse_args()
    if args.iteration is not None and args.checkpoint is not None:
        p.error("--iteration (re-evaluate the shipped network) and --checkpoint (ship another) exclude each other")
    summary = run_summary(args.run)
    game = games.make(summary["game"])
    name = game.info.name
    weights = MODELS / f"{name}.safetensors"
    if args.iteration is None:
        ckpt = latest_checkpoint(args.run) if args.checkpoint is None else \
            next((d for d in checkpoint_dirs(args.run) if int(d.name) == args.checkpoint), None)
        if ckpt is None:
            p.error(f"{args.run}: no checkpoint yet" if args.checkpoint is None else
                    f"{args.run}: no kept checkpoint {args.checkpoint} "
                    f"(kept: {', '.join(str(int(d.name)) for d in checkpoint_dirs(args.run))})")
        write_bytes(weights.with_suffix(".json"), (ckpt / "weights.json").read_bytes())
        write_bytes(weights, (ckpt / "weights.safetensors").read_bytes())
        iteration = int(ckpt.name)
    else:
        iteration = args.iteration
    net = load_net(weights, name)
    evaluate, search = evaluator(net), play_config(weights)
    labels = ev.solver_labels(args.run, game, summary["config"]["eval"]["positions"])
    raw = ev.move_rates(game, evaluate, labels, 0, search)
    searched = ev.move_rates(game, evaluate, labels, args.sims, search)
    fresh_line = []
    if args.fresh_seed is not None:
        folder = Path(f"bench/results/{name}_positions_{args.fresh_positions}_{args.fresh_seed}")
        fresh = ev.solver_labels(folder, game, args.fresh_positions, args.fresh_seed)
        f_raw = ev.move_rates(game, evaluate, fresh, 0, search)
        f_searched = ev.move_rates(game, evaluate, fresh, args.sims, search)
        fresh_line = [f"- on {len(fresh)} other labelled positions (seed {args.fresh_seed}, {folder}): optimal-move "
                      f"rate raw policy {f_raw['optimal']:.3f}, search {f_searched['optimal']:.3f}; good-move rate "
                      f"{f_raw['good']:.3f}, {f_searched['good']:.3f}"]
    zero = agents.make(f"zero:sims={args.sims}", game)
    zero.spec = "zero"
    opponent = agents.make("alphabeta:depth=8", game)
    records = arena.play_match(game, zero, opponent, args.games, ev.openings(game), seed=1)
    wins = sum(r.score(r.players.index("zero")) == 1 for r in records)
    draws = sum(r.score(r.players.index("zero")) == 0.5 for r in records)
    rows = [r for r in read_metrics(args.run) if r["iteration"] <= iteration]
    last = rows[-1]
    curve = [r for r in rows if "optimal_rate" in r]
    changes = [f"{c['key']} {c['from']} -> {c['to']} at iteration {c['at_iteration']}"
               for c in summary["changes"] if c["at_iteration"] < iteration]
    schedule = [f"Schedule (the run was resumed with a changed config): {', '.join(changes)}."] if changes else []
    lines = [
        f"# The shipped {name} network",
        "",
        f"Trained from zero by `move37 train {summary['game']} --out {args.run}` (self-play only) on "
        f"{platform.machine()} with 2 CPU cores shared with several other jobs; "
        f"{last['iteration']} iterations, {last['games']} self-play games, "
        f"{last['elapsed'] / 60:.0f} minutes of wall-clock training (checkpoint {iteration:06d}).",
        "",
        f"Network: {json.dumps(summary['config']['net'])}; "
        f"training's search: {json.dumps(summary['config']['search'])}.",
        *schedule,
        f"The `zero` player searches with Gumbel at its default settings and the network's discount {search.discount}.",
        "",
        "## Evaluation",
        "",
        f"- optimal-move rate (exact score) on the run's {len(labels)} solver-labelled evaluation positions "
        f"({args.run}/labels.json): raw policy "
        f"{raw['optimal']:.3f}, Gumbel search with {args.sims} simulations {searched['optimal']:.3f}",
        f"- good-move rate (keeps the win, draw or loss) on the same positions: raw policy {raw['good']:.3f}, "
        f"search {searched['good']:.3f}",
        *fresh_line,
        f"- against `alphabeta:depth=8`, {args.games} games from 2-move openings, colours alternated: "
        f"{wins} wins, {draws} draws, {args.games - wins - draws} losses",
        "",
        f"Reproduce: `.venv/bin/python -m move37.experiments.ship_network {args.run} --games {args.games} "
        f"--sims {args.sims}{'' if args.iteration is None else f' --iteration {iteration}'}"
        f"{'' if args.checkpoint is None else f' --checkpoint {iteration}'}"
        f"{'' if args.fresh_seed is None else f' --fresh-seed {args.fresh_seed} --fresh-positions {args.fresh_positions}'}`",
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
