"""The training configuration: typed sections, defaults per game, strict loading.

A config file (JSON or TOML) holds any subset of the sections below; unknown keys and
values of the wrong type are a one-line ConfigError naming the key (the loading and
checking are move37.runs.config's, shared with the reasoning trainer). The resolved
config is stored in the run folder, so a run resumes with exactly its own settings.

Settings that AlphaZero-style runs change as they go (the learning-rate drops, deeper
self-play searches later on) are a `schedule`: a table from a setting's dotted name to the
values it takes from a number of iterations done, or of minutes of the run's own clock, on:

    "schedule": {"learn.lr": {"by": "iteration", "steps": [[137, 5e-4], [274, 1.5e-4]]},
                 "selfplay.sims": {"by": "minutes", "steps": [[90, 128]]}}

Before a setting's first step its section's value holds. `ZeroConfig.at` is the config in
force for the next iteration; the training loop asks for it at every iteration, from the
iteration count and clock that checkpoints save, so a resumed run follows the same schedule.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Literal

from move37 import runs
from move37.errors import ConfigError
from move37.nets.policy_value import NetConfig
from move37.search.batched import SearchConfig
from move37.selfplay.play import SelfPlayConfig


MAX_THREADS = 1024  # torch threads; more is a typo, not a machine


@dataclass(frozen=True)
class LearnConfig:
    """batch_size, lr, weight_decay: the optimiser (AdamW). replay_ratio: samples drawn per new
    position. window: positions kept in the replay window. min_positions: positions before the
    first update. augment: train on a random board symmetry of each sample. search_value_weight: the
    value target is (1 - w) * outcome + w * the root search's value (`SearchOutput.value`; 0 = AlphaZero's
    outcome only).
    discount: the outcome is worth discount ** (moves to the end) (1 = AlphaZero's undiscounted)."""

    batch_size: int = 256
    lr: float = 2e-3
    weight_decay: float = 1e-4
    replay_ratio: float = 4.0
    window: int = 100_000
    min_positions: int = 1000
    augment: bool = True
    search_value_weight: float = 0.0
    discount: float = 1.0

    def __post_init__(self):
        if not 0.0 <= self.search_value_weight <= 1.0 or not 0.0 < self.discount <= 1.0:
            raise ConfigError("learn: 0 <= search_value_weight <= 1 and 0 < discount <= 1 required")
        if self.batch_size < 1 or self.lr <= 0 or self.window < self.batch_size or self.replay_ratio <= 0:
            raise ConfigError("learn: batch_size >= 1, lr > 0, replay_ratio > 0 and window >= batch_size required")
        if self.weight_decay < 0 or self.min_positions < 0:
            raise ConfigError("learn: weight_decay >= 0 and min_positions >= 0 required")


@dataclass(frozen=True)
class EvalConfig:
    """every: iterations between optimal-move-rate evaluations (0 = never); elo_every: the same for
    Elo. ladder: baseline agents for Elo (random = 0). games: games against each ladder agent.
    sims: the network's simulations in evaluation. positions: solver-labelled positions."""

    every: int = 5
    elo_every: int = 20
    ladder: tuple[str, ...] = ("random", "mcts:sims=200", "alphabeta:depth=4")
    games: int = 10
    sims: int = 32
    positions: int = 300

    def __post_init__(self):
        if min(self.every, self.elo_every, self.games, self.sims, self.positions) < 0:
            raise ConfigError("eval: every, elo_every, games, sims and positions must not be negative")


# The settings a schedule may change: they shape the updates, targets and searches from then on, or which
# later checkpoints stay on disk, never what is already stored (the same ones a resume may change: loop.py).
SCHEDULABLE = ("learn.lr", "learn.replay_ratio", "learn.search_value_weight", "learn.discount", "search.discount",
               "selfplay.sims", "selfplay.fast_sims", "selfplay.full_search_prob", "keep_checkpoints", "keep_every")


@dataclass(frozen=True)
class Schedule:
    """A piecewise-constant setting. by: what `at` counts, "iteration" (iterations done) or "minutes" (of the
    run's own clock, which checkpoints save). steps: (at, value) pairs with `at` >= 0 strictly increasing; from
    `at` on the setting is `value` (an iteration-keyed step at 137 first applies to iteration 138)."""

    by: Literal["iteration", "minutes"] = "iteration"
    steps: tuple[tuple[float, float], ...] = ()

    def check(self, where: str) -> None:
        """ConfigError naming `where` (the setting's place in the config) unless `steps` are well formed."""
        if not self.steps or any(len(step) != 2 for step in self.steps):
            raise ConfigError(f"config {where}.steps: expected a non-empty list of [at, value] pairs")
        at = [step[0] for step in self.steps]
        if at[0] < 0 or any(b <= a for a, b in zip(at, at[1:])):
            raise ConfigError(f"config {where}.steps: the points `at` must be >= 0 and increasing, got {at}")

    def value(self, iteration: int, minutes: float, before: float) -> float:
        """The value in force after `iteration` iterations and `minutes` minutes; `before` until the first step."""
        now = iteration if self.by == "iteration" else minutes
        for at, value in reversed(self.steps):
            if now >= at:
                return value
        return before


@dataclass(frozen=True)
class ZeroConfig:
    """games_per_iteration: self-play games between learner updates. checkpoint_every: iterations
    between checkpoints; keep_checkpoints: how many of the newest stay on disk; keep_every: also
    keep every checkpoint whose iteration is a multiple of this (0 = none), for its weights (to
    pick the best network afterwards; its replay chunks are not kept). threads: torch threads.
    schedule: settings (one of SCHEDULABLE, by dotted name) that change during the run (see the module doc)."""

    seed: int = 0
    games_per_iteration: int = 64
    checkpoint_every: int = 1
    keep_checkpoints: int = 3
    keep_every: int = 0
    threads: int = 1
    net: NetConfig = field(default_factory=NetConfig)
    search: SearchConfig = field(default_factory=SearchConfig)
    selfplay: SelfPlayConfig = field(default_factory=SelfPlayConfig)
    learn: LearnConfig = field(default_factory=LearnConfig)
    eval: EvalConfig = field(default_factory=EvalConfig)
    schedule: dict[str, Schedule] = field(default_factory=dict)

    def __post_init__(self):
        if not 0 <= self.seed < 2**63:  # what numpy and torch accept as a seed
            raise ConfigError("seed: 0 <= seed < 2**63 required")
        if min(self.games_per_iteration, self.checkpoint_every, self.keep_checkpoints) < 1 or self.keep_every < 0:
            raise ConfigError("games_per_iteration, checkpoint_every, keep_checkpoints >= 1 and keep_every >= 0 required")
        if not 1 <= self.threads <= MAX_THREADS:
            raise ConfigError(f"threads: 1 <= threads <= {MAX_THREADS} required")
        for key, schedule in self.schedule.items():
            if key not in SCHEDULABLE:
                raise ConfigError(f"config schedule.{key}: not a schedulable setting (those are: {', '.join(SCHEDULABLE)})")
            schedule.check(f"schedule.{key}")
            for at, value in schedule.steps:  # each value is checked as the setting itself is
                value = _typed(self, key, value)
                try:
                    runs.with_settings(replace(self, schedule={}), {key: value})
                except ConfigError as e:
                    raise ConfigError(f"config schedule.{key}: {value} at {at:g} is out of range ({e})") from None

    def to_dict(self) -> dict:
        return runs.to_dict(self)

    def at(self, iteration: int, minutes: float) -> ZeroConfig:
        """The config in force for the iteration after `iteration` done and `minutes` of the run's clock."""
        if not self.schedule:
            return self
        values = {key: _typed(self, key, s.value(iteration, minutes, runs.setting(self, key)))
                  for key, s in self.schedule.items()}
        return runs.with_settings(self, values)

    def peak(self, key: str):
        """The largest value setting `key` takes in this run (what buffers sized by it must hold)."""
        steps = self.schedule[key].steps if key in self.schedule else ()
        return max([runs.setting(self, key), *(_typed(self, key, value) for _, value in steps)])


def _typed(config: ZeroConfig, key: str, value: float):
    """A schedule's step `value` as the type of setting `key` (a whole number for simulation counts)."""
    if isinstance(runs.setting(config, key), int):
        if float(value) != int(value):
            raise ConfigError(f"config schedule.{key}: expected whole numbers, got {value!r}")
        return int(value)
    return float(value)


# Defaults that suit each game on 2 CPU cores (anything else uses ZeroConfig's own).
PRESETS: dict[str, dict] = {
    "othello:size=6": {
        # Keyed by the spec given to `move37 train` (8x8 `othello` keeps the defaults). A small
        # residual tower, random openings and a value target mixed with the search value: what
        # learned fastest per game on Connect Four. No optimal-move rate (solving random 6x6
        # positions near the start costs minutes each); Elo against a cheap ladder only.
        "games_per_iteration": 128,
        "keep_every": 10,
        "net": {"kind": "resnet", "channels": 32, "blocks": 3, "hidden": [64]},
        "selfplay": {"parallel_games": 128, "sims": 32, "full_search_prob": 0.5, "fast_sims": 8,
                     "random_opening": 4},
        "search": {"gumbel_k": 8},
        "learn": {"batch_size": 256, "window": 100_000, "min_positions": 2000, "replay_ratio": 4.0,
                  "search_value_weight": 0.5},
        "eval": {"every": 0, "elo_every": 10, "ladder": ["random", "alphabeta:depth=2"], "games": 6, "sims": 32},
    },
    "tictactoe": {
        "games_per_iteration": 32,
        "net": {"kind": "mlp", "hidden": [64, 64]},
        "selfplay": {"parallel_games": 32, "sims": 32},
        "search": {"gumbel_k": 9},
        "learn": {"batch_size": 128, "window": 4000, "min_positions": 200, "lr": 3e-3, "replay_ratio": 16.0},
        "eval": {"every": 5, "elo_every": 10, "ladder": ["random", "mcts:sims=100"], "games": 10, "sims": 16,
                 "positions": 200},
    },
    "connect4": {
        # A small residual tower: it evaluates ~20x fewer positions per second than a 150k-parameter
        # MLP on one core, yet learns more per second (0.83 against 0.79 optimal-move rate after
        # 10 minutes), and random openings plus search-value targets lift both (docs/results/zero.md).
        "games_per_iteration": 256,
        "keep_every": 25,
        "net": {"kind": "resnet", "channels": 32, "blocks": 3, "hidden": [64]},
        "selfplay": {"parallel_games": 256, "sims": 32, "full_search_prob": 0.5, "fast_sims": 8,
                     "random_opening": 10},
        "search": {"gumbel_k": 7},
        "learn": {"batch_size": 256, "window": 200_000, "min_positions": 4000, "replay_ratio": 4.0,
                  "search_value_weight": 0.5},
        "eval": {"every": 5, "elo_every": 50,
                 "ladder": ["random", "mcts:sims=200", "alphabeta:depth=4", "alphabeta:depth=8"], "games": 6,
                 "sims": 32, "positions": 300},
    },
}


def from_dict(data: dict, game_name: str | None = None) -> ZeroConfig:
    """A ZeroConfig from nested dicts on top of the game's preset; ConfigError on bad keys or types."""
    return runs.build(ZeroConfig, runs.merge(PRESETS.get(game_name, {}), data))


def load_config(path: Path | None, game_name: str) -> ZeroConfig:
    """The game's preset overridden by a JSON or TOML file (None = the preset alone)."""
    return from_dict({} if path is None else runs.read_file(Path(path)), game_name)


__all__ = ["EvalConfig", "LearnConfig", "SCHEDULABLE", "Schedule", "ZeroConfig", "from_dict", "load_config", "replace"]
