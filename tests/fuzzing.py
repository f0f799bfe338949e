"""Text from outside, as Hypothesis strategies, and the rule every parser of it must keep.

The rule (issue 16): bad input is a specific error (move37.errors.Move37Error in the API, one
line and exit status 2 on the command line, `?` in GTP, an ignored line in UCI, a 4xx in HTTP),
never a traceback, and nothing is written. Each `Case` pairs a strategy with a check that
raises (AssertionError, or the unexpected exception itself) when one input breaks the rule.

tests/test_fuzz_parsers.py and tests/test_fuzz_protocols.py run every case with a modest
number of examples; bench/reliability.py runs the same cases with 10,000+ inputs each and
counts the inputs that break the rule, so the tests and the benchmark cannot drift apart.

Strategies start from real text (random legal playouts written in the game's own notation,
FENs and PGNs of real games, SGF trees, the configs' defaults) and mutate it, beside fully
random text, so the inputs reach past the first character check into every branch.
"""

from __future__ import annotations

import atexit
import contextlib
import functools
import importlib.util
import http.client
import io
import json
import math
import os
import re
import tempfile
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable

import numpy as np
from hypothesis import strategies as st

from move37 import games
from move37.errors import Move37Error

GAME_SPECS = ["tictactoe", "connect4", "othello", "othello:size=6", "go9", "chess"]
JUNK = ["", " ", "\t", "\n", "\r\n", "\x00", "\x1b[2J", "\u202e", "é", "\udcff", "²", "٣", "３", "#", ";", ",", ":",
        "=", '"', "'",
        "\\", "(", ")", "[", "]", "{", "}", "-", "--", "0000", "pass", "PASS", "resign", "nan", "inf", "-1", "0",
        "1e400", "99999999999999999999", "x" * 300]


# Mutation: a real text with a few edits, so a parser sees almost-valid input.

@st.composite
def mutated(draw, base: st.SearchStrategy[str], extra: list[str] | None = None) -> str:
    """`base`'s text with 0..4 edits: insert a junk word or character, delete a slice, duplicate a slice, cut."""
    text = draw(base)
    words = JUNK + (extra or [])
    for _ in range(draw(st.integers(0, 4))):
        i = draw(st.integers(0, len(text)))
        j = draw(st.integers(i, min(len(text), i + 8)))
        kind = draw(st.integers(0, 4))
        if kind == 0:
            text = text[:i] + draw(st.sampled_from(words)) + text[i:]
        elif kind == 1:
            text = text[:i] + draw(st.characters()) + text[i:]
        elif kind == 2:
            text = text[:i] + text[j:]
        elif kind == 3:
            text = text[:j] + text[i:j] + text[j:]
        else:
            text = text[:i]
    return text


PLAYOUTS = 512  # distinct random games per game; a drawn input is a prefix of one of them, then mutated


@functools.cache
def _playout_states(spec: str, seed: int) -> tuple[list[str], list[Any]]:
    """A random legal playout (cached: each of the PLAYOUTS seeds is played once): its move texts and the
    states before each move and after the last."""
    game = games.make(spec)
    rng = np.random.default_rng(seed)
    state, moves, states = game.initial_state(), [], []
    for _ in range(120):
        states.append(state)
        if state.is_terminal():
            return moves, states
        action = int(rng.choice(state.legal_actions()))
        moves.append(game.action_to_text(state, action))
        state = state.play(action)
    return moves, states + [state]


def _playout(spec: str, seed: int, plies: int) -> tuple[list[str], Any]:
    """The first `plies` moves of playout `seed` (fewer when it ends sooner), and the state after them."""
    moves, states = _playout_states(spec, seed % PLAYOUTS)
    plies = min(plies, len(moves))
    return moves[:plies], states[plies]


@functools.cache
def _game(spec: str):
    return games.make(spec)


def playout_moves(spec: str, max_plies: int = 60) -> st.SearchStrategy[list[str]]:
    return st.builds(lambda seed, n: _playout(spec, seed, n)[0], st.integers(0, PLAYOUTS - 1),
                     st.integers(0, max_plies))


def move_texts(spec: str) -> st.SearchStrategy[str]:
    """Move sequences as the game writes them (joined by the game), mutated, or random text."""
    game = _game(spec)
    real = playout_moves(spec).map(game.join_moves)
    junk = st.lists(st.sampled_from(JUNK), max_size=6).map(" ".join)
    return st.one_of(real, mutated(real), st.text(max_size=40), junk)


def position_texts(spec: str) -> st.SearchStrategy[str]:
    """What a positions file line or a GUI may hold: moves, and the game's own position notation."""
    game = _game(spec)
    options = [move_texts(spec)]
    if game.state_to_text(game.initial_state()) is not None:  # Othello boards, chess FEN
        own = st.builds(lambda seed, n: game.state_to_text(_playout(spec, seed, n)[1]),
                        st.integers(0, PLAYOUTS - 1), st.integers(0, 60))
        options += [own, mutated(own, ["X", "O", "-", "w", "b", "/", "8", "K", "k", "KQkq"])]
    if spec.startswith("go"):
        options.append(sgf_texts())
    if spec == "chess":
        options.append(pgn_texts())
    return st.one_of(options)


