"""Streams: one never-ending sequence of experience that changes under the learner.

A stream is what an agent in the era of experience lives in: it never ends and is never reset for the
learner. Games end and restart inside it, and the game itself changes: MinAtar games switched every
`switch` steps (`minatar`), or one game whose actions or rewards change every `every` steps (`drift`),
or Connect Four against an opponent population that drifts (`connect4`, in connect4_stream.py).

Every stream of a kind shares one observation space and one action space across its tasks, so one
network serves the whole stream: MinAtar observations are padded to the largest channel count among
the stream's games, and the actions are all six MinAtar actions (`actions=all`, the default) or the union of the
games' minimal action sets (`actions=minimal`).

    stream = make_stream("minatar:games=breakout+freeway,switch=50000", seed=0)
    obs = stream.observation()                 # float32 [C, 10, 10]
    step = stream.step(action)                 # Step(next_obs, reward, terminal, cut, signals)
    obs = stream.observation()                 # the next game's first frame after an episode ends

A task switch cuts the running episode: that step is not terminal for the learner (it bootstraps
from the last frame of the old game) but the episode is closed (`cut`) and not counted as a return.

`signals` are grounded measurements the environment makes at each step (the reward model of
feedback.py is a function of them): SIGNALS names them.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated, Literal, Protocol

import numpy as np

from move37.errors import SpecError
from move37.registry import Registry
from move37.spec import Bound, call_with_spec, parse_spec

MINATAR_GAMES = ("asterix", "breakout", "freeway", "seaquest", "space_invaders")
SIGNALS = ("score", "alive", "death", "x", "y")  # the signal vector of every MinAtar step
NUM_MINATAR_ACTIONS = 6


@dataclass(frozen=True)
class Step:
    """What one action brought.

    next_obs: float32 [C, H, W], the frame after the action (the last frame of the episode when terminal).
    reward: the game's own reward.
    terminal: the episode ended (the learner does not bootstrap).
    cut: the episode was closed by a task switch (the learner bootstraps; the return is not counted).
    signals: float32 [len(SIGNALS)] grounded measurements (see SIGNALS).
    legal: bool [A] or None when every action is legal.
    """

    next_obs: np.ndarray
    reward: float
    terminal: bool
    cut: bool
    signals: np.ndarray
    legal: np.ndarray | None = None


class Stream(Protocol):
    """One never-ending stream of tasks sharing an observation and an action space."""

    observation_shape: tuple[int, ...]
    num_actions: int

    def observation(self) -> np.ndarray: ...
    def legal(self) -> np.ndarray | None: ...
    def step(self, action: int) -> Step: ...
    @property
    def task(self) -> str: ...
    @property
    def visit(self) -> int: ...
    def state(self) -> dict: ...
    def load_state(self, state: dict) -> None: ...


def _games(text: str) -> tuple[str, ...]:
    names = tuple(g for g in text.split("+") if g)
    bad = [g for g in names if g not in MINATAR_GAMES]
    if not names or bad:
        raise SpecError(f"games={text!r}: expected MinAtar games joined by '+' from {', '.join(MINATAR_GAMES)}")
    return names


def _player_signals(frame: np.ndarray, reward: float, terminal: bool) -> np.ndarray:
    """[score, alive, death, x, y]: x and y in [-1, 1] are where the player is (channel 0 in every MinAtar game:
    Breakout's paddle, Freeway's chicken, the cannon, the diver, the sub), 0 when it is not on the board."""
    where = np.argwhere(frame[..., 0])
    y, x = (where.mean(axis=0) / 4.5 - 1.0) if len(where) else (0.0, 0.0)
    return np.array([reward, 0.0 if terminal else 1.0, 1.0 if terminal else 0.0, x, -y], np.float32)


class _MinAtarBase:
    """A MinAtar environment inside a stream: padding to the stream's channels, episodes restarted in place.

    actions="all": the six MinAtar actions; "minimal": the union of the stream's games' minimal action sets
    (MinAtar's v1 environments, which Elsayed et al. 2024 used: Freeway has no-op, up and down, so a random or
    untrained greedy policy moves up a third of the time instead of a sixth). The learner's action i is MinAtar's
    action `action_set[i]`."""

    def __init__(self, games: tuple[str, ...], seed: int, sticky: float, actions: str = "all"):
        from minatar import Environment

        self.rng = np.random.default_rng(seed)
        self.envs = {g: Environment(g, sticky_action_prob=sticky) for g in dict.fromkeys(games)}
        self.action_set = (np.arange(NUM_MINATAR_ACTIONS) if actions == "all" else
                           np.array(sorted({int(a) for e in self.envs.values() for a in e.minimal_action_set()})))
        self.num_actions = len(self.action_set)
        self.channels = max(e.state_shape()[2] for e in self.envs.values())
        self.observation_shape = (self.channels, 10, 10)
        self.game = games[0]
        self._restart()

    def _restart(self) -> None:
        env = self.envs[self.game]
        env.seed(int(self.rng.integers(2**31)))
        env.reset()
        env.last_action = 0

    def _frame(self) -> np.ndarray:
        return self.envs[self.game].state()

    def _encode(self, frame: np.ndarray) -> np.ndarray:
        out = np.zeros(self.observation_shape, np.float32)
        out[: frame.shape[2]] = frame.transpose(2, 0, 1)
        return out

    def observation(self) -> np.ndarray:
        return self._encode(self._frame())

    def legal(self) -> None:
        return None

    def _act(self, action: int) -> tuple[float, bool, np.ndarray]:
        if not 0 <= action < self.num_actions:
            raise ValueError(f"action {action} outside 0..{self.num_actions - 1}")
        reward, terminal = self.envs[self.game].act(int(self.action_set[action]))
        frame = self._frame()
        return float(reward), bool(terminal), frame


class MinAtarSwitch(_MinAtarBase):
    """MinAtar games switched every `switch` steps, in the order given (`order=fixed`) or a random other game
    each time (`order=random`). `sticky`: MinAtar's sticky-action probability."""

    def __init__(self, *, games: str = "breakout+freeway+space_invaders+asterix",
                 switch: Annotated[int, Bound(1, 10**12)] = 100_000, order: Literal["fixed", "random"] = "fixed",
                 sticky: Annotated[float, Bound(0.0, 1.0)] = 0.1, actions: Literal["all", "minimal"] = "all",
                 seed: int = 0):
        self.order_games, self.switch, self.order = _games(games), switch, order
        super().__init__(self.order_games, seed, sticky, actions)
        self.t, self.index, self.visits = 0, 0, {g: 0 for g in self.order_games}
        self.visits[self.game] = 1

    @property
    def task(self) -> str:
        return self.game

    @property
    def visit(self) -> int:
        return self.visits[self.game]

    def _next_game(self) -> None:
        if self.order == "fixed" or len(self.order_games) == 1:
            self.index = (self.index + 1) % len(self.order_games)
        else:
            others = [i for i in range(len(self.order_games)) if i != self.index]
            self.index = int(self.rng.choice(others))
        self.game = self.order_games[self.index]
        self.visits[self.game] = self.visits.get(self.game, 0) + 1
        self._restart()

    def step(self, action: int) -> Step:
        reward, terminal, frame = self._act(action)
        obs, signals = self._encode(frame), _player_signals(frame, reward, terminal)
        self.t += 1
        cut = not terminal and self.t % self.switch == 0
        if self.t % self.switch == 0:
            self._next_game()
        elif terminal:
            self._restart()
        return Step(obs, reward, terminal, cut, signals)

    def state(self) -> dict:
        return {"t": self.t, "index": self.index, "visits": self.visits, "rng": self.rng.bit_generator.state}

    def load_state(self, state: dict) -> None:
        """Continue where `state` was taken, with a new episode of its game (MinAtar cannot save one)."""
        self.t, self.index, self.visits = int(state["t"]), int(state["index"]), dict(state["visits"])
        self.rng.bit_generator.state = state["rng"]
        self.game = self.order_games[self.index]
        self._restart()


