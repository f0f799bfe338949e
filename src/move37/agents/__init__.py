"""Agent registry: `make("alphabeta:depth=8", game)` builds any player from its spec.

Each entry is "module:factory"; the factory takes `game=` plus the spec's options
as typed keyword arguments (see move37.spec), so options are checked by name and
type. Adding a player is one module plus one line here.
"""

from __future__ import annotations

import inspect

from move37.agents.base import Agent, Analysis
from move37.games.base import Game
from move37.registry import Registry
from move37.spec import call_with_spec, parse_spec

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
})


def names() -> list[str]:
    """Registered agent names, sorted."""
    return AGENTS.names()


def _factory(name: str):
    return AGENTS.load(name)


def option_names(name: str) -> set[str]:
    """The keyword options an agent's spec accepts (e.g. {"sims", "c", "ms", "seed"} for mcts)."""
    params = inspect.signature(_factory(name)).parameters.values()
    return {p.name for p in params if p.kind is p.KEYWORD_ONLY or p.kind is p.POSITIONAL_OR_KEYWORD} - {"game"}


def make(spec: str, game: Game) -> Agent:
    """Build the agent named by `spec` for `game`; UnknownNameError/SpecError on bad specs."""
    parsed = parse_spec(spec)
    agent = call_with_spec(_factory(parsed.name), parsed, "agent", game=game)
    agent.spec = spec
    return agent


__all__ = ["Agent", "Analysis", "make", "names", "option_names"]
