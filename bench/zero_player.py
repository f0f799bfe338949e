"""Seconds per move of the `zero` player (one game, batch-1 search) with and without round-batched
evaluation, in one run.

    .venv/bin/python bench/zero_player.py [--net PATH] [--sims 256,1024] [--positions 50] [--out FILE]

The player searches one game, so each simulation step has one leaf to evaluate. With rounds
(`BatchedSearch(rounds=True)`, the player's default) every whole round of Gumbel sequential
halving, one visit to each surviving root action, goes to the network in one call: the same
tree (checked here: the same move at every position) in fewer, larger calls. Positions are
POSITIONS of training's 300 labelled Connect Four positions (move37/data), evenly spaced (so
from every stage of the game: the file is in ply order), each searched from a
fresh root by both players in turn, torch on one thread. Reports the median seconds per
move, network calls per move, and the ratio. Writes OUT (JSON, atomically; default
bench/results/zero_player.json).
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import time
from pathlib import Path

import torch

from move37 import games
from move37.agents.zero import MODELS, ZeroAgent
from move37.atomic import write_json
from move37.train import evaluate as ev


class Counted:
    """An evaluator that counts its calls."""

    def __init__(self, evaluate):
        self.evaluate, self.calls = evaluate, 0

    def __call__(self, obs, legal):
        self.calls += 1
        return self.evaluate(obs, legal)


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--net", type=Path, default=MODELS / "connect4.safetensors")
    p.add_argument("--sims", default="256,1024", help="comma-separated simulation counts")
    p.add_argument("--positions", type=int, default=50)
    p.add_argument("--out", type=Path, default=Path("bench/results/zero_player.json"))
    args = p.parse_args()
    torch.set_num_threads(1)
    game = games.make("connect4")
    labels = ev.shipped_labels(game, 300)
    labels = labels[::max(1, len(labels) // args.positions)][:args.positions]  # from every stage of the game
    states = [game.state_from_moves(label["moves"]) for label in labels]
    rows = []
    for sims in (int(s) for s in args.sims.split(",")):
        players = {}
        for rounds in (False, True):
            agent = ZeroAgent(str(args.net), game=game, sims=sims)
            agent.evaluate = agent.search.evaluate = Counted(agent.evaluate)
            agent.search.rounds = rounds
            agent.analyse(states[0])  # compile and load everything before the clock runs
            players[rounds] = agent
        seconds = {False: [], True: []}
        calls = {False: 0, True: 0}
        moves = {False: [], True: []}
        for state in states:
            for rounds, agent in players.items():
                before = agent.evaluate.calls
                start = time.perf_counter()
                moves[rounds].append(agent.analyse(state).action)
                seconds[rounds].append(time.perf_counter() - start)
                calls[rounds] += agent.evaluate.calls - before
        median = {r: statistics.median(s) for r, s in seconds.items()}
        row = {"sims": sims, "s_per_move_one_leaf": round(median[False], 4),
               "s_per_move_rounds": round(median[True], 4),
               "calls_per_move_one_leaf": round(calls[False] / len(states), 1),
               "calls_per_move_rounds": round(calls[True] / len(states), 1),
               "speedup": round(median[False] / median[True], 3),
               "same_moves": sum(a == b for a, b in zip(moves[False], moves[True])), "positions": len(states)}
        print(json.dumps(row), flush=True)
        rows.append(row)
    write_json(args.out, {"net": os.path.relpath(args.net), "rows": rows})


if __name__ == "__main__":
    main()
