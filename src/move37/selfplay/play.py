"""Self-play of many games in parallel through one `BatchedSearch`.

Every move of every game in flight is searched together, so each simulation step is
one evaluation call over up to `parallel_games` leaves. A finished game's slot is
refilled with a new game until `num_games` have been started.

Playout-cap randomisation (Wu, KataGo 2019): with `full_search_prob` < 1, only that
share of moves gets the full `sims` and becomes a training position; the others are
played after a cheap search of `fast_sims`, so games are longer-sighted per unit of
compute while targets stay good.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from move37.errors import ConfigError
from move37.games.base import Game
from move37.search._tree_search import BatchedSearch, Evaluate, SearchConfig
from move37.search.puct import visit_policy


@dataclass(frozen=True)
class SelfPlayConfig:
    """parallel_games: games searched together (the evaluation batch size).
    sims: simulations of a full search. full_search_prob, fast_sims: playout-cap randomisation
    (1.0 = off). temperature_moves: the opening plies played to explore: PUCT samples them from
    the visit counts (its Dirichlet noise stays on throughout, as in AlphaZero); Gumbel adds its
    root noise only there, and later plies take the noise-free sequential-halving winner, so
    late-game outcomes (the value targets) are not blurred by noise.
    """

    parallel_games: int = 64
    sims: int = 32
    full_search_prob: float = 1.0
    fast_sims: int = 8
    temperature_moves: int = 8

    def __post_init__(self):
        if self.parallel_games < 1 or self.sims < 1 or self.fast_sims < 1 or not 0 < self.full_search_prob <= 1:
            raise ConfigError("selfplay: parallel_games, sims, fast_sims >= 1 and 0 < full_search_prob <= 1 required")


@dataclass
class GameRecord:
    """One finished game and its training positions (full searches only).

    moves: the game in its notation; returns: (num_players,) outcome;
    obs float32 (n, *obs_shape), legal bool (n, A), policy float32 (n, A), player int8 (n,).
    """

    moves: str
    returns: np.ndarray
    obs: np.ndarray
    legal: np.ndarray
    policy: np.ndarray
    player: np.ndarray

    @property
    def value(self) -> np.ndarray:
        """float32 (n,): the outcome for the mover of each training position."""
        return self.returns[self.player].astype(np.float32)


@dataclass
class _Open:
    tokens: list[str] = field(default_factory=list)
    obs: list[np.ndarray] = field(default_factory=list)
    legal: list[np.ndarray] = field(default_factory=list)
    policy: list[np.ndarray] = field(default_factory=list)
    player: list[int] = field(default_factory=list)


def play_games(game: Game, evaluate: Evaluate, search: SearchConfig, config: SelfPlayConfig, num_games: int,
               rng: np.random.Generator, searcher: BatchedSearch | None = None) -> list[GameRecord]:
    """Play `num_games` self-play games; records in order of completion."""
    batch = min(config.parallel_games, num_games)
    if searcher is None or searcher.batch < batch:
        searcher = BatchedSearch(game, evaluate, search, batch, max(config.sims, config.fast_sims))
    searcher.evaluate = evaluate
    slots: list[_Open | None] = [None] * searcher.batch
    started, done = 0, []
    for b in range(searcher.batch):
        if started < num_games:
            searcher.set_root(b, game.initial_state())
            slots[b] = _Open()
            started += 1
        else:
            searcher.set_root(b, None)
    while any(s is not None for s in slots):
        full = rng.random(searcher.batch) < config.full_search_prob
        opening = np.array([rec is not None and len(rec.tokens) < config.temperature_moves for rec in slots])
        explore = opening if search.algorithm == "gumbel" else True
        out = searcher.run(np.where(full, config.sims, config.fast_sims), rng, explore=explore)
        for b, rec in enumerate(slots):
            if rec is None:
                continue
            state = searcher.root_state(b)
            if full[b]:
                rec.obs.append(state.encode())
                rec.legal.append(state.legal_mask())
                rec.policy.append(out.policy[b].copy())
                rec.player.append(state.current_player)
            if search.algorithm == "puct":
                temperature = 1.0 if len(rec.tokens) < config.temperature_moves else 0.0
                action, _ = visit_policy(out.visits[b], temperature, rng)
            else:
                action = int(out.action[b])
            rec.tokens.append(game.action_to_text(state, action))
            state = searcher.advance(b, action)
            if state.is_terminal():
                done.append(_finish(rec, state.returns(), game))
                if started < num_games:
                    searcher.set_root(b, game.initial_state())
                    slots[b] = _Open()
                    started += 1
                else:
                    searcher.set_root(b, None)
                    slots[b] = None
    return done


def _finish(rec: _Open, returns: np.ndarray, game: Game) -> GameRecord:
    n = len(rec.player)
    shape, A = game.info.observation_shape, game.info.num_actions
    return GameRecord(
        moves=game.join_moves(rec.tokens),
        returns=np.asarray(returns, np.float32),
        obs=np.array(rec.obs, np.float32).reshape(n, *shape),
        legal=np.array(rec.legal, bool).reshape(n, A),
        policy=np.array(rec.policy, np.float32).reshape(n, A),
        player=np.array(rec.player, np.int8),
    )
