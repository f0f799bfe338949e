"""Batched tree search: B games searched together, one evaluation call per simulation step.

The public seam of network-guided search (PUCT, Gumbel), in the shape of DeepMind's mctx:
a search is handed what it needs and answers with one output record.

- `Evaluate`: `evaluate(obs (K, *obs_shape) float32, legal (K, A) bool) -> (priors (K, A), values (K,))`,
  called once per simulation step on every new leaf of every game. Search never sees
  PyTorch: it may be a network, random rollouts or a learned model.
- `CompiledEvaluate`: an `Evaluate` that also carries a `kernel` (move37.search.kernel_eval),
  which compiled search evaluates in its own loop with no Python between simulations.
- `Store`: the game-stepping seam (roots and new nodes as `Leaves`); the generic one keeps
  State objects, a game's compiled one steps bitboards. `AdvancesRoots`: a Store that also plays
  every game's move at its root in one call.
- `SearchOutput`: per game, the root's visits, improved policy, chosen action, searched value,
  child values, and the evaluation of the root itself (prior, raw value, legal mask), so players
  need not read the tree.

Each step descends every game's tree once (a compiled kernel), steps the game to the
new leaves (the store), evaluates all of them in ONE call, and backs the values up (compiled).
"""

from __future__ import annotations

from collections import OrderedDict
from dataclasses import dataclass
from typing import Protocol, runtime_checkable

import numba
import numpy as np

from move37.errors import ConfigError
from move37.games.base import Game, State
from move37.games.leaves import Leaves
from move37.search import _fused_gumbel, gumbel, kernel_eval, puct
from move37.search.kernel_eval import Kernel
from move37.search._tree import Tree, backup, backup_rewards, clear_many, compact, root_outputs, write_leaves
from move37.search._tree_states import AdvancesRoots, StateStore, Store
from move37.search.compiled import CompiledGame


class Evaluate(Protocol):
    """Maps a batch of positions to the network's answer: obs float32 (K, *obs_shape), legal bool (K, A)
    -> priors float32 (K, A) (0 on illegal actions), values float32 (K,) for each position's mover."""

    def __call__(self, obs: np.ndarray, legal: np.ndarray) -> tuple[np.ndarray, np.ndarray]: ...


@runtime_checkable
class CompiledEvaluate(Protocol):
    """An `Evaluate` that compiled search can run inside its own loop: `kernel` is what to compute and
    the weights as flat arrays (it changes when the weights do). Calling it must give the same priors
    and values as the kernel, so a search's result does not depend on which way it evaluates."""

    @property
    def kernel(self) -> Kernel: ...

    def __call__(self, obs: np.ndarray, legal: np.ndarray) -> tuple[np.ndarray, np.ndarray]: ...


@runtime_checkable
class CountsEvaluations(Protocol):
    """An evaluator that keeps statistics (move37.search._tree_cache.EvaluationCache): compiled search
    tells it how many evaluations its kernel found in the search's own cache and how many it made."""

    def record(self, hits: int, misses: int) -> None: ...


#: sets of simulation budgets whose Gumbel schedule tables a search keeps (least recently used dropped)
SCHEDULES_KEPT = 8


def _use_threads(n: int) -> None:
    """Run Numba's parallel kernels on n threads (its default layer: OpenMP where present, whose
    threads sleep between regions: `move37/__init__.py` sets OMP_WAIT_POLICY=PASSIVE; measured
    against Numba's own work queue, which did not scale on two cores, in docs/results/speed.md)."""
    numba.set_num_threads(min(n, numba.config.NUMBA_NUM_THREADS))


