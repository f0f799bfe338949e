"""A run folder: its description (run.json) and the one process that may write it (.lock).

Every trainer (AlphaZero in train/, reasoning RL in reasoning/) keeps a run in one folder:

    run.json        {"format": 1, "trainer": "zero" | "reasoning", "config": {...}, ...} (the trainer's fields)
    .lock           held (flock) by the one process writing the folder
    checkpoints/    numbered checkpoints (checkpoints.py)
    metrics.jsonl   one JSON object a line (logs.py)

`open_run` is the one way in: it holds the folder for this process before anything is written,
and a folder that is not a run, or a run of another trainer, is refused before any write.
"""

from __future__ import annotations

import contextlib
import fcntl
from collections.abc import Callable, Iterator
from pathlib import Path

from move37.atomic import write_json
from move37 import jsontext
from move37.errors import JSONTextError, RunFolderError
from move37.runs.checkpoints import recover

RUN_FILE = "run.json"
LOCK_FILE = ".lock"
FORMAT = 1


def read_run(out: Path, trainer: str) -> dict:
    """run.json of `out`; RunFolderError when it is missing, damaged or another trainer's.
    (Format-1 files written before the reasoning trainer shared the format have no "trainer": zero runs.)"""
    path = Path(out) / RUN_FILE
    if not path.is_file():
        raise RunFolderError(f"{out} is not a move37 run folder (no {RUN_FILE})")
    try:
        meta = jsontext.read(path, constants=True)
    except JSONTextError as e:
        raise RunFolderError(f"{path}: damaged run description ({e})") from None
    if not isinstance(meta, dict) or not isinstance(meta.get("config"), dict):
        raise RunFolderError(f"{path}: damaged run description (no config object)")
    kind = meta.get("trainer", "zero")
    if kind != trainer:
        raise RunFolderError(f"{out} is a {kind} run, not a {trainer} run")
    return meta


def write_run(out: Path, meta: dict) -> None:
    """Replace run.json atomically (sorted keys: equal runs have equal files)."""
    write_json(Path(out) / RUN_FILE, meta, indent=1, sort_keys=True)


@contextlib.contextmanager
def hold(out: Path) -> Iterator[None]:
    """Hold the run folder for this process: a second trainer on the same folder would interleave its records,
    checkpoints and logs with ours. An advisory lock on `out/.lock` (flock), which the kernel drops when the
    process ends in any way, SIGKILL included, so no stale lock is left behind."""
    with open(Path(out) / LOCK_FILE, "a") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise RunFolderError(f"{out} is being trained by another process; wait for it to end") from None
        yield


def _left_by_a_start(path: Path) -> bool:
    """Whether `path` is what a start killed before its run.json was in place leaves: the lock file, or
    run.json's temporary file (move37.atomic)."""
    return path.name == LOCK_FILE or (path.name.startswith(f".{RUN_FILE}.tmp") and path.is_file())


@contextlib.contextmanager
def open_run(out: Path, trainer: str, create: Callable[[], dict]) -> Iterator[dict]:
    """Hold run folder `out` and yield its run.json, creating the run when `out` is new or empty.

    `create()` gives a new run's fields ("config" and the trainer's own); it runs before anything is
    written, so a bad config (ConfigError) leaves no folder behind. An existing run is read (RunFolderError
    when damaged or another trainer's) only once held, and a checkpoint rewrite cut short by a kill is
    completed (checkpoints.recover). A folder without run.json holding anything but what a killed start
    leaves behind is refused."""
    out = Path(out)
    if (out / RUN_FILE).is_file():
        with hold(out):
            meta = read_run(out, trainer)
            recover(out)
            yield meta
        return
    if out.exists() and (not out.is_dir() or not all(_left_by_a_start(p) for p in out.iterdir())):
        raise RunFolderError(f"{out} exists and is not a move37 run folder (no {RUN_FILE})")
    meta = {"format": FORMAT, "trainer": trainer, **create()}
    out.mkdir(parents=True, exist_ok=True)
    with hold(out):
        if (out / RUN_FILE).is_file():  # another process created the run between our look and our lock
            raise RunFolderError(f"{out} was just started by another process")
        for stray in out.iterdir():
            if stray.name != LOCK_FILE:
                stray.unlink()
        write_run(out, meta)
        yield meta
