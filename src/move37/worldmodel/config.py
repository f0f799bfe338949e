"""A MuZero run's settings: one frozen dataclass tree, read and checked by move37.runs.config.

Defaults suit a small environment (CartPole) on two CPU cores; configs/muzero-*.json hold the
settings each reference curve in docs/results/world-model.md was made with.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from move37.search import SearchConfig
from move37.worldmodel.learner import LossConfig
from move37.worldmodel.nets import NetConfig


@dataclass(frozen=True)
class MuZeroConfig:
    """seed: all randomness. sims: simulations per move in self-play; eval_sims: in evaluation.
    parallel: episodes searched together. episodes: self-play episodes per iteration.
    unroll: K, dynamics steps per training position. td_steps: n of the n-step value targets (a board game
    takes its length: the outcome). discount: per step (0: the game's, 1 for board games).
    replay: moves kept. batch: positions per update. updates_per_move: learner updates per move played
    (the replay ratio). lr, weight_decay: AdamW. reanalyse: moves searched again with the newest network
    per move played (0: off; MuZero Reanalyze). eval_every, eval_episodes: greedy evaluation episodes
    every so many iterations (environments). eval_positions: solver-labelled positions whose optimal-move rate
    is measured every `eval_every` iterations (board games with a solver; 0: none). keep: checkpoints kept.
    opening: a board game's self-play episodes start after 0..opening uniformly random moves (0: none).
    augment: every training row under a random board symmetry of the game (replay.augment; off by default so
    the earlier reference runs keep their configs)."""

    seed: int = 0
    sims: int = 16
    eval_sims: int = 16
    parallel: int = 16
    episodes: int = 16
    unroll: int = 5
    td_steps: int = 10
    discount: float = 0.0
    replay: int = 50_000
    batch: int = 128
    updates_per_move: float = 0.25
    lr: float = 3e-3
    weight_decay: float = 1e-4
    reanalyse: float = 0.0
    eval_every: int = 5
    eval_episodes: int = 16
    eval_positions: int = 200
    keep: int = 2
    opening: int = 0
    augment: bool = False
    net: NetConfig = field(default_factory=NetConfig)
    loss: LossConfig = field(default_factory=LossConfig)
    search: SearchConfig = field(default_factory=SearchConfig)

    def __post_init__(self):
        if min(self.sims, self.eval_sims, self.parallel, self.episodes, self.unroll, self.td_steps, self.replay,
               self.batch, self.keep, self.eval_every) < 1 or self.eval_episodes < 0:
            raise ValueError("counts (sims, parallel, episodes, unroll, td_steps, replay, batch, keep, eval_every) "
                             "must be positive")
        if self.updates_per_move <= 0 or self.reanalyse < 0 or self.lr <= 0:
            raise ValueError("updates_per_move and lr must be positive, reanalyse >= 0")
        if self.opening < 0:
            raise ValueError("opening must be >= 0")
        if not 0 <= self.discount <= 1:
            raise ValueError("discount must be in [0, 1] (0: the game's)")
