"""A GTP 2 engine around any move37 agent: `move37 gtp --agent SPEC [--game go]`.

GTP (the Go Text Protocol, version 2) is what Go GUIs (Sabaki, GoGui, Lizzie) and match
runners (gogui-twogtp) speak. `GtpEngine.handle(line)` answers one command line; the
stdin/stdout loop in `serve` and the tests use the same handler, so the fuzz tests
exercise exactly what a GUI talks to.

Protocol details follow the GTP 2 draft: control characters are dropped, `#` starts a
comment, empty lines are ignored, a leading integer is the command id and is echoed
(`=7 D4`); failures answer `? message` and the engine keeps running. Any error inside
a command — bad syntax, an illegal move, even a bug in an agent — becomes a `?` reply.

Grid games other than Go (tic-tac-toe, Connect Four, Othello) are served through the
same commands: player 0 (X, black in Othello) is GTP's black, vertices follow the GTP
convention ("A1" bottom-left, see `move37.games.boards`), Connect Four accepts any
vertex of a column as a drop in that column and `genmove` answers the landing cell,
and `boardsize` accepts the game's board size (the longer side) or any size its `size`
option allows (Othello 6 or 8). Moves must alternate: `play`/`genmove` for the side not
to move fail with "illegal move", as the game API has no out-of-turn moves.

Bounds: the agent comes from the command line (`--agent`, bounded by move37.agents.options);
what the controller sends is bounded too: a move's share of `time_settings`/`time_left`
is clamped to the agent's `ms` bound (an hour), numbers are at most 9 digits, `loadsgf`
reads at most 1 MB.
"""

from __future__ import annotations

import sys
import traceback
from pathlib import Path
from typing import Callable, TextIO

from move37 import agents, games
from move37.agents.base import Agent
from move37.agents.budget import budgeted_spec, gtp_move_time_ms
from move37.arena.records import GameRecord, GameRecorder
from move37.errors import Move37Error, SpecError
from move37.games.base import Game, State
from move37.games import boards
from move37.spec import parse_spec

PROTOCOL_VERSION = "2"
ENGINE_NAME = "move37"
_CONTROL = {c: None for c in range(32) if c not in (9, 10)} | {127: None}


class GtpError(Exception):
    """A failed command: its message is the text after `?`."""


def clean_line(line: str) -> str:
    """GTP 2 preprocessing: drop control characters and comments, tabs become spaces."""
    line = line.translate(_CONTROL).split("#", 1)[0]
    return line.replace("\t", " ").strip()


