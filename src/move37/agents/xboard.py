"""An external xboard (CECP) chess program as an agent: `xboard:fairymax,depth=4`.

Fair-Max and GNU Chess speak the older xboard protocol, not UCI. The agent keeps the
engine in `force` mode and in step with the game: the opponent's move is sent in
coordinate notation (`e2e4`, `e7e8q`), a new game is `new` + `force`, and any other
position is replayed from the start (chess states keep their moves), or sent with
`setboard FEN` when the game began elsewhere and the engine offers that feature (Fairy-Max
does not: then it is an EngineError). Then `go`
makes the engine move for the side to move, and `force` stops it from playing on.

Options: depth (the `sd` limit, default 4; at most 256) or seconds (`st`, whole seconds per
move, used instead when given; at most 3600); timeout: seconds allowed beyond the limit for
an answer (at most 3600). From the web server (with --allow-engines): depth 64, seconds 10,
timeout 20.
"""

from __future__ import annotations

import re

from move37.agents.base import Agent, Analysis
from move37.agents.options import Depth, Seconds, Timeout
from move37.errors import SpecError
from move37.games.base import Game, State
from move37.agents.process import EngineError, EngineProcess, resolve_command
from move37.games.chess import ChessState, action_from_uci, uci_text

_MOVE = re.compile(r"^(?:move\s+(\S+)|\d+\.\s*\.\.\.\s*(\S+))$")


class XboardAgent(Agent):
    starts_process = True

    def __init__(self, command: str, /, *, game: Game, depth: Depth = 4, seconds: Seconds | None = None,
                 timeout: Timeout = 30.0):
        if game.info.name != "chess":
            raise SpecError(f"an xboard engine plays chess, not {game.info.name!r}")
        if depth <= 0 or timeout <= 0 or (seconds is not None and seconds <= 0):
            raise SpecError("depth, seconds and timeout must be positive")
        self._game = game
        self._limit = f"st {seconds}" if seconds is not None else f"sd {depth}"
        self._budget = (seconds or 0) + timeout
        self._timeout = timeout
        self._ping = 0
        argv = resolve_command(command, "see docs/protocols.md: apt-get install fairymax")
        self._engine = EngineProcess(argv, name=command)
        self._engine.send("xboard")
        self._engine.send("protover 2")
        features = self._engine.read_until(lambda s: "done=1" in s, timeout)
        self._setboard = any("setboard=1" in line for line in features)
        self._state: State | None = None
        self.reset()

    def _sync_point(self) -> None:
        """Wait until the engine has read every command sent so far."""
        self._ping += 1
        self._engine.send(f"ping {self._ping}")
        self._engine.read_until(lambda s: s.strip() == f"pong {self._ping}", self._timeout)

    def reset(self, seed: int | None = None) -> None:
        for line in ("new", "force", self._limit):
            self._engine.send(line)
        self._sync_point()
        self._state = self._game.initial_state()

    def _sync(self, state: ChessState) -> None:
        here = self._state
        if here is not None and here == state:
            return
        if here is not None and not here.is_terminal():
            for a in here.legal_actions():
                if here.play(int(a)) == state:
                    self._engine.send(uci_text(here, int(a)))
                    self._state = state
                    return
        self.reset()
        if state == self._state:
            return
        start = self._game.initial_state()
        if state.start_fen == self._game.state_to_text(start):
            for move in state.moves():  # replay the game from the start: no setboard needed
                self._engine.send(move.uci())
            self._state = state
            return
        if not self._setboard:
            raise EngineError(f"engine {self._engine.name!r} cannot be given this position (no setboard)")
        self._engine.send(f"setboard {self._game.state_to_text(state)}")
        self._state = state

    def _analyse(self, state: State) -> Analysis:
        self._sync(state)
        self._engine.send("go")

        def answered(line: str) -> bool:
            s = line.strip()
            return bool(_MOVE.match(s)) or s.startswith(("Illegal move", "Error", "resign", "tellusererror"))

        line = self._engine.read_until(answered, self._budget)[-1].strip()
        self._engine.send("force")
        match = _MOVE.match(line)
        if not match:
            raise EngineError(f"engine {self._engine.name!r} answered {line!r}")
        text = match.group(1) or match.group(2)
        try:
            action = action_from_uci(state, text)
        except ValueError as e:
            raise EngineError(f"engine {self._engine.name!r} played {text!r}: {e}") from None
        self._state = state.play(action)
        return Analysis(action=action)

    def close(self) -> None:
        self._engine.close("quit")
