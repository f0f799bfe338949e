"""`move37 train GAME --out DIR`: AlphaZero-style training from zero, started or resumed.

With `--then-evaluate` (the main job of `make run`) the trained network then plays a
round robin against the baseline ladder, the Elo table and the optimal-move rate are
printed, and the run's plots are written. With `--ray` self-play workers, the learner
and the evaluation are actors on a Ray cluster (train/ray_source.py, train/ray_stages.py).
"""

from __future__ import annotations

from pathlib import Path

from move37 import arena, games
from move37.errors import ConfigError


def register(sub) -> None:
    p = sub.add_parser("train", help="train a policy-value network by self-play (starts or resumes DIR)",
                       description="Self-play with batched tree search, a replay window and numbered checkpoints "
                                   "in a run folder. An existing DIR is resumed exactly from its last checkpoint.")
    p.add_argument("game", help="game or environment spec, e.g. connect4, gym:CartPole-v1, minatar:breakout")
    p.add_argument("--algorithm", choices=("zero", "muzero"), default="zero",
                   help="zero: AlphaZero with the game's rules (default); muzero: plan with a learned model "
                        "(move37.worldmodel; environments need it)")
    p.add_argument("--out", required=True, metavar="DIR", help="run folder (created, or resumed when it exists)")
    p.add_argument("--minutes", type=float, metavar="M", help="stop after M minutes of this session (at an iteration end)")
    p.add_argument("--iterations", type=int, metavar="N", help="stop when the run has done N iterations in total")
    p.add_argument("--config", metavar="FILE", help="JSON or TOML overrides of the game's default config")
    p.add_argument("--init", metavar="NET",
                   help="start a new run from these weights (a .safetensors file or a move37 imitate folder)")
    p.add_argument("--then-evaluate", action="store_true",
                   help="afterwards: arena table against the ladder, optimal-move rate, plots")
    p.add_argument("--eval-games", type=int, default=10, metavar="N", help="games per pair in --then-evaluate (default 10)")
    p.add_argument("--ray", metavar="ADDRESS",
                   help="train on a Ray cluster: HOST:PORT of its head, or auto (this machine's; needs "
                        "move37[ray]); self-play, learner and evaluation become actors, the run folder stays "
                        "here (docs/ray.md)")
    p.add_argument("--ray-workers", type=int, metavar="N",
                   help="self-play workers with --ray, one CPU each (default: the cluster's CPUs minus one)")
    p.add_argument("--ray-inference", action="store_true",
                   help="with --ray: one actor evaluates the network for all workers, on a GPU when the cluster "
                        "has one (else on a CPU)")
    p.add_argument("--experience", metavar="FILE",
                   help="games a deployed agent recorded (serve/gtp/uci --record FILE): the ones not used yet join "
                        "the replay window as extra experience")
    p.set_defaults(func=run)


def run(args) -> int:
    from move37.train.loop import train

    if args.minutes is None and args.iterations is None:
        raise ConfigError("give --minutes or --iterations (how long to train)")
    if (args.minutes is not None and args.minutes <= 0) or (args.iterations is not None and args.iterations < 0):
        raise ConfigError("--minutes must be positive and --iterations non-negative")
    if args.ray_workers is not None and (args.ray is None or args.ray_workers < 1):
        raise ConfigError("--ray-workers needs --ray and a positive number")
    if args.ray_inference and args.ray is None:
        raise ConfigError("--ray-inference needs --ray")
    if args.experience is not None and not Path(args.experience).is_file():
        raise ConfigError(f"--experience {args.experience}: no such file of game records")
    if args.algorithm == "muzero" or games.is_env(args.game):
        return _run_muzero(args)
    last = train(args.game, args.out, args.minutes, args.config, args.iterations, ray=args.ray,
                 ray_workers=args.ray_workers, ray_inference=args.ray_inference, init=args.init,
                 experience=args.experience)
    if last:
        print(f"iteration {last['iteration']}: {last['games']} games, {last['elapsed'] / 60:.1f} min in total")
    if args.then_evaluate:
        final_evaluation(Path(args.out), args.game, args.eval_games)
    return 0


def _run_muzero(args) -> int:
    """`--algorithm muzero` (the only trainer for environments with rewards)."""
    from move37.worldmodel.train import train

    if args.algorithm != "muzero":
        raise ConfigError(f"{args.game} is an environment with rewards: train it with --algorithm muzero")
    if args.ray or args.then_evaluate or args.init:
        raise ConfigError("--ray, --then-evaluate and --init are AlphaZero's; MuZero runs evaluate as they train")
    last = train(args.game, args.out, args.minutes, args.config, args.iterations)
    if last:
        print(f"iteration {last['iteration']}: {last['moves']} moves, {last['episodes']} episodes, "
              f"{last['elapsed'] / 60:.1f} min in total; plots in {args.out}/plots")
    return 0


def final_evaluation(out: Path, game_spec: str, games_per_pair: int) -> None:
    """Print the arena table (network vs ladder) and the optimal-move rate; write the plots."""
    from move37.cli.arena import format_table
    from move37.nets import evaluator, load_net
    from move37.train import evaluate as ev
    from move37.runs import latest_checkpoint
    from move37.train.loop import run_summary
    from move37.train.report import write_plots
    from move37.train.config import from_dict

    game = games.make(game_spec)
    config = from_dict(run_summary(out)["config"])
    ckpt = latest_checkpoint(out)
    zero = f"zero:{out},sims={config.eval.sims}"  # a run folder plays its newest checkpoint
    specs = [zero, *config.eval.ladder]
    records = arena.round_robin(game, specs, games_per_pair, ev.openings(game), seed=config.seed)
    print(format_table(arena.fit_elo(arena.results_from_records(records), anchor="random")))
    labels = ev.solver_labels(out, game, config.eval.positions)
    if labels:
        evaluate = evaluator(load_net(ckpt / "weights.safetensors", game.info.name, info=game.info))
        raw = ev.move_rates(game, evaluate, labels, 0, config.search)
        searched = ev.move_rates(game, evaluate, labels, config.eval.sims, config.search)
        for kind in ("optimal", "good"):
            print(f"{kind}-move rate on {len(labels)} solver-labelled positions: raw policy {raw[kind]:.3f}, "
                  f"search ({config.eval.sims} sims) {searched[kind]:.3f}")
    for path in write_plots(out):
        print(f"wrote {path}")
