"""The supervised (imitation) policy: a policy-value network trained to predict the recorded move.

AlphaGo's first stage: cross-entropy between the network's policy and the move the demonstrator
played, on whole games split into training and held-out games (records.split_games), with a random
board symmetry per batch where the game has them. The value head learns the game's outcome for the
mover (weight `value_weight`; 0 leaves it untrained, as AlphaGo's SL network had none), so the file
is a complete network: `zero:DIR/policy.safetensors,sims=0` plays the imitation policy and the
AlphaGo agent, `move37 train --init`, and the move-37 finder read it.

A run folder (move37.runs, trainer "imitation"): run.json (config, record files), metrics.jsonl (a
row per epoch: losses, training and held-out top-1 accuracy), checkpoints/NNNNNN (weights, optimiser)
per epoch, policy.safetensors (+ .json) the latest network, plots/imitation.png. Run it again and it
resumes after the last finished epoch.
"""

from __future__ import annotations

import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import torch
from safetensors.torch import load_file, save

from move37 import runs
from move37.atomic import write_bytes
from move37.errors import ConfigError, RunFolderError
from move37.games.base import Game
from move37.games.symmetry import move_actions
from move37.imitation.plots import plot_rows
from move37.imitation.records import Demonstration, split_games
from move37.nets import NetConfig, PolicyValueNet, save_net
from move37.nets.io import load_state_into

POLICY_FILE = "policy.safetensors"


@dataclass(frozen=True)
class ImitationConfig:
    """epochs: passes over the training positions. batch_size, lr (Adam), weight_decay. holdout: share of
    games held out for accuracy. value_weight: weight of the value loss beside the policy's cross-entropy.
    symmetries: a random board symmetry per batch. threads: torch threads. net: the network (`imitation_config`
    starts from the game's `move37 train` preset, so Zero can start from this one)."""

    epochs: int = 20
    batch_size: int = 256
    lr: float = 2e-3
    weight_decay: float = 1e-4
    holdout: float = 0.1
    value_weight: float = 0.25
    symmetries: bool = True
    seed: int = 0
    threads: int = 1
    net: NetConfig = field(default_factory=NetConfig)

    def __post_init__(self):
        if self.epochs < 1 or self.batch_size < 1 or self.lr <= 0 or self.weight_decay < 0 or self.threads < 1:
            raise ConfigError("epochs, batch_size, threads >= 1, lr > 0 and weight_decay >= 0 required")
        if not 0 <= self.holdout < 1 or self.value_weight < 0:
            raise ConfigError("0 <= holdout < 1 and value_weight >= 0 required")


def imitation_config(game_spec: str, data: dict | None = None) -> ImitationConfig:
    """An ImitationConfig from a config file's object (ConfigError naming a bad key) whose network defaults to
    the one `move37 train GAME` builds for this game, so Zero can start from the imitation network."""
    from move37.train.config import from_dict

    preset = {"net": runs.to_dict(from_dict({}, game_spec).net)}
    return runs.build(ImitationConfig, runs.merge(preset, data or {}))


@dataclass(frozen=True)
class Examples:
    """Positions as arrays: obs float32 (N, *observation_shape), mask bool (N, A), action int64 (N,),
    value float32 (N,) (the game's outcome for the mover; 0 when unknown), has_value bool (N,)."""

    obs: np.ndarray
    mask: np.ndarray
    action: np.ndarray
    value: np.ndarray
    has_value: np.ndarray

    def __len__(self) -> int:
        return len(self.action)


def to_examples(game: Game, demos: Sequence[Demonstration]) -> Examples:
    obs, mask, action, value, known = [], [], [], [], []
    for demo in demos:
        for state, a in zip(demo.states, demo.actions):
            obs.append(state.encode())
            mask.append(state.legal_mask())
            action.append(a)
            value.append(0.0 if demo.returns is None else demo.returns[state.current_player])
            known.append(demo.returns is not None)
    shape = (0, *game.info.observation_shape)
    return Examples(np.asarray(obs, np.float32).reshape(shape) if not obs else np.stack(obs).astype(np.float32),
                    np.asarray(mask, bool).reshape(0, game.info.num_actions) if not mask else np.stack(mask),
                    np.asarray(action, np.int64), np.asarray(value, np.float32), np.asarray(known, bool))


