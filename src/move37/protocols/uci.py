"""A UCI engine around any move37 chess agent: `move37 uci --agent SPEC`.

UCI is what chess GUIs (Arena, Cute Chess, BanksiaGUI) and match runners
(cutechess-cli, fastchess) speak. `UciEngine.handle(line)` acts on one input line and
writes replies through `out`; the stdin loop in `serve` and the tests use the same
handler. Following the UCI convention, a line that is unknown or malformed (a bad FEN,
an illegal move, a bad number) is ignored and logged to stderr — never answered, never
fatal.

The search runs in a thread, so `isready`, `stop` and `quit` are answered while it
thinks. `go` limits become the agent's budget for that move through its spec
(`agents.budget`): `movetime` or a share of the clock (`wtime`/`btime`, increments,
`movestogo`) sets `ms`, `depth` sets `depth`, `nodes` sets `sims` — for agents whose
spec has those options (`mcts`, `alphabeta`, `zero` for nodes); a limit an agent cannot
take is named in an `info string` line and the agent keeps its own budget. Limits beyond
the option's bound (move37.agents.options: an hour, 10^6 simulations, depth 256) are
clamped into it and named in an `info string` line, so no `go` can ask for an unbounded
search. `setoption name Agent value SPEC` is a spec from outside: its options meet the
outside bounds, and agents that start programs or read the terminal are refused (programs
are allowed with `move37 uci --allow-engines`), with an `info string` saying why. `stop` cannot
cut a search short inside the agent; with `go infinite` (or `ponder`) the bestmove is held
until `stop`, as the protocol requires.

Info: after each search one `info depth D nodes N time T score cp|mate X pv ...` line.
The score comes from the agent's value v in [-1, 1] via Lc0's mapping
cp = 90 * tan(1.5637541897 * v); a principal variation ending in checkmate is reported as
`score mate N` (moves, negative when the engine is mated).
"""

from __future__ import annotations

import math
import sys
import threading
import time
import traceback
from pathlib import Path
from typing import Callable, TextIO

from move37 import agents, games
from move37.agents.base import Agent, Analysis
from move37.agents.budget import budgeted_spec, move_time_ms
from move37.arena.records import GameRecord, GameRecorder
from move37.errors import Move37Error
from move37.games.base import State
from move37.games.chess import action_from_uci, uci_text

ENGINE_NAME = "move37"
_GO_NUMBERS = ("wtime", "btime", "winc", "binc", "movestogo", "depth", "nodes", "mate", "movetime")