@dataclass(frozen=True)
class SearchConfig:
    """Search settings.

    algorithm: "gumbel" (Gumbel AlphaZero root) or "puct" (AlphaZero).
    c_puct: PUCT exploration constant.
    dirichlet_alpha, dirichlet_fraction: PUCT root noise (only when exploring).
    gumbel_k: Gumbel: most root actions considered by sequential halving.
    c_visit, c_scale: Gumbel: sigma(q) = (c_visit + max N) * c_scale * q.
    reuse: keep the subtree of the played move (PUCT only; see gumbel.py).
    threads: Numba threads of a fused Gumbel search whose evaluator is compiled in (each game
    searched by one thread; results do not depend on it). 1 keeps search on the calling thread.
    discount: backed-up values shrink by this factor per move (1: undiscounted, as AlphaZero), so
    search prefers the faster of two wins; pair it with a network trained on discounted outcomes
    (`learn.discount`).
    """

    algorithm: str = "gumbel"
    c_puct: float = 1.5
    dirichlet_alpha: float = 0.5
    dirichlet_fraction: float = 0.25
    gumbel_k: int = 16
    c_visit: float = 50.0
    c_scale: float = 0.1
    reuse: bool = True
    threads: int = 1
    discount: float = 1.0

    def __post_init__(self):
        if self.algorithm not in ("gumbel", "puct"):
            raise ConfigError(f"search.algorithm must be 'gumbel' or 'puct', not {self.algorithm!r}")
        if self.gumbel_k < 1 or self.c_puct <= 0 or not 0 <= self.dirichlet_fraction <= 1:
            raise ConfigError("search: gumbel_k >= 1, c_puct > 0 and 0 <= dirichlet_fraction <= 1 required")
        if self.threads < 1:
            raise ConfigError("search.threads must be >= 1")
        if not 0.0 < self.discount <= 1.0:
            raise ConfigError("search.discount must be in (0, 1]")


@dataclass(frozen=True)
class SearchOutput:
    """Results for every game of the batch (rows of inactive games are zeros / -1).

    visits: int32 (B, A) root child visit counts.
    policy: float32 (B, A) the training target (visit shares for PUCT, the completed-Q improved policy
    for Gumbel).
    action: int32 (B,) the search's move (most visited for PUCT; sequential-halving winner for Gumbel).
    value: float32 (B,) root value for its mover (PUCT: the mean backed-up value; Gumbel: the improved
    policy's value, see `gumbel.root_decision`).
    q: float32 (B, A) root child mean values for the root's mover (0 where unvisited).
    prior: float32 (B, A) the evaluation's policy at the root as search used it (0 on illegal actions;
    PUCT's Dirichlet noise mixed in when exploring, Gumbel's noise kept apart).
    raw_value: float32 (B,) the evaluation's value of the root for its mover.
    legal: bool (B, A) the root's legal actions.
    """

    visits: np.ndarray
    policy: np.ndarray
    action: np.ndarray
    value: np.ndarray
    q: np.ndarray
    prior: np.ndarray
    raw_value: np.ndarray
    legal: np.ndarray

    def prior_action(self) -> np.ndarray:
        """int64 (B,): the raw policy's move, its most probable legal action (what `sims=0` plays);
        -1 for games with no legal action."""
        best = np.where(self.legal, self.prior, -1.0).argmax(axis=1)
        return np.where(self.legal.any(axis=1), best, -1)


