"""Game registry: `make("connect4")`, `make("othello:size=6")`, environments `make("gym:CartPole-v1")`.

Adding a game is one module plus one line in `GAMES` (module:factory, imported
lazily so a game's dependencies load only when it is used).
"""

from __future__ import annotations

from move37.games.base import Game, GameInfo, State
from move37.registry import Registry
from move37.spec import call_with_spec, parse_spec

GAMES = Registry("game", {
    "tictactoe": "move37.games.tictactoe:TicTacToe",
    "connect4": "move37.games.connect4:ConnectFour",
    "othello": "move37.games.othello:Othello",
    "go": "move37.games.go:Go",
    "go9": "move37.games.go:go9",
    "chess": "move37.games.chess:Chess",
})

#: Families of environments with rewards (move37.envs), named with their environment: gym:CartPole-v1,
#: minatar:breakout. Kept apart from GAMES, whose names are each a whole game (boards, the web's list).
ENVS = Registry("environment", {
    "gym": "move37.envs.gym:GymGame",
    "minatar": "move37.envs.minatar:MinAtarGame",
})


def names() -> list[str]:
    """Registered game names, sorted."""
    return GAMES.names()


def make(spec: str) -> Game:
    """Build a game from its spec, e.g. "tictactoe" or "othello:size=6"."""
    parsed = parse_spec(spec)
    if parsed.name in ENVS:
        return call_with_spec(ENVS.load(parsed.name), parsed, "environment")
    return call_with_spec(GAMES.load(parsed.name), parsed, "game")


def is_env(spec: str) -> bool:
    """Whether `spec` names an environment with rewards (gym:..., minatar:...) rather than a board game."""
    return parse_spec(spec).name in ENVS


__all__ = ["Game", "GameInfo", "State", "is_env", "make", "names"]
