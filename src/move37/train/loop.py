"""`train(game, out, ...)`: the AlphaZero loop over one run folder, started or resumed.

One iteration = self-play of `games_per_iteration` games with the current network
(all games in flight share each evaluation call; in this process, or on Ray workers:
source.py), their records appended to
`games.jsonl` and their positions written as one replay chunk; then learner updates
on the replay window; every `eval.every` iterations an evaluation; a metrics line; a
checkpoint. With Ray the learner and the evaluation are actors that work while the
games are played, one iteration behind (ray_stages.py). The stages meet only through
files in the run folder:

    run.json          game and the full resolved config (written once)
    games.jsonl       one self-play game a line, in the game's notation
    buffer/           replay chunks (see replay.py)
    checkpoints/      numbered checkpoints (see checkpoint.py)
    metrics.jsonl     one line per iteration: losses, games/s, Elo, optimal-move rate
    labels.json, ladder.jsonl   evaluation caches (see evaluate.py)
    .lock             held (flock) by the one process training the folder

(run.json, .lock, checkpoints/ and the logs are the run-folder toolkit's: move37.runs.)

Everything random draws from generators saved in the checkpoint and stopping is
decided only between iterations, so a run killed at any moment and resumed produces
the same network, byte for byte, as one never interrupted (with `threads` fixed).
"""

from __future__ import annotations

import json
import math
import sys
import time
from pathlib import Path

import numpy as np
import torch
from tqdm import tqdm

from move37 import games as game_registry
from move37 import runs
from move37.errors import ConfigError, Move37Error, RunFolderError, StageLost
from move37.nets import PolicyValueNet, evaluator
from move37.train import evaluate as ev
from move37.atomic import append_line
from move37.runs import checkpoint_dirs, latest_checkpoint
from move37.train.checkpoint import load_checkpoint, save_checkpoint
from move37.train.config import ZeroConfig, from_dict, load_config
from move37.train.learner import Learner
from move37.train.replay import ReplayWindow
from move37.train.source import LocalSelfPlay, SelfPlaySource


# Settings a resumed run may change (each change is recorded in run.json's "changes"): they shape
# the updates, targets and searches from then on, or which later checkpoints stay on disk, never
# what is already stored. A residual tower may grow (never shrink): nets/grow.py.
SCHEDULED = ("learn.lr", "learn.replay_ratio", "learn.search_value_weight", "learn.discount", "search.discount",
             "selfplay.sims", "selfplay.fast_sims", "selfplay.full_search_prob", "keep_checkpoints", "keep_every",
             "net.channels", "net.blocks")


def _resume_config(out: Path, meta: dict, game_spec: str, config_path: Path | None) -> ZeroConfig:
    """The config of held run `out` (its run.json `meta`), with the schedule steps of `config_path` recorded in
    run.json; RunFolderError/ConfigError (before any write) when they do not fit."""
    if meta.get("game") != game_spec:
        raise RunFolderError(f"{out} is a {meta.get('game')} run, not {game_spec}")
    config = from_dict(meta["config"])
    if config_path is None:
        return config
    wanted = load_config(config_path, game_spec)
    kept = {key: runs.setting(config, key) for key in SCHEDULED}
    if runs.with_settings(wanted, kept) != config:
        raise ConfigError(f"{out} was started with another config; resume it without --config, or with one "
                          f"that changes only {', '.join(SCHEDULED)} (see {out / 'run.json'})")
    ckpt = latest_checkpoint(out)
    at = int(ckpt.name) if ckpt else 0
    changes = [{"key": key, "from": old, "to": runs.setting(wanted, key), "at_iteration": at}
               for key, old in kept.items() if runs.setting(wanted, key) != old]
    grown = [c for c in changes if c["key"].startswith("net.")]
    if grown and (config.net.kind != "resnet" or any(c["to"] < c["from"] for c in grown)):
        raise ConfigError(f"{out}: a resumed run's network may only grow, and only a residual one "
                          f"(net.kind 'resnet'): {', '.join(c['key'] for c in grown)}")
    if changes:  # a schedule step, such as AlphaZero's learning-rate drops
        runs.write_run(out, {**meta, "config": wanted.to_dict(), "changes": meta.get("changes", []) + changes})
    return wanted


