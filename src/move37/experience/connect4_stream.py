"""Connect Four against an opponent population that drifts: the stream of a game-playing agent in the world.

The learner plays one game after another, on a side drawn at random each game, against an opponent drawn
from a population. The population is a window of `width` consecutive levels of a ladder of the project's
players (`ladder`, weakest first: random, alpha-beta at depth 1-6 as ab1..ab6, and zero: the shipped
network's raw policy); every `every` steps the window slides one level up the ladder, wrapping round to
the bottom, so the learner meets opponents it has not seen for a while again. Each opponent also plays a
random legal move with probability `noise`.

Observations are the game's own encoding from the learner's side ([2, 6, 7]) placed in a [2, 10, 10]
frame, so the MinAtar network of every learner serves; actions are the 7 columns with a legal mask. The
reward is +1 for a win, -1 for a loss, 0 otherwise. The task is the window's lowest level ("ab2"), and
its visits are the times the window came back to it.
"""

from __future__ import annotations

from typing import Annotated

import numpy as np

from move37.errors import SpecError
from move37.experience.streams import SIGNALS, Step
from move37.spec import Bound

LEVELS = {"random": "random", "zero": "zero:sims=0", **{f"ab{d}": f"alphabeta:depth={d}" for d in range(1, 7)}}


class ConnectFourStream:
    observation_shape = (2, 10, 10)
    num_actions = 7

    def __init__(self, *, ladder: str = "random+ab1+ab2+ab3+ab4", every: Annotated[int, Bound(1, 10**12)] = 50_000,
                 width: Annotated[int, Bound(1, 8)] = 2, noise: Annotated[float, Bound(0.0, 1.0)] = 0.1,
                 seed: int = 0):
        from move37 import agents, games

        self.levels = tuple(ladder.split("+"))
        bad = [x for x in self.levels if x not in LEVELS]
        if bad or not self.levels:
            raise SpecError(f"ladder={ladder!r}: expected levels joined by '+' from {', '.join(LEVELS)}")
        if width > len(self.levels):
            raise SpecError(f"width={width} is more than the ladder's {len(self.levels)} levels")
        self.game = games.make("connect4")
        self._agents, self._make = {}, lambda level: agents.make(LEVELS[level], self.game)
        self.every, self.width, self.noise = every, width, noise
        self.rng = np.random.default_rng(seed)
        self.t, self.phase, self.visits = 0, 0, {self.levels[0]: 1}
        self._new_game()

    def _opponent(self, level: str):
        if level not in self._agents:
            self._agents[level] = self._make(level)
        return self._agents[level]

    @property
    def task(self) -> str:
        return self.levels[self.phase % len(self.levels)]

    @property
    def visit(self) -> int:
        return self.visits[self.task]

    def _new_game(self) -> None:
        window = [self.levels[(self.phase + i) % len(self.levels)] for i in range(self.width)]
        self.opponent_level = window[int(self.rng.integers(len(window)))]
        self.side = int(self.rng.integers(2))
        self.position = self.game.initial_state()
        if self.side == 1:
            self._opponent_move()

    def _opponent_move(self) -> None:
        legal = np.flatnonzero(self.position.legal_mask())
        if self.rng.random() < self.noise:
            action = int(self.rng.choice(legal))
        else:
            action = self._opponent(self.opponent_level).act(self.position)
        self.position = self.position.play(action)

    def _encode(self, state) -> np.ndarray:
        out = np.zeros(self.observation_shape, np.float32)
        out[:, :6, :7] = state.encode()
        return out

    def observation(self) -> np.ndarray:
        return self._encode(self.position)

    def legal(self) -> np.ndarray:
        return self.position.legal_mask()

    def step(self, action: int) -> Step:
        self.position = self.position.play(int(action))  # IllegalMoveError for a full column
        if not self.position.is_terminal():
            self._opponent_move()
        terminal = self.position.is_terminal()
        reward = float(self.position.returns()[self.side]) if terminal else 0.0
        obs, legal = self._encode(self.position), self.position.legal_mask()
        signals = np.zeros(len(SIGNALS), np.float32)
        signals[:4] = reward, 0.0 if terminal else 1.0, 1.0 if reward < 0 else 0.0, action / 3.0 - 1.0
        self.t += 1
        if self.t % self.every == 0:
            self.phase += 1
            self.visits[self.task] = self.visits.get(self.task, 0) + 1
        if terminal:
            self._new_game()
        return Step(obs, reward, terminal, False, signals, legal)

    def state(self) -> dict:
        return {"t": self.t, "phase": self.phase, "visits": self.visits, "rng": self.rng.bit_generator.state}

    def load_state(self, state: dict) -> None:
        self.t, self.phase, self.visits = int(state["t"]), int(state["phase"]), dict(state["visits"])
        self.rng.bit_generator.state = state["rng"]
        self._new_game()
