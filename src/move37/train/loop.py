"""`train(game, out, ...)`: the AlphaZero loop over one run folder, started or resumed.

One iteration, under the config in force (its schedule's values, config.py) = self-play
of `games_per_iteration` games with the current network (all games in flight share each
evaluation call), their records appended to `games.jsonl` and their positions written as
one replay chunk; then learner updates on the replay window; every `eval.every`
iterations an evaluation; a metrics line; a checkpoint. Where the stages run is chosen
once, in `_pipeline`: self-play in this process or on Ray workers (source.py,
ray_source.py), the learner and evaluation in this process after the games or on Ray
actors while they are played, one iteration behind (stages.py, ray_stages.py); the loop
itself does not know which. The stages meet only through files in the run folder:

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
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import torch

from move37 import games as game_registry
from move37 import runs
from move37.atomic import append_line
from move37.errors import ConfigError, Move37Error, RunFolderError, StageLost
from move37.games.base import Game
from move37.nets import PolicyValueNet, evaluator
from move37.nets.io import load_state_into
from move37.runs import checkpoint_dirs, latest_checkpoint, read_state
from move37.train import evaluate as ev
from move37.train.checkpoint import load_checkpoint, save_checkpoint
from move37.train.config import SCHEDULABLE, ZeroConfig, from_dict, load_config
from move37.train.learner import Learner
from move37.train.progress import Progress
from move37.train.replay import ReplayWindow
from move37.train.source import LocalSelfPlay, SelfPlaySource
from move37.train.stages import MAX_RESTARTS, LocalStages, Stages


# Settings a resumed run may change (each change is recorded in run.json's "changes"): those a schedule may
# change (config.py), and a residual tower may grow (never shrink): nets/grow.py.
SCHEDULED = (*SCHEDULABLE, "net.channels", "net.blocks")


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


@dataclass
class _Run:
    """What every stage of one training process shares: the run folder, its base config (schedule included),
    the network and its learner, the replay window, the run's generator and the checkpointed counters `state`."""

    out: Path
    game: Game
    game_spec: str
    config: ZeroConfig
    net: PolicyValueNet
    learner: Learner
    replay: ReplayWindow
    rng: np.random.Generator
    state: dict


def _start(run: _Run) -> dict:
    """A new run's counters, saved as checkpoint 0 (logs left by a run that died before it are emptied)."""
    state = {"iteration": 0, "step": 0, "games": 0, "positions": 0, "elapsed": 0.0, "chunks": [], "pending_steps": 0,
             "games_bytes": 0, "metrics_bytes": 0, "rng": run.rng.bit_generator.state}
    config = run.config.at(0, 0.0)
    save_checkpoint(run.out, 0, run.net, run.game_spec, run.learner.optimizer, state, config.keep_checkpoints,
                    config.keep_every, config.search.discount)
    runs.truncate(run.out / "games.jsonl", 0)
    runs.truncate(run.out / "metrics.jsonl", 0)
    return state


def _restore(ckpt: Path, run: _Run) -> dict:
    """Load checkpoint `ckpt` into the learner's network and optimiser, the replay window and the run's generator;
    its state.json. The logs are cut back to their lengths at the checkpoint (lines after it belong to lost work),
    and checkpoints and chunks to what the config in force keeps."""
    state = load_checkpoint(ckpt, run.net, run.learner.optimizer)
    run.replay.load(state["chunks"])
    run.rng.bit_generator.state = state["rng"]
    run.learner.step = int(state["step"])
    runs.truncate(run.out / "games.jsonl", state["games_bytes"])
    runs.truncate(run.out / "metrics.jsonl", state["metrics_bytes"])
    config = run.config.at(int(state["iteration"]), float(state["elapsed"]) / 60)
    runs.prune_checkpoints(run.out, config.keep_checkpoints, config.keep_every)  # a kill may have cut the last pruning
    _prune_chunks(run.out, run.replay, config)
    return state


