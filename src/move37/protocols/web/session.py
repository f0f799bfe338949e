"""One game on the web page: a game, an agent, whose side the human plays, the moves so far.

`Session.view()` is everything the page draws, as JSON-ready data: the board (a generic
grid from `move37.games.boards`, or chess squares from the FEN), the legal moves
with where to click them, the agent's last analysis, and the status. `record(fmt)` is
the game record: a JSON Lines `GameRecord` for every game, SGF for Go, PGN for chess.
"""

from __future__ import annotations

import re
import threading
import time
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Callable, Iterator

import numpy as np

from move37 import agents, games
from move37.agents.base import Agent, Analysis
from move37.agents.budget import server_budget
from move37.agents.options import OUTSIDE_MOVE_MS
from move37.arena.records import GameRecord
from move37.errors import IllegalMoveError, NotationError
from move37.games.base import Game, State
from move37.games import boards

# Side names by game; others use X and O.
_SIDES = {"go": ("Black", "White"), "othello": ("Black", "White"), "chess": ("White", "Black")}


class Conflict(Exception):
    """A request that is well-formed but does not fit the game's state (HTTP 409)."""


def side_names(game: Game) -> tuple[str, str]:
    return _SIDES.get(game.info.name, ("X", "O"))


@dataclass
class Session:
    """A game in progress. `states[i]` is the position before `actions[i]`; the last is current."""

    id: str
    game_spec: str
    agent_spec: str
    game: Game
    agent: Agent
    human: int
    states: list[State] = field(default_factory=list)
    actions: list[int] = field(default_factory=list)
    analyses: dict[int, dict] = field(default_factory=dict)  # ply -> the agent's analysis of that move
    lock: threading.Lock = field(default_factory=threading.Lock)
    used: float = field(default_factory=time.monotonic)
    recorder: Callable[[GameRecord], None] | None = None  # called with each game that ends (serve --record)

    @classmethod
    def start(cls, sid: str, game_spec: str, agent_spec: str, human: int, *, engines: bool = False,
              recorder: Callable[[GameRecord], None] | None = None) -> "Session":
        """A new game against the agent `agent_spec`, built as a spec from outside: options within
        their outside bounds, a time limit per move where the agent takes one, and agents that start
        programs only when `engines` (LimitError / AgentRefusedError otherwise)."""
        game = games.make(game_spec)
        agent = agents.make(server_budget(agent_spec, OUTSIDE_MOVE_MS), game, outside=True, engines=engines)
        agent.reset()
        return cls(sid, game_spec, agent_spec, game, agent, human, [game.initial_state()], recorder=recorder)

    @contextmanager
    def locked(self, timeout: float) -> Iterator[None]:
        """Hold the game's lock; Conflict when the agent is still thinking after `timeout` seconds."""
        if not self.lock.acquire(timeout=timeout):
            raise Conflict("the agent is still thinking about its move; try again")
        try:
            yield
        finally:
            self.lock.release()

    @property
    def state(self) -> State:
        return self.states[-1]

    def _push(self, action: int) -> None:
        self.states.append(self.state.play(action))
        self.actions.append(int(action))
        if self.recorder is not None and self.state.is_terminal():
            self.recorder(self.game_record())

    def play_human(self, move: str | None, action: int | None) -> None:
        """The human's move, as notation text or an action index."""
        self._check_turn(self.human)
        if action is None:
            action = self.game.parse_action(self.state, move)
        elif not (0 <= action < self.game.info.num_actions and self.state.legal_mask()[action]):
            raise IllegalMoveError(f"action {action} is not legal here")
        self._push(action)

    def play_agent(self) -> None:
        """The agent's move; its analysis is kept for the page."""
        self._check_turn(1 - self.human)
        state = self.state
        analysis = self.agent.analyse(state)
        action = int(analysis.action)
        if not state.legal_mask()[action]:
            raise IllegalMoveError(f"agent {self.agent_spec!r} chose an illegal action {action}")
        self.analyses[len(self.actions)] = analysis_view(self.game, state, analysis)
        self._push(action)

    def undo(self) -> None:
        """Take back moves until it is the human's turn again (at least one move)."""
        if not self.actions:
            raise Conflict("nothing to undo")
        while self.actions:
            self.states.pop()
            self.analyses.pop(len(self.actions) - 1, None)
            self.actions.pop()
            if self.state.current_player == self.human:
                break
        self.agent.reset()

    def _check_turn(self, player: int) -> None:
        if self.state.is_terminal():
            raise Conflict("the game is over")
        if self.state.current_player != player:
            who = "the agent's" if player == self.human else "your"
            raise Conflict(f"it is {who} turn")

    def close(self) -> None:
        self.agent.close()

    # What the page shows.

    def moves_text(self) -> list[str]:
        return [self.game.action_to_text(s, a) for s, a in zip(self.states, self.actions)]

    def result(self) -> str | None:
        state = self.state
        if not state.is_terminal():
            return None
        r = state.returns()
        if r[0] == r[1]:
            return "draw"
        return f"{side_names(self.game)[int(np.argmax(r))]} wins"

    def view(self) -> dict:
        state, names = self.state, side_names(self.game)
        last = len(self.actions) - 1
        return {
            "id": self.id,
            "game": self.game_spec,
            "name": self.game.info.name,
            "agent": self.agent_spec,
            "human": self.human,
            "sides": list(names),
            "moves": self.moves_text(),
            "to_move": None if state.is_terminal() else state.current_player,
            "terminal": state.is_terminal(),
            "result": self.result(),
            "board": board_view(state, self.states[-2] if self.actions else None),
            "legal": [] if state.is_terminal() else legal_view(self.game, state),
            "analysis": self.analyses.get(last) if last >= 0 and self.states[last].current_player != self.human else None,
            "text": str(state),
            "formats": record_formats(self.game),
        }

    def record(self, fmt: str) -> tuple[str, str]:
        """(text, media type) of the game record in `fmt` ("jsonl", "sgf" or "pgn")."""
        if fmt not in record_formats(self.game):
            raise NotationError(f"no {fmt!r} record for {self.game.info.name} (formats: {', '.join(record_formats(self.game))})")
        players = [self.agent_spec, "human"] if self.human == 1 else ["human", self.agent_spec]
        if fmt == "sgf":
            from move37.games.sgf import write_sgf

            return write_sgf(self.state, black=players[0], white=players[1]), "application/x-go-sgf"
        if fmt == "pgn":
            from move37.games.chess import write_pgn

            return write_pgn(self.state, white=players[0], black=players[1], event="move37 play"), "application/x-chess-pgn"
        return self.game_record().to_json() + "\n", "application/x-ndjson"

    def game_record(self) -> GameRecord:
        """The game so far as a record (extra "unfinished" while it goes on)."""
        players = [self.agent_spec, "human"] if self.human == 1 else ["human", self.agent_spec]
        return GameRecord(game=self.game_spec, players=tuple(players), opening="",
                          moves=self.game.join_moves(self.moves_text()),
                          result=tuple(float(x) for x in self.state.returns()), plies=len(self.actions),
                          extra={} if self.state.is_terminal() else {"unfinished": True})


