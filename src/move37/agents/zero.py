"""The learned player: `zero:PATH,sims=N,search=gumbel|puct` (a policy-value network plus search).

PATH is a network file (`.safetensors` with its `.json`) or a run folder (its latest
checkpoint); with no PATH, the Connect Four network shipped in `move37/models`.
`sims=0` plays the raw policy (the network's most probable legal move). Search adds no
root noise here, so play is deterministic; `seed` is accepted like every agent's.
"""

from __future__ import annotations

from pathlib import Path
from typing import Literal

import numpy as np

from move37.agents.base import Agent, Analysis
from move37.errors import SpecError
from move37.games.base import Game, State
from move37.search._tree import compact
from move37.search._tree_search import BatchedSearch, Evaluate, SearchConfig

MODELS = Path(__file__).resolve().parent.parent / "models"


def resolve_network(path: str, game: Game) -> Path:
    """The weights file that PATH names: a file, a run folder (latest checkpoint) or the shipped one."""
    if not path:
        shipped = MODELS / f"{game.info.name}.safetensors"
        if not shipped.is_file():
            raise SpecError(f"no shipped {game.info.name} network; give one as zero:PATH")
        return shipped
    p = Path(path)
    if p.is_dir():
        from move37.train.checkpoint import latest_checkpoint

        ckpt = latest_checkpoint(p)
        if ckpt is None:
            raise SpecError(f"{p}: run folder has no checkpoint yet")
        return ckpt / "weights.safetensors"
    if not p.is_file():
        raise SpecError(f"{p}: no such network file or run folder")
    return p


class ZeroAgent(Agent):
    """A network-guided searcher. Use `ZeroAgent.from_evaluate` to wrap a network held in memory."""

    def __init__(self, path: str = "", /, *, game: Game, sims: int = 64, search: Literal["gumbel", "puct"] = "gumbel",
                 seed: int = 0):
        from move37.nets import evaluator, load_net

        if sims < 0:
            raise SpecError("zero: sims must be >= 0")
        net = load_net(resolve_network(path, game), game.info.name, info=game.info)
        self._setup(game, evaluator(net), sims, SearchConfig(algorithm=search), seed)

    @classmethod
    def from_evaluate(cls, game: Game, evaluate: Evaluate, sims: int, config: SearchConfig, seed: int = 0) -> "ZeroAgent":
        agent = cls.__new__(cls)
        agent._setup(game, evaluate, sims, config, seed)
        return agent

    def _setup(self, game: Game, evaluate: Evaluate, sims: int, config: SearchConfig, seed: int) -> None:
        self.game, self.sims, self._seed = game, sims, seed
        self.search = BatchedSearch(game, evaluate, config, 1, max(sims, 1), compiled=False)  # keeps node states
        self.rng = np.random.default_rng(seed)

    def reset(self, seed: int | None = None) -> None:
        self.rng = np.random.default_rng(self._seed if seed is None else seed)
        self.search.set_root(0, None)

    def _reuse(self, state: State) -> bool:
        """Move the root to `state` when it is a grandchild of the last root (PUCT tree reuse)."""
        t, store = self.search.tree, self.search.store
        if not self.search.config.reuse or self.search.config.algorithm != "puct" or not hasattr(store, "states"):
            return False
        for c in t.children[0, 0]:
            for gc in t.children[0, c] if c >= 0 else ():
                if gc >= 0 and store.states[0][gc] == state and t.visits[0, gc] + self.sims + 1 < t.capacity:
                    store.remap(0, compact(*t.arrays(), 0, gc))
                    return True
        return False

    def analyse(self, state: State) -> Analysis:
        if not self._reuse(state):
            self.search.set_root(0, state)
        out = self.search.run(self.sims, self.rng, explore=False)
        if self.sims == 0:
            prior = self.search.tree.prior[0, 0]
            action = int(np.argmax(np.where(state.legal_mask(), prior, -1.0)))
            return Analysis(action=action, value=float(self.search.tree.raw_value[0, 0]), policy=prior.copy(), pv=(action,))
        action = int(out.action[0])
        return Analysis(action=action, value=float(out.value[0]), policy=out.policy[0].copy(), pv=(action,),
                        nodes=self.sims)
