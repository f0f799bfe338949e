"""The learner and evaluation stages of an iteration: one interface, a local and a Ray implementation.

An iteration plays its games (source.py), writes them and their replay chunk, and
then these stages turn the replay window into new weights and, when one is due, an
evaluation. The loop calls `begin` before the games are played and `end` after:

- `LocalStages` (this module) does everything in `end`: the updates owed to the newest
  chunk, then the evaluation of the network they made. Nothing overlaps.
- `RayStages` (ray_stages.py) submits the updates owed to the previous chunk and the
  evaluation of the weights about to play in `begin`, so both run on actors while the
  games are played, and collects them in `end` (one iteration behind, as in
  AlphaZero's asynchronous training).

Either way `owed` is the number of updates owed to the newest chunk, which the
checkpoint saves (`pending_steps`) and the next iteration makes first.
"""

from __future__ import annotations

from pathlib import Path
from typing import Protocol

import numpy as np

from move37.games.base import Game
from move37.nets import PolicyValueNet
from move37.search import Evaluate
from move37.train import evaluate as ev
from move37.train.config import ZeroConfig
from move37.train.learner import Learner
from move37.train.replay import ReplayWindow

MAX_RESTARTS = 3  # stages lost (StageLost: a Ray actor died) in one `move37 train` before the run gives up


class Stages(Protocol):
    owed: int  # updates owed to the newest chunk, made first in the next iteration
    extra: dict  # fields for the metrics line that only these stages know

    def begin(self, net: PolicyValueNet, iteration: int, config: ZeroConfig, rng: np.random.Generator) -> None:
        """Before iteration `iteration`'s games are played with `net`, under `config` (the one in force)."""

    def end(self, net: PolicyValueNet, iteration: int, chunk: tuple[str, dict], steps: int, config: ZeroConfig,
            rng: np.random.Generator) -> tuple[dict, dict]:
        """After the games: `chunk` (name, arrays) is in the replay window and owes `steps` updates. `net` ends with
        the newest weights; returns (mean losses, evaluation fields). StageLost if a remote stage died."""

    def sync(self) -> None:
        """Bring the optimiser's state into the run's `Learner` before a checkpoint."""

    def close(self) -> None:
        """Free what the stages hold (nothing locally)."""


class LocalStages:
    """The learner and the evaluation in this process, one after the other, once the games are in."""

    def __init__(self, run: Path, game: Game, evaluate: Evaluate, learner: Learner, replay: ReplayWindow,
                 labels: list[dict] | None, owed: int):
        self.run, self.game, self.evaluate, self.labels = run, game, evaluate, labels
        self.learner, self.replay, self.owed, self.extra = learner, replay, owed, {}

    def begin(self, net: PolicyValueNet, iteration: int, config: ZeroConfig, rng: np.random.Generator) -> None:
        pass

    def end(self, net: PolicyValueNet, iteration: int, chunk: tuple[str, dict], steps: int, config: ZeroConfig,
            rng: np.random.Generator) -> tuple[dict, dict]:
        steps, self.owed = self.owed + steps, 0
        losses = self.learner.train(self.replay, steps, rng) if steps else {}
        evaluation = ev.evaluate_network(self.game, self.evaluate, config, self.labels, iteration,
                                         lambda: ev.ladder_records(self.run, self.game, config))
        return losses, evaluation

    def sync(self) -> None:
        pass

    def close(self) -> None:
        pass
