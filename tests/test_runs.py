"""The run-folder toolkit (move37.runs): the lock, run.json, checkpoints that a kill never loses, logs, configs."""

import json
import os
import shutil
import subprocess
import sys
from dataclasses import dataclass, field
from typing import Literal

import pytest
import torch

from move37 import runs
from move37.atomic import write_json
from move37.cli import main
from move37.errors import ConfigError, RunFolderError, SpecError


class Killed(BaseException):
    """A kill, as far as the folder can tell: nothing after it runs."""


def _snapshot(folder):
    return {p.relative_to(folder): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def _version(run, number=5) -> str:
    """Which write checkpoint `number` holds, checked to be whole: every file says the same version."""
    ckpt = run / "checkpoints" / f"{number:06d}"
    versions = {(ckpt / name).read_text() for name in ("a.txt", "b.txt")} | {runs.read_state(ckpt)["version"]}
    assert len(versions) == 1, versions
    return versions.pop()


def _write(run, version: str, number=5) -> None:
    def fill(folder):
        for name in ("a.txt", "b.txt"):
            (folder / name).write_text(version)
    runs.write_checkpoint(run, number, fill, {"version": version})


def test_rewriting_a_checkpoint_leaves_the_old_or_the_new_whatever_the_moment_of_a_kill(tmp_path, monkeypatch):
    """A kill before or after each rename and each deletion of a same-number rewrite, then `recover` (what the next
    process does once it holds the folder): checkpoint 5 is whole, old or new, and nothing else is left."""
    real_replace, real_rmtree = os.replace, shutil.rmtree
    outcomes = set()
    for n in range(8):
        for when in ("before", "after"):
            run = tmp_path / f"{n}{when}"
            _write(run, "old")
            calls = []

            def point(do, *args, **kwargs):
                calls.append(args[0])
                if len(calls) - 1 == n and when == "before":
                    raise Killed
                do(*args, **kwargs)
                if len(calls) - 1 == n and when == "after":
                    raise Killed

            with monkeypatch.context() as mp:
                mp.setattr(os, "replace", lambda a, b: point(real_replace, a, b))
                mp.setattr(shutil, "rmtree", lambda p, **kw: point(real_rmtree, p, **kw) if os.path.exists(p) else None)
                try:
                    _write(run, "new")
                except Killed:
                    pass
            runs.recover(run)
            outcomes.add((len(calls) > n, _version(run)))
            assert [p.name for p in (run / "checkpoints").iterdir()] == ["000005"]
    # the kills fell before the new checkpoint was in place (old), after (new), and past the end (no kill: new)
    assert outcomes == {(True, "old"), (True, "new"), (False, "new")}


def test_checkpoints_are_listed_pruned_and_read(tmp_path):
    for n in range(1, 7):
        _write(tmp_path, str(n), n)
    assert runs.latest_checkpoint(tmp_path).name == "000006"
    runs.prune_checkpoints(tmp_path, keep=2, keep_every=3)
    assert [d.name for d in runs.checkpoint_dirs(tmp_path)] == ["000003", "000005", "000006"]
    assert runs.latest_checkpoint(tmp_path / "nothing") is None
    (tmp_path / "checkpoints" / "000006" / "state.json").write_text("{torn")
    with pytest.raises(RunFolderError, match="damaged checkpoint state"):
        runs.read_state(tmp_path / "checkpoints" / "000006")


def test_an_agents_path_names_a_weights_file_or_a_run_folders_latest(tmp_path):
    """The zero and muzero agents' PATH: a file as it is, a run folder's latest checkpoint's weights,
    a one-line SpecError for an empty folder or a missing path."""
    run = tmp_path / "run"
    run.mkdir()
    with pytest.raises(SpecError, match="no checkpoint yet"):
        runs.weights_file(run, "network")
    for n in (1, 2):
        _write(run, str(n), n)
    assert runs.weights_file(run, "network") == run / "checkpoints" / "000002" / "weights.safetensors"
    file = tmp_path / "net.safetensors"
    file.write_bytes(b"")
    assert runs.weights_file(str(file), "network") == file
    with pytest.raises(SpecError, match="no such MuZero weights file or run folder"):
        runs.weights_file(tmp_path / "absent", "MuZero weights")


def test_optimizer_round_trip():
    torch.manual_seed(0)
    net = torch.nn.Linear(3, 2)
    opt = torch.optim.AdamW(net.parameters(), lr=0.01)
    net(torch.randn(4, 3)).sum().backward()
    opt.step()
    tensors, record = runs.optimizer_record(opt)
    json.dumps(record)  # the record goes into state.json
    fresh = torch.optim.AdamW(net.parameters(), lr=0.5)
    runs.restore_optimizer(fresh, tensors, record)
    a, b = opt.state_dict(), fresh.state_dict()
    assert a["param_groups"] == b["param_groups"]
    assert all(torch.equal(a["state"][i][k], b["state"][i][k]) for i in a["state"] for k in a["state"][i])


def test_open_run_creates_holds_and_refuses(tmp_path):
    out = tmp_path / "r"
    with pytest.raises(ConfigError):  # a bad config: no folder
        with runs.open_run(out, "zero", lambda: (_ for _ in ()).throw(ConfigError("bad"))):
            pass
    assert not out.exists()
    with runs.open_run(out, "zero", lambda: {"config": {"seed": 1}}) as meta:
        assert meta == {"format": 1, "trainer": "zero", "config": {"seed": 1}}
        with pytest.raises(RunFolderError, match="being trained by another process"):
            with runs.open_run(out, "zero", dict):
                pass
    with runs.open_run(out, "zero", dict) as again:  # let go: the next process reads it
        assert again == meta
    with pytest.raises(RunFolderError, match="is a zero run, not a reasoning run"):
        with runs.open_run(out, "reasoning", dict):
            pass
    write_json(out / "run.json", {"format": 1, "game": "connect4", "config": {}})  # before "trainer": a zero run
    assert runs.read_run(out, "zero")["game"] == "connect4"
    (out / "run.json").write_text("[1, 2")
    with pytest.raises(RunFolderError, match="damaged run description"):
        runs.read_run(out, "zero")
    mine = tmp_path / "mine"
    mine.mkdir()
    (mine / "notes.txt").write_text("not a run")
    with pytest.raises(RunFolderError, match="not a move37 run folder"):
        with runs.open_run(mine, "zero", dict):
            pass
    # what a start killed before run.json was in place leaves: the lock and run.json's temporary file
    killed = tmp_path / "killed"
    killed.mkdir()
    (killed / ".lock").touch()
    (killed / ".run.json.tmp123").write_text("{")
    with runs.open_run(killed, "zero", lambda: {"config": {}}):
        pass
    assert sorted(p.name for p in killed.iterdir()) == [".lock", "run.json"]


def test_logs_skip_a_torn_line_and_cut_back(tmp_path):
    path = tmp_path / "metrics.jsonl"
    runs.append_row(path, {"step": 1})
    at_checkpoint = runs.size(path)
    runs.append_row(path, {"step": 2})
    with open(path, "a") as f:
        f.write('{"step": 3')  # a kill in the middle of a line
    assert runs.read_rows(path) == [{"step": 1}, {"step": 2}]
    runs.truncate(path, at_checkpoint)
    assert runs.read_rows(path) == [{"step": 1}]
    assert runs.read_rows(tmp_path / "none.jsonl") == [] and runs.size(tmp_path / "none.jsonl") == 0


@dataclass(frozen=True)
class Inner:
    lr: float = 0.1
    sizes: tuple[int, ...] = (1, 2)

    def __post_init__(self):
        if self.lr <= 0:
            raise ValueError("lr must be positive")


@dataclass(frozen=True)
class Outer:
    seed: int = 0
    name: str = "x"
    mode: Literal["a", "b"] = "a"
    flag: bool = False
    extra: dict = field(default_factory=dict)
    inner: Inner = field(default_factory=Inner)


def test_build_is_strict_and_names_the_key():
    cfg = runs.build(Outer, {"seed": 3, "mode": "b", "inner": {"lr": 1, "sizes": [4]}})
    assert cfg == Outer(seed=3, mode="b", inner=Inner(lr=1.0, sizes=(4,))) and isinstance(cfg.inner.lr, float)
    assert runs.build(Outer, runs.to_dict(cfg)) == cfg
    for bad, message in [({"sed": 1}, "config sed: unknown key"), ({"seed": True}, "seed: expected int"),
                         ({"seed": 1.5}, "seed: expected int"), ({"mode": "c"}, "mode: \"c\" is not one of"),
                         ({"inner": {"lr": float("nan")}}, "inner.lr: expected float"),
                         ({"inner": {"sizes": [1, "2"]}}, r"inner.sizes\[1\]: expected int"),
                         ({"inner": 3}, "inner: expected an object"), ({"inner": {"lr": -1}}, "lr must be positive"),
                         ({"extra": []}, "extra: expected dict"), ({"name": "x" * 100}, None)]:
        if message is None:
            runs.build(Outer, bad)
            continue
        with pytest.raises(ConfigError, match=message) as e:
            runs.build(Outer, bad)
        assert "\n" not in str(e.value)
    assert runs.setting(cfg, "inner.lr") == 1.0
    changed = runs.with_settings(cfg, {"inner.lr": 0.5, "seed": 9})
    assert (changed.inner.lr, changed.seed, changed.inner.sizes) == (0.5, 9, (4,))
    assert runs.merge({"a": {"b": 1, "c": 2}, "d": 1}, {"a": {"b": 3}}) == {"a": {"b": 3, "c": 2}, "d": 1}


BAD_FILES = {
    "binary.json": b"\x89PNG\r\n\x1a\n\x00\xff\xfe",
    "deep.json": b"[" * 100_000 + b"]" * 100_000,
    "deepish.json": b'{"a": ' * 40 + b"1" + b"}" * 40,
    "nan.json": b'{"seed": NaN}',
    "list.json": b"[1, 2]",
    "torn.json": b'{"seed": 1',
    "deep.toml": b"a = " + b"[" * 100_000 + b"]" * 100_000,
    "bad.toml": b"seed = = 1",
    "huge.json": b" " * (2 << 20) + b"{}",
}


@pytest.mark.parametrize("name", sorted(BAD_FILES))
def test_read_file_refuses_what_is_not_a_config_in_one_line(tmp_path, name):
    path = tmp_path / name
    path.write_bytes(BAD_FILES[name])
    with pytest.raises(ConfigError) as e:
        runs.read_file(path)
    assert str(path) in str(e.value) and "\n" not in str(e.value)


@pytest.mark.parametrize("argv", [["train", "tictactoe", "--iterations", "1"], ["reason", "train"]])
@pytest.mark.parametrize("name", ["binary.json", "deep.json", "deep.toml", "nan.json"])
def test_cli_bad_config_files_are_one_line_exit_2_nothing_written(tmp_path, capsys, argv, name):
    path = tmp_path / name
    path.write_bytes(BAD_FILES[name])
    out = tmp_path / "out"
    assert main([*argv, "--out", str(out), "--config", str(path)]) == 2
    err = capsys.readouterr().err
    assert err.startswith("move37: error:") and err.count("\n") == 1
    assert not out.exists()


def test_a_second_process_on_a_reasoning_run_is_refused_and_writes_nothing(tmp_path):
    """The same lock as training's: a run held by one process (here a child holding .lock) is refused to
    `move37 reason train` in one line, exit status 2, and the folder is left as it was."""
    out = tmp_path / "r"
    out.mkdir()
    write_json(out / "run.json", {"format": 1, "trainer": "reasoning", "config": {}})
    (out / ".lock").touch()
    before = _snapshot(out)
    holder = subprocess.Popen([sys.executable, "-c", "import fcntl, sys, time; f = open(sys.argv[1], 'a'); "
                               "fcntl.flock(f, fcntl.LOCK_EX); print('held', flush=True); time.sleep(60)",
                               str(out / ".lock")], stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline().strip() == "held"
        proc = subprocess.run([sys.executable, "-m", "move37.cli", "reason", "train", "--out", str(out)],
                              capture_output=True, text=True, timeout=120)
    finally:
        holder.kill()
        holder.wait()
    assert proc.returncode == 2, proc.stderr
    assert proc.stderr.count("\n") == 1 and "being trained by another process" in proc.stderr
    assert _snapshot(out) == before