def _restore(ckpt: Path, config: ZeroConfig, learner: Learner, replay: ReplayWindow, rng: np.random.Generator) -> dict:
    """Load checkpoint `ckpt` into the learner's network and optimiser, the replay window and the run's generator;
    its state.json. The logs are cut back to their lengths at the checkpoint (lines after it belong to lost work)."""
    state = load_checkpoint(ckpt, learner.net, learner.optimizer)
    for group in learner.optimizer.param_groups:  # the config's rate (changed on resume, or the same)
        group["lr"] = config.learn.lr
    replay.load(state["chunks"])
    rng.bit_generator.state = state["rng"]
    learner.step = int(state["step"])
    out = ckpt.parent.parent
    runs.truncate(out / "games.jsonl", state["games_bytes"])
    runs.truncate(out / "metrics.jsonl", state["metrics_bytes"])
    runs.prune_checkpoints(out, config.keep_checkpoints, config.keep_every)  # a kill may have cut the last pruning
    _prune_chunks(out, replay, config)
    return state


def train(game_spec: str, out: str | Path, minutes: float | None = None, config_path: str | Path | None = None,
          iterations: int | None = None, progress: bool | None = None, ray: str | None = None,
          ray_workers: int | None = None, ray_inference: bool = False) -> dict:
    """Train until `minutes` of this session or the run's total `iterations` are reached; the last metrics line.

    `ray`: run on a Ray cluster (`auto` or HOST:PORT, see ray_source.py): `ray_workers` self-play workers
    (default: the cluster's CPUs minus one), a learner and an evaluation actor (ray_stages.py), and with
    `ray_inference` one actor evaluating for all workers (on a GPU where there is one)."""
    out = Path(out)
    game = game_registry.make(game_spec)
    inference = None
    if ray is not None:
        from move37.train import ray_source

        ray_workers, inference = ray_source.connect(ray, ray_workers, ray_inference)  # bad input: no folder written
    config_path = Path(config_path) if config_path else None
    new_run = lambda: {"game": game_spec, "config": load_config(config_path, game_spec).to_dict()}  # noqa: E731
    with runs.open_run(out, "zero", new_run) as meta:  # held; a bad config or folder: no folder written
        config = _resume_config(out, meta, game_spec, config_path)
        return _train(out, game, game_spec, config, minutes, iterations, progress, ray, ray_workers, inference)


