"""move37: agents that learn from their own experience.

The public API: games (`move37.games.make`), agents (`move37.agents.make`), and
the errors users can cause (`move37.errors`).
"""

import os

# OpenMP thread pools (PyTorch's and Numba's share the one libgomp, configured when it loads)
# spin after every parallel region by default, taking the core from the work between regions;
# on a 2-core machine that made two search threads slower than one (docs/results/speed.md).
os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")

from move37 import _compile_cache  # noqa: E402

_compile_cache.configure()  # compiled kernels cached per source version (see the module)

from move37 import agents, games  # noqa: E402 (after the environment is set)
from move37.errors import (
    AgentRefusedError,
    ConfigError,
    IllegalMoveError,
    LimitError,
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
    "AgentRefusedError",
    "ConfigError",
    "IllegalMoveError",
    "LimitError",
    "Move37Error",
    "NotationError",
    "RunFolderError",
    "SpecError",
    "UnknownNameError",
]
