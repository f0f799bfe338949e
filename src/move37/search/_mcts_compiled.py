"""Compiled UCT (random rollouts) for games with Numba bitboard kernels.

Why: plain UCT in Python runs about 14k simulations/s on Connect Four; the same search
with the tree in arrays and the game on bitboards runs whole batches of simulations in
one Numba call, about a hundred times faster. `move37.search.mcts.UCT` runs it when handed a
game's `UCTKernels` (declared with the game's other compiled parts in move37.search.compiled),
and its Python loop otherwise.

Semantics are those of the Python path, step for step: descend by UCB1
(mean + c * sqrt(ln N(parent) / N(child)), unvisited children first in their order),
stop at a node visited for the first time, expand all its children at once in a
shuffled order (so ties break at random), play uniformly random moves to the end and
back the result up the path. Randomness comes from Numba's own generator, seeded at
every compiled call from the searcher's seeded `random.Random`.

Tree arrays, indexed by node id, capacity M (grown by doubling between calls):
  visits   int32 (M,)    visit count N(n)
  total    float64 (M,)  sum of results for the player who moved into n (W(n))
  first    int32 (M,)    id of its first child (-1 until expanded); children are contiguous
  count    int32 (M,)    number of children
  action   int32 (M,)    the action that led to n
  position int64 (M,), mask int64 (M,)  the node's bitboards (move37.games._connect4_kernels)
"""

from __future__ import annotations

import math
import random
import time
from dataclasses import dataclass
from typing import Callable

import numpy as np
from numba import njit

from move37.games import _connect4_kernels as c4
from move37.games.base import State
from move37.search.mcts import ucb1_child

_ucb1_child = njit(cache=True, inline="always")(ucb1_child)  # the Python path's rule, compiled


@njit(cache=True)
def _simulate_connect4(visits, total, first, count, action, position, mask, nodes, sims, c, seed):
    """Run up to `sims` simulations on the tree (root = node 0, `nodes` nodes in use).

    Stops early when one more expansion might not fit the arrays. Returns
    (nodes in use, simulations run)."""
    np.random.seed(seed)
    capacity = visits.shape[0]
    path = np.empty(c4.WIDTH * c4.HEIGHT + 2, np.int64)
    legal = np.empty(c4.WIDTH, np.int64)
    done = 0
    while done < sims and nodes + c4.WIDTH <= capacity:
        done += 1
        # Selection: descend by UCB1 while the node is expanded.
        node, depth = 0, 0
        path[0] = 0
        while first[node] >= 0 and count[node] > 0:
            node = _ucb1_child(visits, total, first[node], first[node] + count[node], visits[node], c)
            depth += 1
            path[depth] = node
            if visits[node] == 0:
                break
        pos, msk = position[node], mask[node]
        terminal = c4.is_terminal_one(pos, msk)
        # Expansion: all children at once, shuffled so unvisited ties break at random.
        if first[node] < 0 and not terminal:
            n = 0
            for a in range(c4.WIDTH):
                if c4.can_play(msk, a):
                    legal[n] = a
                    n += 1
            for i in range(n - 1, 0, -1):
                j = np.random.randint(0, i + 1)
                legal[i], legal[j] = legal[j], legal[i]
            first[node], count[node] = nodes, n
            for i in range(n):
                ch = nodes + i
                visits[ch], total[ch], first[ch], count[ch], action[ch] = 0, 0.0, -1, 0, legal[i]
                position[ch], mask[ch] = c4.play_one(pos, msk, legal[i])
            nodes += n
        # Rollout: the result for the player to move at the leaf.
        value = c4.terminal_value_one(pos, msk) if terminal else c4.random_playout_one(pos, msk)
        # Backup: a node's total is for the player who moved into it (the opponent of its mover).
        for d in range(depth, -1, -1):
            n_id = path[d]
            visits[n_id] += 1
            total[n_id] -= value
            value = -value
    return nodes, done


_FIELDS = (("visits", np.int32), ("total", np.float64), ("first", np.int32), ("count", np.int32),
           ("action", np.int32), ("position", np.int64), ("mask", np.int64))


class Tree:
    """The tree arrays (see the module docstring), with room for `capacity` nodes."""

    def __init__(self, capacity: int, position: int, mask: int):
        self.arrays = [np.empty(capacity, dtype) for _, dtype in _FIELDS]
        visits, total, first, count, action, pos, msk = self.arrays
        visits[0], total[0], first[0], count[0], action[0], pos[0], msk[0] = 0, 0.0, -1, 0, -1, position, mask
        self.nodes = 1

    def grow(self) -> None:
        """Double the capacity, keeping the nodes in use."""
        for i, old in enumerate(self.arrays):
            new = np.empty(2 * len(old), old.dtype)
            new[: self.nodes] = old[: self.nodes]
            self.arrays[i] = new

    @property
    def capacity(self) -> int:
        return len(self.arrays[0])


_INITIAL_CAPACITY = 1 << 15
_TIMED_CHUNK = 256  # simulations per compiled call when searching against the clock


@dataclass(frozen=True)
class UCTKernels:
    """A game's compiled UCT: `bitboards(state) -> (position, mask)` of the root, and the
    `simulate` kernel over the tree arrays (signature of `_simulate_connect4`)."""

    bitboards: Callable[[State], tuple[int, int]]
    simulate: Callable

    def search(self, state: State, *, limit: int, deadline: float, c: float, rng: random.Random,
               width: int) -> tuple[Tree, int]:
        """Simulate from `state` until `limit` simulations or `deadline` (perf_counter seconds;
        checked between compiled calls, at least one call runs). Returns the tree and the
        number of simulations. `width`: the most children a node can have."""
        tree = Tree(min(limit * width + 1, _INITIAL_CAPACITY), *self.bitboards(state))
        chunk = limit if deadline == math.inf else _TIMED_CHUNK
        done = 0
        while done < limit and (done == 0 or time.perf_counter() < deadline):
            if tree.nodes + width > tree.capacity:
                tree.grow()
            tree.nodes, n = self.simulate(*tree.arrays, tree.nodes, min(chunk, limit - done), float(c),
                                          rng.getrandbits(31))
            done += n
        return tree, done


CONNECT4 = UCTKernels(lambda s: (s.position, s.mask), _simulate_connect4)
