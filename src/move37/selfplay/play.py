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
from move37.games.base import Game, State
from move37.search.batched import BatchedSearch, Evaluate, SearchConfig
from move37.search.compiled import compiled_for
from move37.search.puct import visit_policy


@dataclass(frozen=True)
class SelfPlayConfig:
    """parallel_games: games searched together (the evaluation batch size).
    sims: simulations of a full search. full_search_prob, fast_sims: playout-cap randomisation
    (1.0 = off). temperature_moves: the opening plies played to explore: PUCT samples them from
    the visit counts (its Dirichlet noise stays on throughout, as in AlphaZero); Gumbel adds its
    root noise only there, and later plies take the noise-free sequential-halving winner, so
    late-game outcomes (the value targets) are not blurred by noise.
    random_opening: each game starts after k uniformly random moves, k drawn uniformly from
    0..random_opening (not training positions), so self-play also visits the unbalanced
    positions its own play never reaches (the spread an opening book gives engines).
    """

    parallel_games: int = 64
    sims: int = 32
    full_search_prob: float = 1.0
    fast_sims: int = 8
    temperature_moves: int = 8
    random_opening: int = 0

    def __post_init__(self):
        if self.parallel_games < 1 or self.sims < 1 or self.fast_sims < 1 or not 0 < self.full_search_prob <= 1:
            raise ConfigError("selfplay: parallel_games, sims, fast_sims >= 1 and 0 < full_search_prob <= 1 required")
        if self.random_opening < 0:
            raise ConfigError("selfplay: random_opening >= 0 required")


@dataclass
class GameRecord:
    """One finished game and its training positions (full searches only).

    moves: the game in its notation; returns: (num_players,) outcome;
    obs float32 (n, *obs_shape), legal bool (n, A), policy float32 (n, A), player int8 (n,),
    search_value float32 (n,) the root search's value for the mover; ply int16 (n,) the number of
    moves played before each position (its distance from the end is len(moves) - ply).
    """

    moves: str
    returns: np.ndarray
    obs: np.ndarray
    legal: np.ndarray
    policy: np.ndarray
    player: np.ndarray
    search_value: np.ndarray
    ply: np.ndarray
    length: int

    def value(self, search_weight: float = 0.0, discount: float = 1.0) -> np.ndarray:
        """float32 (n,): the value target for the mover of each training position: the game's outcome,
        discounted by `discount` per remaining move (< 1 prefers faster wins and slower losses), mixed
        with the root search value by `search_weight` (0 = outcome only). The mix lowers the target's
        variance: one game's result is a single noisy sample of the position's value."""
        outcome = self.returns[self.player] * discount ** (self.length - self.ply).astype(np.float64)
        return ((1.0 - search_weight) * outcome + search_weight * self.search_value).astype(np.float32)


@dataclass
class _Open:
    """A game in flight: the random opening as text (`tokens`) from the initial state, then the
    searched moves as actions from `start`, the position the search took over (written as text
    once, when the game ends, so no state object is needed per move)."""

    start: State | None = None
    tokens: list[str] = field(default_factory=list)
    actions: list[int] = field(default_factory=list)
    obs: list[np.ndarray] = field(default_factory=list)
    legal: list[np.ndarray] = field(default_factory=list)
    policy: list[np.ndarray] = field(default_factory=list)
    player: list[int] = field(default_factory=list)
    search_value: list[float] = field(default_factory=list)
    ply: list[int] = field(default_factory=list)
    searched: int = 0  # moves chosen by search (the random opening's moves not counted)


def play_games(game: Game, evaluate: Evaluate, search: SearchConfig, config: SelfPlayConfig, num_games: int,
               rng: np.random.Generator, searcher: BatchedSearch | None = None) -> list[GameRecord]:
    """Play `num_games` self-play games; records in order of completion."""
    batch = min(config.parallel_games, num_games)
    if searcher is None or searcher.batch < batch:
        searcher = BatchedSearch(game, evaluate, search, batch, max(config.sims, config.fast_sims), compiled_for(game))
    searcher.evaluate = evaluate
    slots: list[_Open | None] = [None] * searcher.batch
    started, done = 0, []
    for b in range(searcher.batch):
        if started < num_games:
            slots[b] = _start(game, config, rng, searcher, b)
            started += 1
        else:
            searcher.set_root(b, None)
    while any(s is not None for s in slots):
        full = rng.random(searcher.batch) < config.full_search_prob
        opening = np.array([rec is not None and rec.searched < config.temperature_moves for rec in slots])
        explore = opening if search.algorithm == "gumbel" else True
        out = searcher.run(np.where(full, config.sims, config.fast_sims), rng, explore=explore)
        playing = np.array([rec is not None for rec in slots])
        recorded = np.flatnonzero(playing & full)
        roots = searcher.root_leaves(recorded)  # every recorded root encoded in one call
        for k, b in enumerate(recorded):
            rec = slots[b]
            rec.obs.append(roots.obs[k])
            rec.legal.append(roots.legal[k])
            rec.policy.append(out.policy[b].copy())
            rec.player.append(int(roots.player[k]))
            rec.search_value.append(float(out.value[b]))
            rec.ply.append(len(rec.tokens) + len(rec.actions))
        actions = np.full(searcher.batch, -1, np.int64)
        for b in np.flatnonzero(playing):
            rec = slots[b]
            if search.algorithm == "puct":
                temperature = 1.0 if rec.searched < config.temperature_moves else 0.0
                actions[b], _ = visit_policy(out.visits[b], temperature, rng)
            else:
                actions[b] = out.action[b]
            rec.actions.append(int(actions[b]))
            rec.searched += 1
        for b in np.flatnonzero(searcher.advance_all(actions)):  # every game's move in one call
            done.append(_finish(slots[b], searcher.root_state(b).returns(), game))
            if started < num_games:
                slots[b] = _start(game, config, rng, searcher, b)
                started += 1
            else:
                searcher.set_root(b, None)
                slots[b] = None
    return done


def _start(game: Game, config: SelfPlayConfig, rng: np.random.Generator, searcher: BatchedSearch, b: int) -> _Open:
    """Put a new game at slot b: the initial position after its random opening moves."""
    plies = int(rng.integers(0, config.random_opening + 1)) if config.random_opening else 0
    while True:
        state, rec = game.initial_state(), _Open()
        for _ in range(plies):
            action = int(rng.choice(state.legal_actions()))
            rec.tokens.append(game.action_to_text(state, action))
            state = state.play(action)
            if state.is_terminal():
                break
        if not state.is_terminal():
            searcher.set_root(b, state)
            rec.start = state
            return rec


def _finish(rec: _Open, returns: np.ndarray, game: Game) -> GameRecord:
    n = len(rec.player)
    shape, A = game.info.observation_shape, game.info.num_actions
    return GameRecord(
        moves=game.join_moves(rec.tokens + game.actions_to_text(rec.start, rec.actions)),
        returns=np.asarray(returns, np.float32),
        obs=np.array(rec.obs, np.float32).reshape(n, *shape),
        legal=np.array(rec.legal, bool).reshape(n, A),
        policy=np.array(rec.policy, np.float32).reshape(n, A),
        player=np.array(rec.player, np.int8),
        search_value=np.array(rec.search_value, np.float32),
        ply=np.array(rec.ply, np.int16),
        length=len(rec.tokens) + len(rec.actions),
    )
