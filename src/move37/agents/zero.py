"""The learned player: `zero:PATH,sims=N,ms=T,search=gumbel|puct` (a policy-value network plus search).

PATH is a network file (`.safetensors` with its `.json`) or a run folder (its latest
checkpoint); with no PATH, the Connect Four network shipped in `move37/models`.
`sims=0` plays the raw policy (the network's most probable legal move). The search discounts
backed-up values per move as the network's training did (`search.discount`, recorded in its
`.json`). Search adds no root noise here, so play is deterministic at a fixed `sims`;
`seed` is accepted like every agent's.

Time budget (`ms`): the search thinks about `ms` milliseconds per move, so the player can
meet alpha-beta at equal time and a UCI/GTP clock (agents/budget.py) reaches it. PUCT
runs in chunks of simulations until the deadline. Gumbel's sequential halving needs its
simulation count up front, so it is set from the simulation rate of this agent's earlier
searches (a moving average, started by a small calibration search when the agent is made):
count = rate x time left. Simulations get much cheaper near the end of a game (terminal
nodes cost no evaluation), so a move plans at most GROWTH times the previous move's count,
and a new game (`reset`) starts again from the rate of the last game's first move. Given
both, `sims` caps the count and `ms` the time, whichever ends the search first (as with
`mcts:sims=N,ms=T` and UCI's `go nodes N movetime T`); `sims` alone is a fixed count (1024
when neither is given). Bounds (move37.agents.options): sims at most 10^6 and ms an hour; from
the web server 10^5 and 10 s. Gumbel cannot stop a search once planned, so a sudden load on
the machine can make a move overrun `ms`; PUCT stops within one chunk of the deadline.
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import Literal

import numpy as np

from move37.agents.base import Agent, Analysis
from move37.agents.options import Millis, Simulations
from move37.errors import SpecError
from move37.games.base import Game, State
from move37.search.batched import BatchedSearch, Evaluate, SearchConfig, SearchOutput

MODELS = Path(__file__).resolve().parent.parent / "models"
DEFAULT_SIMS = 1024  # the shipped Connect Four network gains up to 1024 and no further: docs/results/zero.md
#: simulations of the calibration search that gives a timed agent its first rate
CALIBRATION_SIMS = 16
#: share of the time left that a Gumbel count or a PUCT chunk is planned to fill (rate estimates err)
PLAN_SHARE = 0.85
#: weight of the newest measurement in the simulation-rate average
RATE_WEIGHT = 0.5
#: most a move's planned count may grow over the previous move's (rates jump near the end of a game)
GROWTH = 2
#: most bytes a timed search's tree may take (it grows with the simulation count: ~9 bytes per action per node)
MAX_TREE_BYTES = 1 << 29


def resolve_network(path: str, game: Game) -> Path:
    """The weights file that PATH names: a file, a run folder (latest checkpoint) or the shipped one."""
    if not path:
        shipped = MODELS / f"{game.info.name}.safetensors"
        if not shipped.is_file():
            raise SpecError(f"no shipped {game.info.name} network; give one as zero:PATH")
        return shipped
    from move37.runs import weights_file

    return weights_file(path, "network")


def play_config(weights: Path, algorithm: Literal["gumbel", "puct"] = "gumbel") -> SearchConfig:
    """The search the zero player runs with `weights`: `algorithm` at the root, and the discount the
    network was trained with (recorded beside its weights), since its values already shrink with the
    moves to the end."""
    from move37.nets.io import read_meta

    return SearchConfig(algorithm=algorithm, discount=read_meta(weights)["search"]["discount"])


class ZeroAgent(Agent):
    """A network-guided searcher. Use `ZeroAgent.from_evaluate` to wrap a network held in memory."""

    default_budget = {"sims": DEFAULT_SIMS}

    def __init__(self, path: str = "", /, *, game: Game, sims: Simulations | None = None, ms: Millis | None = None,
                 search: Literal["gumbel", "puct"] = "gumbel", seed: int = 0):
        from move37.nets import evaluator, load_net

        if sims is not None and sims < 0:
            raise SpecError("zero: sims must be >= 0")
        if ms is not None and ms < 1:
            raise SpecError("zero: ms must be >= 1")
        weights = resolve_network(path, game)
        net = load_net(weights, game.info.name, info=game.info)
        self._setup(game, evaluator(net), sims, play_config(weights, search), seed, ms)

    @classmethod
    def from_evaluate(cls, game: Game, evaluate: Evaluate, sims: int | None, config: SearchConfig, seed: int = 0,
                      ms: int | None = None) -> "ZeroAgent":
        agent = cls.__new__(cls)
        agent._setup(game, evaluate, sims, config, seed, ms)
        return agent

    def _setup(self, game: Game, evaluate: Evaluate, sims: int | None, config: SearchConfig, seed: int,
               ms: int | None) -> None:
        self.game, self.evaluate, self.config, self._seed, self.ms = game, evaluate, config, seed, ms
        self.sims = DEFAULT_SIMS if sims is None and ms is None else sims  # None: as many as `ms` allows
        self.rate = 0.0  # simulations per second of the timed searches so far (set by `_calibrate`)
        self._opening_rate = 0.0  # the rate of the last game's first move: where the next game starts
        self._last = 0  # simulations of the previous timed move of this game (0: none yet)
        per_node = 9 * game.info.num_actions + 32
        self._most_sims = max(CALIBRATION_SIMS, MAX_TREE_BYTES // (2 * per_node))
        if self.sims is not None:
            self._most_sims = min(self._most_sims, max(self.sims, 1))
        self._build(max(self.sims, 1) if ms is None else min(self._most_sims, 256))
        self.rng = np.random.default_rng(seed)
        if ms is not None:
            self._calibrate()

    def _calibrate(self) -> None:
        """A first rate from a small search of the initial position, after a one-simulation search that
        compiles and loads everything, so the first move's clock measures search only."""
        start_state = self.game.initial_state()
        for sims in (1, min(CALIBRATION_SIMS, self._most_sims)):
            self.search.set_root(0, start_state)
            start = time.perf_counter()
            self.search.run(sims)
        self.rate = self._opening_rate = sims / max(time.perf_counter() - start, 1e-6)
        self.search.set_root(0, None)

    def _build(self, max_sims: int) -> None:
        # State objects per node (PUCT reuse finds the new root among them); Gumbel rounds in one call each
        self.search = BatchedSearch(self.game, self.evaluate, self.config, 1, max_sims, rounds=True)

    def reset(self, seed: int | None = None) -> None:
        self.rng = np.random.default_rng(self._seed if seed is None else seed)
        self.search.set_root(0, None)
        self.rate, self._last = self._opening_rate, 0

    def _analyse(self, state: State) -> Analysis:
        if self.sims == 0:
            self.search.set_root(0, state)
            out = self.search.run(0)
            action = int(out.prior_action()[0])
            return Analysis(action=action, value=float(out.raw_value[0]), policy=out.prior[0], pv=(action,))
        if self.ms is None:
            if not self.search.reroot(0, state, self.sims):
                self.search.set_root(0, state)
            out, done = self.search.run(self.sims, self.rng, explore=False), self.sims
        elif self.config.algorithm == "gumbel":
            out, done = self._timed_gumbel(state, time.perf_counter() + self.ms / 1000)
        else:
            out, done = self._timed_puct(state, time.perf_counter() + self.ms / 1000)
        action = int(out.action[0])
        return Analysis(action=action, value=float(out.value[0]), policy=out.policy[0].copy(), pv=(action,), nodes=done)

    # Timed search.

    def _observe(self, sims: int, seconds: float) -> None:
        """Fold one move's simulations per second into the rate average."""
        rate = sims / max(seconds, 1e-6)
        if not self._last:
            self._opening_rate = rate
        self.rate = (1 - RATE_WEIGHT) * self.rate + RATE_WEIGHT * rate
        self._last = sims

    def _cap(self, budget: int) -> int:
        """The most simulations this move may plan: `budget`, and GROWTH x the previous move's."""
        return min(budget, GROWTH * self._last) if self._last else budget

    def _planned(self, rate: float, deadline: float, cap: int) -> int:
        """Simulations that fit in the time left at `rate` (at least 1, at most `cap`)."""
        left = max(deadline - time.perf_counter(), 0.0)
        return int(max(1, min(rate * left * PLAN_SHARE, cap)))

    def _fit(self, sims: int) -> None:
        """Make room for `sims` simulations (a bigger tree; the old one is dropped)."""
        if sims > self.search.max_sims:
            self._build(min(max(sims, 2 * self.search.max_sims), self._most_sims))

    def _timed_gumbel(self, state: State, deadline: float) -> tuple[SearchOutput, int]:
        """One sequential-halving search of as many simulations as the rate says fit in the time left."""
        planned = self._planned(self.rate, deadline, self._cap(self._most_sims))
        self._fit(planned)
        self.search.set_root(0, state)
        start = time.perf_counter()
        out = self.search.run(planned, self.rng, explore=False)
        self._observe(planned, time.perf_counter() - start)
        return out, planned

    def _timed_puct(self, state: State, deadline: float) -> tuple[SearchOutput, int]:
        """PUCT simulations in chunks until the deadline, on the reused tree when it has room for the
        first chunk (planned from the rate); later chunks are planned from this move's own rate."""
        budget = self._most_sims  # total for the move: `sims` when given, else the tree's limit
        planned = self._planned(self.rate, deadline, self._cap(budget))
        self._fit(planned)
        if not self.search.reroot(0, state, planned):
            self.search.set_root(0, state)
        start = time.perf_counter()
        out, done = self.search.run(planned, self.rng, explore=False), planned
        while done < budget and time.perf_counter() < deadline:
            room = min(self.search.room(0), budget - done)
            chunk = min(self._planned(done / (time.perf_counter() - start), deadline, budget), room)
            if chunk < 1:
                break
            out = self.search.run(chunk, self.rng, explore=False)
            done += chunk
        self._observe(done, time.perf_counter() - start)
        return out, done
