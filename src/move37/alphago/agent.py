"""The AlphaGo player: `alphago:RUN,sims=N,ms=T,prior=sl|rl` (PUCT with a policy prior and a value network).

RUN is an `move37 alphago` run folder. The search is the project's batched PUCT (the zero player's, so
budgets and timing behave alike: move37.agents.zero), with the supervised policy's probabilities as priors
(`prior=sl`, what the paper found best in search: it keeps a human-like spread of moves, where the RL policy
has narrowed onto one) and the value network's output as leaf values, undiscounted as it was trained.
The paper's mix with fast rollouts (leaf value (1 - lambda) v + lambda z) is not built: the batched search
hands evaluators observations, not states to roll out from.
"""

from __future__ import annotations

from pathlib import Path
from typing import Literal

import numpy as np

from move37.agents.options import Millis, Simulations
from move37.agents.zero import ZeroAgent
from move37.errors import SpecError
from move37.games.base import Game
from move37.search.batched import Evaluate, SearchConfig


def alphago_evaluate(run: str | Path, game: Game, prior: str = "sl") -> Evaluate:
    """evaluate(obs, mask) -> (the prior network's probabilities (K, A), the value network's values (K,))."""
    from move37.alphago.pipeline import RL_FILE, SL_FILE, VALUE_FILE
    from move37.nets import evaluator, load_net

    run = Path(run)
    files = {"sl": run / SL_FILE, "rl": run / RL_FILE}
    for path in (files[prior], run / VALUE_FILE):
        if not path.is_file():
            raise SpecError(f"alphago: {path} missing (run `move37 alphago` to the value stage first)")
    policy = evaluator(load_net(files[prior], game.info.name, info=game.info))
    value = evaluator(load_net(run / VALUE_FILE, game.info.name, info=game.info))

    def evaluate(obs: np.ndarray, mask: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        return policy(obs, mask)[0], value(obs, mask)[1]

    return evaluate


class AlphaGoAgent(ZeroAgent):
    """The zero player's search with AlphaGo's networks; sims=0 plays the prior's top move."""

    def __init__(self, path: str = "", /, *, game: Game, sims: Simulations | None = None, ms: Millis | None = None,
                 prior: Literal["sl", "rl"] = "sl", seed: int = 0):
        if not path:
            raise SpecError("alphago: give the run folder, e.g. alphago:runs/ag")
        if sims is not None and sims < 0:
            raise SpecError("alphago: sims must be >= 0")
        self._setup(game, alphago_evaluate(path, game, prior), sims, SearchConfig(algorithm="puct", discount=1.0),
                    seed, ms)
