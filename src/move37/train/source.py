"""Where an iteration's self-play games come from: the seam between the training loop and its workers.

The loop asks a `SelfPlaySource` for one iteration's game records and learns from them;
it does not know whether they were played in its own process (`LocalSelfPlay`, around
`play_games`) or by worker processes elsewhere (`move37.train.ray_source.RaySelfPlay`).
Either way the records come back in a fixed order, so the run folder is the same kind
of folder.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Protocol

import numpy as np

from move37.games.base import Game
from move37.nets import PolicyValueNet
from move37.search import evaluation_cache
from move37.search.batched import BatchedSearch, Evaluate
from move37.search.compiled import compiled_for
from move37.selfplay import GameRecord, play_games
from move37.train.config import ZeroConfig


@dataclass
class SelfPlayBatch:
    """One iteration's games. hits, misses: evaluation-cache lookups over all workers (misses = network
    evaluations). extra: fields for the metrics line that only this source knows (e.g. workers)."""

    records: list[GameRecord]
    hits: int
    misses: int
    extra: dict = field(default_factory=dict)


class SelfPlaySource(Protocol):
    def play(self, net: PolicyValueNet, iteration: int, rng: np.random.Generator) -> SelfPlayBatch:
        """`games_per_iteration` games with the current weights of `net`, for iteration `iteration` (1-based)."""

    def close(self) -> None:
        """Free the workers (nothing for the local source)."""


def play_share(game: Game, evaluate: Evaluate, config: ZeroConfig, num_games: int, rng: np.random.Generator,
               searcher: BatchedSearch) -> SelfPlayBatch:
    """`num_games` games through `searcher`, behind an evaluation cache of their own (new weights, new cache)."""
    cache = evaluation_cache(evaluate)
    records = play_games(game, cache, config.search, config.selfplay, num_games, rng, searcher)
    return SelfPlayBatch(records, cache.hits, cache.misses)


class LocalSelfPlay:
    """Self-play in this process: every game in flight through one `BatchedSearch`, drawing on the run's
    generator `rng` (saved in each checkpoint, which is what makes a resumed run exact)."""

    def __init__(self, game: Game, evaluate: Evaluate, config: ZeroConfig):
        self.game, self.evaluate, self.config = game, evaluate, config
        self.searcher = BatchedSearch(game, evaluate, config.search,
                                      min(config.selfplay.parallel_games, config.games_per_iteration),
                                      max(config.selfplay.sims, config.selfplay.fast_sims), compiled_for(game))

    def play(self, net: PolicyValueNet, iteration: int, rng: np.random.Generator) -> SelfPlayBatch:
        return play_share(self.game, self.evaluate, self.config, self.config.games_per_iteration, rng, self.searcher)

    def close(self) -> None:
        pass
