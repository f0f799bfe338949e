"""The game-stepping seam of batched search: the generic path keeps one State object per node.

Search asks only two batched questions of this object, so a compiled kernel for one
game (bitboards stepped in Numba) can replace it without touching the search:

    roots(games)        -> Leaves for the root nodes of those games
    expand(games, tree) -> Leaves for the newly created nodes tree.parent/tree.action point at

and it follows tree reuse through `remap(b, old_to_new)` (the `Store` protocol below). A game's compiled store (Connect Four's `BitboardStore`, Othello's
`OthelloStore`) is declared in move37.search.compiled and handed to the search. A store that can
also play the moves of many games at their roots in one call is an `AdvancesRoots` (a protocol
search checks once, as it checks an evaluator for `CompiledEvaluate`).
"""

from __future__ import annotations

from typing import Protocol, runtime_checkable

import numpy as np

from move37.games.base import Game, State
from move37.games.leaves import Leaves


class Store(Protocol):
    """The states of B games' tree nodes: what search asks of a game.

    rewards: whether `expand` gives each new node's reward (`Leaves.reward`: a learned model's
    latent states, move37.worldmodel.store); search then backs values up with rewards and its
    discount per step (`_tree.backup_rewards`). False for a game's rules, which score only terminals.
    """

    rewards: bool

    def set_root(self, b: int, state: State | None) -> None:
        """Make `state` game b's root (node 0); None empties the slot."""

    def root(self, b: int) -> State | None:
        """Game b's root state."""

    def remap(self, b: int, old_to_new: np.ndarray) -> None:
        """Follow tree reuse: node i of game b is now node old_to_new[i] (-1: dropped); int (M,)."""

    def roots(self, games: np.ndarray) -> Leaves:
        """The roots of `games` int (K,) as Leaves."""

    def expand(self, games: np.ndarray, nodes: np.ndarray, parent: np.ndarray, action: np.ndarray) -> Leaves:
        """Step the parent of each new node (games[k], nodes[k]) by its action; parent, action: the
        tree's int32 (B, M) arrays. Returns the new nodes as Leaves."""


@runtime_checkable
class AdvancesRoots(Store, Protocol):
    """A Store that plays a move at many games' roots in one call, with no Python per game (Connect
    Four's bitboards): `BatchedSearch.advance_all` uses it where it is declared."""

    def advance_roots(self, games: np.ndarray, actions: np.ndarray) -> np.ndarray:
        """Play actions[k] (int (K,)) at the roots of games[k]; bool (K,): whether each new root is
        terminal. Raises IllegalMoveError, playing nothing, when any action is illegal."""


class StateStore:
    """States of B games' tree nodes as Python objects: works for every game of the API."""

    rewards = False

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
