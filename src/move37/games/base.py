"""The game API: a game declares its facts once; its states are immutable values.

Every algorithm in move37 (search, solvers, self-play, the arena, the protocols)
speaks only this vocabulary, so a new game is one file plus a registry line.

Conventions
- Players are numbered 0..P-1; player 0 moves first.
- Actions are integers in a fixed action space `range(num_actions)`; legality is a
  boolean mask of shape (num_actions,).
- `returns()` of a terminal state is a float array of shape (num_players,), e.g.
  [+1, -1] for a first-player win, [0, 0] for a draw.
- `encode()` is the network input of shape `observation_shape`, always from the
  point of view of the player to move, so one network plays both sides.
- Symmetry k (0 = identity) maps states, actions and observations consistently:
  `state.transform(k).encode() == game.transform_observation(state.encode(), k)` and
  action a in `state` is action `game.action_permutation(k)[a]` in `state.transform(k)`.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from dataclasses import dataclass

import numpy as np

from move37.errors import IllegalMoveError, NotationError


@dataclass(frozen=True)
class GameInfo:
    """The facts a game declares once.

    name: registry name, e.g. "connect4".
    num_actions: size A of the fixed action space.
    observation_shape: shape of `State.encode()`, e.g. (2, 6, 7).
    num_symmetries: number of board symmetries including the identity (1 = none).
    max_length: an upper bound on the number of plies of a game.
    num_players: players taking turns.
    returns_sum: the sum of `returns()` at every terminal state (0 for zero-sum).
    has_chance: whether nature moves (none of the board games here).
    rewards: whether a reward comes with every step (`State.reward`): environments (move37.envs),
    whose returns need not sum to `returns_sum`.
    discount: the per-step discount a learner should apply to those rewards.
    """

    name: str
    num_actions: int
    observation_shape: tuple[int, ...]
    num_symmetries: int
    max_length: int
    num_players: int = 2
    returns_sum: float = 0.0
    has_chance: bool = False
    rewards: bool = False
    discount: float = 1.0


class State(ABC):
    """An immutable position. `play` returns a new state and never changes this one."""

    @property
    @abstractmethod
    def game(self) -> "Game":
        """The game this state belongs to."""

    @property
    @abstractmethod
    def current_player(self) -> int:
        """The player to move (meaningless once terminal)."""

    @abstractmethod
    def legal_mask(self) -> np.ndarray:
        """Legal actions as a bool array of shape (num_actions,); all False when terminal."""

    @abstractmethod
    def _apply(self, action: int) -> "State":
        """The successor after a legal action (legality already checked)."""

    @abstractmethod
    def is_terminal(self) -> bool:
        """Whether the game is over."""

    @abstractmethod
    def returns(self) -> np.ndarray:
        """Float array (num_players,): the outcome when terminal, zeros otherwise."""

    @abstractmethod
    def encode(self) -> np.ndarray:
        """float32 array of shape observation_shape, from the mover's point of view."""

    @abstractmethod
    def key(self) -> int:
        """A hash for transposition tables: equal positions (side to move included) give equal keys."""

    @abstractmethod
    def transform(self, k: int) -> "State":
        """The image of this position under symmetry k."""

    @abstractmethod
    def __str__(self) -> str:
        """A board picture for terminals and logs."""

    # Facts of environments with rewards (move37.envs); board games keep these defaults.

    @property
    def reward(self) -> float:
        """The reward of the step that led to this state (0 in games scored only by `returns`)."""
        return 0.0

    @property
    def truncated(self) -> bool:
        """Whether a time limit, not the rules, ended the episode here (a value target bootstraps past it)."""
        return False

    # Derived conveniences, shared by every game.

    def legal_actions(self) -> np.ndarray:
        """Legal actions as sorted int64 indices."""
        return np.flatnonzero(self.legal_mask())

    def play(self, action: int) -> "State":
        """The successor after `action`; raises IllegalMoveError if the rules forbid it."""
        a = int(action)
        if not 0 <= a < self.game.info.num_actions or not self.legal_mask()[a]:
            shown = self.game.action_to_text(self, a) if 0 <= a < self.game.info.num_actions else a
            raise IllegalMoveError(f"illegal move {shown} in this {self.game.info.name} position")
        return self._apply(a)

    def play_text(self, text: str) -> "State":
        """The successor after a move written in the game's notation."""
        return self.play(self.game.text_to_action(self, text))

    def __eq__(self, other: object) -> bool:
        return isinstance(other, State) and type(other) is type(self) and other.key() == self.key()

    def __hash__(self) -> int:
        return hash(self.key())


class Game(ABC):
    """A game's rules and notation. Instances are cheap; options (board size) go to __init__."""

    info: GameInfo

    @abstractmethod
    def initial_state(self) -> State:
        """The starting position."""

    @abstractmethod
    def action_to_text(self, state: State, action: int) -> str:
        """One move in the game's standard notation ("4" in Connect Four, "f5" in Othello)."""

    def actions_to_text(self, state: State, actions: list[int]) -> list[str]:
        """The moves `actions` played from `state`, each in the game's notation (replays them: a
        move's text may depend on its position, as in chess)."""
        out = []
        for action in actions:
            out.append(self.action_to_text(state, action))
            state = state.play(action)
        return out

    @abstractmethod
    def text_to_action(self, state: State, text: str) -> int:
        """Parse one move; raises NotationError when malformed (legality is `play`'s job)."""

    @abstractmethod
    def split_moves(self, text: str) -> list[str]:
        """Tokenise a move sequence ("4453" -> ["4", "4", "5", "3"]); raises NotationError."""

    @abstractmethod
    def action_permutation(self, k: int) -> np.ndarray:
        """int64 array (num_actions,): where symmetry k sends each action."""

    @abstractmethod
    def transform_observation(self, obs: np.ndarray, k: int) -> np.ndarray:
        """Apply symmetry k to observations of shape (..., *observation_shape)."""

    # Sequences and positions. A game whose positions have their own notation
    # (Othello boards, chess FEN) overrides `state_from_text` / `state_to_text`.

    def join_moves(self, moves: list[str]) -> str:
        """The inverse of split_moves: moves concatenated as the game writes them."""
        return "".join(moves)

    def state_from_moves(self, text: str) -> State:
        """The position after a move sequence from the start; NotationError/IllegalMoveError on bad input."""
        state = self.initial_state()
        for i, token in enumerate(self.split_moves(text)):
            if state.is_terminal():
                raise IllegalMoveError(f"move {i + 1} ({token!r}) is played after the game is over")
            try:
                state = state.play_text(token)
            except IllegalMoveError as e:
                raise IllegalMoveError(f"move {i + 1} ({token!r}): {e}") from None
        return state

    def state_from_text(self, text: str) -> State:
        """A position from text; by default a move sequence from the start."""
        return self.state_from_moves(text.strip())

    def state_to_text(self, state: State) -> str | None:
        """A position's own notation when the game has one (board or FEN); None otherwise."""
        return None

    def parse_action(self, state: State, text: str) -> int:
        """Parse one move and check it is legal: the action, or NotationError/IllegalMoveError."""
        action = self.text_to_action(state, text.strip())
        if not state.legal_mask()[action]:
            raise IllegalMoveError(f"illegal move {text.strip()!r} in this position")
        return action

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.info.name!r})"


def require(cond: bool, message: str) -> None:
    """Raise NotationError(message) unless cond: the one-line check used by parsers."""
    if not cond:
        raise NotationError(message)
