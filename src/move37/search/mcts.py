"""Plain UCT: Monte Carlo tree search with random rollouts (no network, no priors).

Each simulation descends the tree by UCB1, expands one leaf (all its children at
once, in a shuffled order so ties break at random), plays uniformly random moves
to the end of the game and backs the returns up the path.

The tree lives in flat Python lists indexed by node id (the fastest scalar
containers in CPython): for node n,
  visits[n]   visit count N(n)
  total[n]    sum of returns for the player who moved into n (W(n))
  first[n]    id of its first child (-1 until expanded); children are contiguous
  count[n]    number of children
  action[n]   the action that led to n
  mover[n]    the player who played action[n]
States are stored only for expanded nodes; a child's state is made on first visit.

Handed a game's compiled UCT (`kernels`, declared in move37.search.compiled: Connect Four's),
the same search runs in Numba instead, the tree in NumPy arrays of the same fields
(move37.search._mcts_compiled).
"""

from __future__ import annotations

import math
import random
import time
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from move37.games.base import Game, State

if TYPE_CHECKING:  # a type only: the compiled UCT imports this module's UCB1 rule
    from move37.search._mcts_compiled import UCTKernels


@dataclass(frozen=True)
class UCTResult:
    """The outcome of one search.

    action: the most visited root action.
    value: mean return of that action for the player to move, in [-1, 1].
    policy: float array (num_actions,): root visit shares.
    pv: most-visited path from the root.
    simulations: simulations run.
    seconds: wall time spent.
    """

    action: int
    value: float
    policy: np.ndarray
    pv: tuple[int, ...]
    simulations: int
    seconds: float



def ucb1_child(visits, total, lo: int, hi: int, parent_visits: int, c: float) -> int:
    """The child among the contiguous ids [lo, hi) that UCT descends to: the first unvisited one, else
    the best mean + c * sqrt(ln N(parent) / N(child)). visits, total: per-node counts and result sums
    (lists here, arrays in the compiled search, which compiles this same function)."""
    log_n = math.log(parent_visits)
    best, best_score = lo, -math.inf
    for ch in range(lo, hi):
        v = visits[ch]
        if v == 0:
            return ch
        s = total[ch] / v + c * math.sqrt(log_n / v)
        if s > best_score:
            best, best_score = ch, s
    return best


class UCT:
    """UCT for one game.

    sims: simulations per search (None: unlimited, then `ms` must be given).
    c: exploration constant of UCB1, mean + c * sqrt(ln N(parent) / N(child)).
    ms: time limit per search in milliseconds (None: none).
    seed: seeds rollouts and tie-breaks.
    kernels: the game's compiled UCT (`compiled_for(game).uct`), the same search in Numba; None: this
    Python loop.
    """

    def __init__(self, game: Game, *, sims: int | None = 1000, c: float = 1.4, ms: int | None = None, seed: int = 0,
                 kernels: UCTKernels | None = None):
        if sims is None and ms is None:
            raise ValueError("give sims or ms")
        if sims is not None and sims < 1:
            raise ValueError(f"sims must be at least 1, got {sims}")
        if ms is not None and ms < 1:
            raise ValueError(f"ms must be at least 1, got {ms}")
        if not c >= 0:
            raise ValueError(f"c must be non-negative, got {c}")
        self.game = game
        self.sims, self.c, self.ms = sims, c, ms
        self._kernels = kernels
        self.reset(seed)

    def reset(self, seed: int | None = None) -> None:
        self._rng = random.Random(seed if seed is not None else 0)

    def search(self, state: State) -> UCTResult:
        if state.is_terminal():
            raise ValueError("cannot search a finished game")
        start = time.perf_counter()
        deadline = start + self.ms / 1000.0 if self.ms is not None else math.inf
        limit = self.sims if self.sims is not None else 1 << 62
        rng, c = self._rng, self.c
        if self._kernels is not None:
            tree, n_sims = self._kernels.search(state, limit=limit, deadline=deadline, c=c, rng=rng,
                                                width=self.game.info.num_actions)
            visits, total, first, count, action = tree.arrays[:5]
            return self._result(state, visits, total, first, count, action, n_sims, time.perf_counter() - start)
        visits, total, first, count, action, mover = [0], [0.0], [-1], [0], [-1], [-1]
        states: dict[int, State] = {0: state}
        n_sims = 0
        while n_sims < limit and (n_sims & 15 or time.perf_counter() < deadline):
            n_sims += 1
            # Selection: descend by UCB1 while the node is expanded.
            node, path = 0, [0]
            node_state = state
            while first[node] >= 0 and count[node]:
                node = ucb1_child(visits, total, first[node], first[node] + count[node], visits[node], c)
                path.append(node)
                child_state = states.get(node)
                if child_state is None:
                    child_state = node_state._apply(action[node])
                    states[node] = child_state
                node_state = child_state
                if visits[node] == 0:
                    break
            # Expansion: all children at once, shuffled so unvisited ties break at random.
            if first[node] < 0 and not node_state.is_terminal():
                legal = node_state.legal_actions().tolist()
                rng.shuffle(legal)
                first[node], count[node] = len(visits), len(legal)
                p = node_state.current_player
                for a in legal:
                    visits.append(0)
                    total.append(0.0)
                    first.append(-1)
                    count.append(0)
                    action.append(a)
                    mover.append(p)
            returns = _rollout(node_state, rng)
            for n in path:
                visits[n] += 1
                if n:
                    total[n] += returns[mover[n]]
        return self._result(state, visits, total, first, count, action, n_sims, time.perf_counter() - start)

    def _result(self, state, visits, total, first, count, action, n_sims, seconds) -> UCTResult:
        policy = np.zeros(self.game.info.num_actions)
        lo, hi = first[0], first[0] + count[0]
        for ch in range(lo, hi):
            policy[action[ch]] = visits[ch]
        best = max(range(lo, hi), key=lambda ch: visits[ch])
        value = float(total[best] / visits[best]) if visits[best] else 0.0
        pv, node = [], best
        while True:
            pv.append(int(action[node]))
            if first[node] < 0 or not count[node]:
                break
            kids = range(first[node], first[node] + count[node])
            node = max(kids, key=lambda ch: visits[ch])
            if visits[node] == 0:
                break
        return UCTResult(int(action[best]), value, policy / max(policy.sum(), 1.0), tuple(pv), n_sims, seconds)


def _rollout(state: State, rng: random.Random) -> list[float]:
    """Play uniformly random moves to the end; the returns per player."""
    uniform = rng.random
    while not state.is_terminal():
        legal = state.legal_mask().nonzero()[0]  # ndarray.nonzero: a C call, unlike np.flatnonzero
        state = state._apply(int(legal[int(uniform() * len(legal))]))
    return state.returns().tolist()
