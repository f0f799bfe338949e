"""AlphaGo's RL policy network: policy-gradient self-play against a pool of the learner's earlier versions.

Each iteration plays `games` games between the learner and an opponent drawn uniformly from the pool (the
learner has each colour in half of them), both sampling moves from their raw policies, and takes one
REINFORCE step: the gradient of mean over the learner's moves of z * log p(a | s), z its final return
(+1, 0, -1). Drawing opponents from a pool, as the paper did, keeps the learner from overfitting to its
latest self. Every `pool_every` iterations the learner joins the pool; every `eval_every` it plays the
supervised policy (its score is the stage's progress measure).

Files in the stage folder RUN/rl/: checkpoints/NNNNNN (weights, optimiser, state: iteration, pool, log
length), pool/NNNNNN.safetensors, and RUN/rl.safetensors, the latest learner. Rows go to RUN/metrics.jsonl.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

import numpy as np
import torch
from safetensors.torch import load_file, save

from move37 import runs
from move37.alphago.config import RLConfig
from move37.alphago.play import Policy, net_policy, step
from move37.atomic import write_bytes
from move37.errors import RunFolderError
from move37.games.base import Game
from move37.nets import load_net, save_net
from move37.nets.io import load_state_into

RL_FILE = "rl.safetensors"


def play_match(game: Game, first: Policy, second: Policy, games: int, rng: np.random.Generator,
               ) -> tuple[float, list[tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]], np.ndarray]:
    """`games` games of `first` against `second`, `first` playing player g % 2 in game g. Returns first's
    score (wins + draws / 2, a share), first's moves per step (obs, mask, actions, game indices) and its
    returns z (games,)."""
    states = [game.initial_state() for _ in range(games)]
    seat = np.arange(games) % 2
    moves = []
    while live := [g for g in range(games) if not states[g].is_terminal()]:
        mine = [g for g in live if states[g].current_player == seat[g]]
        theirs = [g for g in live if states[g].current_player != seat[g]]
        if mine:
            obs, mask, actions = step(states, mine, first, rng)
            moves.append((obs, mask, actions, np.asarray(mine)))
        if theirs:
            step(states, theirs, second, rng)
    z = np.array([states[g].returns()[seat[g]] for g in range(games)])
    return float(np.mean((z > 0) + 0.5 * (z == 0))), moves, z


def _reinforce(net, optimizer, moves, z: np.ndarray) -> float:
    """One policy-gradient step on the learner's moves; the loss -mean(z * log p(a|s))."""
    obs = torch.from_numpy(np.concatenate([m[0] for m in moves]))
    mask = torch.from_numpy(np.concatenate([m[1] for m in moves]))
    actions = torch.from_numpy(np.concatenate([m[2] for m in moves]))
    returns = torch.from_numpy(np.concatenate([z[m[3]] for m in moves]).astype(np.float32))
    net.train()
    logits, _ = net(obs, mask)
    logp = torch.log_softmax(logits, dim=-1).gather(1, actions[:, None]).squeeze(1)
    loss = -(returns * logp).mean()
    optimizer.zero_grad()
    loss.backward()
    optimizer.step()
    return loss.item()


def train_rl(game: Game, game_spec: str, run: Path, sl_weights: Path, config: RLConfig, seed: int,
             log=sys.stderr) -> Path:
    """Run (or resume) the RL stage in `run`; returns the learner's weights file RUN/rl.safetensors."""
    folder, metrics = Path(run) / "rl", Path(run) / "metrics.jsonl"
    sl = load_net(sl_weights, game.info.name, info=game.info)
    net = load_net(sl_weights, game.info.name, info=game.info)
    optimizer = torch.optim.SGD(net.parameters(), lr=config.lr)
    done, pool, spent = 0, [str(sl_weights)], 0.0
    ckpt = runs.latest_checkpoint(folder)
    if ckpt is not None:
        state = runs.read_state(ckpt)
        try:
            load_state_into(net, ckpt / "weights.safetensors")
            runs.restore_optimizer(optimizer, load_file(ckpt / "optimizer.safetensors"), state["optimizer"])
            done, pool, spent = int(state["iteration"]), list(state["pool"]), float(state["cpu_seconds"])
            runs.truncate(metrics, int(state["log_bytes"]))
        except (KeyError, ValueError, TypeError, OSError) as e:
            raise RunFolderError(f"{ckpt}: damaged RL checkpoint ({e})") from None
    if done >= config.iterations:
        return Path(run) / RL_FILE
    opponents = {path: net_policy(load_net(Path(path), game.info.name, info=game.info)) for path in pool}
    learner, sl_policy = net_policy(net), net_policy(sl)
    print(f"rl: iteration {done} of {config.iterations} done, pool of {len(pool)}", file=log, flush=True)
    start = time.process_time()
    for iteration in range(done + 1, config.iterations + 1):
        rng = np.random.default_rng([seed, 17, iteration])
        opponent = pool[int(rng.integers(len(pool)))]
        score, moves, z = play_match(game, learner, opponents[opponent], config.games, rng)
        loss = _reinforce(net, optimizer, moves, z)
        row = {"stage": "rl", "iteration": iteration, "score_vs_pool": score, "loss_pg": loss}
        if iteration % config.pool_every == 0:
            path = folder / "pool" / f"{iteration:06d}.safetensors"
            path.parent.mkdir(parents=True, exist_ok=True)
            save_net(net, path, game_spec)
            pool.append(str(path))
            opponents[str(path)] = net_policy(load_net(path, game.info.name, info=game.info))
        if iteration % config.eval_every == 0 or iteration == config.iterations:
            row["score_vs_sl"], _, _ = play_match(game, learner, sl_policy, config.eval_games,
                                                 np.random.default_rng([seed, 18, iteration]))
            print(f"rl iteration {iteration}: score against the supervised policy {row['score_vs_sl']:.3f}",
                  file=log, flush=True)
        row["cpu_seconds"] = spent + time.process_time() - start
        _save(folder, metrics, iteration, net, optimizer, pool, row, game_spec)
    save_net(net, Path(run) / RL_FILE, game_spec)
    return Path(run) / RL_FILE


def _save(folder: Path, metrics: Path, iteration: int, net, optimizer, pool: list[str], row: dict,
          game_spec: str) -> None:
    runs.append_row(metrics, row)
    tensors, record = runs.optimizer_record(optimizer)

    def fill(tmp: Path) -> None:
        save_net(net, tmp / "weights.safetensors", game_spec)
        write_bytes(tmp / "optimizer.safetensors", save(tensors))

    runs.write_checkpoint(folder, iteration, fill, {"iteration": iteration, "optimizer": record, "pool": pool,
                                                    "cpu_seconds": row["cpu_seconds"],
                                                    "log_bytes": runs.size(metrics)})
    runs.prune_checkpoints(folder, keep=2)