class GtpEngine:
    """One GTP session: a game, an agent playing it, and the moves played so far.

    `history[i]` is the state before move `actions[i]`; `state` is the current position.
    """

    def __init__(self, agent_spec: str, game_spec: str = "go", *, log: TextIO | None = None,
                 record: str | Path | None = None):
        self._log = log or sys.stderr
        self._recorder = GameRecorder(record) if record is not None else None  # opt-in: gtp --record FILE
        self._engine_sides: set[int] = set()  # the sides the engine chose moves for in this game
        parsed = parse_spec(game_spec)
        self._game_name = parsed.name
        self._game_options = dict(parsed.options)
        if parsed.args:
            raise SpecError(f"game spec {game_spec!r} takes no positional arguments here")
        self._agent_spec = agent_spec
        self.komi = 0.0
        self.time_settings: tuple[int, int, int] | None = None
        self.time_left: dict[int, tuple[int, int]] = {}
        self.quit = False
        self.agent = None
        self._timed: dict[str, Agent] = {}  # the agent rebuilt with a clock's share as its budget
        self._set_game(games.make(game_spec))
        self._commands: dict[str, Callable[[list[str]], str]] = {
            "protocol_version": lambda a: PROTOCOL_VERSION,
            "name": lambda a: ENGINE_NAME,
            "version": lambda a: _version(),
            "known_command": self._known_command,
            "list_commands": lambda a: "\n".join(sorted(self._commands)),
            "quit": self._quit,
            "boardsize": self._boardsize,
            "clear_board": self._clear_board,
            "komi": self._komi,
            "play": self._play,
            "genmove": self._genmove,
            "undo": self._undo,
            "final_score": self._final_score,
            "showboard": lambda a: "\n" + board_picture(self.state),
            "time_settings": self._time_settings,
            "time_left": self._time_left,
        }
        if self._game_name == "go":
            self._commands["loadsgf"] = self._loadsgf

    # The engine's state.

    def _set_game(self, game: Game) -> None:
        board = boards.board_of(game)
        if board.kind == "none":
            raise SpecError(f"GTP needs a game played on a grid; {game.info.name!r} is not one")
        agent = agents.make(self._agent_spec, game)  # before closing the old one: make may fail
        if self.agent is not None:
            self.agent.close()
        self.game, self.board, self.agent = game, board, agent
        self._close_timed()
        self.history: list[State] = []
        self.actions: list[int] = []
        self.state = game.initial_state()

    def _rebuilt(self, **options: object) -> Game:
        merged = self._game_options | {k: str(v) for k, v in options.items()}
        spec = self._game_name + (":" + ",".join(f"{k}={v}" for k, v in merged.items()) if merged else "")
        game = games.make(spec)
        self._game_options = merged
        return game

    def close(self) -> None:
        if self.agent is not None:
            self.agent.close()
        self._close_timed()

    def _close_timed(self) -> None:
        for agent in self._timed.values():
            agent.close()
        self._timed.clear()

    def _agent_for_clock(self, player: int) -> Agent:
        """The agent with this move's share of the clock as its `ms` budget, when the
        controller set a clock and the agent's spec takes a time option; else the agent."""
        ms = gtp_move_time_ms(self.time_settings, self.time_left.get(player))
        spec, _, clamped = budgeted_spec(self._agent_spec, ms=ms)
        if clamped:
            print(f"move37 gtp: the clock's share clamped to {', '.join(clamped)}", file=self._log, flush=True)
        if spec == self._agent_spec:
            return self.agent
        if spec not in self._timed:
            if len(self._timed) >= 8:  # the clock runs down: keep a few, not one per move
                self._timed.pop(next(iter(self._timed))).close()
            self._timed[spec] = agents.make(spec, self.game)
        return self._timed[spec]

    # The line handler.

    def handle(self, line: str) -> str | None:
        """The full reply to one input line ("=id result\\n\\n" or "?id message\\n\\n"); None to ignore it."""
        text = clean_line(line)
        if not text:
            return None
        words = text.split()
        ident = ""
        if words[0].isascii() and words[0].isdigit():  # an id is ASCII digits ("²".isdigit() is true too)
            ident, words = words[0], words[1:]
            if not words:
                return f"?{ident} missing command\n\n"
        name, args = words[0].lower(), words[1:]
        command = self._commands.get(name)
        if command is None:
            return f"?{ident} unknown command\n\n"
        try:
            result = command(args)
        except (GtpError, Move37Error) as e:
            return f"?{ident} {_one_line(str(e))}\n\n"
        except Exception as e:  # an agent's bug must not kill the session a GUI holds
            traceback.print_exc(file=self._log)
            return f"?{ident} internal error: {_one_line(repr(e))}\n\n"
        return f"={ident} {result}\n\n"

    # Commands. Each takes the argument words and returns the result text or raises GtpError.

    def _known_command(self, args: list[str]) -> str:
        _arity(args, 1)
        return "true" if args[0].lower() in self._commands else "false"

    def _quit(self, args: list[str]) -> str:
        self.quit = True
        return ""

    def _boardsize(self, args: list[str]) -> str:
        _arity(args, 1)
        size = _int(args[0])
        if size == max(self.board.rows, self.board.cols):
            self._clear_board([])
            return ""
        try:
            game = self._rebuilt(size=size)
        except Move37Error:
            raise GtpError("unacceptable size") from None
        self._set_game(game)
        return ""

    def _clear_board(self, args: list[str]) -> str:
        self.history, self.actions, self._engine_sides = [], [], set()
        self.state = self.game.initial_state()
        for agent in (self.agent, *self._timed.values()):
            agent.reset()
        return ""

    def _komi(self, args: list[str]) -> str:
        _arity(args, 1)
        try:
            komi = float(args[0])
        except ValueError:
            raise GtpError("syntax error") from None
        if komi != komi or abs(komi) > 1e4:
            raise GtpError("syntax error")
        self.komi = komi
        if getattr(self.game, "komi", None) is not None and komi != self.game.komi:  # the game scores with komi
            actions = self.actions
            self._set_game(self._rebuilt(komi=komi))
            for action in actions:  # same moves, new komi
                self._push(action)
        return ""

    def _play(self, args: list[str]) -> str:
        _arity(args, 2)
        player = _color(args[0])
        action = self._parse_move(args[1])
        self._check_turn(player)
        if not self.state.legal_mask()[action]:
            raise GtpError("illegal move")
        self._push(action)
        self._record_if_over()
        return ""

    def _genmove(self, args: list[str]) -> str:
        _arity(args, 1)
        player = _color(args[0])
        self._check_turn(player)
        action = int(self._agent_for_clock(player).act(self.state))
        vertex = self._vertex(action)
        self._engine_sides.add(player)
        self._push(action)
        self._record_if_over()
        return vertex

    def _undo(self, args: list[str]) -> str:
        if not self.history:
            raise GtpError("cannot undo")
        self.state = self.history.pop()
        self.actions.pop()
        return ""

    def _final_score(self, args: list[str]) -> str:
        return score_text(self.state, self.komi)

    def _time_settings(self, args: list[str]) -> str:
        _arity(args, 3)
        main, byo, stones = (_int(a) for a in args)
        if min(main, byo, stones) < 0:
            raise GtpError("syntax error")
        self.time_settings = (main, byo, stones)
        return ""

    def _time_left(self, args: list[str]) -> str:
        _arity(args, 3)
        player = _color(args[0])
        seconds, stones = _int(args[1]), _int(args[2])
        self.time_left[player] = (seconds, stones)
        return ""

    def _loadsgf(self, args: list[str]) -> str:
        """loadsgf FILE [MOVE]: the record's position before move number MOVE (after all moves by default)."""
        if len(args) not in (1, 2):
            raise GtpError("syntax error")
        stop = _int(args[1]) if len(args) == 2 else None
        from move37.games.sgf import load_sgf

        try:
            with open(args[0], encoding="utf-8", errors="replace") as f:
                loaded = load_sgf(f.read(1 << 20))
        except OSError as e:
            raise GtpError(f"cannot load file ({e.strerror})") from None
        moves = loaded.moves()
        if stop is not None:
            moves = moves[: max(stop - 1, 0)]
        game = loaded.game
        self._set_game(game)
        self._game_options = {"size": str(game.size), "komi": f"{game.komi:g}"}
        self.komi = game.komi
        self.state = loaded.start
        for _, action in moves:
            self._push(action)
        return _COLOR_NAMES[self.state.current_player]

    # Helpers.

    def _record_if_over(self) -> None:
        """Append the game to the --record file when the move just played ended it (games against the engine only)."""
        if self._recorder is None or not self.state.is_terminal() or not self._engine_sides:
            return
        spec = self._game_name + (":" + ",".join(f"{k}={v}" for k, v in self._game_options.items())
                                  if self._game_options else "")
        moves = [self.game.action_to_text(s, a) for s, a in zip(self.history, self.actions)]
        players = tuple(self._agent_spec if side in self._engine_sides else "gtp-opponent" for side in (0, 1))
        self._recorder.record(GameRecord(game=spec, players=players, opening="", moves=self.game.join_moves(moves),
                                         result=tuple(float(x) for x in self.state.returns()), plies=len(moves)))

    def _push(self, action: int) -> None:
        self.state, before = self.state.play(action), self.state
        self.history.append(before)
        self.actions.append(action)

    def _check_turn(self, player: int) -> None:
        if self.state.is_terminal():
            raise GtpError("illegal move (the game is over)")
        if player != self.state.current_player:
            raise GtpError(f"illegal move (it is {_COLOR_NAMES[self.state.current_player]}'s turn)")

    def _parse_move(self, text: str) -> int:
        if text.lower() == "pass":
            if self.board.pass_action is None:
                raise GtpError(f"illegal move (no pass in {self.game.info.name})")
            return self.board.pass_action
        try:
            row, col = boards.parse_gtp_vertex(self.board, text)
        except Move37Error:
            raise GtpError("invalid vertex") from None
        return boards.cell_action(self.state, row, col)

    def _vertex(self, action: int) -> str:
        if action == self.board.pass_action:
            return "pass"
        cell = boards.action_cell(self.state, action)
        return boards.gtp_vertex(self.board, *cell)