# Game records.

_SGF_IDENTS = ["SZ", "KM", "AB", "AW", "AE", "PL", "B", "W", "GM", "FF", "CA", "C", "RE", "HA", "AddBlack", "x", "tt"]
_SGF_VALUES = ["aa", "bb", "ee", "ii", "ss", "tt", "", "a", "aa:cc", "aa:zz", "cc:aa", "zz", "9", "19", "13", "5", "0",
               "-1", "1e9", "9:9", "9:13", "nan", "inf", "6.5", "7.5", "B", "W", "w", "2", "1", "9999999999999", "\\]"]


def _sgf_property(ident: str, values: list[str]) -> str:
    return ident + "".join("[" + v.replace("]", "\\]") + "]" for v in values)


_sgf_node = st.lists(st.builds(_sgf_property, st.sampled_from(_SGF_IDENTS),
                               st.lists(st.one_of(st.sampled_from(_SGF_VALUES), st.text(max_size=4)), min_size=1,
                                        max_size=4)), max_size=4).map(lambda ps: ";" + "".join(ps))


def _sgf_trees(children: st.SearchStrategy[str]) -> st.SearchStrategy[str]:
    return st.builds(lambda ns, cs: "(" + "".join(ns) + "".join(cs) + ")", st.lists(_sgf_node, min_size=1, max_size=5),
                     st.lists(children, max_size=3))


@st.composite
def _sgf_games(draw) -> str:
    """An SGF record of a real 9x9 playout, as the writer makes it."""
    from move37.games.sgf import write_sgf

    _, state = _playout("go9", draw(st.integers(0, PLAYOUTS - 1)), draw(st.integers(0, 80)))
    return write_sgf(state)


@st.composite
def _deep_sgf(draw) -> str:
    """Variations nested thousands deep (a RecursionError for a recursive parser)."""
    depth = draw(st.integers(100, 5_000))  # Python's recursion limit is 1,000
    close = draw(st.integers(0, depth))
    return "(;SZ[9]" + "(;B[aa]" * depth + ")" * close


def sgf_texts() -> st.SearchStrategy[str]:
    trees = st.recursive(st.builds(lambda ns: "(" + "".join(ns) + ")", st.lists(_sgf_node, min_size=1, max_size=6)),
                         _sgf_trees, max_leaves=12)
    records = st.one_of(trees, _sgf_games())
    return st.one_of(records, mutated(records, ["(", ")", ";", "[", "]", "B[aa]", "(;"]), _deep_sgf(),
                     st.text(max_size=30).map(lambda t: "(" + t))


_PGN_HEADERS = ["Event", "Site", "White", "Black", "Result", "FEN", "SetUp", "Variant", "ECO", "x"]
_PGN_VALUES = ["?", "1", "0", "1-0", "Chess960", "atomic", "crazyhouse", "Standard", "From Position",
               "rnbqkbnr/pppppppp/8/8/8/8/PPPPPPPP/RNBQKBNR w KQkq - 0 1", "8/8/8/8/8/8/8/8 w - - 0 1",
               "4k3/8/8/8/8/8/8/4K3 w - - 0 1", "xx", ""]
_PGN_TOKENS = ["1.", "2.", "1...", "e4", "e5", "Nf3", "Nc6", "Bb5", "a6", "O-O", "O-O-O", "0-0", "exd5", "d5", "Qh5",
               "Qxf7#", "e8=Q", "e8", "--", "0000", "Z0", "{a comment}", "{", "(", ")", "$1", "!", "?!", "1-0", "0-1",
               "1/2-1/2", "*", ";x\n", "%x\n", "e2e4", "Kxe8", "[", "]", "\n\n"]


@functools.cache
def _san_movetext(seed: int) -> list[str]:
    """Chess playout `seed` in SAN with move numbers ("1. e4", "e5", "2. Nf3", ...)."""
    import chess

    board, out = chess.Board(), []
    for uci in _playout_states("chess", seed)[0]:
        move = chess.Move.from_uci(uci)
        out.append(f"{board.fullmove_number}. {board.san(move)}" if board.turn else board.san(move))
        board.push(move)
    return out


@st.composite
def _pgn_games(draw) -> str:
    """A PGN of a real random game (SAN movetext, cut at a random ply) with a few headers."""
    sans = _san_movetext(draw(st.integers(0, PLAYOUTS - 1)))[:draw(st.integers(0, 120))]
    headers = draw(st.lists(st.builds(lambda k, v: f'[{k} "{v}"]\n', st.sampled_from(_PGN_HEADERS),
                                      st.sampled_from(_PGN_VALUES)), max_size=3))
    return "".join(headers) + "\n" + " ".join(sans) + " *\n"