class UciEngine:
    """One UCI session: the agent, the current position, and at most one running search."""

    def __init__(self, agent_spec: str, game_spec: str = "chess", *, out: Callable[[str], None],
                 log: TextIO | None = None, engines: bool = False, record: str | Path | None = None):
        self._out_raw = out
        self._recorder = GameRecorder(record) if record is not None else None  # opt-in: uci --record FILE
        self._moves: list[str] | None = []  # the game's moves from the start (None after a FEN setup)
        self._engine_sides: set[int] = set()  # the sides the engine searched for in this game
        self._out_lock = threading.Lock()
        self._log = log or sys.stderr
        self.game = games.make(game_spec)
        self.agent_spec = agent_spec
        self.engines = engines  # whether `setoption name Agent` may name an agent that starts a program
        self.agent = agents.make(agent_spec, self.game)
        self._budgeted: dict[str, Agent] = {}  # the agent rebuilt for each distinct set of go limits
        self.state: State = self.game.initial_state()
        self.quit = False
        self._search: threading.Thread | None = None
        self._busy = False  # from `go` until the bestmove is written (the thread may still be exiting)
        self._release = threading.Event()  # clear while a bestmove must wait for `stop` (infinite, ponder)
        self._commands: dict[str, Callable[[list[str]], None]] = {
            "uci": self._uci, "debug": lambda a: None, "isready": lambda a: self.out("readyok"),
            "setoption": self._setoption, "register": lambda a: None, "ucinewgame": self._ucinewgame,
            "position": self._position, "go": self._go, "stop": self._stop, "ponderhit": self._ponderhit,
            "quit": self._quit,
        }

    def out(self, line: str) -> None:
        with self._out_lock:
            self._out_raw(line)

    def warn(self, message: str) -> None:
        print(f"move37 uci: {message}", file=self._log, flush=True)

    @property
    def searching(self) -> bool:
        return self._busy

    def handle(self, line: str) -> None:
        """Act on one input line; unknown or malformed lines are logged and ignored."""
        words = line.replace("\x00", " ").split()
        # UCI lets unknown tokens precede a command ("joho debug on"): skip to the first known one.
        while words and words[0] not in self._commands:
            words = words[1:]
        if not words:
            if line.strip():
                self.warn(f"unknown command ignored: {line.strip()[:200]!r}")
            return
        try:
            self._commands[words[0]](words[1:])
        except (Move37Error, ValueError) as e:
            self.warn(f"{words[0]}: {e}; ignored")
        except Exception:  # a bug in an agent must not end the session a GUI holds
            traceback.print_exc(file=self._log)

    def wait(self, timeout: float | None = None) -> None:
        """Block until the running search (if any) has finished: for tests and `quit`."""
        if self._search is not None:
            self._search.join(timeout)

    def close(self) -> None:
        self._release.set()
        self.agent.close()
        for agent in self._budgeted.values():
            agent.close()
        self._budgeted.clear()

    def _agent_for(self, limits: dict, state: State) -> Agent:
        """The agent with this `go`'s limits as its budget (the plain agent when there are none)."""
        ms = move_time_ms(limits, state.current_player == 0)
        spec, unmet, clamped = budgeted_spec(self.agent_spec, ms=ms, depth=limits.get("depth"),
                                             nodes=limits.get("nodes"))
        if unmet:
            self.out(f"info string {', '.join(unmet)} limits are not options of {self.agent_spec}; its own budget applies")
        if clamped:
            self.out(f"info string limits beyond their bounds clamped to {', '.join(clamped)}")
        if spec == self.agent_spec:
            return self.agent
        if spec not in self._budgeted:
            if len(self._budgeted) >= 8:  # clocks tick down: keep a few, not one per move
                self._budgeted.pop(next(iter(self._budgeted))).close()
            self._budgeted[spec] = agents.make(spec, self.game)
        return self._budgeted[spec]

    # Commands.

    def _uci(self, args: list[str]) -> None:
        self.out(f"id name {ENGINE_NAME} ({self.agent_spec})")
        self.out("id author the move37 authors")
        self.out(f"option name Agent type string default {self.agent_spec}")
        self.out("uciok")

    def _setoption(self, args: list[str]) -> None:
        text = " ".join(args)
        if not text.startswith("name ") or " value " not in text:
            raise ValueError(f"expected 'setoption name NAME value VALUE', got {text[:200]!r}")
        name, value = text[5:].split(" value ", 1)
        if name.strip().lower() != "agent":
            raise ValueError(f"unknown option {name.strip()!r}")
        if self.searching:
            raise ValueError("cannot change the agent during a search")
        try:
            agent = agents.make(value.strip(), self.game, outside=True, engines=self.engines)
        except Move37Error as e:  # a refused or bounded spec: say so where the GUI shows the engine's output
            self.out(f"info string Agent {' '.join(str(e).split())}; still {self.agent_spec}")
            raise
        self.agent.close()
        self.agent, self.agent_spec = agent, value.strip()
        for old in self._budgeted.values():
            old.close()
        self._budgeted.clear()

    def _ucinewgame(self, args: list[str]) -> None:
        if not self.searching:
            for agent in (self.agent, *self._budgeted.values()):
                agent.reset()
            self.state = self.game.initial_state()
            self._moves, self._engine_sides = [], set()

    def _position(self, args: list[str]) -> None:
        if not args:
            raise ValueError("position needs startpos or fen")
        if "moves" in args:
            at = args.index("moves")
            setup, moves = args[:at], args[at + 1:]
        else:
            setup, moves = args, []
        if not setup:
            raise ValueError("position needs startpos or fen before moves")
        if setup == ["startpos"]:
            state = self.game.initial_state()
        elif setup[0] == "fen" and len(setup) > 1:
            state = self.game.state_from_text(" ".join(setup[1:]))
        else:
            raise ValueError(f"bad position {' '.join(setup)[:200]!r}")
        for move in moves:
            if state.is_terminal():
                raise ValueError(f"move {move!r} after the game is over")
            state = state.play(action_from_uci(state, move))
        self.state = state
        self._moves = list(moves) if setup == ["startpos"] else None
        self._record_if_over(self.state, self._moves)

    def _go(self, args: list[str]) -> None:
        if self.searching:
            raise ValueError("already searching")
        limits = parse_go(args)
        self.wait()  # the last search thread has written its bestmove; let it exit
        if limits.get("infinite") or limits.get("ponder"):
            self._release.clear()
        else:
            self._release.set()
        state = self.state
        agent = self._agent_for(limits, state)
        self._engine_sides.add(state.current_player)
        self._busy = True
        self._search = threading.Thread(target=self._think, args=(state, agent), daemon=True)
        self._search.start()

    def _stop(self, args: list[str]) -> None:
        self._release.set()

    def _ponderhit(self, args: list[str]) -> None:
        self._release.set()

    def _quit(self, args: list[str]) -> None:
        self.quit = True
        self._release.set()

    # The search thread.

    def _think(self, state: State, agent: Agent) -> None:
        start = time.monotonic()
        if state.is_terminal():
            self.out("info string no legal moves")
            self._bestmove("0000")
            return
        try:
            analysis = agent.analyse(state)
            action = int(analysis.action)
            if not state.legal_mask()[action]:
                raise Move37Error(f"agent chose an illegal action {action}")
        except Exception as e:  # still answer: a GUI waits for a bestmove
            self.warn(f"search failed: {e!r}; playing the first legal move")
            analysis = Analysis(action=int(state.legal_actions()[0]))
        try:
            self.out(info_line(state, analysis, time.monotonic() - start))
        except Exception:  # an odd PV must not cost the bestmove
            traceback.print_exc(file=self._log)
        self._release.wait()
        move = uci_text(state, int(analysis.action))
        if self._moves is not None and state is self.state:
            self._record_if_over(state.play(int(analysis.action)), [*self._moves, move])
        self._bestmove(move)

    def _record_if_over(self, state: State, moves: list[str] | None) -> None:
        """Append a game from the start position that has ended to the --record file (games the engine played in)."""
        if self._recorder is None or moves is None or not state.is_terminal() or not self._engine_sides:
            return
        players = tuple(self.agent_spec if side in self._engine_sides else "uci-opponent" for side in (0, 1))
        self._recorder.record(GameRecord(game=self.game.info.name, players=players, opening="", moves=self.game.join_moves(moves),
                                         result=tuple(float(x) for x in state.returns()), plies=len(moves)))

    def _bestmove(self, move: str) -> None:
        with self._out_lock:  # a `go` read right after this line must find the engine idle
            self._busy = False
            self._out_raw(f"bestmove {move}")


