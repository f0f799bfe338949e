"""Atomic file writes: write a temporary file, fsync it, rename it over the target.

A reader (or a resumed run after SIGKILL) sees either the old file or the new one,
never a half-written one. Every file that matters in move37 — checkpoints, run state,
game records, benchmark results, docs tables — is written through this module.
"""

from __future__ import annotations

import io
import json
import os
from pathlib import Path

import numpy as np


def fsync_dir(path: Path) -> None:
    """Make a rename inside `path` durable."""
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def write_bytes(path: Path, data: bytes) -> None:
    """Replace `path` with `data` atomically (creating its folder if needed)."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.tmp{os.getpid()}")
    with open(tmp, "wb") as f:
        f.write(data)
        f.flush()
        os.fsync(f.fileno())
    os.replace(tmp, path)
    fsync_dir(path.parent)


def write_text(path: Path, text: str) -> None:
    """Replace `path` with UTF-8 `text` atomically."""
    write_bytes(path, text.encode("utf-8"))


def write_json(path: Path, obj, *, indent: int = 1, sort_keys: bool = False) -> None:
    """Replace `path` with `obj` as JSON (and a final newline) atomically."""
    write_text(path, json.dumps(obj, indent=indent, sort_keys=sort_keys) + "\n")


def write_npz(path: Path, **arrays: np.ndarray) -> None:
    buf = io.BytesIO()
    np.savez(buf, **arrays)
    write_bytes(path, buf.getvalue())


def append_line(path: Path, line: str) -> None:
    """Append one line and fsync: a crash can leave at most a partial last line, which readers skip."""
    with open(path, "a") as f:
        f.write(line.rstrip("\n") + "\n")
        f.flush()
        os.fsync(f.fileno())
