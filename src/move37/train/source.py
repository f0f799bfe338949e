"""Where an iteration's self-play games come from: the seam between the training loop and its workers.

The loop asks a `SelfPlaySource` for one iteration's game records and learns from them;
it does not know whether they were played in its own process (`LocalSelfPlay`, around
`play_games`) or by worker processes elsewhere (`move37.train.ray_source.RaySelfPlay`).
Either way the records come back in a fixed order, so the run folder is the same kind
of folder. The learner and evaluation stages have the same two homes: stages.py.

Each `play` is handed the config in force for its iteration (`ZeroConfig.at`), so a
schedule may deepen the search or change its discount as the run goes on; the trees are
sized once for the largest simulation count the schedule reaches.
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
    def play(self, net: PolicyValueNet, iteration: int, config: ZeroConfig, rng: np.random.Generator) -> SelfPlayBatch:
        """`games_per_iteration` games with the current weights of `net`, for iteration `iteration` (1-based), with
        the settings of `config` (the one in force)."""

    def close(self) -> None:
        """Free the workers (nothing for the local source)."""


def play_share(game: Game, evaluate: Evaluate, config: ZeroConfig, num_games: int, rng: np.random.Generator,
               searcher: BatchedSearch) -> SelfPlayBatch:
    """`num_games` games through `searcher`, behind an evaluation cache of their own (new weights, new cache)."""
    cache = evaluation_cache(evaluate)
    records = play_games(game, cache, config.search, config.selfplay, num_games, rng, searcher)
    return SelfPlayBatch(records, cache.hits, cache.misses)


class Searchers:
    """One `BatchedSearch` per (batch size, search settings), each with room for the most simulations the run's
    schedule asks for, made on first use and kept (a search's arrays are reused from move to move)."""

    def __init__(self, game: Game, evaluate: Evaluate):
        self.game, self.evaluate = game, evaluate
        self._made: dict[tuple, BatchedSearch] = {}

    def get(self, config: ZeroConfig, batch: int) -> BatchedSearch:
        sims = max(config.peak("selfplay.sims"), config.peak("selfplay.fast_sims"))
        key = (batch, config.search, sims)
        if key not in self._made:
            self._made[key] = BatchedSearch(self.game, self.evaluate, config.search, batch, sims, compiled_for(self.game))
        return self._made[key]


class LocalSelfPlay:
    """Self-play in this process: every game in flight through one `BatchedSearch`, drawing on the run's
    generator `rng` (saved in each checkpoint, which is what makes a resumed run exact)."""

    def __init__(self, game: Game, evaluate: Evaluate):
        self.game, self.evaluate = game, evaluate
        self.searchers = Searchers(game, evaluate)

    def play(self, net: PolicyValueNet, iteration: int, config: ZeroConfig, rng: np.random.Generator) -> SelfPlayBatch:
        searcher = self.searchers.get(config, min(config.selfplay.parallel_games, config.games_per_iteration))
        return play_share(self.game, self.evaluate, config, config.games_per_iteration, rng, searcher)

    def close(self) -> None:
        pass
