"""An external GTP program as an agent: `gtp:"gnugo --mode gtp --level 1"`.

The program is started once (argv split with shlex, no shell) and kept in step with
the positions the agent is asked about: the agent remembers the position the engine
is in, and a new position one move later is sent as one `play`; the starting position
is a `clear_board`; any other position is set up stone by stone (GTP allows a colour
to play twice, which is how Go programs take handicap and setup stones). Then
`genmove` asks for the move. Vertices follow `move37.games.boards` (GTP's "A1" is
the bottom-left), so the same agent plays Go and the other grid games. A `resign` is
played as a pass where the game has one (the agent API has no resignation).
"""

from __future__ import annotations

from move37.agents.base import Agent, Analysis
from move37.agents.options import Timeout
from move37.errors import SpecError
from move37.games.base import Game, State
from move37.agents.process import EngineError, EngineProcess, resolve_command
from move37.games import boards
from move37.games.go import Go


class GtpAgent(Agent):
    """command: the program and its arguments; timeout: seconds allowed per command (at most an hour;
    20 s when the spec comes from the web server, which must also be started with --allow-engines)."""

    starts_process = True

    def __init__(self, command: str, /, *, game: Game, timeout: Timeout = 60.0):
        self._game = game
        self._board = boards.board_of(game)
        if self._board.kind == "none":
            raise SpecError(f"a GTP engine needs a game played on a grid; {game.info.name!r} is not one")
        if not timeout > 0:
            raise SpecError("timeout must be positive")
        self._timeout = timeout
        argv = resolve_command(command, "see docs/protocols.md: apt-get install gnugo")
        self._engine = EngineProcess(argv, name=command)
        self._command(f"boardsize {max(self._board.rows, self._board.cols)}")
        if isinstance(game, Go):  # the one game here with komi
            self._command(f"komi {game.komi:g}")
        self._position: State | None = None
        self.reset()

    def _command(self, line: str) -> str:
        """Send one command; its result text, or EngineError on a `?` reply or a timeout."""
        self._engine.send(line)
        lines = self._engine.read_until(lambda s: s[:1] in ("=", "?"), self._timeout)
        reply = [lines[-1]]
        while True:
            line_in = self._engine.read_line(self._timeout)
            if not line_in.strip():
                break
            reply.append(line_in)
        text = "\n".join(reply)
        if text.startswith("?"):
            raise EngineError(f"engine {self._engine.name!r} refused {line!r}: {text[1:].strip()}")
        return text[1:].strip()

    def reset(self, seed: int | None = None) -> None:
        self._command("clear_board")
        self._position = self._game.initial_state()

    def _vertex(self, state: State, action: int) -> str:
        if action == self._board.pass_action:
            return "pass"
        return boards.gtp_vertex(self._board, *boards.action_cell(state, action))

    def _sync(self, state: State) -> None:
        """Bring the engine to `state`: nothing, one `play`, a new board, or a setup."""
        here = self._position
        if here is not None and here == state:
            return
        if here is not None and not here.is_terminal():
            for a in here.legal_actions():
                if here.play(int(a)) == state:
                    self._command(f"play {_COLORS[here.current_player]} {self._vertex(here, int(a))}")
                    self._position = state
                    return
        self.reset()
        if state != self._position:
            stones = boards.stones(state)
            for (r, c), v in zip(((r, c) for r in range(self._board.rows) for c in range(self._board.cols)),
                                 stones.flat):
                if v:
                    self._command(f"play {_COLORS[v - 1]} {boards.gtp_vertex(self._board, r, c)}")
            self._position = state

    def _analyse(self, state: State) -> Analysis:
        self._sync(state)
        reply = self._command(f"genmove {_COLORS[state.current_player]}").lower()
        if reply == "resign" and self._board.pass_action is not None:
            reply = "pass"
        if reply == "pass":
            action = self._board.pass_action
            if action is None:
                raise EngineError(f"engine {self._engine.name!r} passed in a game without passes")
        else:
            try:
                action = boards.cell_action(state, *boards.parse_gtp_vertex(self._board, reply))
            except Exception:
                raise EngineError(f"engine {self._engine.name!r} answered genmove with {reply!r}") from None
        if action is None or not state.legal_mask()[action]:
            raise EngineError(f"engine {self._engine.name!r} played {reply!r}, illegal under move37's rules")
        self._position = state.play(action)
        return Analysis(action=int(action))

    def close(self) -> None:
        self._engine.close("quit")


_COLORS = ("black", "white")