def pgn_texts() -> st.SearchStrategy[str]:
    tokens = st.lists(st.sampled_from(_PGN_TOKENS), min_size=1, max_size=20).map(lambda ws: "1. " + " ".join(ws))
    return st.one_of(_pgn_games(), mutated(_pgn_games(), _PGN_TOKENS), tokens)


def fen_texts() -> st.SearchStrategy[str]:
    real = st.builds(lambda seed, n: _playout("chess", seed, n)[1].fen(), st.integers(0, PLAYOUTS - 1),
                     st.integers(0, 120))
    pieces = st.text(alphabet="pnbrqkPNBRQK12345678/", min_size=1, max_size=80)
    fields = st.tuples(pieces, st.sampled_from(["w", "b", "x", ""]), st.sampled_from(["KQkq", "-", "Kq", "HAha", "x"]),
                       st.sampled_from(["-", "e3", "e6", "a1", "z9"]), st.sampled_from(["0", "-1", "99999", "x"]),
                       st.sampled_from(["1", "0", "x"])).map(" ".join)
    return st.one_of(real, mutated(real, ["/", "8", "K", "k", "p", "P", "w", "b", "KQkq"]), fields)


# Positions files.

def positions_files(spec: str) -> st.SearchStrategy[bytes]:
    """A positions file: lines of positions (real, mutated, random), comments and blanks; sometimes not UTF-8."""
    line = st.one_of(position_texts(spec).map(lambda t: t.replace("\n", " ").replace("\r", " ")),
                     st.sampled_from(["", "# a comment", "   ", "4453 -2", "\t"]))
    text = st.lists(line, max_size=6).map(lambda ls: "\n".join(ls).encode("utf-8", "surrogatepass"))
    return st.one_of(text, st.binary(max_size=200))


# Specs.

def specs(names: list[str], keys: list[str], values: list[str]) -> st.SearchStrategy[str]:
    """Spec texts NAME[:ITEM,...] with options from `keys` and `values`, quoted values, junk items, random text."""
    value = st.one_of(st.sampled_from(values), st.integers(-10**12, 10**12).map(str), st.floats().map(repr),
                      st.text(max_size=6))
    item = st.one_of(st.builds(lambda k, v: f"{k}={v}", st.sampled_from(keys), value),
                     st.builds(lambda k, v: f'{k}="{v}"', st.sampled_from(keys), value), value)
    name = st.one_of(st.sampled_from(names), st.text(max_size=8))
    structured = st.builds(lambda n, items, colon: n + (":" + ",".join(items) if colon else ""), name,
                           st.lists(item, max_size=4), st.booleans())
    return st.one_of(structured, st.text(max_size=30))


def game_specs() -> st.SearchStrategy[str]:
    return specs(games.names() + ["go13", "Go"], ["size", "komi", "x"],
                 ["6", "8", "9", "13", "19", "7", "5", "0", "-1", "6.5", "7.5", "nan", "inf", "1e400", "none", ""])


AGENT_KEYS = ["sims", "c", "depth", "ms", "seed", "tt_size", "time", "nodes", "timeout", "threads", "hash", "x",
              "compiled", "gumbel_k", "temperature", "name"]
AGENT_VALUES = ["1", "2", "8", "0", "-1", "100000", "1000000000", "8589934592", "1e9", "nan", "inf", "true", "no",
                "/bin/sh", "sh -c reboot", "stockfish", "runs/none", "none", ""]


#: specs that started programs or asked for unbounded work before issue 16 (engines by any name, huge budgets)
AGENT_HOLES = ["xboard:/bin/sh", 'xboard:"sh -c true"', "gtp:/bin/true", 'uci:"sh -c true"', "xboard:true,time=1",
               "mcts:sims=1000000000", "mcts:ms=100000000", "alphabeta:tt_size=8589934592", "alphabeta:depth=100000",
               "zero:/etc,sims=1000000000"]


def agent_specs(names: list[str]) -> st.SearchStrategy[str]:
    return specs(names, AGENT_KEYS, AGENT_VALUES)


# JSON: configs and HTTP bodies.

def json_values(leaves: st.SearchStrategy[Any] | None = None) -> st.SearchStrategy[Any]:
    """Any JSON value, huge integers and non-finite floats included."""
    base = st.one_of(st.none(), st.booleans(), st.integers(-2**70, 2**70), st.floats(), st.text(max_size=12))
    if leaves is not None:
        base = st.one_of(base, leaves)
    return st.recursive(base, lambda kids: st.one_of(st.lists(kids, max_size=4),
                                                     st.dictionaries(st.text(max_size=8), kids, max_size=4)),
                        max_leaves=10)


def _paths(tree: dict, prefix: tuple = ()) -> list[tuple]:
    out = []
    for key, value in tree.items():
        out.append(prefix + (key,))
        if isinstance(value, dict):
            out += _paths(value, prefix + (key,))
    return out