class MinAtarDrift(_MinAtarBase):
    """One MinAtar game whose rules change every `every` steps: `change=actions` shuffles what the actions do
    (the dynamics as the agent meets them), `change=reward` flips the reward's sign, `change=both` does both.
    Each phase is a new task ("breakout/3")."""

    def __init__(self, *, game: str = "breakout", every: Annotated[int, Bound(1, 10**12)] = 100_000,
                 change: Literal["actions", "reward", "both"] = "actions",
                 sticky: Annotated[float, Bound(0.0, 1.0)] = 0.1, actions: Literal["all", "minimal"] = "all",
                 seed: int = 0):
        (self.base,) = _games(game)
        super().__init__((self.base,), seed, sticky, actions)
        self.every, self.change = every, change
        self.t, self.phase = 0, 0
        self.permutation, self.sign = np.arange(self.num_actions), 1.0

    @property
    def task(self) -> str:
        return f"{self.base}/{self.phase}"

    @property
    def visit(self) -> int:
        return 1

    def _new_phase(self) -> None:
        self.phase += 1
        if self.change in ("actions", "both"):
            self.permutation = self.rng.permutation(self.num_actions)
        if self.change in ("reward", "both"):
            self.sign = -self.sign
        self._restart()

    def step(self, action: int) -> Step:
        if not 0 <= action < self.num_actions:
            raise ValueError(f"action {action} outside 0..{self.num_actions - 1}")
        reward, terminal, frame = self._act(int(self.permutation[action]))
        reward *= self.sign
        obs, signals = self._encode(frame), _player_signals(frame, reward, terminal)
        self.t += 1
        cut = not terminal and self.t % self.every == 0
        if self.t % self.every == 0:
            self._new_phase()
        elif terminal:
            self._restart()
        return Step(obs, reward, terminal, cut, signals)

    def state(self) -> dict:
        return {"t": self.t, "phase": self.phase, "permutation": self.permutation.tolist(), "sign": self.sign,
                "rng": self.rng.bit_generator.state}

    def load_state(self, state: dict) -> None:
        self.t, self.phase, self.sign = int(state["t"]), int(state["phase"]), float(state["sign"])
        self.permutation = np.array(state["permutation"], np.int64)
        self.rng.bit_generator.state = state["rng"]
        self._restart()


STREAMS = Registry("stream", {
    "minatar": "move37.experience.streams:MinAtarSwitch",
    "drift": "move37.experience.streams:MinAtarDrift",
    "connect4": "move37.experience.connect4_stream:ConnectFourStream",
})


def make_stream(text: str, seed: int = 0) -> Stream:
    """The stream a spec names ("minatar:games=breakout+freeway,switch=50000"); SpecError/UnknownNameError."""
    spec = parse_spec(text)
    return call_with_spec(STREAMS.load(spec.name), spec, "stream", seed=seed)
