"""Steps per second of each streaming learner and the replay DQN on one MinAtar game, one thread, as `move37 live`
runs them (act, step the game, learn), and what a 1M-step run costs at that speed.

    PYTHONPATH=src python bench/experience_speed.py [GAME] [STEPS]

The DQN is measured after its replay has started (start=500), so every 4th step carries a batch-32 update.
Prints one JSON line per learner with the load average beside it: on a shared machine the load decides the figure.
"""

from __future__ import annotations

import json
import os
import sys
import time

import torch

from move37.experience.learners import make_learner
from move37.experience.streams import make_stream

AGENTS = ("streamq", "streamac", "dqn:start=500")


def measure(game: str, agent: str, steps: int, warmup: int = 600) -> float:
    stream = make_stream(f"minatar:games={game}", seed=0)
    learner = make_learner(agent, stream.observation_shape, stream.num_actions, seed=0)
    obs = stream.observation()
    start = None
    for t in range(warmup + steps):
        if t == warmup:
            start = time.perf_counter()
        action = learner.act(obs)
        out = stream.step(action)
        learner.learn(obs, action, out.reward, out.next_obs, out.terminal, out.cut, out.legal)
        obs = stream.observation()
    return steps / (time.perf_counter() - start)


def main(argv: list[str]) -> int:
    game = argv[0] if argv else "breakout"
    steps = int(argv[1]) if len(argv) > 1 else 3000
    torch.set_num_threads(1)
    for agent in AGENTS:
        load = os.getloadavg()[0]
        sps = measure(game, agent, steps)
        print(json.dumps({"game": game, "agent": agent, "steps": steps, "steps_per_second": round(sps, 1),
                          "hours_per_million_steps": round(1e6 / sps / 3600, 2),
                          "load_before": round(load, 2), "load_after": round(os.getloadavg()[0], 2)}), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
