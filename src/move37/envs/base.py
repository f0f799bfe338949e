"""An environment as a game: immutable states over a mutable simulator, copied on every step.

The game API's states are values (`play` returns a new state and never changes the old
one), while gymnasium and MinAtar environments are mutable objects with their own random
generator. `EnvState` keeps a private copy of the simulator and steps a fresh copy in
`play`, so a state can be played twice (search, tests) and gives the same successor: the
simulator's generator travels with the copy. Trainers that only roll episodes forward use
the `Simulator` directly (`EnvGame.simulator`), with no copies.
"""

from __future__ import annotations

import copy
from abc import abstractmethod
from typing import Protocol

import numpy as np

from move37.errors import NotationError
from move37.games.base import Game, GameInfo, State, require


class Simulator(Protocol):
    """One running episode, mutable: what an adapter wraps.

    reset(seed) -> obs float32 (*observation_shape); step(action) -> (obs, reward, terminated, truncated).
    A time limit ends an episode with truncated=True."""

    def reset(self, seed: int) -> np.ndarray: ...

    def step(self, action: int) -> tuple[np.ndarray, float, bool, bool]: ...


class EnvState(State):
    """A moment of an episode: the observation, the reward that led here, whether it ended and how.

    returns(): float (1,), the episode's undiscounted return once over (zeros while it runs)."""

    __slots__ = ("_game", "_sim", "_obs", "_reward", "_terminated", "_truncated", "_total", "_actions", "_seed")

    def __init__(self, game: "EnvGame", sim: Simulator, obs: np.ndarray, reward: float, terminated: bool,
                 truncated: bool, total: float, actions: tuple[int, ...], seed: int):
        self._game, self._sim, self._obs = game, sim, obs
        self._reward, self._terminated, self._truncated = float(reward), terminated, truncated
        self._total, self._actions, self._seed = float(total), actions, seed

    @property
    def game(self) -> "EnvGame":
        return self._game

    @property
    def current_player(self) -> int:
        return 0

    @property
    def reward(self) -> float:
        return self._reward

    @property
    def truncated(self) -> bool:
        return self._truncated

    @property
    def terminated(self) -> bool:
        return self._terminated

    @property
    def actions(self) -> tuple[int, ...]:
        """The actions since the reset (with the game's seed they fix the state)."""
        return self._actions

    def legal_mask(self) -> np.ndarray:
        return np.full(self._game.info.num_actions, not self.is_terminal(), bool)

    def _apply(self, action: int) -> "EnvState":
        sim = copy.deepcopy(self._sim)
        obs, reward, terminated, truncated = sim.step(action)
        truncated = truncated and not terminated
        return EnvState(self._game, sim, obs, reward, terminated, truncated, self._total + reward,
                        self._actions + (action,), self._seed)

    def is_terminal(self) -> bool:
        return self._terminated or self._truncated

    def returns(self) -> np.ndarray:
        return np.array([self._total if self.is_terminal() else 0.0])

    def encode(self) -> np.ndarray:
        return self._obs

    def key(self) -> int:
        return hash((self._game.info.name, self._seed, self._actions))

    def transform(self, k: int) -> "EnvState":
        return self

    def __str__(self) -> str:
        end = " terminated" if self._terminated else " truncated" if self._truncated else ""
        return f"{self._game.info.name} step {len(self._actions)}, return {self._total:g}{end}"


class EnvGame(Game):
    """A one-player game over a simulator; subclasses say how to build one (`simulator`).

    seed: the seed of `initial_state`'s episode (self-play asks `episode(seed)` for others).
    """

    def __init__(self, info: GameInfo, seed: int = 0):
        self.info, self.seed = info, seed

    @abstractmethod
    def simulator(self) -> Simulator:
        """A new, not yet reset, simulator of this environment."""

    def initial_state(self) -> EnvState:
        return self.episode(self.seed)

    def episode(self, seed: int) -> EnvState:
        """The first state of the episode with this seed (self-play plays many)."""
        sim = self.simulator()
        obs = sim.reset(seed)
        return EnvState(self, sim, obs, 0.0, False, False, 0.0, (), seed)

    def action_to_text(self, state: State, action: int) -> str:
        return str(int(action))

    def text_to_action(self, state: State, text: str) -> int:
        text = text.strip()
        require(text.isdigit() and int(text) < self.info.num_actions,
                f"bad action {text!r} for {self.info.name} (0..{self.info.num_actions - 1})")
        return int(text)

    def split_moves(self, text: str) -> list[str]:
        moves = text.replace(",", " ").split()
        for m in moves:
            if not m.isdigit():
                raise NotationError(f"bad action {m!r} in {text!r}")
        return moves

    def join_moves(self, moves: list[str]) -> str:
        return " ".join(moves)

    def action_permutation(self, k: int) -> np.ndarray:
        return np.arange(self.info.num_actions)

    def transform_observation(self, obs: np.ndarray, k: int) -> np.ndarray:
        return obs
