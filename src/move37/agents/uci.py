"""An external UCI chess program as an agent: `uci:stockfish,skill=0,movetime=100`.

The program is started once (argv split with shlex, no shell; Debian's /usr/games is
searched too) and asked for each move with `position fen ...` and `go`. Options:
skill: Stockfish's "Skill Level" (0..20); elo: UCI_LimitStrength + UCI_Elo; movetime:
milliseconds per move (the default limit); depth / nodes: search limits instead of the
time; threads, hash: the usual engine options (1 thread by default, so matches on a
small machine stay fair); timeout: seconds allowed beyond the search limit before the
engine is told to stop and then declared hung. Bounds (move37.agents.options): movetime an
hour, depth 256, nodes 10^12, threads 1024, hash 64 GB, timeout an hour; from the web
server (with --allow-engines) 10 s, 64, 10^7, 2, 256 MB and 20 s.

The last `info ... score ... pv ...` line becomes the Analysis: value from centipawns by
the inverse of Lc0's mapping (v = atan(cp / 90) / 1.5637541897, so the UCI engine and
this agent agree), +1/-1 for a mate score, the PV as actions.
"""

from __future__ import annotations

import math

from move37.agents.base import Agent, Analysis
from move37.agents.options import Depth, HashMb, Millis, Nodes, Threads, Timeout
from move37.errors import SpecError
from move37.games.base import Game, State
from move37.agents.process import EngineError, EngineProcess, resolve_command
from move37.games.chess import ChessState, action_from_uci


class UciAgent(Agent):
    starts_process = True

    def __init__(self, command: str, /, *, game: Game, skill: int | None = None, elo: int | None = None,
                 movetime: Millis = 100, depth: Depth | None = None, nodes: Nodes | None = None,
                 threads: Threads = 1, hash: HashMb = 16,  # noqa: A002 (the UCI option's name)
                 timeout: Timeout = 30.0):
        if game.info.name != "chess":
            raise SpecError(f"a UCI engine plays chess, not {game.info.name!r}")
        if movetime <= 0 or timeout <= 0 or (depth is not None and depth <= 0) or (nodes is not None and nodes <= 0):
            raise SpecError("movetime, depth, nodes and timeout must be positive")
        self._game = game
        self._timeout = timeout
        if depth is not None:
            self._go, self._budget = f"go depth {depth}", timeout
        elif nodes is not None:
            self._go, self._budget = f"go nodes {nodes}", timeout
        else:
            self._go, self._budget = f"go movetime {movetime}", movetime / 1000 + timeout
        argv = resolve_command(command, "see docs/protocols.md: apt-get install stockfish")
        self._engine = EngineProcess(argv, name=command)
        self._engine.send("uci")
        lines = self._engine.read_until(lambda s: s.strip() == "uciok", timeout)
        options = {line.split(" type ")[0][len("option name "):].strip().lower()
                   for line in lines if line.startswith("option name ") and " type " in line}
        wanted = {"threads": threads, "hash": hash}
        if skill is not None:
            wanted["skill level"] = skill
        if elo is not None:
            wanted |= {"uci_limitstrength": "true", "uci_elo": elo}
        for name, value in wanted.items():
            if name in options:
                self._engine.send(f"setoption name {name} value {value}")
            elif name not in ("threads", "hash"):
                self._engine.close()
                raise SpecError(f"engine {command!r} has no option {name!r}")
        self.reset()

    def _ready(self) -> None:
        self._engine.send("isready")
        self._engine.read_until(lambda s: s.strip() == "readyok", self._timeout)

    def reset(self, seed: int | None = None) -> None:
        self._engine.send("ucinewgame")
        self._ready()

    def _analyse(self, state: State) -> Analysis:
        self._engine.send(position_command(self._game, state))
        self._engine.send(self._go)
        try:
            lines = self._engine.read_until(lambda s: s.startswith("bestmove"), self._budget)
        except EngineError:
            self._engine.send("stop")  # over time: ask for the move found so far
            lines = self._engine.read_until(lambda s: s.startswith("bestmove"), 5.0)
        words = lines[-1].split()
        if len(words) < 2 or words[1] in ("0000", "(none)"):
            raise EngineError(f"engine {self._engine.name!r} has no move in {self._game.state_to_text(state)!r}")
        try:
            action = action_from_uci(state, words[1])
        except ValueError as e:
            raise EngineError(f"engine {self._engine.name!r} played {words[1]!r}: {e}") from None
        info = [line for line in lines if line.startswith("info") and " pv " in line]
        return _analysis(state, action, info[-1] if info else "")

    def close(self) -> None:
        self._engine.close("quit")


def position_command(game: Game, state: ChessState) -> str:
    """`position fen START moves ...` when moves were played since the start (so the engine sees
    repetitions), else the FEN."""
    moves = state.moves()
    if moves:
        return f"position fen {state.start_fen} moves " + " ".join(m.uci() for m in moves)
    return f"position fen {game.state_to_text(state)}"


def _analysis(state: State, action: int, info: str) -> Analysis:
    """The Analysis of `action` from the engine's last `info` line."""
    words = info.split()
    value, depth, nodes = None, 0, 0
    for key, conv in (("depth", int), ("nodes", int)):
        if key in words and words.index(key) + 1 < len(words):
            try:
                n = conv(words[words.index(key) + 1])
            except ValueError:
                continue
            depth, nodes = (n, nodes) if key == "depth" else (depth, n)
    if "score" in words:
        i = words.index("score")
        try:
            kind, x = words[i + 1], int(words[i + 2])
            value = (1.0 if x > 0 else -1.0) if kind == "mate" else math.atan(x / 90) / 1.5637541897
        except (IndexError, ValueError):
            value = None
    pv, s = [], state
    if "pv" in words:
        for text in words[words.index("pv") + 1:]:
            try:
                a = action_from_uci(s, text)
            except ValueError:
                break
            pv.append(a)
            s = s.play(a)
            if s.is_terminal():
                break
    if not pv or pv[0] != action:
        pv = [action]
    return Analysis(action=action, value=value, pv=tuple(pv), nodes=nodes, depth=depth)
