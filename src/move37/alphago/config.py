"""Settings of the AlphaGo pipeline: one section per stage (imitation, rl, value), read from JSON/TOML."""

from __future__ import annotations

from dataclasses import dataclass, field, replace

from move37 import runs
from move37.errors import ConfigError
from move37.imitation import ImitationConfig, imitation_config


@dataclass(frozen=True)
class RLConfig:
    """Policy-gradient self-play (REINFORCE on the game's outcome, AlphaGo's RL policy network).

    iterations: updates; games: games per update, the learner taking each colour in half of them against
    an opponent drawn uniformly from the pool; lr (SGD, as the paper); pool_every: iterations between
    additions of the learner to the pool (the supervised policy is its first member); eval_every: iterations
    between matches of `eval_games` against the supervised policy."""

    iterations: int = 200
    games: int = 64
    lr: float = 0.01
    pool_every: int = 10
    eval_every: int = 10
    eval_games: int = 128

    def __post_init__(self):
        if min(self.iterations, self.games, self.pool_every, self.eval_every, self.eval_games) < 1 or self.lr <= 0:
            raise ConfigError("rl: iterations, games, pool_every, eval_every, eval_games >= 1 and lr > 0 required")


@dataclass(frozen=True)
class ValueConfig:
    """The value network (AlphaGo's): positions from games that follow the supervised policy for U-1 moves
    (U uniform in 0..u_max), play one uniformly random move, then the RL policy for both sides to the end;
    up to `positions_per_game` positions after the random move are kept with the game's outcome (the paper
    keeps one per game against overfitting; more here buys data at the price of correlation). games: in
    total, played in chunks of `chunk` (each chunk's positions saved, so the stage resumes). Training:
    epochs, batch_size, lr (Adam), holdout (share of games), starting from the RL network's weights."""

    games: int = 4000
    chunk: int = 250
    positions_per_game: int = 4
    u_max: int = 30
    epochs: int = 10
    batch_size: int = 256
    lr: float = 1e-3
    holdout: float = 0.1

    def __post_init__(self):
        if min(self.games, self.chunk, self.positions_per_game, self.epochs, self.batch_size) < 1 or self.u_max < 0:
            raise ConfigError("value: games, chunk, positions_per_game, epochs, batch_size >= 1, u_max >= 0 required")
        if self.lr <= 0 or not 0 < self.holdout < 1:
            raise ConfigError("value: lr > 0 and 0 < holdout < 1 required")


@dataclass(frozen=True)
class AlphaGoConfig:
    """seed; threads (torch); and the three stages' sections."""

    seed: int = 0
    threads: int = 1
    imitation: ImitationConfig = field(default_factory=ImitationConfig)
    rl: RLConfig = field(default_factory=RLConfig)
    value: ValueConfig = field(default_factory=ValueConfig)


def alphago_config(game_spec: str, data: dict | None = None) -> AlphaGoConfig:
    """The config from a file's object; the imitation section's network defaults to the game's preset."""
    data = dict(data or {})
    imitation = data.pop("imitation", {})
    config = runs.build(AlphaGoConfig, data)
    return replace(config, imitation=imitation_config(game_spec, {"seed": config.seed, "threads": config.threads,
                                                                   **imitation}))
