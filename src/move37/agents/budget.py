"""Fitting an agent to a protocol's limits for one move.

GUIs give per-move limits (UCI `go movetime/wtime/btime/winc/binc/movestogo/depth/nodes`);
a move37 agent's budget lives in its spec (`ms`, `depth`, `sims`). `budgeted_spec`
rewrites the spec so the agent searches within the limits, through the options its
factory declares only: an agent without a time option keeps its own budget, and the
protocol says so in an info line.
"""

from __future__ import annotations

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


def budgeted_spec(spec: str, *, ms: int | None = None, depth: int | None = None,
                  nodes: int | None = None) -> tuple[str, list[str]]:
    """(the spec with the limits applied, the limits the agent cannot take).

    A time limit replaces the spec's fixed `sims`/`depth` budget (unless the GUI also set
    depth or nodes); `nodes` maps onto simulations (`sims`).
    """
    parsed = parse_spec(spec)
    accepted = agents.option_names(parsed.name)
    options = dict(parsed.options)
    unmet = []
    wanted = {"ms": ms, "depth": depth, "sims": nodes}
    if ms is not None and "ms" in accepted:
        for fixed in ("sims", "depth"):
            if wanted[fixed] is None:
                options.pop(fixed, None)
    for key, value in wanted.items():
        if value is None:
            continue
        if key in accepted:
            options[key] = str(value)
        else:
            unmet.append("nodes" if key == "sims" else "movetime" if key == "ms" else key)
    if options == parsed.options:
        return spec, unmet
    items = [_quoted(a) for a in parsed.args]
    items += [f"{k}={v}" for k, v in options.items()]
    return f"{parsed.name}:{','.join(items)}", unmet
