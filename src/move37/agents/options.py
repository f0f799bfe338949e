"""The bounded number options agents share: what `sims`, `ms`, `depth` ... may be set to.

Each is an annotation carrying a `move37.spec.Bound`, so the spec layer refuses a value
beyond it with a LimitError before the agent is built. Two tops (docs/protocols.md has the
table): `high` for everyone, the command line included, chosen so that the memory and time
asked for are ones a machine can pay; `outside` for specs that arrive from outside (the web
server), chosen so that one request stays within seconds and megabytes. A GUI's limits
(UCI `go`, GTP clocks) are clamped into `high` (move37.agents.budget).
"""

from __future__ import annotations

from typing import Annotated

from move37.spec import Bound

#: the most time a move may be given by a spec from outside; the web server gives it to agents whose
#: spec sets none, and its deadline is a multiple of it
OUTSIDE_MOVE_MS = 10_000
#: milliseconds per move: an hour; OUTSIDE_MOVE_MS from outside
Millis = Annotated[int, Bound(1, 3_600_000, outside=OUTSIDE_MOVE_MS)]
#: simulations per move: 10^6 (a zero tree of ~1.2 GB on Connect Four, bench/option_bounds_memory.py);
#: 10^5 (~125 MB) from outside
Simulations = Annotated[int, Bound(0, 1_000_000, outside=100_000)]
#: search depth in plies: 256 keeps a recursive search inside Python's recursion limit; 64 from outside
Depth = Annotated[int, Bound(1, 256, outside=64)]
#: transposition-table slots: 2^24 (~2.3 GB when full of Python tuples, bench/option_bounds_memory.py);
#: 2^20 (the default, ~150 MB) from outside
TableSlots = Annotated[int, Bound(0, 1 << 24, outside=1 << 20)]
#: whole seconds per move for an external engine: an hour; 10 s from outside
Seconds = Annotated[int, Bound(1, 3600, outside=10)]
#: seconds an external engine may take to answer beyond its search limit: an hour; 20 s from outside
Timeout = Annotated[float, Bound(0.001, 3600, outside=20)]
#: nodes per move for an external engine: 10^12; 10^7 (seconds for Stockfish) from outside
Nodes = Annotated[int, Bound(1, 10**12, outside=10_000_000)]
#: an external engine's threads: 1024; 2 from outside
Threads = Annotated[int, Bound(1, 1024, outside=2)]
#: an external engine's hash table in MB: 64 GB; 256 MB from outside
HashMb = Annotated[int, Bound(1, 65_536, outside=256)]