def _train(out: Path, game, game_spec: str, config: ZeroConfig, minutes: float | None, iterations: int | None,
           progress: bool | None, ray: str | None, ray_workers: int | None, inference: str | None) -> dict:
    """`train` once its run folder is open and held."""
    if ray is not None:
        from move37.train import ray_source, ray_stages
    torch.set_num_threads(config.threads)
    torch.manual_seed(config.seed)
    net = PolicyValueNet(game.info.observation_shape, game.info.num_actions, config.net)
    learner = Learner(net, game, config.learn)
    replay = ReplayWindow(out / "buffer", config.learn.window)
    rng = np.random.default_rng(config.seed)
    games_path, metrics_path = out / "games.jsonl", out / "metrics.jsonl"
    ckpt = latest_checkpoint(out)
    if ckpt is None:
        state = {"step": 0, "games": 0, "positions": 0, "elapsed": 0.0, "chunks": [],
                 "games_bytes": 0, "metrics_bytes": 0, "rng": rng.bit_generator.state}
        save_checkpoint(out, 0, net, game_spec, learner.optimizer, state, config.keep_checkpoints, config.keep_every,
                        config.search.discount)
        runs.truncate(games_path, 0)
        runs.truncate(metrics_path, 0)
    else:
        state = _restore(ckpt, config, learner, replay, rng)
    iteration = int(state.get("iteration", 0))
    pending = int(state.get("pending_steps", 0))  # updates owed to the newest chunk (Ray runs, ray_stages.py)
    evaluate = evaluator(net)
    labels = ev.solver_labels(out, game, config.eval.positions) if config.eval.every else None  # solved once
    tb = _tensorboard(out)
    start, elapsed0 = time.monotonic(), float(state["elapsed"])
    deadline = start + minutes * 60 if minutes is not None else None
    bar = tqdm(total=iterations, initial=iteration if iterations else 0, desc=f"train {game_spec}", unit="iter",
               disable=None if progress is None else not progress)
    source: SelfPlaySource = LocalSelfPlay(game, evaluate, config) if ray is None else \
        ray_source.RaySelfPlay(game_spec, config, ray_workers, inference)
    stages = None if ray is None else ray_stages.RayStages(out, game_spec, config, learner, replay, labels)
    last: dict = {}
    restarts = 0  # learner or evaluation actors lost (Ray)
    try:
        while (iterations is None or iteration < iterations) and (deadline is None or time.monotonic() < deadline):
            try:
                t0 = time.monotonic()
                if stages is not None:  # the learner and evaluation work while the games are played
                    stages.start(net, iteration + 1, pending, rng)
                played = source.play(net, iteration + 1, rng)
                records = played.records
                t_play = time.monotonic() - t0
                append_line(games_path, "".join(json.dumps({"iteration": iteration + 1, "index": state["games"] + i,
                                                            "moves": r.moves, "returns": r.returns.tolist()}) + "\n"
                                                for i, r in enumerate(records)))
                chunk = _chunk(records, config.learn)
                name = f"chunk_{iteration + 1:06d}.npz"
                replay.add(name, chunk)
                n_new = len(chunk["value"])
                steps = math.ceil(n_new * config.learn.replay_ratio / config.learn.batch_size) \
                    if len(replay) >= config.learn.min_positions else 0
                if stages is None:
                    losses = learner.train(replay, pending + steps, rng) if pending + steps else {}
                    evaluation = ev.evaluate_network(game, evaluate, config, labels, iteration + 1,
                                                     lambda: ev.ladder_records(out, game, config))
                    pending = 0
                else:
                    losses, evaluation = stages.finish(net, learner, rng)
                    stages.add(name, chunk)
                    pending = steps
                iteration += 1
                state["games"] += len(records)
                state["positions"] += n_new
                row = {"iteration": iteration, "step": learner.step, "games": state["games"], "positions": state["positions"],
                       "replay": len(replay), **_play_figures(game, played, t_play),
                       **{k: round(v, 5) for k, v in losses.items()}, **evaluation,
                       **({"stage_restarts": restarts} if stages is not None else {}),
                       "elapsed": round(elapsed0 + time.monotonic() - start, 2)}
                append_line(metrics_path, json.dumps(row))
                if tb is not None:
                    for k, v in row.items():
                        if isinstance(v, (int, float)):
                            tb.add_scalar(k, v, state["games"])
                last = row
                if iteration % config.checkpoint_every == 0 or _stopping(iteration, iterations, deadline):
                    if stages is not None:
                        stages.sync_optimizer(learner)
                    state["pending_steps"] = pending
                    _checkpoint(out, iteration, net, game_spec, learner, replay, rng, state, row["elapsed"], config)
            except StageLost as e:  # an actor's work since the checkpoint is gone: go back to it, start them again
                restarts += 1
                if restarts > ray_stages.MAX_RESTARTS:
                    raise Move37Error(f"{e}, {restarts} times in this run; the last checkpoint is intact: run the "
                                      "same command to resume") from None
                stages.close()
                ckpt = latest_checkpoint(out)
                state = _restore(ckpt, config, learner, replay, rng)
                iteration, pending = int(state["iteration"]), int(state.get("pending_steps", 0))
                tqdm.write(f"move37: {e}; going on from checkpoint {ckpt.name}", file=sys.stderr)
                stages = ray_stages.RayStages(out, game_spec, config, learner, replay, labels)
                bar.n = iteration if iterations else 0
                continue
            bar.update(1)
            bar.set_postfix(games=state["games"], **{k: row[k] for k in ("loss_policy", "elo", "optimal_rate") if k in row})
    finally:
        if stages is not None:
            stages.close()
        source.close()
        bar.close()
        if tb is not None:
            tb.close()
    return last


