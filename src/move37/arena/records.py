"""Game records as JSON Lines, one game a line, moves in the game's own notation.

A line looks like
  {"game": "connect4", "players": ["alphabeta:depth=4", "random"], "opening": "44",
   "moves": "4453...", "result": [1.0, -1.0], "seed": 7}
`players[i]` played as player i (player 0 moves first); `moves` is the whole game from
the initial position, opening included, so `game.state_from_moves(moves)` replays it;
`result` is the returns per player.

Writing appends one line at a time and fsyncs it, so a crash loses at most the game
being written; reading tolerates a torn last line (an interrupted append) but
reports a damaged line elsewhere as a RunFolderError.
"""

from __future__ import annotations

import json
import os
import threading
from collections.abc import Iterable
from dataclasses import asdict, dataclass, field
from pathlib import Path

from move37.atomic import write_text
from move37 import jsontext
from move37.errors import RunFolderError


@dataclass(frozen=True)
class GameRecord:
    """One finished game (see the module docstring for the fields)."""

    game: str
    players: tuple[str, ...]
    opening: str
    moves: str
    result: tuple[float, ...]
    seed: int | None = None
    plies: int = 0
    extra: dict = field(default_factory=dict)

    def to_json(self) -> str:
        row = asdict(self)
        row["players"], row["result"] = list(self.players), list(self.result)
        if not self.extra:
            del row["extra"]
        return json.dumps(row, separators=(",", ":"))

    @classmethod
    def from_json(cls, line: str) -> "GameRecord":
        row = jsontext.loads(line, constants=True)
        if not isinstance(row, dict):
            raise ValueError("not a JSON object")
        seed = row.get("seed")
        if seed is not None and (not isinstance(seed, int) or isinstance(seed, bool)):
            raise ValueError(f"seed {seed!r} is not an integer")
        return cls(game=str(row["game"]), players=tuple(map(str, row["players"])), opening=str(row["opening"]),
                   moves=str(row["moves"]), result=tuple(float(x) for x in row["result"]), seed=seed,
                   plies=int(row.get("plies", 0)), extra=dict(row.get("extra", {})))

    @property
    def key(self) -> tuple:
        """What identifies a game of a tournament: the game, who played which side, the opening, the seed."""
        return (self.game, self.players, self.opening, self.seed)

    def score(self, player: int) -> float:
        """Points for `player`: 1 win, 0.5 draw, 0 loss (two-player games)."""
        mine, best = self.result[player], max(self.result)
        if mine < best:
            return 0.0
        return 1.0 if list(self.result).count(best) == 1 else 0.5


class RecordWriter:
    """Appends records to a JSON Lines file, one durable line per game.

    A torn last line left by a crash is cut off first, so appending after it
    cannot glue a new record onto half an old one.
    """

    def __init__(self, path: str | Path):
        self.path = Path(path)
        _drop_torn_tail(self.path)
        self._file = open(self.path, "a", encoding="utf-8")

    def write(self, record: GameRecord) -> None:
        self._file.write(record.to_json() + "\n")
        self._file.flush()
        os.fsync(self._file.fileno())

    def close(self) -> None:
        self._file.close()

    def __enter__(self) -> "RecordWriter":
        return self

    def __exit__(self, *exc) -> None:
        self.close()


class GameRecorder:
    """Where a deployed agent (the web page, a GTP or UCI engine, started with --record FILE) keeps the games it
    finishes, for `move37 train --experience FILE`. Each game is appended once (a finished game seen again after
    an undo and the same moves is not written twice) as one fsynced line, from any thread."""

    def __init__(self, path: str | Path):
        self.path = Path(path)
        self._lock = threading.Lock()
        self._seen: set[tuple] = set()

    def record(self, record: GameRecord) -> None:
        key = (record.game, record.players, record.moves)
        with self._lock:
            if key in self._seen:
                return
            self._seen.add(key)
            with RecordWriter(self.path) as writer:
                writer.write(record)


def _drop_torn_tail(path: Path) -> None:
    """Truncate a file that does not end with a newline back to its last complete line."""
    if not path.exists():
        return
    with open(path, "rb+") as f:
        data = f.read()
        if data and not data.endswith(b"\n"):
            f.truncate(data.rfind(b"\n") + 1)


def write_records(path: str | Path, records: Iterable[GameRecord]) -> None:
    """Write a whole file atomically: temporary file, fsync, rename."""
    write_text(path, "".join(r.to_json() + "\n" for r in records))


def read_records(path: str | Path) -> list[GameRecord]:
    """All records of a file; a torn final line is skipped, any other bad line (or a file that is not UTF-8 text)
    is a RunFolderError."""
    try:
        lines = Path(path).read_bytes().decode("utf-8").split("\n")
    except UnicodeDecodeError as e:
        raise RunFolderError(f"{path}: not a file of game records (not UTF-8 text at byte {e.start})") from None
    out = []
    for i, line in enumerate(lines):
        if not line.strip():
            continue
        try:
            out.append(GameRecord.from_json(line))
        except (ValueError, KeyError, TypeError) as e:  # JSONTextError is a ValueError
            if i == len(lines) - 1:  # no newline after it: an append cut short
                break
            raise RunFolderError(f"{path}: line {i + 1} is not a game record ({e})") from None
    return out