@st.composite
def config_objects(draw, defaults: dict) -> dict:
    """The default config with 1..3 of its entries (at any depth) replaced by any JSON value, or a key added."""
    data = json.loads(json.dumps(defaults))
    paths = _paths(data)
    for _ in range(draw(st.integers(1, 3))):
        path = list(draw(st.sampled_from(paths)))
        if draw(st.integers(0, 5)) == 0:
            path[-1] = draw(st.text(max_size=8))  # an unknown key
        node = data
        for key in path[:-1]:
            if not isinstance(node.get(key), dict):
                break
            node = node[key]
        else:
            node[path[-1]] = draw(json_values())
    return data


def config_texts(defaults: dict) -> st.SearchStrategy[bytes]:
    """Config files: mutated defaults as JSON, their text cut or edited, any JSON value, TOML-looking text.
    UTF-8, finite numbers and nesting within the JSON reader's reach: binary, NaN and deep files are
    `hostile_config_texts`."""
    objects = config_objects(defaults).filter(_finite)
    text = objects.map(json.dumps)
    return st.one_of(text, mutated(text, ["{", "}", "[", "]", ",", ":", '"', "1", "true", "null"]),
                     json_values().filter(_finite).map(json.dumps),
                     st.just("[learn]\nlr = 0.001\n"), st.text(max_size=40)).map(lambda t: t.encode("utf-8", "replace"))


def hostile_config_texts(defaults: dict) -> st.SearchStrategy[bytes]:
    """Config files a reader must refuse in one line: not UTF-8, nested past the JSON reader's recursion, or
    holding NaN/Infinity (which Python's json reads)."""
    deep = st.builds(lambda n, opener: (opener * n).encode(), st.integers(2_000, 200_000),
                     st.sampled_from(["[", '{"a":']))
    nonfinite = config_objects(defaults).map(lambda d: _with_nonfinite(d).encode())
    return st.one_of(st.binary(min_size=1, max_size=200).filter(_not_utf8), deep, nonfinite)


def _not_utf8(data: bytes) -> bool:
    try:
        data.decode("utf-8")
    except UnicodeDecodeError:
        return True
    return False


def _with_nonfinite(data: dict) -> str:
    """`data` as JSON with its first number (at any depth) replaced by NaN."""
    text = json.dumps(data)
    return re.sub(r"(?<=: )-?\d+(\.\d+)?(e-?\d+)?", "NaN", text, count=1)


def _finite(value: Any) -> bool:
    if isinstance(value, float):
        return math.isfinite(value)
    if isinstance(value, dict):
        return all(_finite(v) for v in value.values())
    if isinstance(value, list):
        return all(_finite(v) for v in value)
    return True


# Arena records (`move37 arena --records FILE --resume` reads them back).

@st.composite
def _record_lines(draw) -> str:
    from move37.arena.records import GameRecord

    moves = draw(playout_moves("tictactoe", 9))
    return GameRecord(game="tictactoe", players=("random", "mcts:sims=5"), opening="", moves="".join(moves),
                      result=(1.0, -1.0), seed=draw(st.integers(0, 10)), plies=len(moves)).to_json()


def records_files() -> st.SearchStrategy[bytes]:
    """JSON Lines of game records: real ones, mutated ones, any JSON value a line, deep nesting, bytes."""
    line = st.one_of(_record_lines(), mutated(_record_lines(), ['"seed":[1]', '"result":"x"', "{", "}", "null"]),
                     json_values().filter(_finite).map(json.dumps))
    text = st.lists(line, max_size=5).map(lambda ls: "\n".join(ls).encode("utf-8", "surrogatepass"))
    deep = st.integers(2_000, 100_000).map(lambda n: b"[" * n + b"\n")
    return st.one_of(text, text.map(lambda t: t + b"\n"), deep, st.binary(max_size=100))


def check_records(data: bytes, folder: Path) -> None:
    """A records file: its records, or a Move37Error in one line; the file unchanged either way."""
    from move37.arena.records import read_records

    path = folder / "records.jsonl"
    path.write_bytes(data)
    with Refused():
        read_records(path)
    assert path.read_bytes() == data


# Reasoning completions.

def completions(references: st.SearchStrategy[str]) -> st.SearchStrategy[str]:
    """Completions: reference ones mutated, answers from the verifiers' own alphabets, deep and long ones."""
    arithmetic = st.text(alphabet="0123456789+-*/() ", max_size=60)
    deep = st.integers(1, 400).map(lambda n: "=>" + "(" * n + "1" + ")" * n)
    tokens = ["=>", "=", ",", " ", "+", "*", "/0", "(", ")", "-", "0", "007", "1" * 50, "٣", "1.5", "1e3"]
    return st.one_of(references, mutated(references, tokens), arithmetic.map(lambda t: "=>" + t), deep,
                     st.text(max_size=300), st.text(alphabet="0123456789 =>", max_size=300))


# The rule, as checks.

class Refused:
    """A `with` block in which a Move37Error is the rule kept (a specific error, its message one line): it is
    swallowed and kept in `.error`; any other exception passes through and fails the check."""

    error: Move37Error | None = None

    def __enter__(self) -> "Refused":
        return self

    def __exit__(self, kind, value, tb) -> bool:
        if kind is None or not issubclass(kind, Move37Error):
            return False
        assert "\n" not in str(value), f"a Move37Error of more than one line: {str(value)!r}"
        self.error = value
        return True


