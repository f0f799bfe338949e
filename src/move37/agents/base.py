"""The Agent interface: every player — random, search, solver, network, human,
external engine — is an Agent, and the arena and protocols see nothing else.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from dataclasses import dataclass
from typing import ClassVar

import numpy as np

from move37.errors import IllegalMoveError
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
    """A player. Subclasses implement `_analyse` (a live state only: `analyse` refuses a finished game for
    every agent kind, before it asks a search, a solver, an engine or a person); `act` is its action."""

    #: the spec string that built this agent, e.g. "alphabeta:depth=8"
    spec: str = ""
    #: building it starts another program (an external engine). A capability, not a name: specs from
    #: outside (the web server, a GUI's `setoption`) are refused an agent that has it unless the operator
    #: allows engines (`move37.agents.make`), so an engine kind added later is covered by setting this.
    starts_process: ClassVar[bool] = False
    #: it reads the terminal (a human at the keyboard), which a server's caller does not own: refused
    #: for specs from outside
    reads_terminal: ClassVar[bool] = False
    #: the fixed budget (option: value) the agent searches with when its spec sets neither it nor a time
    #: (`ms`); kept when a server adds a time limit to a spec (move37.agents.budget.server_budget)
    default_budget: ClassVar[dict[str, int]] = {}

    def analyse(self, state: State) -> Analysis:
        """Choose a move in `state` and explain it; IllegalMoveError when the game is over there."""
        if state.is_terminal():
            raise IllegalMoveError("cannot choose a move: the game is already over in this position")
        return self._analyse(state)

    @abstractmethod
    def _analyse(self, state: State) -> Analysis:
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
