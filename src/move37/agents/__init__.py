"""Agent registry: `make("alphabeta:depth=8", game)` builds any player from its spec.

Each entry is "module:factory"; the factory takes `game=` plus the spec's options
as typed keyword arguments (see move37.spec), so options are checked by name, type
and bound (move37.agents.options). Adding a player is one module plus one line here.

Specs from outside (a web request, a GUI's `setoption`) are built with `outside=True`:
their options meet the tighter outside bounds, and agents are admitted by what they can
do, read from the factory's `starts_process` / `reads_terminal` flags (move37.agents.base)
before anything is built, so a new engine kind is refused without being named here.
"""

from __future__ import annotations

import inspect

from move37.agents.base import Agent, Analysis
from move37.errors import AgentRefusedError
from move37.games.base import Game
from move37.registry import Registry
from move37.spec import Bound, call_with_spec, option_bounds, parse_spec

AGENTS = Registry("agent", {
    "random": "move37.agents.random:RandomAgent",
    "human": "move37.agents.human:HumanAgent",
    "solver": "move37.agents.solver:SolverAgent",
    "gtp": "move37.agents.gtp:GtpAgent",
    "uci": "move37.agents.uci:UciAgent",
    "xboard": "move37.agents.xboard:XboardAgent",
    "alphabeta": "move37.agents.alphabeta:AlphaBetaAgent",
    "mcts": "move37.agents.mcts:MCTSAgent",
    "zero": "move37.agents.zero:ZeroAgent",
    "muzero": "move37.worldmodel.agent:MuZeroAgent",
    "humanlike": "move37.agents.humanlike:HumanlikeAgent",
    "alphago": "move37.alphago.agent:AlphaGoAgent",
})


def names() -> list[str]:
    """Registered agent names, sorted."""
    return AGENTS.names()


def _factory(name: str) -> type[Agent]:
    """The Agent class registered as `name`; its capabilities are the ClassVars `Agent` declares."""
    return AGENTS.load(name)


def option_names(name: str) -> set[str]:
    """The keyword options an agent's spec accepts (e.g. {"sims", "c", "ms", "seed"} for mcts)."""
    params = inspect.signature(_factory(name)).parameters.values()
    return {p.name for p in params if p.kind is p.KEYWORD_ONLY or p.kind is p.POSITIONAL_OR_KEYWORD} - {"game"}


def bounds(name: str) -> dict[str, Bound]:
    """The bounded options of an agent, by option name (e.g. {"sims": ..., "ms": ...} for mcts)."""
    return option_bounds(_factory(name))


def starts_process(name: str) -> bool:
    """Whether building the agent `name` starts another program (gtp, uci, xboard, ...)."""
    return _factory(name).starts_process


def default_budget(name: str) -> dict[str, int]:
    """The fixed budget an agent searches with when its spec sets none (e.g. {"sims": 1000} for mcts)."""
    return dict(_factory(name).default_budget)


def refusal(name: str, *, outside: bool = False, engines: bool | None = None) -> str | None:
    """Why the agent `name` may not be built for this caller (see `make`), or None when it may."""
    if engines is None:
        engines = not outside
    if not engines and starts_process(name):
        return f"agent {name!r} starts a program; the operator must allow engines (--allow-engines)"
    if outside and _factory(name).reads_terminal:
        return f"agent {name!r} reads this machine's terminal, which a remote caller does not own"
    return None


def make(spec: str, game: Game, *, outside: bool = False, engines: bool | None = None) -> Agent:
    """Build the agent named by `spec` for `game`; UnknownNameError/SpecError on bad specs.

    outside: the spec arrived from outside: LimitError beyond an option's outside bound, and
    AgentRefusedError for an agent that reads the terminal. engines: whether an agent that starts
    a program may be built (default: only when not outside); AgentRefusedError otherwise, before
    anything is started.
    """
    parsed = parse_spec(spec)
    why = refusal(parsed.name, outside=outside, engines=engines)
    if why:
        raise AgentRefusedError(why)
    agent = call_with_spec(_factory(parsed.name), parsed, "agent", outside=outside, game=game)
    agent.spec = spec
    return agent


__all__ = ["Agent", "Analysis", "bounds", "default_budget", "make", "names", "option_names", "refusal",
           "starts_process"]
