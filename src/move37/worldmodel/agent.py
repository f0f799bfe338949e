"""The learned-model player: `muzero:DIR,sims=N` plans inside the world model a MuZero run learned.

DIR is a MuZero run folder (its latest checkpoint) or a weights file from one. The search is the
project's batched Gumbel search over latent states (move37.worldmodel.store), with the run's
discount; no root noise, so play is deterministic at a fixed `sims` (`seed` is accepted like every
agent's). `sims=0` plays the raw policy. It lives here rather than in move37.agents, which the world
model's evaluation reaches through the arena: the registry names it without importing it.
"""

from __future__ import annotations

import numpy as np

from move37.agents.base import Agent, Analysis
from move37.agents.options import Simulations
from move37.errors import SpecError
from move37.games.base import Game, State
from move37.runs import weights_file
from move37.search import SearchConfig
from move37.worldmodel.checkpoint import load_net
from move37.worldmodel.model import LatentModel
from move37.worldmodel.play import make_search

DEFAULT_SIMS = 32


class MuZeroAgent(Agent):
    default_budget = {"sims": DEFAULT_SIMS}

    def __init__(self, path: str, /, *, game: Game, sims: Simulations | None = None, seed: int = 0):

        weights = weights_file(path, "MuZero weights")
        net, meta = load_net(weights)
        if meta.get("game") != game.info.name:
            raise SpecError(f"{weights}: a model of {meta.get('game')!r}, not of {game.info.name!r}")
        self.sims = DEFAULT_SIMS if sims is None else sims
        if self.sims < 0:
            raise SpecError("muzero: sims must be >= 0")
        discount = float(meta.get("discount", game.info.discount))
        self.search = make_search(game, LatentModel(net), SearchConfig(discount=discount), 1, self.sims)
        self.rng = np.random.default_rng(seed)

    def _analyse(self, state: State) -> Analysis:
        self.search.set_root(0, state)
        out = self.search.run(self.sims, self.rng, explore=False)
        action = int(out.prior_action()[0] if self.sims == 0 else out.action[0])
        value = float(out.raw_value[0] if self.sims == 0 else out.value[0])
        return Analysis(action=action, value=value, policy=out.policy[0].copy(), pv=(action,), nodes=self.sims)
