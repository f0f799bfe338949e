"""The Agent interface: every player — random, search, solver, network, human,
external engine — is an Agent, and the arena and protocols see nothing else.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from dataclasses import dataclass

import numpy as np

from move37.games.base import State


@dataclass
class Analysis:
    """What an agent decided and, where it has them, why.

    action: the chosen action.
    value: expected return for the player to move, in [-1, 1], if the agent estimates one.
    score: a game-specific exact or heuristic score (solver score, disc difference), if any.
    policy: float array (num_actions,) — visit shares or probabilities — or None.
    pv: the principal variation, starting with `action`.
    nodes: positions searched (for nodes/s reports).
    depth: search depth reached (alpha-beta) or 0.
    """

    action: int
    value: float | None = None
    score: float | None = None
    policy: np.ndarray | None = None
    pv: tuple[int, ...] = ()
    nodes: int = 0
    depth: int = 0


class Agent(ABC):
    """A player. Subclasses implement `analyse`; `act` is its action."""

    #: the spec string that built this agent, e.g. "alphabeta:depth=8"
    spec: str = ""

    @abstractmethod
    def analyse(self, state: State) -> Analysis:
        """Choose a move in a live state and explain it."""

    def act(self, state: State) -> int:
        """The action this agent plays in `state`."""
        return self.analyse(state).action

    def reset(self, seed: int | None = None) -> None:
        """Start a new game; reseed any randomness so matches are reproducible."""

    def close(self) -> None:
        """Release external resources (engine processes)."""

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.spec!r})"
