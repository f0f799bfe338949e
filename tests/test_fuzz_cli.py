"""The command line's side of the rule for outside text: positions files fuzzed into `best-move` and `solve` and
config files no reader may accept into `train` and `reason train` (in this process), and the issue's own
reproductions (a deeply nested SGF, a binary positions file) through a real `move37` process: exit 2 with one
`move37: error:` line per problem, never a traceback, nothing written."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import fuzzing
import move37

# the child process imports the move37 this process tested, even when run from another folder
CHILD_ENV = {**os.environ, "PYTHONPATH": os.pathsep.join([str(Path(move37.__file__).parents[1]),
                                                          os.environ.get("PYTHONPATH", "")])}


@pytest.mark.timeout(300)
@pytest.mark.parametrize("spec", fuzzing.GAME_SPECS)
def test_best_move_positions_files(spec, one_thread):
    @settings(max_examples=40, deadline=None, database=None, suppress_health_check=list(HealthCheck))
    @given(fuzzing.positions_files(spec))
    def run(data):
        with fuzzing.scratch_folder() as folder:
            fuzzing.check_positions_file(spec, data, folder)

    run()


@pytest.mark.timeout(300)
def test_solve_positions_files():
    @settings(max_examples=60, deadline=None, database=None, suppress_health_check=list(HealthCheck))
    @given(fuzzing.positions_files("tictactoe"))
    def run(data):
        with fuzzing.scratch_folder() as folder:
            (folder / "positions.txt").write_bytes(data)
            rc, out, err = fuzzing.run_cli(["solve", "tictactoe", "--positions", str(folder / "positions.txt")])
            fuzzing.check_error_lines(rc, err)
            assert fuzzing.files_under(folder) == ["positions.txt"]

    run()


def _best_move(tmp_path, data: bytes, spec: str = "go9") -> subprocess.CompletedProcess:
    path = tmp_path / "positions.txt"
    path.write_bytes(data)
    return subprocess.run([sys.executable, "-m", "move37.cli", "best-move", spec, "--agent", "random", "--positions",
                           str(path)], capture_output=True, text=True, timeout=120, cwd=tmp_path, env=CHILD_ENV)


@pytest.mark.timeout(300)
def test_deeply_nested_sgf_through_best_move(tmp_path):
    # 20,000 nested variations beside a short main line: read without recursion, the main line's position answered.
    deep = "(;SZ[9];B[ee](;W[cc])" + "(;W[aa]" * 20_000 + ")" * 20_000 + ")"
    done = _best_move(tmp_path, deep.encode())
    assert done.returncode == 0 and done.stderr == "" and len(done.stdout.split()) == 1, done.stderr[-2000:]
    # The same nesting left open (7 + 7 * 20,000 characters): one line naming the problem, exit 2.
    done = _best_move(tmp_path, ("(;SZ[9]" + "(;B[aa]" * 20_000).encode())
    assert done.returncode == 2 and "Traceback" not in done.stderr, done.stderr[-2000:]
    path = tmp_path / "positions.txt"
    assert done.stderr.splitlines() == [f"move37: error: {path}:1: bad SGF at character 140007: expected ')', found "
                                        "'end of text'", f"move37: error: 1 bad line(s) in {path}"]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["positions.txt"]


@pytest.mark.timeout(300)
def test_binary_positions_file_is_one_line(tmp_path):
    done = _best_move(tmp_path, bytes(range(256)) * 4, "connect4")
    assert done.returncode == 2 and done.stdout == ""
    assert done.stderr == f"move37: error: {tmp_path / 'positions.txt'}: not UTF-8 text (byte 128 of the file)\n"


@pytest.mark.timeout(300)
@pytest.mark.parametrize("command", [["train", "tictactoe"], ["reason", "train"]])
def test_hostile_config_is_one_line_and_writes_nothing(command):
    """`move37 train ... --config FILE` and `move37 reason train --config FILE` with a file no reader may accept:
    exit 2, one `move37: error:` line, and no run folder."""
    from move37.reasoning.config import TrainConfig

    @settings(max_examples=25, deadline=None, database=None, suppress_health_check=list(HealthCheck))
    @given(st.one_of(fuzzing.hostile_config_texts(TrainConfig().to_dict()), st.just(b"null"), st.just(b"[1, 2]")))
    def run(data):
        with fuzzing.scratch_folder() as folder:
            (folder / "config.json").write_bytes(data)
            argv = [*command, "--out", str(folder / "run"), "--config", str(folder / "config.json")]
            rc, out, err = fuzzing.run_cli(argv + (["--iterations", "1"] if command[0] == "train" else ["--quiet"]))
            assert rc == 2 and len(err.splitlines()) == 1 and err.startswith("move37: error: "), (rc, err[-500:])
            assert fuzzing.files_under(folder) == ["config.json"]

    run()
