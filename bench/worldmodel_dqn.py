"""The model-free baseline beside MuZero on MinAtar: the project's DQN (move37.experience.dqn, CleanRL's
MinAtar recipe) for a number of environment steps; writes every finished episode as (step, return),
rewritten every 5,000 steps so a run cut short still reports what it reached.

    PYTHONPATH=src python bench/worldmodel_dqn.py breakout 100000 runs/wm/dqn-breakout.json
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

from move37.atomic import write_json
from move37.experience.dqn import DQN
from move37.experience.streams import make_stream


def main(game: str, steps: int, out: Path, seed: int = 0) -> None:
    """The loop of move37.experience.dqn.train_on_minatar, with the partial results written as it goes."""
    start = time.monotonic()
    stream = make_stream(f"minatar:games={game}", seed)
    learner = DQN(observation_shape=stream.observation_shape, num_actions=stream.num_actions, seed=seed)
    obs, ret, episodes = stream.observation(), 0.0, []
    for t in range(1, steps + 1):
        action = learner.act(obs)
        step = stream.step(action)
        learner.learn(obs, action, step.reward, step.next_obs, step.terminal)
        ret += step.reward
        if step.terminal:
            episodes.append([t, ret])
            ret = 0.0
        obs = stream.observation()
        if t % 5000 == 0 or t == steps:
            write_json(out, {"game": game, "steps": t, "seed": seed, "minutes": (time.monotonic() - start) / 60,
                             "episodes": episodes})


if __name__ == "__main__":
    main(sys.argv[1], int(sys.argv[2]), Path(sys.argv[3]))