def record_formats(game: Game) -> list[str]:
    name = game.info.name
    return ["jsonl"] + (["sgf"] if name == "go" else []) + (["pgn"] if name == "chess" else [])


def board_view(state: State, before: State | None) -> dict:
    """The board to draw: a grid of stones (0 empty, 1 + player) or chess squares; `last` marks the last move."""
    game = state.game
    if game.info.name == "chess":
        return _chess_board(state)
    board = boards.board_of(game)
    if board.kind == "none":
        return {"kind": "none"}
    cells = boards.stones(state)
    last = None
    if before is not None:
        changed = np.argwhere((boards.stones(before) == 0) & (cells != 0))
        last = [int(x) for x in changed[0]] if len(changed) else None
    return {"kind": board.kind, "rows": board.rows, "cols": board.cols, "stones": cells.tolist(), "last": last,
            "labels": _labels(state, board)}


def _labels(state: State, board: boards.Board) -> dict:
    """Coordinates for the board's edges, read from the game's own notation of its cells.

    A cell written "letters + digits" ("b3", "D4") gives its column the letters and its
    row the digits; a column game labels columns by their move ("4"); else no labels.
    """
    game = state.game
    if board.kind == "columns":
        return {"cols": [game.action_to_text(state, c) for c in range(board.cols)], "rows": []}
    texts = [game.action_to_text(state, boards.cell_action(state, r, c)) for r in range(board.rows)
             for c in range(board.cols)]
    split = [re.fullmatch(r"([A-Za-z]+)(\d+)", t) for t in texts]
    if not all(split):
        return {"cols": [], "rows": []}
    return {"cols": [m.group(1) for m in split[: board.cols]], "rows": [m.group(2) for m in split[:: board.cols]]}


