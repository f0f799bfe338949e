"""Latent states for the project's batched search: MuZero searches inside its own model.

`LatentStore` is a `move37.search.Store`: the root's latent comes from the representation of the
real observation, every other node's from the dynamics function applied to its parent's latent
and action, which also gives the edge's reward (`Leaves.reward`; `rewards = True` makes the search
back values up with rewards and discount). Interior nodes allow every action and never end (MuZero:
the model, not the rules, says what follows); the root's legal moves are the real ones.

    latent  float32 (B, M, D)  each node's latent state
    player  int8    (B, M)     each node's mover: the root's, alternating below it in two-player games
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from move37.games.base import Game, State
from move37.games.leaves import Leaves
from move37.worldmodel.model import LatentModel


@dataclass(frozen=True)
class Observed:
    """A stored observation standing in for a root State (reanalyse searches positions it has no State of).

    obs float32 (*obs_shape); legal bool (A,); player: the mover."""

    obs: np.ndarray
    legal: np.ndarray
    player: int

    current_player = property(lambda self: self.player)

    def encode(self) -> np.ndarray:
        return self.obs

    def legal_mask(self) -> np.ndarray:
        return self.legal

    def is_terminal(self) -> bool:
        return False


class LatentStore:
    """Build with `functools.partial(LatentStore, model=...)` and hand it to BatchedSearch(store=...)."""

    rewards = True

    def __init__(self, game: Game, batch: int, capacity: int, model: LatentModel):
        info = game.info
        self.model, self.two_player = model, info.num_players == 2
        self.latent = np.zeros((batch, capacity, model.net.latent_size), np.float32)
        self.player = np.zeros((batch, capacity), np.int8)
        self.states: list[State | None] = [None] * batch
        self.obs = np.zeros((batch, *info.observation_shape), np.float32)
        self.legal = np.zeros((batch, info.num_actions), bool)

    def set_root(self, b: int, state: State | Observed | None) -> None:
        self.states[b] = state
        if state is not None and not state.is_terminal():
            self.obs[b], self.legal[b], self.player[b, 0] = state.encode(), state.legal_mask(), state.current_player

    def root(self, b: int) -> State | Observed | None:
        return self.states[b]

    def remap(self, b: int, old_to_new: np.ndarray) -> None:
        kept = np.flatnonzero(old_to_new >= 0)
        self.latent[b, old_to_new[kept]] = self.latent[b, kept].copy()
        self.player[b, old_to_new[kept]] = self.player[b, kept].copy()

    def roots(self, games: np.ndarray) -> Leaves:
        latent = self.model.represent(self.obs[games])
        self.latent[games, 0] = latent
        k = len(games)
        return Leaves(latent, self.legal[games].copy(), self.player[games, 0].copy(), np.zeros(k, bool),
                      np.zeros(k, np.float32), np.zeros(k, np.float32))

    def expand(self, games: np.ndarray, nodes: np.ndarray, parent: np.ndarray, action: np.ndarray) -> Leaves:
        up = parent[games, nodes]
        latent, reward = self.model.step(self.latent[games, up], action[games, nodes])
        self.latent[games, nodes] = latent
        player = self.player[games, up] ^ 1 if self.two_player else self.player[games, up]
        self.player[games, nodes] = player
        k = len(games)
        return Leaves(latent, np.ones((k, self.legal.shape[1]), bool), player,
                      np.zeros(k, bool), np.zeros(k, np.float32), reward.astype(np.float32))