class BatchedSearch:
    """Search trees for `batch` games of `game`, each with room for `max_sims` simulations (plus reuse).

    compiled: the game's compiled fast path (`move37.search.compiled.compiled_for(game)`): its store steps
    the tree's nodes; None steps State objects.
    fused: Gumbel search over a fused-capable compiled store (Connect Four's bitboards) runs fused: one
    compiled call per simulation step, or one per move when `evaluate` is a `CompiledEvaluate`
    (move37.search._fused_gumbel); same results as the unfused loop.
    rounds: unfused Gumbel search evaluates a whole round of sequential halving (one visit to each
    surviving root action) in one call (`gumbel.select_rounds`): the same tree in fewer, larger calls,
    for a single game (the player) whose steps would otherwise each evaluate one leaf.
    store: a factory `store(game, batch, capacity) -> Store` in place of the game's own (a learned model's
    latent states, move37.worldmodel.store). A store whose `rewards` is true (see `Store`) gives each new
    node's reward (`Leaves.reward`), and values are backed up with rewards and `config.discount` per step
    (`_tree.backup_rewards`); the evaluation then sees whatever the store puts in `Leaves.obs` (latents).
    """

    def __init__(self, game: Game, evaluate: Evaluate, config: SearchConfig, batch: int, max_sims: int,
                 compiled: CompiledGame | None = None, fused: bool = True, rounds: bool = False, store=None):
        self.game, self.evaluate, self.config = game, evaluate, config
        self.batch, self.max_sims = batch, max_sims
        self.tree = Tree(batch, 2 * max_sims + 2, game.info.num_actions)
        capacity = self.tree.capacity
        if store is not None:
            compiled = None
            self.store: Store = store(game, batch, capacity)
        else:
            self.store = compiled.store(game, batch, capacity) if compiled else StateStore(game, batch, capacity)
        self.rewards = bool(self.store.rewards)
        self._advances_roots = isinstance(self.store, AdvancesRoots)  # checked once: about 10 us a check
        self._tables: OrderedDict[tuple[int, ...], np.ndarray] = OrderedDict()  # least recently used first
        self.fused = fused and compiled is not None and compiled.fused and config.algorithm == "gumbel"
        self.rounds = rounds and not self.fused and config.algorithm == "gumbel"
        self._buffers: tuple | None = None
        self._live = np.zeros(batch, bool)  # games with a root that is not terminal
        self.cache_slots = 1 << 15  # per thread, for a compiled evaluator (0: no cache; a power of two)
        self._cache = (np.zeros((0, 0), np.int64),) * 3
        self._cache_kernel = None
        self.cache_hits = 0  # evaluations a compiled search found in its cache
        self.evaluations = 0  # leaves sent to `evaluate` so far (for speed reports)
        self.simulations = 0  # simulations run so far

    @property
    def evaluate(self) -> Evaluate:
        """The evaluator; it may be replaced between runs (new weights, a cache around it)."""
        return self._evaluate

    @evaluate.setter
    def evaluate(self, evaluate: Evaluate) -> None:
        self._evaluate = evaluate
        # Protocol checks once per evaluator, not per run (each costs about 10 us).
        self._compiled_evaluate = isinstance(evaluate, CompiledEvaluate)
        self._counts_evaluations = isinstance(evaluate, CountsEvaluations)

    # Roots and moves.

    def set_root(self, b: int, state: State | None) -> None:
        """Start game b's tree afresh at `state` (None makes the slot inactive)."""
        self.tree.clear(b)
        self.store.set_root(b, state)
        self._live[b] = state is not None and not state.is_terminal()

    def root_state(self, b: int) -> State | None:
        return self.store.root(b)

    def advance(self, b: int, action: int) -> State:
        """Play `action` in game b; keeps the subtree below it when reuse applies. Returns the new state."""
        return self._advance_to(b, action, self.store.root(b).play(action))

    def _advance_to(self, b: int, action: int, state: State) -> State:
        """Make `state`, game b's root after `action`, the new root (see `advance`)."""
        if self.config.reuse and self.config.algorithm == "puct" and not state.is_terminal() and not self.rewards:
            child = int(self.tree.children[b, 0, action])
            if child >= 0 and self.tree.visits[b, child] + self.max_sims + 1 < self.tree.capacity:
                self.store.remap(b, compact(*self.tree.arrays(), b, child))
                return state
        self.set_root(b, state)
        return state

    def advance_all(self, actions: np.ndarray) -> np.ndarray:
        """Play actions[b] (int (B,)) in every game where it is >= 0, as `advance` game by game but in
        one compiled call where the store can (an `AdvancesRoots`: Connect Four's bitboards), with no
        Python per game. Returns bool (B,): the games whose new position is terminal (inactive until
        `set_root`). Raises IllegalMoveError, playing nothing, when an action is illegal."""
        actions = np.asarray(actions, np.int64)
        games = np.flatnonzero(actions >= 0)
        ended = np.zeros(self.batch, bool)
        if not self._advances_roots or (self.config.reuse and self.config.algorithm == "puct"):
            after = [self.store.root(int(b)).play(int(actions[b])) for b in games]  # all checked first
            for b, state in zip(games, after):
                ended[b] = self._advance_to(int(b), int(actions[b]), state).is_terminal()
            return ended
        ended[games] = self.store.advance_roots(games, actions[games])
        t = self.tree
        clear_many(t.visits, t.value_sum, t.children, t.parent, t.action, t.terminal, t.num_nodes, games)
        self._live[games] = ~ended[games]
        return ended

    def root_leaves(self, games: np.ndarray) -> Leaves:
        """The roots of `games` (int (K,)) described in one call: obs (K, *obs_shape), legal (K, A),
        player (K,) and terminal status, as the store encodes them for the evaluator."""
        return self.store.roots(np.asarray(games, np.int64))

    def reroot(self, b: int, state: State, sims: int) -> bool:
        """Make `state` game b's root keeping the subtree below it, when it is a grandchild of the root
        (the position after the move searched and the opponent's reply) and the kept tree leaves room
        for `sims` more simulations. Needs PUCT with reuse and the generic store (states are compared);
        False otherwise, and the caller starts afresh with `set_root`."""
        t, store = self.tree, self.store
        if not (self.config.reuse and self.config.algorithm == "puct" and isinstance(store, StateStore)):
            return False
        for c in t.children[b, 0]:
            for gc in t.children[b, c] if c >= 0 else ():
                if gc >= 0 and store.states[b][gc] == state and t.visits[b, gc] + sims + 1 < t.capacity:
                    store.remap(b, compact(*t.arrays(), b, gc))
                    self._live[b] = not state.is_terminal()
                    return True
        return False

    def room(self, b: int) -> int:
        """The most simulations game b's tree can still take in one `run` (nodes left, and `max_sims`)."""
        return min(self.tree.capacity - int(self.tree.num_nodes[b]) - 2, self.max_sims)

    # Search.

    def run(self, sims: np.ndarray | int, rng: np.random.Generator | None = None,
            explore: np.ndarray | bool = False) -> SearchOutput:
        """Run `sims[b]` simulations in every active game; `explore` (bool or (B,)) adds root noise (self-play)."""
        B, A = self.batch, self.game.info.num_actions
        sims = np.broadcast_to(np.asarray(sims, np.int32), (B,)).copy()
        if sims.max(initial=0) > self.max_sims:
            raise ConfigError(f"search asked for {sims.max()} simulations, built for at most {self.max_sims}")
        live = self._live.copy()
        sims[~live] = 0
        t = self.tree
        if not self.fused:  # the fused search expands its roots itself
            self._expand_roots(np.flatnonzero(live & (t.visits[:, 0] == 0)))
        is_gumbel = self.config.algorithm == "gumbel"
        noise = np.zeros((B, A), np.float32)
        explore = np.broadcast_to(np.asarray(explore, bool), (B,))
        if explore.any() and rng is not None:
            if is_gumbel:
                noise = rng.gumbel(size=(B, A)).astype(np.float32) * explore[:, None]
            else:
                for b in np.flatnonzero(live & explore):
                    t.prior[b, 0] = puct.add_dirichlet(t.prior[b, 0], t.legal[b, 0], self.config.dirichlet_alpha,
                                                       self.config.dirichlet_fraction, rng)
        if is_gumbel:
            table, table_id = self._table(sims)
        if self.fused:
            self._run_fused(live, sims, noise, table, table_id)
            return self._output(live, noise)
        if self.rounds:
            self._run_rounds(sims, noise, table, table_id)
            return self._output(live, noise)
        leaf = np.empty(B, np.int32)
        step = np.zeros(B, np.int32)
        for s in range(int(sims.max(initial=0))):
            active = sims > s
            self.simulations += int(active.sum())
            step[:] = s
            if is_gumbel:
                fresh = gumbel.select(*t.arrays(), t.logit, active, noise, table, table_id, step, self.config.gumbel_k,
                                      self.config.c_visit, self.config.c_scale, leaf)
            else:
                fresh = puct.select(*t.arrays(), active, self.config.c_puct, leaf)
            games = np.flatnonzero(active)
            self._evaluate_and_backup(games, leaf[games], fresh[games])
        return self._output(live, noise)

    def _run_rounds(self, sims: np.ndarray, noise: np.ndarray, table: np.ndarray, table_id: np.ndarray) -> None:
        """The simulations of `run` with whole rounds of sequential halving evaluated together (`rounds`)."""
        t, c = self.tree, self.config
        size = self.batch * self.game.info.num_actions
        games, leaf, fresh = np.empty(size, np.int64), np.empty(size, np.int32), np.empty(size, np.bool_)
        done = np.zeros(self.batch, np.int32)
        while (done < sims).any():
            k = gumbel.select_rounds(*t.arrays(), t.logit, sims, noise, table, table_id, done, c.gumbel_k, c.c_visit,
                                     c.c_scale, games, leaf, fresh)
            self._evaluate_and_backup(games[:k], leaf[:k], fresh[:k])
        self.simulations += int(sims.sum())

    def _run_fused(self, live: np.ndarray, sims: np.ndarray, noise: np.ndarray, table: np.ndarray,
                   table_id: np.ndarray) -> None:
        """The simulations of `run` through move37.search._fused_gumbel (Gumbel, bitboard store)."""
        t, c = self.tree, self.config
        kernel = self.evaluate.kernel if self._compiled_evaluate else None
        args = (*t.arrays(), t.logit, self.store.position, self.store.mask, sims, noise, table, table_id, c.gumbel_k,
                c.c_visit, c.c_scale, np.float32(c.discount))
        self.simulations += int(sims.sum())
        if kernel is not None:
            self._expand_roots(np.flatnonzero(live & (t.visits[:, 0] == 0) & (sims == 0)))  # the kernel expands the rest
            parallel = c.threads > 1
            if parallel:
                _use_threads(c.threads)
            cache = self._kernel_cache(kernel, numba.config.NUMBA_NUM_THREADS if parallel else 1)
            counts = np.zeros((len(cache[0]), 2), np.int64)
            run = _fused_gumbel.run_kernel_parallel if parallel else _fused_gumbel.run_kernel
            run(*args, kernel.kind, kernel.weights, kernel.layout, kernel.width, *cache, counts)
            hits, misses = (int(x) for x in counts.sum(axis=0))
            self.evaluations += misses
            self.cache_hits += hits
            if self._counts_evaluations:
                self.evaluate.record(hits, misses)
            return
        self._expand_roots(np.flatnonzero(live & (t.visits[:, 0] == 0)))
        if self._buffers is None:
            B, A = self.batch, self.game.info.num_actions
            obs = np.zeros((B, *self.game.info.observation_shape), np.float32)
            self._buffers = (np.zeros(B, np.int64), np.zeros(B, np.int64), obs, obs.reshape(B, -1),
                             np.zeros((B, A), np.bool_))
        games, nodes, obs, flat, legal = self._buffers
        priors, values = np.zeros((0, legal.shape[1]), np.float32), np.zeros(0, np.float32)
        pending = 0
        for s in range(int(sims.max(initial=0)) + 1):  # the last call only writes back
            pending = _fused_gumbel.step_kernel(*args, s, pending, priors, values, games, nodes, flat, legal)
            if pending:
                priors, values = self.evaluate(obs[:pending].copy(), legal[:pending].copy())
                priors = np.ascontiguousarray(priors, np.float32)
                values = np.ascontiguousarray(values, np.float32)
                self.evaluations += pending

    def _kernel_cache(self, kernel, rows: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """The compiled search's evaluation cache (see _fused_gumbel._evaluate): `rows` tables (one per
        thread) of `cache_slots` positions, emptied whenever the kernel (the weights) changes.
        Evaluations of a uniform kernel cost less than a lookup: no cache."""
        slots = self.cache_slots if kernel.kind != kernel_eval.UNIFORM else 0
        keys, priors, values = self._cache
        if self._cache_kernel is not kernel or keys.shape != (rows, slots):
            A = self.game.info.num_actions
            keys, priors, values = (np.zeros((rows, slots), np.int64), np.zeros((rows, slots, A), np.float32),
                                    np.zeros((rows, slots), np.float32))
            self._cache, self._cache_kernel = (keys, priors, values), kernel
        return keys, priors, values

    def _expand_roots(self, games: np.ndarray) -> None:
        if len(games) == 0:
            return
        leaves = self.store.roots(games)
        values0 = self._fill(games, np.zeros(len(games), np.int32), leaves)
        self._backup(games, np.zeros(len(games), np.int32), values0)

    def _backup(self, games: np.ndarray, nodes: np.ndarray, values0: np.ndarray) -> None:
        t, discount = self.tree, np.float32(self.config.discount)
        if self.rewards:
            backup_rewards(t.visits, t.value_sum, t.parent, t.player, t.reward, games, nodes, values0, discount)
        else:
            backup(t.visits, t.value_sum, t.parent, t.player, games, nodes, values0, discount)

    def _fill(self, games: np.ndarray, nodes: np.ndarray, leaves: Leaves) -> np.ndarray:
        """Write K new nodes into the tree, evaluating the non-terminal ones in one call; their values for player 0."""
        t = self.tree
        open_ = np.flatnonzero(~leaves.terminal)
        A = self.game.info.num_actions
        priors, values = np.zeros((0, A), np.float32), np.zeros(0, np.float32)
        if len(open_):
            priors, values = self.evaluate(leaves.obs[open_], leaves.legal[open_])
            self.evaluations += len(open_)
        values0 = np.empty(len(games), np.float32)
        if leaves.reward is not None:
            t.reward[games, nodes] = leaves.reward
        write_leaves(t.prior, t.logit, t.legal, t.raw_value, t.player, t.terminal, t.final_value, games.astype(np.int64),
                     nodes.astype(np.int64), leaves.legal, leaves.player, leaves.terminal, leaves.final_value,
                     open_, np.asarray(priors, np.float32), np.asarray(values, np.float32), values0)
        return values0

    def _evaluate_and_backup(self, games: np.ndarray, nodes: np.ndarray, is_new: np.ndarray) -> None:
        """Evaluate the new leaves among (games[k], nodes[k]) in one call and back every path's value up."""
        t = self.tree
        values0 = t.final_value[games, nodes].copy()  # revisited terminal nodes
        if is_new.any():
            g, n = games[is_new], nodes[is_new]
            values0[is_new] = self._fill(g, n, self.store.expand(g, n, t.parent, t.action))
        self._backup(games, nodes, values0)

    def _table(self, sims: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Gumbel's considered-visit schedules for this run's budgets: int32 (T, K + 1, S) for the T
        distinct counts in `sims`, and each game's row int32 (B,). Kept for the SCHEDULES_KEPT most
        recently used sets of budgets: self-play reuses two or three, a timed player plans a new one
        every move, and unbounded they would grow for as long as it plays."""
        budgets = np.unique(sims)
        key = tuple(budgets.tolist())
        if key in self._tables:
            self._tables.move_to_end(key)
        else:
            width = max(max(key), 1)
            stack = np.zeros((len(key), self.config.gumbel_k + 1, width), np.int32)
            for i, s in enumerate(key):
                stack[i, :, :max(s, 1)] = gumbel.considered_visits_table(self.config.gumbel_k, s)[:, :max(s, 1)]
            self._tables[key] = stack
            if len(self._tables) > SCHEDULES_KEPT:
                self._tables.popitem(last=False)
        return self._tables[key], np.searchsorted(budgets, sims).astype(np.int32)

    def _output(self, live: np.ndarray, noise: np.ndarray) -> SearchOutput:
        t = self.tree
        B, A = self.batch, self.game.info.num_actions
        visits, q, value = np.empty((B, A), np.int32), np.empty((B, A), np.float32), np.empty(B, np.float32)
        root_outputs(t.children, t.visits, t.value_sum, visits, q, value)
        if self.config.algorithm == "gumbel":
            action = np.full(B, -1, np.int32)
            policy = np.zeros((B, A), np.float32)
            # With rewards a child's value already is the discounted Q; the root's value is not discounted again.
            discount = np.float32(1.0 if self.rewards else self.config.discount)
            gumbel.root_decision(t.visits, t.value_sum, t.raw_value, t.prior, t.legal, t.children, noise,
                                 self.config.c_visit, self.config.c_scale, discount, action, policy, value)
        else:
            total = visits.sum(axis=1, keepdims=True)
            policy = np.where(total > 0, visits / np.maximum(total, 1), 0.0).astype(np.float32)
            action = np.where(total[:, 0] > 0, visits.argmax(axis=1), -1).astype(np.int32)
        action[~live] = -1
        policy[~live] = 0.0
        value[~live] = 0.0
        prior, raw_value, legal = t.prior[:, 0].copy(), t.raw_value[:, 0].copy(), t.legal[:, 0].copy()
        prior[~live], raw_value[~live], legal[~live] = 0.0, 0.0, False
        return SearchOutput(visits, policy, action, value, q, prior, raw_value, legal)