def check_position(spec: str, text: str) -> None:
    """A position text: a State or a Move37Error; on a State, every move text parses back to its legal action."""
    game = _game(spec)
    with Refused() as refused:
        state = game.state_from_text(text)
    if refused.error:
        return
    for word in text.split()[-3:] + [text]:
        with Refused() as refused:
            action = game.parse_action(state, word)
        assert refused.error or state.legal_mask()[action]
    if not state.is_terminal():
        action = int(state.legal_actions()[0])
        assert game.parse_action(state, game.action_to_text(state, action)) == action


def check_sgf(text: str) -> None:
    """An SGF record: parsed into a Go position, or a Move37Error (never a RecursionError)."""
    from move37.games.sgf import state_from_sgf

    with Refused():
        state_from_sgf(text)
    with Refused():
        _game("go9").state_from_text(text)


def check_fen(text: str) -> None:
    """A FEN: a position that writes back to the same FEN, or a Move37Error."""
    with Refused() as refused:
        state = _game("chess").state_from_fen(text)
    assert refused.error or _game("chess").state_from_fen(state.fen()).fen() == state.fen()


def check_spec(make: Callable[[str], Any], text: str) -> None:
    with Refused():
        make(text)


def run_cli(argv: list[str], stdin: bytes = b"") -> tuple[int, str, str]:
    """`move37 ARGV` in this process: (exit status, stdout, stderr); a traceback escapes as the exception."""
    from move37.cli import main

    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err), _stdin(stdin):
        rc = main(argv)
    return rc, out.getvalue(), err.getvalue()


@contextlib.contextmanager
def _stdin(data: bytes):
    import sys

    saved = sys.stdin
    sys.stdin = io.TextIOWrapper(io.BytesIO(data), encoding="utf-8")
    try:
        yield
    finally:
        sys.stdin = saved


def check_error_lines(rc: int, err: str) -> None:
    """Exit 0 with a quiet stderr, or exit 2 with every stderr line a one-line `move37: error:` message."""
    assert rc in (0, 2), rc
    lines = err.splitlines()
    assert (rc == 2) == bool(lines), (rc, err[-500:])
    assert all(line.startswith("move37: error: ") for line in lines), err[-500:]


def files_under(folder: Path) -> list[str]:
    return sorted(str(p.relative_to(folder)) for p in folder.rglob("*"))


def check_positions_file(spec: str, data: bytes, folder: Path) -> None:
    """`move37 best-move SPEC --agent random --positions FILE`: a move a good line, a one-line error a bad one."""
    path = folder / "positions.txt"
    path.write_bytes(data)
    before = files_under(folder)
    rc, out, err = run_cli(["best-move", spec, "--agent", "random", "--positions", str(path)])
    check_error_lines(rc, err)
    assert files_under(folder) == before


def load_train_config(data: bytes, folder: Path, suffix: str = ".json"):
    from move37.train.config import load_config

    path = folder / f"config{suffix}"
    path.write_bytes(data)
    return load_config(path, "tictactoe")


def load_reason_config(data: bytes, folder: Path):
    from move37.reasoning import config

    path = folder / "config.json"
    path.write_bytes(data)
    return config.load(path)


def check_config(load: Callable[[bytes, Path], Any], data: bytes, folder: Path) -> None:
    """A config file: a config, or a Move37Error (ConfigError) naming the problem in one line."""
    with Refused():
        load(data, folder)


def check_refused(load: Callable[[bytes, Path], Any], data: bytes, folder: Path) -> None:
    """A config file no reader may accept: a Move37Error in one line."""
    with Refused() as refused:
        load(data, folder)
    assert refused.error, "a hostile config file was read as a config"


def check_verdict(task, problem, text: str) -> None:
    from move37.reasoning.tasks import verify

    for verdict in (verify(task, problem, text), task.check_answer(problem, text)):
        assert 0.0 <= verdict.reward <= 1.0 and isinstance(verdict.reason, str)


# Protocol sessions, built once per process (the benchmark) or per test module.

GTP_REPLY = re.compile(r"^[=?]\d* [^\n]*(\n[^\n]+)*\n\n$")
GTP_COMMANDS = ["protocol_version", "name", "version", "known_command", "list_commands", "boardsize", "clear_board",
                "komi", "play", "genmove", "undo", "final_score", "showboard", "time_settings", "time_left",
                "loadsgf", "fixed_handicap", "nosuch", "quit"]
GTP_ARGS = ["b", "w", "black", "white", "B", "pass", "resign", "A1", "D4", "J9", "T19", "Z0", "i5", "c3", "a1", "4",
            "9", "13", "19", "7", "6", "8", "-1", "0", "6.5", "nan", "inf", "1e400", "99999999999999999999"]