def legal_view(game: Game, state: State) -> list[dict]:
    """Every legal move: its action, its text and where it is clicked (a cell, or chess squares)."""
    out = []
    for a in state.legal_actions():
        a = int(a)
        entry = {"action": a, "text": game.action_to_text(state, a)}
        if game.info.name == "chess":
            entry.update(_chess_squares(state, entry["text"]))
        else:
            cell = boards.action_cell(state, a)
            entry["cell"] = list(cell) if cell is not None else None
        out.append(entry)
    return out


def analysis_view(game: Game, state: State, analysis: Analysis, top: int = 10) -> dict:
    """The agent's reasons, JSON-ready: value, score, nodes, depth, PV as text, the top policy entries."""
    pv, s = [], state
    for a in analysis.pv:
        if s.is_terminal() or not s.legal_mask()[a]:
            break
        pv.append(game.action_to_text(s, int(a)))
        s = s.play(int(a))
    policy = []
    if analysis.policy is not None:
        p = np.asarray(analysis.policy, dtype=float)
        for a in np.argsort(-p, kind="stable")[:top]:
            if p[a] > 0:
                cell = boards.action_cell(state, int(a)) if boards.board_of(game).kind != "none" else None
                policy.append({"text": game.action_to_text(state, int(a)), "p": round(float(p[a]), 4),
                               "cell": list(cell) if cell else None})
    return {
        "move": game.action_to_text(state, int(analysis.action)),
        "value": None if analysis.value is None else round(float(analysis.value), 4),
        "score": None if analysis.score is None else float(analysis.score),
        "nodes": int(analysis.nodes),
        "depth": int(analysis.depth),
        "pv": pv,
        "policy": policy,
    }


def _chess_board(state: State) -> dict:
    """8x8 piece letters (row 0 = rank 8, "" empty, upper case White) and the last move's squares."""
    import chess

    board = chess.Board(state.game.state_to_text(state))
    squares = [["" for _ in range(8)] for _ in range(8)]
    for sq, piece in board.piece_map().items():
        squares[7 - chess.square_rank(sq)][chess.square_file(sq)] = piece.symbol()
    moves = state.moves() if hasattr(state, "moves") else []
    last = [_square(moves[-1].from_square), _square(moves[-1].to_square)] if moves else None
    return {"kind": "chess", "rows": 8, "cols": 8, "squares": squares, "last": last,
            "labels": {"cols": list("abcdefgh"), "rows": [str(r) for r in range(8, 0, -1)]}}


def _square(sq: int) -> list[int]:
    import chess

    return [7 - chess.square_rank(sq), chess.square_file(sq)]


def _chess_squares(state: State, text: str) -> dict:
    """From and to squares (row 0 = rank 8) of a chess move given in the game's notation."""
    import chess

    try:
        move = chess.Move.from_uci(text)
    except ValueError:
        move = chess.Board(state.game.state_to_text(state)).parse_san(text)
    return {"from": _square(move.from_square), "to": _square(move.to_square),
            "promotion": chess.piece_symbol(move.promotion) if move.promotion else None}