def score_text(state: State, komi: float = 0.0) -> str:
    """GTP's score text: "B+3.5", "W+12", "0" (a draw), or "B+" for a win without a margin.

    Games with a score use it: Go's area score (its state's `score()`, komi included),
    Othello's disc difference. Other games are scored only once over.
    """
    margin = None
    if hasattr(state, "score") and callable(state.score):
        margin = float(state.score())  # black minus white, komi included
    elif hasattr(state, "disc_difference") and state.is_terminal():
        margin = float(state.disc_difference()) * (1 if state.current_player == 0 else -1)
    if margin is None:
        if not state.is_terminal():
            raise GtpError("cannot score an unfinished game")
        r = state.returns()
        return "0" if r[0] == r[1] else ("B+" if r[0] > r[1] else "W+")
    if margin == 0:
        return "0"
    return f"{'B' if margin > 0 else 'W'}+{abs(margin):g}"


def board_picture(state: State) -> str:
    """The board in GTP coordinates ("A1" bottom-left), X for black and O for white."""
    board = boards.board_of(state.game)
    cells = boards.stones(state)
    letters = "   " + " ".join(boards.GTP_LETTERS[: board.cols])
    rows = [f"{board.rows - r:>2} " + " ".join(".XO"[v] for v in cells[r]) for r in range(board.rows)]
    status = "game over" if state.is_terminal() else f"{_COLOR_NAMES[state.current_player]} to move"
    return "\n".join([letters, *rows, letters, status])


def serve(engine: GtpEngine, stdin: TextIO, stdout: TextIO) -> int:
    """The stdio loop: one reply per command line until `quit` or end of input."""
    try:
        for line in stdin:
            reply = engine.handle(line)
            if reply is not None:
                stdout.write(reply)
                stdout.flush()
            if engine.quit:
                break
    finally:
        engine.close()
    return 0


_COLOR_NAMES = ("black", "white")


def _color(text: str) -> int:
    t = text.lower()
    if t in ("b", "black"):
        return 0
    if t in ("w", "white"):
        return 1
    raise GtpError("invalid color")


def _int(text: str) -> int:
    if not (text.lstrip("-").isascii() and text.lstrip("-").isdigit()) or len(text) > 9:
        raise GtpError("syntax error")
    return int(text)


def _arity(args: list[str], n: int) -> None:
    if len(args) != n:
        raise GtpError("syntax error")


def _one_line(text: str) -> str:
    return " ".join(text.split())[:300] or "error"


def _version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("move37")
    except PackageNotFoundError:
        return "unknown"