def parse_go(args: list[str]) -> dict:
    """The limits of a `go` command: numbers by name, flags as True; ValueError when malformed."""
    limits: dict = {}
    i = 0
    while i < len(args):
        word = args[i]
        if word in _GO_NUMBERS:
            if i + 1 >= len(args) or not args[i + 1].lstrip("-").isdigit():
                raise ValueError(f"go {word} needs an integer")
            limits[word] = int(args[i + 1])
            i += 2
        elif word in ("infinite", "ponder"):
            limits[word] = True
            i += 1
        elif word == "searchmoves":
            limits["searchmoves"] = args[i + 1:]
            break
        else:
            raise ValueError(f"unknown go parameter {word!r}")
    return limits


def score_words(state: State, analysis: Analysis) -> str:
    """`score cp X` or `score mate N` from the agent's value and principal variation."""
    s, plies = state, 0
    for a in analysis.pv:
        if s.is_terminal() or not s.legal_mask()[a]:
            break
        s = s.play(int(a))
        plies += 1
    if plies and s.is_terminal():
        r = s.returns()[state.current_player]
        if r != 0:
            moves = (plies + 1) // 2
            return f"score mate {moves if r > 0 else -moves}"
    v = analysis.value
    if v is None:
        return ""
    v = max(-0.999, min(0.999, float(v)))
    return f"score cp {round(90 * math.tan(1.5637541897 * v))}"


def info_line(state: State, analysis: Analysis, seconds: float) -> str:
    parts = [f"info depth {max(1, analysis.depth)}", f"nodes {max(0, analysis.nodes)}",
             f"time {round(seconds * 1000)}"]
    score = score_words(state, analysis)
    if score:
        parts.append(score)
    pv, s = [], state
    for a in analysis.pv or (analysis.action,):
        if s.is_terminal() or not s.legal_mask()[a]:
            break
        pv.append(uci_text(s, int(a)))
        s = s.play(int(a))
    if pv:
        parts.append("pv " + " ".join(pv))
    return " ".join(parts)


def serve(engine: UciEngine, stdin: TextIO) -> int:
    """The stdin loop: lines to the handler until `quit`, or end of input (then the running
    search still gets to send its bestmove, as a piped `go` expects)."""
    try:
        for line in stdin:
            engine.handle(line)
            if engine.quit:
                break
        else:
            engine._release.set()
            engine.wait()
    finally:
        engine.close()
    return 0