def symmetric(game: Game, ex: Examples, k: int) -> Examples:
    """The same positions under board symmetry k: observations moved, and each action a (and the
    legal mask's entries) sent to action_permutation(k)[a]."""
    if k == 0:
        return ex
    perm = game.action_permutation(k)
    mask = move_actions(ex.mask, perm)
    return Examples(np.ascontiguousarray(game.transform_observation(ex.obs, k)), mask, perm[ex.action], ex.value,
                    ex.has_value)


def _batch(ex: Examples, idx: np.ndarray) -> Examples:
    return Examples(ex.obs[idx], ex.mask[idx], ex.action[idx], ex.value[idx], ex.has_value[idx])


@torch.inference_mode()
def policy_accuracy(net: PolicyValueNet, ex: Examples, batch: int = 1024) -> dict[str, float]:
    """top1: share of positions where the policy's most probable legal move is the recorded one;
    nll: mean negative log-probability of the recorded move."""
    net.eval()
    hits, nll = 0, 0.0
    for start in range(0, len(ex), batch):
        logits, _ = net(torch.from_numpy(ex.obs[start:start + batch]), torch.from_numpy(ex.mask[start:start + batch]))
        target = torch.from_numpy(ex.action[start:start + batch])
        hits += int((logits.argmax(-1) == target).sum())
        nll += float(torch.nn.functional.cross_entropy(logits, target, reduction="sum"))
    return {"top1": hits / max(len(ex), 1), "nll": nll / max(len(ex), 1)}


def _epoch(net, optimizer, game: Game, ex: Examples, config: ImitationConfig, rng: np.random.Generator) -> dict:
    net.train()
    order = rng.permutation(len(ex))
    totals = {"loss_policy": 0.0, "loss_value": 0.0, "train_top1": 0.0}
    for start in range(0, len(order), config.batch_size):
        b = _batch(ex, order[start:start + config.batch_size])
        if config.symmetries and game.info.num_symmetries > 1:
            b = symmetric(game, b, int(rng.integers(game.info.num_symmetries)))
        logits, value = net(torch.from_numpy(b.obs), torch.from_numpy(b.mask))
        target = torch.from_numpy(b.action)
        loss_p = torch.nn.functional.cross_entropy(logits, target)
        known = torch.from_numpy(b.has_value)
        err = (value - torch.from_numpy(b.value)) ** 2
        loss_v = (err * known).sum() / known.sum().clamp(min=1)
        optimizer.zero_grad()
        (loss_p + config.value_weight * loss_v).backward()
        optimizer.step()
        n = len(b)
        totals["loss_policy"] += loss_p.item() * n
        totals["loss_value"] += loss_v.item() * n
        totals["train_top1"] += float((logits.argmax(-1) == target).float().sum())
    return {k: v / max(len(ex), 1) for k, v in totals.items()}