def train(game_spec: str, out: str | Path, minutes: float | None = None, config_path: str | Path | None = None,
          iterations: int | None = None, progress: bool | None = None, ray: str | None = None,
          ray_workers: int | None = None, ray_inference: bool = False, init: str | Path | None = None,
          experience: str | Path | None = None) -> dict:
    """Train until `minutes` of this session or the run's total `iterations` are reached; the last metrics line.

    `init`: a network file (`.safetensors`, e.g. a `move37 imitate` policy) whose weights a new run starts
    from instead of random ones (Zero started from imitation); recorded in run.json, ignored on resume.

    `ray`: run on a Ray cluster (`auto` or HOST:PORT, see ray_source.py): `ray_workers` self-play workers
    (default: the cluster's CPUs minus one), a learner and an evaluation actor (ray_stages.py), and with
    `ray_inference` one actor evaluating for all workers (on a GPU where there is one). `experience`: a file of
    games a deployed agent recorded (serve/gtp/uci --record), added to the replay as they come (train/deployed.py)."""
    out = Path(out)
    game = game_registry.make(game_spec)
    inference = None
    if ray is not None:
        from move37.train import ray_source

        ray_workers, inference = ray_source.connect(ray, ray_workers, ray_inference)  # bad input: no folder written
    config_path = Path(config_path) if config_path else None
    init_fields = {"init": str(_init_weights(Path(init)))} if init else {}
    new_run = lambda: {"game": game_spec, "config": load_config(config_path, game_spec).to_dict(), **init_fields}  # noqa: E731
    with runs.open_run(out, "zero", new_run) as meta:  # held; a bad config or folder: no folder written
        config = _resume_config(out, meta, game_spec, config_path)
        return _train(out, game, game_spec, config, minutes, iterations, progress, ray, ray_workers, inference,
                      meta.get("init"), experience)


def _init_weights(path: Path) -> Path:
    """The weights file `--init` names: a .safetensors file, or a `move37 imitate` folder's policy.safetensors."""
    weights = path / "policy.safetensors" if path.is_dir() else path
    if not weights.is_file() or weights.suffix != ".safetensors":
        raise ConfigError(f"--init {path}: no such network file (.safetensors) or imitation run folder")
    return weights


def _train(out: Path, game: Game, game_spec: str, config: ZeroConfig, minutes: float | None, iterations: int | None,
           progress: bool | None, ray: str | None, ray_workers: int | None, inference: str | None,
           init: str | None = None, experience: str | Path | None = None) -> dict:
    """`train` once its run folder is open and held."""
    torch.set_num_threads(config.threads)
    torch.manual_seed(config.seed)
    net = PolicyValueNet(game.info.observation_shape, game.info.num_actions, config.net)
    run = _Run(out, game, game_spec, config, net, Learner(net, game, config.learn),
               ReplayWindow(out / "buffer", config.learn.window), np.random.default_rng(config.seed), {})
    ckpt = latest_checkpoint(out)
    if ckpt is None and init:  # a new run from given weights (the learner's optimiser holds these same tensors)
        load_state_into(net, Path(init))
    run.state = _restore(ckpt, run) if ckpt is not None else _start(run)
    if experience is not None:
        from move37.train.deployed import add_new

        add_new(run.replay, game, Path(experience), run.state)
    labels = ev.solver_labels(out, game, config.eval.positions) if config.eval.every else None  # solved once
    source, make_stages = _pipeline(run, labels, ray, ray_workers, inference)  # local or Ray, chosen once
    stages = make_stages(0)
    deadline = time.monotonic() + minutes * 60 if minutes is not None else None
    clock = _Clock(float(run.state["elapsed"]))
    shown = Progress(f"train {game_spec}", iterations, run.state["iteration"], progress)
    tb = _tensorboard(out)
    last: dict = {}
    restarts = 0  # remote stages lost so far
    try:
        while not _stopping(run.state["iteration"], iterations, deadline):
            try:
                last, in_force = _iteration(run, source, stages, clock)
                _log(run, last, tb)
                if last["iteration"] % config.checkpoint_every == 0 or _stopping(last["iteration"], iterations, deadline):
                    stages.sync()
                    _checkpoint(run, stages.owed, last["elapsed"], in_force)
            except StageLost as e:  # a remote stage's work since the checkpoint is gone: go back to it
                stages.close()
                restarts += 1
                if restarts > MAX_RESTARTS:
                    raise Move37Error(f"{e}, {restarts} times in this run; the last checkpoint is intact: run the "
                                      "same command to resume") from None
                ckpt = latest_checkpoint(out)
                run.state = _restore(ckpt, run)
                shown.note(f"move37: {e}; going on from checkpoint {ckpt.name}")
                shown.restart(run.state["iteration"])
                stages = make_stages(restarts)
                continue
            shown.update(last)
    finally:
        stages.close()
        source.close()
        shown.close()
        if tb is not None:
            tb.close()
    return last


class _Clock:
    """The run's own clock in seconds: `elapsed` (what the checkpoint saved) plus this process's time."""

    def __init__(self, elapsed: float):
        self.elapsed, self.start = elapsed, time.monotonic()

    def __call__(self) -> float:
        return round(self.elapsed + time.monotonic() - self.start, 2)