def _chunk(records: list, learn) -> dict[str, np.ndarray]:
    """One iteration's replay chunk from its game records: obs (N, *observation_shape), legal bool (N, A),
    policy (N, A) (the search's targets) and value (N,) (the outcome, discounted and mixed as `learn` says)."""
    return {"obs": np.concatenate([r.obs for r in records]), "legal": np.concatenate([r.legal for r in records]),
            "policy": np.concatenate([r.policy for r in records]),
            "value": np.concatenate([r.value(learn.search_value_weight, learn.discount) for r in records])}


def _play_figures(game, played, seconds: float) -> dict:
    """The metrics-line figures of one iteration's self-play (SelfPlayBatch `played`, `seconds` long)."""
    records = played.records
    plies = sum(len(game.split_moves(r.moves)) for r in records)
    return {"games_per_s": round(len(records) / seconds, 3), "moves_per_s": round(plies / seconds, 2),
            "evals_per_s": round(played.misses / seconds, 1),
            "cache_hit_rate": round(played.hits / max(played.hits + played.misses, 1), 4), **played.extra,
            "first_player_score": float(np.mean([(r.returns[0] + 1) / 2 for r in records]))}


def _stopping(iteration: int, iterations: int | None, deadline: float | None) -> bool:
    return (iterations is not None and iteration >= iterations) or (deadline is not None and time.monotonic() >= deadline)


def _checkpoint(out, iteration, net, game_spec, learner, replay, rng, state, elapsed, config) -> None:
    state.update(step=learner.step, elapsed=elapsed, chunks=replay.names, rng=rng.bit_generator.state,
                 games_bytes=runs.size(out / "games.jsonl"), metrics_bytes=runs.size(out / "metrics.jsonl"))
    save_checkpoint(out, iteration, net, game_spec, learner.optimizer, state, config.keep_checkpoints, config.keep_every,
                    config.search.discount)
    _prune_chunks(out, replay, config)


def _prune_chunks(out: Path, replay: ReplayWindow, config: ZeroConfig) -> None:
    """Delete the replay chunks that neither the window nor a kept checkpoint's window uses."""
    keep: set[str] = set()
    for d in checkpoint_dirs(out)[-config.keep_checkpoints:]:  # older kept ones (keep_every) keep only weights
        try:
            keep |= set(json.loads((d / "state.json").read_text())["chunks"])
        except (OSError, ValueError, KeyError):
            continue
    replay.prune_files(keep)


def _tensorboard(out: Path):
    """A SummaryWriter under run/tb when TensorBoard is installed, else None."""
    try:
        from torch.utils.tensorboard import SummaryWriter
    except ImportError:
        return None
    return SummaryWriter(str(out / "tb"))


def run_summary(out: Path) -> dict:
    """The run's game, config, schedule changes (run.json "changes") and last metrics line (for reports)."""
    meta = runs.read_run(out, "zero")
    rows = read_metrics(out)
    return {"game": meta["game"], "config": meta["config"], "changes": meta.get("changes", []),
            "last": rows[-1] if rows else {}}


def read_metrics(out: Path) -> list[dict]:
    """metrics.jsonl rows, skipping a partial last line left by a crash."""
    path = Path(out) / "metrics.jsonl"
    if not path.is_file():
        raise RunFolderError(f"{out}: no metrics.jsonl (not a run folder, or no iteration finished yet)")
    return runs.read_rows(path)