def gtp_lines(position_words: st.SearchStrategy[str] | None = None) -> st.SearchStrategy[str]:
    """A GTP command line: optional id, a command, argument words (vertices, colours, numbers, junk)."""
    word = st.one_of(st.sampled_from(GTP_ARGS), st.sampled_from(JUNK), st.text(max_size=5),
                     *(([position_words]) if position_words is not None else []))
    command = st.builds(lambda ident, name, args: " ".join(([ident] if ident else []) + [name] + args),
                        st.sampled_from(["", "1", "007", "99999999999999999999", "-1"]),
                        st.one_of(st.sampled_from(GTP_COMMANDS), st.text(max_size=6)), st.lists(word, max_size=4))
    return st.one_of(command, mutated(command, ["#", "\t", "\x00"]), st.text(max_size=40))


def check_gtp(engine, line: str) -> None:
    reply = engine.handle(line)
    engine.quit = False  # keep going past a "quit"
    if reply is not None:
        assert GTP_REPLY.match(reply), repr(reply)
        assert "internal error" not in reply, reply


def check_gtp_loadsgf(engine, text: str, folder: Path) -> None:
    path = folder / "game.sgf"
    path.write_text(text, encoding="utf-8", errors="surrogatepass")
    check_gtp(engine, f"loadsgf {path}")


UCI_WORDS = ["uci", "isready", "ucinewgame", "position", "startpos", "fen", "moves", "go", "movetime", "wtime",
             "btime", "winc", "binc", "movestogo", "depth", "nodes", "mate", "infinite", "ponder", "stop", "ponderhit",
             "setoption", "name", "value", "debug", "on", "register", "later", "e2e4", "e7e5", "g1f3", "e1g1",
             "a7a8q", "e7e8k", "0000", "h9h9", "10", "-5", "0", "99999999999999999999", "abc", "\x00", "é"]


@st.composite
def _uci_positions(draw) -> str:
    moves = [m for m in draw(playout_moves("chess", 40))]
    if draw(st.booleans()):
        start = "startpos"
    else:
        _, state = _playout("chess", draw(st.integers(0, PLAYOUTS - 1)), draw(st.integers(0, 60)))
        start, moves = f"fen {state.fen()}", []
    return f"position {start}" + (" moves " + " ".join(moves) if moves or draw(st.booleans()) else "")


def uci_lines() -> st.SearchStrategy[str]:
    words = st.lists(st.one_of(st.sampled_from(UCI_WORDS), st.text(max_size=5)), max_size=8).map(" ".join)
    go = st.builds(lambda ws: "go " + " ".join(ws), st.lists(st.sampled_from(UCI_WORDS[7:18] + ["1", "100", "-5", "x"]),
                                                            max_size=6))
    positions = st.one_of(_uci_positions(), fen_texts().map(lambda f: f"position fen {f}"))
    return st.one_of(words, go, positions, mutated(positions, UCI_WORDS), st.text(max_size=40))


UCI_OUT = ("id", "option", "uciok", "readyok", "info", "bestmove")


def check_uci(engine, lines: list[str], log: io.StringIO, line: str) -> None:
    """One line to a UCI engine: no traceback, only UCI replies, and after a `go` one well-formed bestmove."""
    lines.clear()
    logged = len(log.getvalue())
    engine.handle(line)
    engine.quit = False
    engine._release.set()  # a "go infinite" must not hold the next search forever
    engine.wait(30)
    assert not engine.searching
    assert "Traceback" not in log.getvalue()[logged:], log.getvalue()[logged:][-3000:]
    assert all(out.split()[0] in UCI_OUT for out in lines), lines
    assert all(len(out.split()) == 2 for out in lines if out.startswith("bestmove")), lines


@dataclass
class WebClient:
    """A play server on a free port in a daemon thread, and one live game (re-created when a request ends it)."""

    server: Any
    thread: threading.Thread
    game_id: str = ""

    @classmethod
    def start(cls, **options) -> "WebClient":
        from move37.protocols.web.server import PlayServer

        server = PlayServer("127.0.0.1", 0, **options)
        thread = threading.Thread(target=server.serve_forever, daemon=True)
        thread.start()
        return cls(server, thread)

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()
        self.thread.join(timeout=5)

    def request(self, method: str, path: str, body: bytes | None = None, media: str = "application/json",
                length: str | None = None):
        """(status, body) of one request; `length` replaces the Content-Length header http.client would send."""
        host, port = self.server.server_address[:2]
        conn = http.client.HTTPConnection(host, port, timeout=60)
        try:
            headers = {"Content-Type": media}
            if length is not None:
                headers["Content-Length"] = length.encode("latin-1")
            conn.request(method, path, body=body, headers=headers)
            resp = conn.getresponse()
            return resp.status, resp.read()
        finally:
            conn.close()

    def live_game(self) -> str:
        if not self.game_id or self.request("GET", f"/api/games/{self.game_id}")[0] != 200:
            body = json.dumps({"game": "tictactoe", "agent": "random"}).encode()
            status, data = self.request("POST", "/api/games", body)
            assert status == 201, data
            self.game_id = json.loads(data)["id"]
        return self.game_id


