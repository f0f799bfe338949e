"""Hand-written evaluations for alpha-beta, one module per game.

A game named NAME gets its evaluation from `move37.search.heuristics.NAME`, a module
exposing `evaluate(state) -> float` in [-1, 1] from the point of view of the player
to move. It may also expose `action_order`, a sequence of actions to try first
(e.g. centre columns in Connect Four), which alpha-beta uses as its static move
ordering. A game without a module is searched with evaluation 0 everywhere, i.e.
pure search that only sees wins and losses.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Sequence

from move37.games.base import Game, State

Evaluation = Callable[[State], float]


def _zero(state: State) -> float:
    return 0.0


def _module(game: Game):
    name = f"{__name__}.{game.info.name}"
    try:
        return importlib.import_module(name)
    except ModuleNotFoundError as e:
        if e.name != name:  # the module exists but one of its imports is missing: a real bug
            raise
        return None


def evaluation_for(game: Game) -> Evaluation:
    """The game's evaluation function, or the constant 0 when it has none."""
    module = _module(game)
    return getattr(module, "evaluate", _zero) if module is not None else _zero


def action_order_for(game: Game) -> Sequence[int]:
    """Actions in the order the game's heuristics prefer them (natural order by default)."""
    module = _module(game)
    order = getattr(module, "action_order", None) if module is not None else None
    return tuple(int(a) for a in order) if order is not None else tuple(range(game.info.num_actions))