def _pipeline(run: _Run, labels: list[dict] | None, ray: str | None, ray_workers: int | None,
              inference: str | None) -> tuple[SelfPlaySource, Callable[[int], Stages]]:
    """The self-play source and a maker of the learner and evaluation stages (given the restarts so far), in this
    process or on the Ray cluster `ray` joined. The stages owe the updates the checkpoint says."""
    if ray is None:
        evaluate = evaluator(run.net)
        return LocalSelfPlay(run.game, evaluate), lambda restarts: LocalStages(
            run.out, run.game, evaluate, run.learner, run.replay, labels, int(run.state.get("pending_steps", 0)))
    from move37.train import ray_source, ray_stages

    return ray_source.RaySelfPlay(run.game_spec, run.config, ray_workers, inference), lambda restarts: \
        ray_stages.RayStages(run.out, run.game_spec, run.config, run.learner, run.replay, labels,
                             int(run.state.get("pending_steps", 0)), restarts)


def _iteration(run: _Run, source: SelfPlaySource, stages: Stages, clock: _Clock) -> tuple[dict, ZeroConfig]:
    """One iteration under the config in force (the schedule's values): self-play, its games and replay chunk
    written, the learner's updates and the evaluation due; (its metrics row, the config it ran under)."""
    done, state = int(run.state["iteration"]), run.state
    config = run.config.at(done, clock() / 60)
    run.learner.set_lr(config.learn.lr)
    t0 = time.monotonic()
    stages.begin(run.net, done + 1, config, run.rng)
    played = source.play(run.net, done + 1, config, run.rng)
    t_play = time.monotonic() - t0
    append_line(run.out / "games.jsonl", "".join(
        json.dumps({"iteration": done + 1, "index": state["games"] + i, "moves": r.moves,
                    "returns": r.returns.tolist()}) + "\n" for i, r in enumerate(played.records)))
    chunk = _chunk(played.records, config.learn)
    name = f"chunk_{done + 1:06d}.npz"
    run.replay.add(name, chunk)
    n_new = len(chunk["value"])
    steps = math.ceil(n_new * config.learn.replay_ratio / config.learn.batch_size) \
        if len(run.replay) >= config.learn.min_positions else 0
    losses, evaluation = stages.end(run.net, done + 1, (name, chunk), steps, config, run.rng)
    state.update(iteration=done + 1, games=state["games"] + len(played.records), positions=state["positions"] + n_new)
    row = {"iteration": done + 1, "step": run.learner.step, "games": state["games"], "positions": state["positions"],
           "replay": len(run.replay), **_play_figures(run.game, played, t_play),
           **{k: round(v, 5) for k, v in losses.items()}, **evaluation, **stages.extra,
           **{key: runs.setting(config, key) for key in config.schedule}, "elapsed": clock()}
    return row, config


def _log(run: _Run, row: dict, tb) -> None:
    """The metrics line (and its TensorBoard scalars, against games played)."""
    append_line(run.out / "metrics.jsonl", json.dumps(row))
    if tb is not None:
        for k, v in row.items():
            if isinstance(v, (int, float)):
                tb.add_scalar(k, v, row["games"])


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


def _checkpoint(run: _Run, owed: int, elapsed: float, config: ZeroConfig) -> None:
    """Checkpoint the iteration just done, keeping as many as `config` (the one in force) says; replay chunks that
    no kept checkpoint names are deleted. `owed`: updates owed to the newest chunk."""
    out, state = run.out, run.state
    state.update(step=run.learner.step, elapsed=elapsed, chunks=run.replay.names, rng=run.rng.bit_generator.state,
                 pending_steps=owed, games_bytes=runs.size(out / "games.jsonl"),
                 metrics_bytes=runs.size(out / "metrics.jsonl"))
    save_checkpoint(out, state["iteration"], run.net, run.game_spec, run.learner.optimizer, state,
                    config.keep_checkpoints, config.keep_every, config.search.discount)
    _prune_chunks(out, run.replay, config)


def _prune_chunks(out: Path, replay: ReplayWindow, config: ZeroConfig) -> None:
    """Delete the replay chunks that neither the window nor a kept checkpoint's window uses."""
    keep: set[str] = set()
    for d in checkpoint_dirs(out)[-config.keep_checkpoints:]:  # older kept ones (keep_every) keep only weights
        try:
            keep |= set(read_state(d)["chunks"])
        except (RunFolderError, KeyError, TypeError):
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
