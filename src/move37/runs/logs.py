"""Append-only JSON Lines logs (metrics.jsonl, games.jsonl) that a resume cuts back to a checkpoint.

Each line is appended and fsynced, so a kill leaves at most a partial last line, which `read_rows`
skips. A checkpoint records each log's byte length (`size`); a resume `truncate`s the log back to
it, because the lines after it belong to work that is redone: a resumed run's log then equals an
uninterrupted run's, line for line.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

from move37 import jsontext
from move37.atomic import append_line
from move37.errors import JSONTextError


def append_row(path: Path, row: dict) -> None:
    """Append `row` as one JSON line and fsync it."""
    append_line(path, json.dumps(row))


def read_rows(path: Path) -> list[dict]:
    """The log's rows; a partial last line left by a kill is skipped (a missing log has none)."""
    path = Path(path)
    if not path.is_file():
        return []
    text = path.read_text()
    rows = []
    for line in text[: text.rfind("\n") + 1].splitlines():
        try:
            rows.append(jsontext.loads(line, constants=True))
        except JSONTextError:
            continue  # damaged by hand or by the disk: the other rows still count
    return rows


def size(path: Path) -> int:
    """The log's length in bytes (0 when it does not exist yet): what a checkpoint records."""
    path = Path(path)
    return path.stat().st_size if path.exists() else 0


def truncate(path: Path, length: int) -> None:
    """Cut the log back to `length` bytes (its length at the checkpoint being resumed)."""
    path = Path(path)
    if path.exists() and path.stat().st_size > length:
        with open(path, "r+b") as f:
            f.truncate(length)
            os.fsync(f.fileno())
