"""`move37 train GAME_OR_ENV --algorithm muzero`: MuZero from zero in a run folder, started or resumed exactly.

One iteration: play `episodes` self-play episodes searching inside the model (play.py), add them to the
replay, reanalyse a share of stored moves with the newest network, then `updates_per_move` learner
updates per move played (learner.py), each followed by the target encoder's average; then a metrics row,
now and then a greedy evaluation, and a checkpoint. Iterations end with no episode in flight, so a
checkpoint is the whole state (checkpoint.py) and a resumed run's metrics equal an uninterrupted one's.
"""

from __future__ import annotations

import copy
import functools
import sys
import time
from pathlib import Path

import numpy as np
import torch

from move37 import games, runs
from move37.errors import RunFolderError
from move37.games.base import Game
from move37.worldmodel import play as episodes_
from move37.worldmodel.checkpoint import load_checkpoint, save_checkpoint
from move37.worldmodel.config import MuZeroConfig
from move37.worldmodel.learner import ema_update, losses
from move37.worldmodel.model import LatentModel
from move37.worldmodel.nets import MuZeroNet
from move37.worldmodel.replay import Replay, augment
from move37.worldmodel.store import LatentStore

TRAINER = "muzero"
EVAL_SEED = 10**9  # evaluation episodes use seeds from here, training episodes from 0


def resolve(config: MuZeroConfig, game: Game) -> MuZeroConfig:
    """Fill in what depends on the game: the discount (the game's) into the search; a board game's n-step
    horizon is its length (the outcome is the target)."""
    import dataclasses

    discount = config.discount or game.info.discount
    td = config.td_steps if game.info.rewards else game.info.max_length
    return dataclasses.replace(config, discount=discount, td_steps=td,
                               search=dataclasses.replace(config.search, discount=discount))


def read_config(game: Game, path: str | None) -> MuZeroConfig:
    data = runs.read_file(Path(path)) if path else {}
    return resolve(runs.build(MuZeroConfig, data), game)


def train(game_spec: str, out: str | Path, minutes: float | None = None, config_path: str | None = None,
          iterations: int | None = None, log=sys.stderr) -> dict | None:
    """Train until `minutes` of this session or `iterations` in total; the last metrics row (None if none)."""
    out = Path(out)
    game = games.make(game_spec)
    with runs.open_run(out, TRAINER, lambda: {"config": runs.to_dict(read_config(game, config_path)),
                                                "game": game_spec}) as meta:
        if meta.get("game") != game_spec:
            raise RunFolderError(f"{out} trains {meta.get('game')!r}, not {game_spec!r}")
        config = runs.build(MuZeroConfig, meta["config"])
        return _loop(game, out, config, minutes, iterations, log)


