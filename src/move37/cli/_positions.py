"""Positions files, shared by `solve` and `best-move`.

One position a line. Its first whitespace-separated field is the position as a move
sequence ("4453 -2" in Pons's files), except for games with their own position
notation (Othello's board + side to move, chess FEN), which contains spaces: those
get the whole line. Blank lines and lines starting with '#' are skipped. A bad line
is reported as `move37: error: FILE:LINE: message` by the caller, which goes on.
"""

from __future__ import annotations

import sys
from typing import Iterator

from move37.errors import NotationError
from move37.games.base import Game


def read_lines(path: str) -> list[str]:
    """The file's lines ('-' is standard input); OSError reaches the CLI's one-line handler, and
    text that is not UTF-8 (a binary file given by mistake) is one NotationError for the whole file."""
    if path == "-":
        stdin = getattr(sys.stdin, "buffer", None)  # absent when a caller replaced stdin by a text stream
        if stdin is None:
            return sys.stdin.read().splitlines()
        data = stdin.read()
    else:
        with open(path, "rb") as f:
            data = f.read()
    try:
        return data.decode("utf-8").splitlines()
    except UnicodeDecodeError as e:
        raise NotationError(f"{path}: not UTF-8 text (byte {e.start} of the file)") from None


def positions(game: Game, lines: list[str]) -> Iterator[tuple[int, str]]:
    """(1-based line number, position text) for each non-blank, non-comment line."""
    whole_line = game.state_to_text(game.initial_state()) is not None
    for number, line in enumerate(lines, 1):
        fields = line.split()
        if not fields or fields[0].startswith("#"):
            continue
        yield number, line.strip() if whole_line else fields[0]


def report_bad_line(path: str, number: int, error: Exception) -> str:
    """The one-line message for a bad line."""
    return f"move37: error: {path}:{number}: {error}"
