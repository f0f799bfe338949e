"""AlphaGo's value network: the expected outcome of RL self-play from a position, learned by regression.

Positions come from games that follow the supervised policy for U-1 moves (U uniform in 0..u_max), play one
uniformly random move (so the positions are not ones either policy would reach by itself only), then let the
RL policy play both sides to the end; positions after the random move are kept with the outcome for their
mover. Chunks of games are saved as RUN/value/chunk-NNNN.npz (obs, outcome, game index), so an interrupted
stage replays nothing; training (value head only, mean squared error, whole games held out) then writes
RUN/value.safetensors (the epoch with the lowest held-out error) and one metrics row per epoch.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

import numpy as np
import torch

from move37 import runs
from move37.alphago.config import ValueConfig
from move37.alphago.play import net_policy, step, uniform_policy
from move37 import jsontext
from move37.atomic import write_json, write_npz
from move37.games.base import Game
from move37.imitation.records import split_games
from move37.nets import load_net, save_net

VALUE_FILE = "value.safetensors"


def play_chunk(game: Game, sl, rl, config: ValueConfig, rng: np.random.Generator) -> dict[str, np.ndarray]:
    """One chunk of games: obs float32 (N, *obs_shape), mask bool (N, A), value float32 (N,) (the outcome for
    each position's mover), game int64 (N,) (its game within the chunk)."""
    n = config.chunk
    states = [game.initial_state() for _ in range(n)]
    random_at = rng.integers(0, config.u_max + 1, size=n)
    kept: list[list] = [[] for _ in range(n)]
    ply = 0
    while live := [g for g in range(n) if not states[g].is_terminal()]:
        for policy, games in ((sl, [g for g in live if ply < random_at[g]]),
                              (uniform_policy, [g for g in live if ply == random_at[g]]),
                              (rl, [g for g in live if ply > random_at[g]])):
            if not games:
                continue
            if policy is rl:  # positions after the random move, before the RL policy's move
                for g in games:
                    kept[g].append(states[g])
            step(states, games, policy, rng)
        ply += 1
    obs, mask, value, index = [], [], [], []
    for g in range(n):
        if not kept[g]:
            continue
        picks = rng.choice(len(kept[g]), size=min(config.positions_per_game, len(kept[g])), replace=False)
        for i in sorted(picks):
            s = kept[g][i]
            obs.append(s.encode())
            mask.append(s.legal_mask())
            value.append(states[g].returns()[s.current_player])
            index.append(g)
    return {"obs": np.stack(obs).astype(np.float32), "mask": np.stack(mask), "value": np.asarray(value, np.float32),
            "game": np.asarray(index, np.int64)}


def train_value(game: Game, game_spec: str, run: Path, sl_weights: Path, rl_weights: Path, config: ValueConfig,
                seed: int, log=sys.stderr) -> Path:
    """Run (or resume) the value stage; returns RUN/value.safetensors."""
    run = Path(run)
    out, folder, metrics = run / VALUE_FILE, run / "value", run / "metrics.jsonl"
    if out.is_file():
        return out
    folder.mkdir(exist_ok=True)
    sl = net_policy(load_net(sl_weights, game.info.name, info=game.info))
    rl = net_policy(load_net(rl_weights, game.info.name, info=game.info))
    chunks = -(-config.games // config.chunk)
    start = time.process_time()
    for c in range(chunks):
        path = folder / f"chunk-{c:04d}.npz"
        if not path.is_file():
            data = play_chunk(game, sl, rl, config, np.random.default_rng([seed, 37, c]))
            write_npz(path, **data)
            print(f"value: chunk {c + 1}/{chunks}, {len(data['value'])} positions", file=log, flush=True)
    play_seconds = time.process_time() - start
    parts = [dict(np.load(folder / f"chunk-{c:04d}.npz")) for c in range(chunks)]
    data = {k: np.concatenate([p[k] for p in parts]) for k in ("obs", "mask", "value")}
    game_id = np.concatenate([p["game"] + c * config.chunk for c, p in enumerate(parts)])
    train_games, held_games = split_games(range(chunks * config.chunk), config.holdout, seed)
    held = np.isin(game_id, held_games)
    net = load_net(rl_weights, game.info.name, info=game.info)
    optimizer = torch.optim.Adam(net.parameters(), lr=config.lr)
    rng = np.random.default_rng([seed, 38])
    train_idx, held_idx = np.flatnonzero(~held), np.flatnonzero(held)
    baseline = float(np.mean((data["value"][held_idx] - data["value"][train_idx].mean()) ** 2))
    mark = folder / "log_bytes.json"  # the log's length before training: a training cut short is redone
    if mark.is_file():
        runs.truncate(metrics, int(jsontext.read(mark)))
    else:
        write_json(mark, runs.size(metrics))
    train_start = time.process_time()
    best = float("inf")
    for epoch in range(1, config.epochs + 1):
        net.train()
        order = rng.permutation(train_idx)
        total = 0.0
        for i in range(0, len(order), config.batch_size):
            b = order[i:i + config.batch_size]
            _, v = net(torch.from_numpy(data["obs"][b]), torch.from_numpy(data["mask"][b]))
            loss = ((v - torch.from_numpy(data["value"][b])) ** 2).mean()
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
            total += loss.item() * len(b)
        row = {"stage": "value", "epoch": epoch, "positions": len(train_idx), "loss_value": total / len(train_idx),
               "held_mse": value_mse(net, data["obs"][held_idx], data["mask"][held_idx], data["value"][held_idx]),
               "held_mse_constant": baseline,
               "cpu_seconds": play_seconds + time.process_time() - train_start}
        runs.append_row(metrics, row)
        if row["held_mse"] < best:  # keep the epoch that generalises best: more epochs overfit (docs/results/alphago.md)
            best = row["held_mse"]
            save_net(net, folder / "best.safetensors", game_spec)
        print(f"value epoch {epoch}: held-out MSE {row['held_mse']:.3f} (a constant: {baseline:.3f})",
              file=log, flush=True)
    for suffix in (".json", ".safetensors"):  # the weights last: their presence marks the stage done
        (folder / "best").with_suffix(suffix).replace(out.with_suffix(suffix))
    return out


@torch.inference_mode()
def value_mse(net, obs: np.ndarray, mask: np.ndarray, value: np.ndarray, batch: int = 1024) -> float:
    """Mean squared error of the network's value against outcomes value (N,)."""
    net.eval()
    err = 0.0
    for i in range(0, len(value), batch):
        _, v = net(torch.from_numpy(obs[i:i + batch]), torch.from_numpy(mask[i:i + batch]))
        err += float(((v - torch.from_numpy(value[i:i + batch])) ** 2).sum())
    return err / max(len(value), 1)
