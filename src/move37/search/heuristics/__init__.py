"""Hand-written evaluations for alpha-beta, one module per game.

A game's module here exposes `evaluate(state) -> float` in [-1, 1] from the point of
view of the player to move, registered in `EVALUATIONS` under the game's name. It may
also expose `action_order`, a sequence of actions to try first (e.g. centre columns in
Connect Four), registered in `ACTION_ORDERS`, which alpha-beta uses as its static move
ordering. A game without an evaluation is searched with evaluation 0 everywhere, i.e.
pure search that only sees wins and losses.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from move37.games.base import Game, State
from move37.registry import Registry

Evaluation = Callable[[State], float]

EVALUATIONS = Registry("evaluation", {
    "chess": "move37.search.heuristics.chess:evaluate",
    "connect4": "move37.search.heuristics.connect4:evaluate",
    "go": "move37.search.heuristics.go:evaluate",
    "othello": "move37.search.heuristics.othello:evaluate",
    "tictactoe": "move37.search.heuristics.tictactoe:evaluate",
})
ACTION_ORDERS = Registry("action order", {
    "connect4": "move37.search.heuristics.connect4:action_order",
    "tictactoe": "move37.search.heuristics.tictactoe:action_order",
})


def _zero(state: State) -> float:
    return 0.0


def evaluation_for(game: Game) -> Evaluation:
    """The game's evaluation function, or the constant 0 when it has none."""
    name = game.info.name
    return EVALUATIONS.load(name) if name in EVALUATIONS else _zero


def action_order_for(game: Game) -> Sequence[int]:
    """Actions in the order the game's heuristics prefer them (natural order by default)."""
    name = game.info.name
    if name not in ACTION_ORDERS:
        return tuple(range(game.info.num_actions))
    return tuple(int(a) for a in ACTION_ORDERS.load(name))
