"""Shared fixtures: the public ground-truth data made by others (for cross-checks only); one torch thread;
kills at each write; the prover's small Metamath databases (slices of set.mm)."""

import contextlib
import os
import shutil
import types
from pathlib import Path

import pytest
import torch

from move37.data import public_data
from move37.runs import logs as run_logs


@pytest.fixture
def shared_data() -> Path:
    """The public sets ($MOVE37_SHARED_DATA, else ../shared/data beside the checkout). Only tests whose
    purpose is the cross-check against them use this; they skip with a reason where it is absent.
    Everything else reads the positions shipped in move37/data."""
    path = public_data()
    if path is None:
        pytest.skip("public ground-truth folder not present (set MOVE37_SHARED_DATA or put it at ../shared/data)")
    return path


@pytest.fixture(scope="module")
def one_thread():
    """One torch thread for a module's tests: far faster than two on a shared CPU for models this small."""
    before = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(before)


class Killed(BaseException):
    """A kill, as far as a run folder can tell: nothing after it runs (no `except Exception` catches it)."""


@contextlib.contextmanager
def _writes(under: Path, kill_at: tuple[int, str] | None = None, appenders=()):
    """Count the writes under folder `under` (others, such as compiled-code caches, pass) and, with `kill_at` = (n, when), stop the process at write n: "before"
    it (a replace: its temporary file written but not renamed; an append: half of its line written) or "after".
    Writes: every os.replace (each atomic file, each checkpoint folder's rename, aside and back), every JSON
    Lines append (move37.runs.logs and the modules in `appenders` that append through move37.atomic), every
    folder and file deleted. Yields the list of writes seen so far ("kind path")."""
    seen: list[str] = []
    real_replace, real_append, real_rmtree, real_unlink = os.replace, run_logs.append_line, shutil.rmtree, Path.unlink

    def point(kind: str, do, path, *args, **kwargs):
        if not str(path).startswith(str(under)):
            return do(path, *args, **kwargs)
        n = len(seen)
        seen.append(f"{kind} {path}")
        if kill_at == (n, "before"):
            if kind == "append":
                with open(path, "a") as f:
                    f.write(args[0][: len(args[0]) // 2])
            raise Killed
        do(path, *args, **kwargs)
        if kill_at == (n, "after"):
            raise Killed

    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(os, "replace", lambda a, b: point("replace", lambda b_, a_: real_replace(a_, b_), b, a))
        for module in (run_logs, *appenders):
            mp.setattr(module, "append_line", lambda path, line: point("append", real_append, path, line))
        mp.setattr(shutil, "rmtree", lambda path, **kw: point("rmtree", real_rmtree, path, **kw)
                   if os.path.exists(path) else None)
        mp.setattr(Path, "unlink", lambda path, **kw: point("unlink", real_unlink, path, **kw)
                   if path.exists() else None)
        yield seen


def _points(seen: list[str]) -> list[tuple[int, str]]:
    """Every moment to kill at: before and after each write (after only, for a deletion)."""
    return [(n, when) for n, write in enumerate(seen) for when in ("before", "after")
            if when == "after" or write.split()[0] in ("replace", "append")]


@pytest.fixture
def kills():
    """`kills.writes(under, kill_at=None, appenders=())` counts the writes under a folder or kills it at one (a context manager
    yielding the writes), `kills.points(seen)` lists every moment to kill at, `kills.Killed` is what a kill raises."""
    return types.SimpleNamespace(writes=_writes, points=_points, Killed=Killed)


@pytest.fixture(scope="session")
def setmm() -> str:
    """set.mm's text, read once (Debian metamath-databases, which `make test` installs); the prover
    tests skip with a reason where it is absent."""
    from move37.prove import database

    if not database.DEFAULT_DB.is_file():
        pytest.skip("set.mm not installed (Debian metamath-databases)")
    return database.DEFAULT_DB.read_text()


@pytest.fixture(scope="session")
def prop_text(setmm) -> str:
    """set.mm up to `wal`: its propositional calculus, a small database the prover's tests share."""
    from move37.prove import database

    return database.prefix(setmm, "wal")


@pytest.fixture(scope="module")
def prop(prop_text):
    """(database, Theory) of `prop_text`, parsed afresh for each module (a Theory keeps caches)."""
    from move37.prove import database, environment

    db = database.parse(prop_text)
    return db, environment.Theory(db)


@pytest.fixture(scope="module")
def prop_file(prop_text, tmp_path_factory) -> Path:
    """`prop_text` as a database file (prop.mm) for the `move37 prove` commands."""
    path = tmp_path_factory.mktemp("db") / "prop.mm"
    path.write_text(prop_text)
    return path
