"""The alpha-beta player: `alphabeta:depth=8` or `alphabeta:ms=500` (see move37.search.alphabeta)."""

from __future__ import annotations

from move37.agents.base import Agent, Analysis
from move37.games.base import Game, State
from move37.search.alphabeta import AlphaBeta


class AlphaBetaAgent(Agent):
    """Negamax alpha-beta with the game's hand-written evaluation.

    depth: maximum depth in plies; ms: time per move in milliseconds (depth 6 when neither);
    tt_size: transposition-table slots (0 = off); seed: varies the choice among equal moves.
    The table is kept between moves of one game and cleared by `reset`.
    """

    def __init__(self, *, game: Game, depth: int | None = None, ms: int | None = None, seed: int = 0,
                 tt_size: int = 1 << 20):
        self._seed = seed
        self.search = AlphaBeta(game, depth=depth, ms=ms, tt_size=tt_size, seed=seed)

    def reset(self, seed: int | None = None) -> None:
        self.search.reset(self._seed if seed is None else seed)

    def analyse(self, state: State) -> Analysis:
        r = self.search.search(state)
        return Analysis(action=r.action, value=r.value, score=r.score, pv=r.pv, nodes=r.nodes, depth=r.depth)
