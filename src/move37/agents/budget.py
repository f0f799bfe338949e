"""Fitting an agent to a protocol's limits for one move.

GUIs give per-move limits (UCI `go movetime/wtime/btime/winc/binc/movestogo/depth/nodes`);
a move37 agent's budget lives in its spec (`ms`, `depth`, `sims`). `budgeted_spec`
rewrites the spec so the agent searches within the limits, through the options its
factory declares only: an agent without a time option keeps its own budget, and the
protocol says so in an info line. A limit beyond the option's bound (`go nodes 10^9`,
a clock of a year) is clamped into it, as engines clamp out-of-range values, rather than
refused: a GUI waits for a move. `server_budget` gives the specs a server runs a
deadline and a bounded count inside the search.
"""

from __future__ import annotations

from typing import NamedTuple

from move37 import agents
from move37.spec import parse_spec

#: moves left assumed when a clock gives no `movestogo`
MOVES_TO_GO = 30


def move_time_ms(limits: dict, white_to_move: bool) -> int | None:
    """Milliseconds to spend on this move: `movetime`, or a share of the mover's clock."""
    if "movetime" in limits:
        return max(1, limits["movetime"])
    left = limits.get("wtime" if white_to_move else "btime")
    if left is None:
        return None
    inc = limits.get("winc" if white_to_move else "binc", 0)
    share = left / max(1, limits.get("movestogo", MOVES_TO_GO)) + 0.75 * inc
    return max(1, int(min(share, 0.5 * left)))


def gtp_move_time_ms(settings: tuple[int, int, int] | None, left: tuple[int, int] | None) -> int | None:
    """Milliseconds for this move from GTP's `time_settings` (main s, byo-yomi s, stones) and
    the mover's last `time_left` (s, stones; stones > 0 means in byo-yomi). None: no limit."""
    if left is not None:
        seconds, stones = left
        share = seconds / stones * 0.8 if stones > 0 else seconds / MOVES_TO_GO
        return max(1, int(1000 * share))
    if settings is None:
        return None
    main, byo, stones = settings
    if byo > 0 and stones == 0:  # GTP's way of saying "no time limit"
        return None
    if main > 0:
        return max(1, int(1000 * main / MOVES_TO_GO))
    return max(1, int(1000 * byo / max(stones, 1) * 0.8))


def _quoted(arg: str) -> str:
    """A positional argument as `parse_spec` reads it back: quoted when it holds a comma or space."""
    if "," not in arg and " " not in arg:
        return arg
    return f"'{arg}'" if '"' in arg else f'"{arg}"'


def _spec_text(name: str, args: tuple[str, ...], options: dict[str, str]) -> str:
    items = [_quoted(a) for a in args] + [f"{k}={v}" for k, v in options.items()]
    return f"{name}:{','.join(items)}" if items else name


class Budget(NamedTuple):
    """A spec fitted to a protocol's limits.

    spec: the spec with the limits applied; unmet: the limits (protocol names: movetime, depth,
    nodes) the agent has no option for; clamped: "name value" of each limit moved into its bound.
    """

    spec: str
    unmet: list[str]
    clamped: list[str]


_PROTOCOL_NAMES = {"ms": "movetime", "depth": "depth", "sims": "nodes"}


def budgeted_spec(spec: str, *, ms: int | None = None, depth: int | None = None,
                  nodes: int | None = None) -> Budget:
    """The spec with the limits applied, each clamped into its option's bound.

    A time limit replaces the spec's fixed `sims`/`depth` budget (unless the GUI also set
    depth or nodes) by the count's top: as many as time allows, within the bound (an hour of
    simulations would otherwise fill memory); `nodes` maps onto simulations (`sims`).
    """
    parsed = parse_spec(spec)
    accepted = agents.option_names(parsed.name)
    bounds = agents.bounds(parsed.name)
    options = dict(parsed.options)
    unmet, clamped = [], []
    wanted = {"ms": ms, "depth": depth, "sims": nodes}
    if ms is not None and "ms" in accepted:
        for fixed in ("sims", "depth"):
            if wanted[fixed] is None:
                options.pop(fixed, None)
    for key, value in wanted.items():
        if value is None:
            continue
        if key not in accepted:
            unmet.append(_PROTOCOL_NAMES[key])
            continue
        if key in bounds and bounds[key].clamp(value) != value:
            value = int(bounds[key].clamp(value))
            clamped.append(f"{_PROTOCOL_NAMES[key]} {value}")
        options[key] = str(value)
    if ms is not None and "ms" in accepted:
        for key in agents.default_budget(parsed.name):
            options.setdefault(key, str(int(bounds[key].high)))
    if options == parsed.options:
        return Budget(spec, unmet, clamped)
    return Budget(_spec_text(parsed.name, parsed.args, options), unmet, clamped)


def server_budget(spec: str, ms: int) -> str:
    """The spec a server runs: a time limit and a bounded count inside the search, for agents that
    take a time (`ms`). Other specs as given.

    No time in the spec: `ms` is added and the agent's default count kept (`mcts` stays 1000
    simulations, now stopped at `ms` too). A count left open ("as many as time allows":
    `mcts:ms=500`, `sims=none`) becomes the count's outside top, since a compiled search fills
    memory at millions of nodes a second.
    """
    parsed = parse_spec(spec)
    if "ms" not in agents.option_names(parsed.name):
        return spec
    budget, bounds = agents.default_budget(parsed.name), agents.bounds(parsed.name)
    options = dict(parsed.options)
    if "ms" not in options:
        if not any(key in options for key in budget):
            options |= {key: str(value) for key, value in budget.items()}
        options["ms"] = str(ms)
    for key in budget:
        if options.get(key, "none").strip().lower() in ("none", ""):
            options[key] = str(int(bounds[key].top(outside=True)))
    return _spec_text(parsed.name, parsed.args, options) if options != parsed.options else spec
