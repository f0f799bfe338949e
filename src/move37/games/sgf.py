"""SGF (Smart Game Format, FF[4]) game records for Go: a small parser and a writer.

The parser follows the FF[4] grammar and nothing else ever interprets the text:

    Collection = GameTree+        GameTree = "(" Node+ GameTree* ")"
    Node = ";" Property*          Property = Ident Value+        Value = "[" text "]"

with `\\` escaping the next character inside a value. Idents keep only their
upper-case letters (the FF[3] rule, so "AddBlack" reads as "AB"). Of a tree with
variations only the main line (the first variation at each branch) is read.

Go records use SZ (board size), KM (komi), AB/AW (setup stones, point lists "aa"
or rectangles "aa:cc"), PL (player to move after setup), B/W (moves; "" or "tt"
is a pass), RE (result), PB/PW (player names). SGF points are a column letter then
a row letter, "aa" the top-left corner, the same orientation as move37's actions.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import numpy as np

from move37.errors import IllegalMoveError, NotationError
from move37.games import GAMES

if TYPE_CHECKING:  # types only: Go reads SGF through this module (`Go.state_from_text`)
    from move37.games.go import Go, GoState

_LETTERS = "abcdefghijklmnopqrstuvwxyz"


@dataclass
class SgfRecord:
    """The main line of one SGF game tree: one dict per node, ident -> values."""

    nodes: list[dict[str, list[str]]] = field(default_factory=list)

    @property
    def root(self) -> dict[str, list[str]]:
        return self.nodes[0]

    def get(self, ident: str, default: str | None = None) -> str | None:
        """The first value of a root property, or `default`."""
        values = self.root.get(ident)
        return values[0] if values else default


class _Reader:
    """A cursor over SGF text; every method raises NotationError with the offset on bad input."""

    def __init__(self, text: str):
        self.text, self.pos = text, 0

    def fail(self, message: str) -> None:
        raise NotationError(f"bad SGF at character {self.pos}: {message}")

    def skip_space(self) -> None:
        while self.pos < len(self.text) and self.text[self.pos].isspace():
            self.pos += 1

    def peek(self) -> str:
        self.skip_space()
        return self.text[self.pos] if self.pos < len(self.text) else ""

    def expect(self, char: str) -> None:
        if self.peek() != char:
            self.fail(f"expected {char!r}, found {self.peek() or 'end of text'!r}")
        self.pos += 1

    def main_line(self) -> list[dict[str, list[str]]]:
        """Read one GameTree ("(" Node+ GameTree* ")"); return the nodes of its main line.

        Iterative, with an explicit stack of open trees, so a record nested thousands of
        variations deep is read (or refused with a NotationError) like any other: no
        recursion limit, no traceback. A tree is on the main line when its parent is and it
        is the parent's first variation.
        """
        nodes: list[dict[str, list[str]]] = []
        open_trees: list[list[bool]] = []  # per open "(": [on the main line, a variation already read]
        keep = True
        while True:
            self.expect("(")
            if self.peek() != ";":
                self.fail("a game tree must start with a node ';'")
            while self.peek() == ";":
                self.pos += 1
                node = self.node()
                if keep:
                    nodes.append(node)
            open_trees.append([keep, False])
            while self.peek() != "(":
                self.expect(")")
                open_trees.pop()
                if not open_trees:
                    return nodes
            parent = open_trees[-1]
            keep, parent[1] = parent[0] and not parent[1], True

    def node(self) -> dict[str, list[str]]:
        props: dict[str, list[str]] = {}
        while self.peek().isalpha():
            start = self.pos
            while self.pos < len(self.text) and self.text[self.pos].isalpha():
                self.pos += 1
            ident = "".join(c for c in self.text[start:self.pos] if c.isupper())
            if not ident:
                self.fail("a property name needs an upper-case letter")
            if self.peek() != "[":
                self.fail(f"property {ident} has no value")
            values = props.setdefault(ident, [])
            while self.peek() == "[":
                values.append(self.value())
        return props

    def value(self) -> str:
        self.pos += 1  # "["
        out = []
        while True:
            if self.pos >= len(self.text):
                self.fail("unterminated property value")
            c = self.text[self.pos]
            self.pos += 1
            if c == "]":
                return "".join(out)
            if c == "\\":
                if self.pos >= len(self.text):
                    self.fail("unterminated property value")
                c = self.text[self.pos]
                self.pos += 1
                if c == "\n":  # soft line break
                    continue
            out.append(c)


def parse_sgf(text: str) -> SgfRecord:
    """The main line of the first game tree in `text`; NotationError if it is not SGF."""
    reader = _Reader(text)
    nodes = reader.main_line()
    return SgfRecord(nodes)


def _point(value: str, size: int) -> int:
    if len(value) != 2 or value[0] not in _LETTERS[:size] or value[1] not in _LETTERS[:size]:
        raise NotationError(f"bad SGF point {value!r} on a {size}x{size} board")
    return _LETTERS.index(value[1]) * size + _LETTERS.index(value[0])


def _points(values: list[str], size: int) -> list[int]:
    """Expand a point list with "aa:cc" rectangles into actions."""
    out = []
    for v in values:
        if ":" in v:
            a, _, b = v.partition(":")
            (r0, c0), (r1, c1) = divmod(_point(a, size), size), divmod(_point(b, size), size)
            out += [r * size + c for r in range(min(r0, r1), max(r0, r1) + 1) for c in range(min(c0, c1), max(c0, c1) + 1)]
        else:
            out.append(_point(v, size))
    return out


def _number(record: SgfRecord, ident: str, default: str, kind: type) -> float:
    raw = record.get(ident, default).strip()
    if kind is int and ":" in raw:  # SZ[cols:rows]
        cols, _, rows = raw.partition(":")
        if cols != rows:
            raise NotationError(f"SGF SZ[{raw}]: only square boards are supported")
        raw = cols
    try:
        return kind(raw)
    except ValueError:
        raise NotationError(f"SGF {ident}[{raw}] is not a number") from None


def game_from_sgf(record: SgfRecord) -> Go:
    """The Go game a record describes (SZ, default 19 as FF[4] says; KM, default 0)."""
    if record.get("GM", "1").strip() != "1":
        raise NotationError(f"SGF GM[{record.get('GM')}] is not a Go record")
    size = int(_number(record, "SZ", "19", int))
    komi = float(_number(record, "KM", "0", float))
    try:
        return GAMES.load("go")(size=size, komi=komi)
    except ValueError as e:
        raise NotationError(f"SGF record: {e}") from None


def state_from_sgf(text: str, game: Go | None = None) -> GoState:
    """The final position of an SGF record's main line, with its full history.

    With `game` given, the record's board size must match it and the game's komi
    is kept; otherwise the game is built from SZ and KM. Moves must alternate
    (NotationError otherwise); a move the rules forbid raises IllegalMoveError.
    """
    record = parse_sgf(text)
    if game is None:
        game = game_from_sgf(record)
    elif int(_number(record, "SZ", "19", int)) != game.size:
        raise NotationError(f"SGF board size {record.get('SZ', '19')} does not match the {game.size}x{game.size} game")
    size = game.size
    root = record.root
    board = np.zeros(game.num_points, dtype=np.int8)
    for ident, colour in (("AB", 1), ("AW", 2)):
        board[_points(root.get(ident, []), size)] = colour
    first_move = next((ident for node in record.nodes for ident in ("B", "W") if ident in node), "B")
    player = {"B": 0, "W": 1}.get(record.get("PL", first_move).strip().upper()[:1] or first_move)
    if player is None:
        raise NotationError(f"SGF PL[{record.get('PL')}] is not B or W")
    state = game.state_from_setup(board, player)
    for i, node in enumerate(record.nodes):
        if i > 0 and any(k in node for k in ("AB", "AW", "AE")):
            raise NotationError(f"SGF node {i}: setup stones after the start are not supported")
        colours = [k for k in ("B", "W") if k in node]
        if not colours:
            continue
        if len(colours) > 1 or len(node[colours[0]]) != 1:
            raise NotationError(f"SGF node {i}: one move per node expected")
        colour, value = colours[0], node[colours[0]][0].strip()
        if "BW".index(colour) != state.current_player:
            raise NotationError(f"SGF node {i}: {colour} moves but it is {'BW'[state.current_player]}'s turn")
        if state.is_terminal():
            raise IllegalMoveError(f"SGF node {i}: a move after the game is over")
        action = game.pass_action if value in ("", "tt") and size <= 19 else _point(value, size)
        try:
            state = state.play(action)
        except IllegalMoveError as e:
            raise IllegalMoveError(f"SGF node {i}: {e}") from None
    return state


def load_sgf(text: str) -> GoState:
    """The final position of an SGF record, on the board and komi the record names."""
    return state_from_sgf(text)


def _escape(text: str) -> str:
    return text.replace("\\", "\\\\").replace("]", "\\]")


def result_text(state: GoState) -> str:
    """SGF RE of a finished game by Tromp-Taylor score: "B+3.5", "W+0.5" or "0" (a draw)."""
    score = state.score()
    if score == 0:
        return "0"
    return f"{'B' if score > 0 else 'W'}+{abs(score):g}"


def write_sgf(state: GoState, black: str = "", white: str = "", result: str | None = None,
              extra: dict[str, str] | None = None) -> str:
    """An FF[4] record of the game that led to `state` (setup stones included).

    `result` defaults to the Tromp-Taylor result when the game is over, else none;
    `extra` adds root properties (e.g. {"DT": "2026-11-25", "EV": "arena"}).
    """
    game = state.game
    size = game.size

    def point(action: int) -> str:
        if action == game.pass_action:
            return ""
        r, c = divmod(action, size)
        return _LETTERS[c] + _LETTERS[r]

    root = {"FF": "4", "GM": "1", "CA": "UTF-8", "AP": "move37", "SZ": str(size), "KM": f"{game.komi:g}",
            "RU": "Tromp-Taylor"}
    if black:
        root["PB"] = black
    if white:
        root["PW"] = white
    if result is None and state.is_terminal():
        result = result_text(state)
    if result:
        root["RE"] = result
    root.update(extra or {})
    parts = ["(;" + "".join(f"{k}[{_escape(v)}]" for k, v in root.items())]
    start = state.start
    setup = start.board.ravel()
    for ident, colour in (("AB", 1), ("AW", 2)):
        pts = np.flatnonzero(setup == colour)
        if pts.size:
            parts.append(ident + "".join(f"[{point(int(p))}]" for p in pts))
    if setup.any() or start.current_player != 0:
        parts.append(f"PL[{'BW'[start.current_player]}]")
    for player, action in state.moves():
        parts.append(f"\n;{'BW'[player]}[{point(action)}]")
    return "".join(parts) + ")\n"