WEB_PATHS = ["/api/games", "/api/games/{id}", "/api/games/{id}/move", "/api/games/{id}/agent", "/api/games/{id}/undo",
             "/api/games/{id}/record.jsonl", "/api/games/{id}/record.sgf", "/api/games/{id}/record.pgn",
             "/api/games/{id}/record.exe", "/api/games/zzzz/move", "/", "/static/app.js", "/static/../server.py",
             "/%00", "/api//games", "/api/games/{id}/move?x=1"]
SAFE_AGENTS = ["random", "random:seed=3", "", "nosuch", "human", "random:x=1", "random:seed=x", "mcts:sims=-1",
               "alphabeta:depth=x", "alphabeta:depth=1", "mcts:sims=4", 'gtp:"sh -c reboot"', "uci:stockfish", ":"]


def web_bodies(agents: st.SearchStrategy[str]) -> st.SearchStrategy[bytes]:
    """Request bodies: JSON objects of the API's fields with any values, any JSON, bytes, deep nesting."""
    fields = st.fixed_dictionaries({}, optional={
        "game": st.one_of(game_specs(), json_values()), "agent": st.one_of(agents, json_values()),
        "human": st.one_of(st.sampled_from([0, 1, 2, -1, True, None, "0"]), json_values()),
        "move": st.one_of(move_texts("tictactoe"), json_values()),
        "action": st.one_of(st.integers(-2**65, 2**65), json_values())})
    return st.one_of(fields.filter(_finite).map(lambda d: json.dumps(d).encode()),
                     json_values().filter(_finite).map(lambda v: json.dumps(v).encode()),
                     st.binary(max_size=100), st.integers(1, 100_000).map(lambda n: b"[" * n))


#: Content-Length values that are no length (a wrong number would leave the server waiting for bytes, by design)
BAD_LENGTHS = ["²", "³", "-1", "1e3", "0x10", "abc"]  # sent as latin-1, as a header is read


def web_requests(agents: st.SearchStrategy[str]) -> st.SearchStrategy[tuple[str, str, bytes, str, str | None]]:
    """(method, path, body, media type, Content-Length or None for the true one)."""
    return st.tuples(st.sampled_from(["GET", "POST", "POST", "POST", "DELETE", "PUT", "PATCH"]),
                     st.one_of(st.sampled_from(WEB_PATHS), st.text(alphabet="/abcdefgz%.?0123456789", max_size=30)
                               .map(lambda p: "/" + p)),
                     web_bodies(agents),
                     st.sampled_from(["application/json", "application/json; charset=utf-8", "text/plain", ""]),
                     st.one_of(st.none(), st.none(), st.none(), st.sampled_from(BAD_LENGTHS)))


def check_web(client: WebClient, request: tuple[str, str, bytes, str, str | None]) -> int:
    """One request: a status under 500, a JSON error with every 4xx; the status."""
    method, path, body, media, length = request
    path = path.replace("{id}", client.live_game())
    status, data = client.request(method, path, None if method == "GET" else body, media, length)
    assert status < 500, (method, path, body[:200], data[:300])
    if status >= 400:
        assert json.loads(data)["error"]
    return status


# The cases: a name, its strategy, and a check taking one drawn input and a scratch folder.

@dataclass(frozen=True)
class Case:
    name: str
    strategy: st.SearchStrategy
    check: Callable[[Any, Path], Any]


def _task_case(name: str) -> Case:
    """A task's verifier: generated problems of every difficulty, each with a completion drawn around its reference."""
    from move37.reasoning import tasks

    task = tasks.make(name)
    problems = st.builds(lambda seed, d: task.generate(d, np.random.default_rng(seed)), st.integers(0, 2**32 - 1),
                         st.integers(task.min_difficulty, task.max_difficulty))
    drawn = problems.flatmap(lambda p: st.tuples(st.just(p), completions(st.just(task.reference(p)))))
    return Case(f"verifier:{name}", drawn, lambda pc, _f: check_verdict(task, *pc))


@functools.cache
def _gtp_engine(spec: str):
    from move37.protocols.gtp import GtpEngine

    return GtpEngine("random", spec, log=io.StringIO())


@functools.cache
def _uci_session(key: str = "lines"):
    """A UCI engine playing `random`, the list its output lines go to, and its log; one per `key`."""
    from move37.protocols.uci import UciEngine

    lines: list[str] = []
    log = io.StringIO()
    return UciEngine("random", out=lines.append, log=log), lines, log


@functools.cache
def _web_client() -> WebClient:
    client = WebClient.start()
    atexit.register(client.close)
    return client


def task_specs() -> list[str]:
    """A spec per registered task; `gym` needs a dataset, so it stands for one when reasoning-gym is installed."""
    from move37.reasoning import tasks

    out = [name for name in tasks.names() if name != "gym"]
    if importlib.util.find_spec("reasoning_gym") is not None:
        out.append("gym:spell_backward")
    return out


