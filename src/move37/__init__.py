"""move37: agents that learn from their own experience.

The public API: games (`move37.games.make`), agents (`move37.agents.make`), and
the errors users can cause (`move37.errors`).
"""

from move37 import agents, games
from move37.errors import (
    ConfigError,
    IllegalMoveError,
    Move37Error,
    NotationError,
    RunFolderError,
    SpecError,
    UnknownNameError,
)

__version__ = "0.1.0"

__all__ = [
    "agents",
    "games",
    "ConfigError",
    "IllegalMoveError",
    "Move37Error",
    "NotationError",
    "RunFolderError",
    "SpecError",
    "UnknownNameError",
]