def _loop(game: Game, out: Path, config: MuZeroConfig, minutes, iterations, log) -> dict | None:
    torch.manual_seed(config.seed)
    torch.set_num_threads(1)
    info = game.info
    net = MuZeroNet(info.observation_shape, info.num_actions, config.net)
    target = copy.deepcopy(net)
    optimizer = torch.optim.AdamW(net.parameters(), lr=config.lr, weight_decay=config.weight_decay)
    replay = Replay(config.replay, config.td_steps, config.discount)
    rng = np.random.default_rng(config.seed)
    counters = {"iteration": 0, "moves": 0, "episodes": 0, "updates": 0, "elapsed": 0.0, "reanalysed": 0}
    metrics = out / "metrics.jsonl"
    ckpt = runs.latest_checkpoint(out)
    if ckpt is not None:
        state = load_checkpoint(ckpt, net, target, optimizer, replay)
        counters.update({k: state[k] for k in counters})
        rng.bit_generator.state = state["rng"]
        runs.truncate(metrics, state["metrics_size"])
    else:
        runs.truncate(metrics, 0)
    model = LatentModel(copy.deepcopy(net))
    search = episodes_.make_search(game, model, config.search, config.parallel, max(config.sims, config.eval_sims))
    started, last = time.monotonic(), None
    while True:
        if iterations is not None and counters["iteration"] >= iterations:
            break
        if minutes is not None and time.monotonic() - started >= minutes * 60:
            break
        t0 = time.monotonic()
        model.net.load_state_dict(net.state_dict())
        first = counters["episodes"]
        played = episodes_.play(game, search, list(range(first, first + config.episodes)), config.sims, rng, True,
                                 config.opening)
        new_moves = sum(len(t) for t in played)
        for traj in played:
            replay.add(traj)
        counters["moves"] += new_moves
        counters["episodes"] += len(played)
        if config.reanalyse > 0:
            counters["reanalysed"] += _reanalyse(replay, search, config, new_moves, rng)
        row = {"iteration": counters["iteration"] + 1, "moves": counters["moves"], "episodes": counters["episodes"],
               "return": float(np.mean([t.episode_return() for t in played])),
               "length": float(np.mean([len(t) for t in played]))}
        net.train()
        sums: dict[str, float] = {}
        updates = max(1, round(new_moves * config.updates_per_move))
        for _ in range(updates):
            batch = replay.sample(rng, config.batch, config.unroll)
            terms = losses(net, target, augment(batch, game, rng) if config.augment else batch, config.loss)
            optimizer.zero_grad()
            terms["total"].backward()
            torch.nn.utils.clip_grad_norm_(net.parameters(), 5.0)
            optimizer.step()
            ema_update(target, net, config.loss.ema)
            for k, v in terms.items():
                sums[k] = sums.get(k, 0.0) + float(v.detach())
        net.eval()
        counters["updates"] += updates
        row.update({f"loss_{k}": v / updates for k, v in sums.items()})
        counters["iteration"] += 1
        if counters["iteration"] % config.eval_every == 0:
            model.net.load_state_dict(net.state_dict())
            row.update(_evaluate(game, out, search, model, config, counters["iteration"], rng))
        counters["elapsed"] += time.monotonic() - t0
        row.update({"updates": counters["updates"], "reanalysed": counters["reanalysed"],
                    "elapsed": round(counters["elapsed"], 2)})
        runs.append_row(metrics, row)
        save_checkpoint(out, counters["iteration"], net, target, info.name, config.discount, optimizer, replay,
                        {**counters, "rng": rng.bit_generator.state, "metrics_size": runs.size(metrics)}, config.keep)
        print(_line(row), file=log, flush=True)
        last = row
    from move37.worldmodel.report import write_plots

    if runs.read_rows(metrics):
        write_plots(out)
    return last


def _evaluate(game: Game, out: Path, search, model: LatentModel, config: MuZeroConfig, iteration: int,
              rng: np.random.Generator) -> dict:
    """Environments: the mean return of greedy episodes (search without noise). Board games with an exact
    solver: the optimal- and good-move rates of search at `eval_sims` and of the raw policy on solver-labelled
    positions (move37.train.evaluate, the AlphaZero runs' measure), searching in the model."""
    if game.info.rewards:
        if not config.eval_episodes:
            return {}
        seeds = [EVAL_SEED + iteration * config.eval_episodes + i for i in range(config.eval_episodes)]
        evals = episodes_.play(game, search, seeds, config.eval_sims, rng, False)
        return {"eval_return": float(np.mean([t.episode_return() for t in evals]))}
    from move37.train import evaluate as ev

    labels = ev.solver_labels(out, game, config.eval_positions) if config.eval_positions else None
    if not labels:
        return {}
    store = functools.partial(LatentStore, model=model)
    searched = ev.move_rates(game, model, labels, config.eval_sims, config.search, store)
    raw = ev.move_rates(game, model, labels, 0, config.search, store)
    return {"optimal_rate": searched["optimal"], "good_rate": searched["good"], "optimal_rate_policy": raw["optimal"],
            "good_rate_policy": raw["good"]}


def _reanalyse(replay: Replay, search, config: MuZeroConfig, new_moves: int, rng: np.random.Generator) -> int:
    """Reanalyse whole stored episodes, picked at random, until reanalyse x new_moves moves are done."""
    want, done, chosen = config.reanalyse * new_moves, 0, []
    for e in rng.permutation(len(replay.episodes)):
        if done >= want:
            break
        chosen.append(int(e))
        done += len(replay.episodes[e])
    return episodes_.reanalyse(replay, chosen, search, config.sims)


def _line(row: dict) -> str:
    text = (f"iteration {row['iteration']}: {row['moves']} moves, {row['episodes']} episodes, "
            f"{row['elapsed'] / 60:.1f} min, return {row['return']:.1f}")
    if "eval_return" in row:
        text += f", greedy {row['eval_return']:.1f}"
    if "optimal_rate" in row:
        text += f", optimal {row['optimal_rate']:.3f} (policy {row['optimal_rate_policy']:.3f})"
    return text + f", loss {row['loss_total']:.3f}"