def cases() -> list[Case]:
    """Every parser of outside text, agent specs from outside (`agents.make(outside=True)`, UCI `setoption`, the
    play page) and config files of both trainers included."""
    from move37.reasoning import tasks

    out = [Case("sgf", sgf_texts(), lambda t, _f: check_sgf(t)),
           Case("pgn", pgn_texts(), lambda t, _f: check_position("chess", t)),
           Case("fen", fen_texts(), lambda t, _f: check_fen(t))]
    out += [Case(f"position:{spec}", position_texts(spec), lambda t, _f, spec=spec: check_position(spec, t))
            for spec in GAME_SPECS]
    out += [Case("spec:game", game_specs(), lambda t, _f: check_spec(games.make, t)),
            Case("spec:task", specs(tasks.names(), ["slip", "max_number", "max_target", "x"],
                                    ["0.5", "2", "100", "101", "-1", "nan", "1e400"]),
                 lambda t, _f: check_spec(tasks.make, t))]
    out += [_task_case(spec) for spec in task_specs()]
    out += [Case(f"gtp:{spec}", gtp_lines(move_texts(spec)), lambda t, _f, spec=spec: check_gtp(_gtp_engine(spec), t))
            for spec in ("tictactoe", "connect4", "othello:size=6", "go9")]
    out.append(Case("gtp:loadsgf", sgf_texts(), lambda t, f: check_gtp_loadsgf(_gtp_engine("go9"), t, f)))
    out.append(Case("records", records_files(), check_records))
    from move37.reasoning.config import TrainConfig
    from move37.train.config import from_dict

    for name, defaults, load in (("train", from_dict({}, "tictactoe").to_dict(), load_train_config),
                                 ("reason", TrainConfig().to_dict(), load_reason_config)):
        out += [Case(f"config:{name}", config_texts(defaults), lambda d, f, load=load: check_config(load, d, f)),
                Case(f"config:{name}:hostile", hostile_config_texts(defaults),
                     lambda d, f, load=load: check_refused(load, d, f))]
    out.append(Case("uci", uci_lines(), lambda t, _f: check_uci(*_uci_session(), t)))
    out.append(Case("http", web_requests(st.sampled_from(SAFE_AGENTS)), lambda r, _f: check_web(_web_client(), r)))
    from move37 import agents

    every_agent = st.one_of(st.sampled_from(AGENT_HOLES), agent_specs(agents.names()))
    out += [Case(f"spec:agent:{spec}", every_agent, lambda t, _f, spec=spec: check_outside_agent(spec, t))
            for spec in ("tictactoe", "connect4", "chess")]
    out.append(Case("uci:setoption", every_agent, lambda t, _f: check_no_program(lambda: check_setoption(t))))
    page_agents = every_agent.filter(lambda t: "100000" not in t)  # within the outside bounds, but seconds a move
    out.append(Case("http:agents", web_requests(page_agents),
                    lambda r, _f: check_no_program(lambda: check_web(_web_client(), r))))
    return out


def check_setoption(spec: str) -> None:
    """`setoption name Agent value SPEC` to a UCI engine (then back to the random agent): the rule of `check_uci`."""
    session = _uci_session("setoption")
    check_uci(*session, f"setoption name Agent value {spec}")
    check_uci(*session, "setoption name Agent value random")


def check_no_program(call: Callable[[], Any]) -> Any:
    """`call()` with subprocess.Popen refusing to start anything: an agent from outside may not start a program."""
    from unittest import mock

    with mock.patch("subprocess.Popen", side_effect=AssertionError("an agent from outside started a program")):
        return call()


def check_outside_agent(game_spec: str, text: str) -> None:
    """An agent spec from outside (`agents.make(..., outside=True)`): an agent within the outside bounds, or a
    Move37Error; never a program started."""
    from move37 import agents

    def build():
        with Refused():
            return agents.make(text, _game(game_spec), outside=True)

    agent = check_no_program(build)
    if agent is not None:
        agent.close()


INPUT_FILES = {"positions.txt", "config.json", "config.toml", "game.sgf", "records.jsonl"}  # the checks' own inputs


def run_case(case: Case, examples: int) -> None:
    """`examples` inputs through the case's check, each in a fresh scratch folder that must hold only the input
    files afterwards; Hypothesis reports (and shrinks) the first input that breaks the rule.

    The inputs are the same on every run (derandomized), so a suite that passes on one machine passes in CI;
    bench/reliability.py draws fresh ones (`--seed`) by the ten thousand to look for new breaks."""
    from hypothesis import HealthCheck, given, settings

    @settings(max_examples=examples, deadline=None, database=None, derandomize=True,
              suppress_health_check=list(HealthCheck))
    @given(case.strategy)
    def run(value):
        with scratch_folder() as folder:
            case.check(value, folder)
            assert set(files_under(folder)) <= INPUT_FILES, files_under(folder)

    run()


@contextlib.contextmanager
def scratch_folder():
    """A fresh temporary folder (and the working directory inside it, so a stray write lands there and is seen)."""
    with tempfile.TemporaryDirectory() as name:
        cwd = os.getcwd()
        os.chdir(name)
        try:
            yield Path(name)
        finally:
            os.chdir(cwd)
