"""The alpha-beta player: `alphabeta:depth=8` or `alphabeta:ms=500` (see move37.search.alphabeta)."""

from __future__ import annotations

from move37.agents.base import Agent, Analysis
from move37.agents.options import Depth, Millis, TableSlots
from move37.games.base import Game, State
from move37.search.alphabeta import AlphaBeta


class AlphaBetaAgent(Agent):
    """Negamax alpha-beta with the game's hand-written evaluation.

    depth: maximum depth in plies (at most 256; 64 from the web server); ms: time per move in
    milliseconds (at most an hour; 10 s from the web server); depth 6 when neither, and whichever
    ends first when both; tt_size: transposition-table slots (0 = off; at most 2^24, 2^20 from the
    web server); seed: varies the choice among equal moves.
    The table is kept between moves of one game and cleared by `reset`.
    """

    default_budget = {"depth": 6}

    def __init__(self, *, game: Game, depth: Depth | None = None, ms: Millis | None = None, seed: int = 0,
                 tt_size: TableSlots = 1 << 20):
        self._seed = seed
        if depth is None and ms is None:
            depth = self.default_budget["depth"]
        self.search = AlphaBeta(game, depth=depth, ms=ms, tt_size=tt_size, seed=seed)

    def reset(self, seed: int | None = None) -> None:
        self.search.reset(self._seed if seed is None else seed)

    def _analyse(self, state: State) -> Analysis:
        r = self.search.search(state)
        return Analysis(action=r.action, value=r.value, score=r.score, pv=r.pv, nodes=r.nodes, depth=r.depth)