def train_imitation(game: Game, game_spec: str, demos: Sequence[Demonstration], out: Path,
                    config: ImitationConfig, records: Sequence[str] = (), log=sys.stderr) -> dict:
    """Train (or resume) the imitation run in `out` on `demos`; the last epoch's metrics row."""
    out = Path(out)
    net_config = config.net
    if not demos:
        raise ConfigError("no games in the records")
    meta_new = {"config": runs.to_dict(config), "game": game_spec,
                "records": list(records)}
    with runs.open_run(out, "imitation", lambda: meta_new) as meta:
        if meta.get("game") != game_spec or meta.get("records") != list(records):
            raise RunFolderError(f"{out} imitates {meta.get('game')} from {meta.get('records')}; "
                                 "resume it with the same game and records, or choose a new --out")
        torch.set_num_threads(config.threads)
        torch.manual_seed(config.seed)
        train_idx, held_idx = split_games(demos, config.holdout, config.seed)
        train = to_examples(game, [demos[i] for i in train_idx])
        held = to_examples(game, [demos[i] for i in held_idx])
        net = PolicyValueNet(game.info.observation_shape, game.info.num_actions, net_config)
        optimizer = torch.optim.AdamW(net.parameters(), lr=config.lr, weight_decay=config.weight_decay)
        done, row = _resume(out, net, optimizer)
        print(f"imitation: {len(train)} training positions ({len(train_idx)} games), {len(held)} held out "
              f"({len(held_idx)} games); epoch {done} of {config.epochs} done", file=log, flush=True)
        start = time.perf_counter() - (row or {}).get("elapsed", 0.0)
        for epoch in range(done + 1, config.epochs + 1):
            rng = np.random.default_rng([config.seed, epoch])
            row = {"epoch": epoch, "positions": len(train), **_epoch(net, optimizer, game, train, config, rng)}
            if len(held):
                acc = policy_accuracy(net, held)
                row.update(held_top1=acc["top1"], held_nll=acc["nll"])
            row["elapsed"] = time.perf_counter() - start
            _save(out, epoch, net, optimizer, row, game_spec)
            print(f"epoch {epoch}: loss {row['loss_policy']:.3f} + {row['loss_value']:.3f}, train top-1 "
                  f"{row['train_top1']:.3f}" + (f", held-out top-1 {row['held_top1']:.3f}" if len(held) else ""),
                  file=log, flush=True)
        write_plots(out)
        return row or {}


def _resume(out: Path, net: PolicyValueNet, optimizer) -> tuple[int, dict | None]:
    """The last finished epoch and its row (0, None for a new run) with its weights and optimiser loaded;
    metrics.jsonl is cut back to the length that checkpoint recorded (rows of an epoch cut short go)."""
    log = out / "metrics.jsonl"
    ckpt = runs.latest_checkpoint(out)
    if ckpt is None:
        runs.truncate(log, 0)
        return 0, None
    state = runs.read_state(ckpt)
    try:
        load_state_into(net, ckpt / "weights.safetensors")
        runs.restore_optimizer(optimizer, load_file(ckpt / "optimizer.safetensors"), state["optimizer"])
        runs.truncate(log, int(state["log_bytes"]))
        epoch = int(state["epoch"])
    except (KeyError, ValueError, TypeError, OSError) as e:
        raise RunFolderError(f"{ckpt}: damaged imitation checkpoint ({e})") from None
    rows = runs.read_rows(log)
    return epoch, (rows[-1] if rows else None)


def _save(out: Path, epoch: int, net: PolicyValueNet, optimizer, row: dict, game_spec: str) -> None:
    """Row first, then the checkpoint that records the log's length with it, then the network file."""
    log = out / "metrics.jsonl"
    runs.append_row(log, row)
    tensors, record = runs.optimizer_record(optimizer)

    def fill(folder: Path) -> None:
        save_net(net, folder / "weights.safetensors", game_spec)
        write_bytes(folder / "optimizer.safetensors", save(tensors))

    runs.write_checkpoint(out, epoch, fill, {"epoch": epoch, "optimizer": record, "log_bytes": runs.size(log)})
    save_net(net, out / POLICY_FILE, game_spec)
    runs.prune_checkpoints(out, keep=2)


def write_plots(out: Path) -> list[Path]:
    rows = runs.read_rows(Path(out) / "metrics.jsonl")
    path = plot_rows(Path(out) / "plots" / "imitation.png", rows, "epoch",
                     [("train_top1", "training top-1"), ("held_top1", "held-out top-1")],
                     f"{Path(out).name}: imitation accuracy", "epoch", "top-1 move accuracy")
    return [path] if path else []
