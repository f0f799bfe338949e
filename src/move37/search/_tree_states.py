"""The game-stepping seam of batched search: the generic path keeps one State object per node.

Search asks only two batched questions of this object, so a compiled kernel for one
game (bitboards stepped in Numba) can replace it without touching the search:

    roots(games)        -> Leaves for the root nodes of those games
    expand(games, tree) -> Leaves for the newly created nodes tree.parent/tree.action point at

and it follows tree reuse through `remap(b, old_to_new)`. `store_for` picks the compiled
store where a game has one (Connect Four's `BitboardStore`, Othello's `OthelloStore`),
else the generic one.
"""

from __future__ import annotations

import numpy as np

from move37.games.base import Game, State
from move37.games.leaves import Leaves

# Games with a compiled store: "module:class", built as cls.for_game(game, batch, capacity).
_COMPILED = {"connect4": "move37.games._connect4_kernels:BitboardStore",
             "othello": "move37.games._othello_store:OthelloStore"}


class StateStore:
    """States of B games' tree nodes as Python objects: works for every game of the API."""

    def __init__(self, game: Game, batch: int, capacity: int):
        self.game = game
        self.capacity = capacity
        self.states: list[list[State | None]] = [[None] * capacity for _ in range(batch)]

    def set_root(self, b: int, state: State | None) -> None:
        row = self.states[b]
        row[:] = [None] * self.capacity
        row[0] = state

    def root(self, b: int) -> State | None:
        return self.states[b][0]

    def remap(self, b: int, old_to_new: np.ndarray) -> None:
        row = [None] * self.capacity
        for old in np.flatnonzero(old_to_new >= 0):
            row[old_to_new[old]] = self.states[b][old]
        self.states[b] = row

    def _describe(self, states: list[State]) -> Leaves:
        info = self.game.info
        k = len(states)
        out = Leaves(np.zeros((k, *info.observation_shape), np.float32), np.zeros((k, info.num_actions), bool),
                     np.zeros(k, np.int8), np.zeros(k, bool), np.zeros(k, np.float32))
        for i, s in enumerate(states):
            if s.is_terminal():
                out.terminal[i] = True
                out.final_value[i] = s.returns()[0]
            else:
                out.obs[i] = s.encode()
                out.legal[i] = s.legal_mask()
            out.player[i] = s.current_player
        return out

    def roots(self, games: np.ndarray) -> Leaves:
        return self._describe([self.states[b][0] for b in games])

    def expand(self, games: np.ndarray, leaves: np.ndarray, parent: np.ndarray, action: np.ndarray) -> Leaves:
        """Step each parent state by its action; parent, action: the tree's (B, M) arrays."""
        new = []
        for b, node in zip(games, leaves):
            s = self.states[b][parent[b, node]]._apply(int(action[b, node]))
            self.states[b][node] = s
            new.append(s)
        return self._describe(new)


def store_for(game: Game, batch: int, capacity: int, compiled: bool = True):
    """The fastest store for `game`: compiled when the game has one (and `compiled`), else StateStore."""
    import importlib

    target = _COMPILED.get(game.info.name) if compiled else None
    if target is None:
        return StateStore(game, batch, capacity)
    module, _, name = target.partition(":")
    return getattr(importlib.import_module(module), name).for_game(game, batch, capacity)
