"""The UCT player: `mcts:sims=1000` (plain UCT with random rollouts; see move37.search.mcts)."""

from __future__ import annotations

from move37.agents.base import Agent, Analysis
from move37.agents.options import Millis, Simulations
from move37.games.base import Game, State
from move37.search.mcts import UCT


class MCTSAgent(Agent):
    """UCT with random rollouts.

    sims: simulations per move (1000 by default; None with ms = as many as time allows; at most
    10^6, 10^5 from the web server); c: UCB1 exploration constant; ms: time per move in milliseconds
    (at most an hour, 10 s from the web server; with sims, whichever ends first); seed: rollout randomness;
    compiled: the game's compiled UCT where it has one (Connect Four), else the Python loop.
    """

    default_budget = {"sims": 1000}

    def __init__(self, *, game: Game, sims: Simulations | None = None, c: float = 1.4, ms: Millis | None = None,
                 seed: int = 0, compiled: bool = True):
        self._seed = seed
        if sims is None and ms is None:
            sims = self.default_budget["sims"]
        kernels = None
        if compiled:
            from move37.search.compiled import compiled_for  # Numba: imported only where it may be used

            fast = compiled_for(game)
            kernels = fast.uct if fast is not None else None
        self.search = UCT(game, sims=sims, c=c, ms=ms, seed=seed, kernels=kernels)

    def reset(self, seed: int | None = None) -> None:
        self.search.reset(self._seed if seed is None else seed)

    def _analyse(self, state: State) -> Analysis:
        r = self.search.search(state)
        return Analysis(action=r.action, value=r.value, policy=r.policy, pv=r.pv, nodes=r.simulations)
