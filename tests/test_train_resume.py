"""Exact resume: a training process killed with SIGKILL at random moments, then resumed,
ends with the same network, game records and replay window as a run never interrupted."""

import json
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest

from move37.runs import checkpoint_dirs
from move37.train.loop import train

TINY = {"games_per_iteration": 8, "keep_checkpoints": 2, "selfplay": {"parallel_games": 8, "sims": 8},
        "learn": {"batch_size": 32, "window": 150, "min_positions": 40, "replay_ratio": 4},
        "eval": {"every": 0, "elo_every": 0}}
ITERATIONS = 7


def _lines(path: Path) -> list[dict]:
    text = path.read_text() if path.exists() else ""
    complete = text[: text.rfind("\n") + 1]  # a kill may leave one partial last line
    return [json.loads(line) for line in complete.splitlines()]


def _check_folder(run: Path) -> int:
    """Every file a resume relies on is valid; returns the newest checkpoint's iteration."""
    dirs = checkpoint_dirs(run)
    assert dirs, "no checkpoint"
    for d in dirs:
        state = json.loads((d / "state.json").read_text())
        assert (d / "weights.safetensors").stat().st_size > 0
        for chunk in state["chunks"]:
            with np.load(run / "buffer" / chunk) as z:
                assert len(z["value"]) == len(z["obs"]) > 0
    state = json.loads((dirs[-1] / "state.json").read_text())
    games = _lines(run / "games.jsonl")
    assert len(games) >= state["games"] and [g["index"] for g in games] == list(range(len(games)))
    iters = [m["iteration"] for m in _lines(run / "metrics.jsonl")]
    assert iters == list(range(1, len(iters) + 1)) and len(iters) >= state["iteration"]
    return state["iteration"]


def test_sigkill_at_random_moments_then_resume_is_exact(tmp_path):
    config = tmp_path / "tiny.json"
    config.write_text(json.dumps(TINY))
    reference = tmp_path / "reference"
    train("tictactoe", reference, iterations=ITERATIONS, config_path=config, progress=False)

    run = tmp_path / "killed"
    cmd = [sys.executable, "-m", "move37.cli", "train", "tictactoe", "--out", str(run),
           "--iterations", str(ITERATIONS), "--config", str(config)]
    env = {**os.environ, "TQDM_DISABLE": "1"}
    rng = np.random.default_rng(7)
    done = 0
    for _ in range(2):
        proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env)
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline and proc.poll() is None and len(_lines(run / "metrics.jsonl")) <= done:
            time.sleep(0.05)
        time.sleep(rng.uniform(0.0, 0.6))  # somewhere inside the next iteration or checkpoint write
        proc.send_signal(signal.SIGKILL)
        proc.wait()
        reached = _check_folder(run)
        assert reached >= done  # step counts never go back
        done = reached
    assert subprocess.run(cmd, env=env, capture_output=True).returncode == 0
    assert _check_folder(run) == ITERATIONS

    last_ref, last_run = checkpoint_dirs(reference)[-1], checkpoint_dirs(run)[-1]
    assert last_ref.name == last_run.name
    assert (last_ref / "weights.safetensors").read_bytes() == (last_run / "weights.safetensors").read_bytes()
    assert (last_ref / "optimizer.safetensors").read_bytes() == (last_run / "optimizer.safetensors").read_bytes()
    assert (reference / "games.jsonl").read_text() == (run / "games.jsonl").read_text()
    timing = ("elapsed", "games_per_s", "moves_per_s", "evals_per_s")
    strip = lambda rows: [{k: v for k, v in r.items() if k not in timing} for r in rows]  # noqa: E731
    assert strip(_lines(reference / "metrics.jsonl")) == strip(_lines(run / "metrics.jsonl"))
    s_ref = json.loads((last_ref / "state.json").read_text())
    s_run = json.loads((last_run / "state.json").read_text())
    assert s_ref["chunks"] == s_run["chunks"] and s_ref["step"] == s_run["step"] > 0
    for chunk in s_ref["chunks"]:  # the replay window is the same, position for position
        with np.load(reference / "buffer" / chunk) as a, np.load(run / "buffer" / chunk) as b:
            for key in ("obs", "legal", "policy", "value"):
                np.testing.assert_array_equal(a[key], b[key])
    # memory and disk stay bounded: the window holds at most `window` + one chunk, old chunks are deleted
    total = sum(len(np.load(run / "buffer" / c)["value"]) for c in s_run["chunks"])
    assert total <= TINY["learn"]["window"] + TINY["games_per_iteration"] * 9
    assert len(list((run / "buffer").glob("chunk_*.npz"))) < ITERATIONS
    assert len(checkpoint_dirs(run)) == TINY["keep_checkpoints"]


def test_a_kill_at_every_write_then_resume_is_exact(tmp_path, monkeypatch, kills):
    """Killed before or after each write in turn (run.json, each replay chunk, each checkpoint file and folder
    rename, each game and metrics line, half-written too, each deletion), the resumed run ends with the network,
    optimiser, games and metrics of an uninterrupted one. (fsync matters when the machine loses power, not when
    a process dies: off here, for speed.)"""
    from move37.train import loop

    monkeypatch.setattr(os, "fsync", lambda fd: None)
    small = {**TINY, "games_per_iteration": 4, "selfplay": {"parallel_games": 4, "sims": 4},
             "learn": {**TINY["learn"], "window": 60, "min_positions": 20, "replay_ratio": 2}}
    config = tmp_path / "tiny.json"
    config.write_text(json.dumps(small))
    with kills.writes(tmp_path, appenders=[loop]) as seen:
        train("tictactoe", tmp_path / "ref", iterations=3, config_path=config, progress=False)
    assert len(seen) > 30 and any("games.jsonl" in w for w in seen) and any("chunk_" in w for w in seen)
    timing = ("elapsed", "games_per_s", "moves_per_s", "evals_per_s")
    strip = lambda rows: [{k: v for k, v in r.items() if k not in timing} for r in rows]  # noqa: E731
    ref = checkpoint_dirs(tmp_path / "ref")[-1]
    for n, when in kills.points(seen):
        run = tmp_path / f"{n}-{when}"
        with pytest.raises(kills.Killed), kills.writes(tmp_path, (n, when), appenders=[loop]):
            train("tictactoe", run, iterations=3, config_path=config, progress=False)
        train("tictactoe", run, iterations=3, config_path=config, progress=False)  # the same command again
        last = checkpoint_dirs(run)[-1]
        assert [d.name for d in checkpoint_dirs(run)] == [d.name for d in checkpoint_dirs(tmp_path / "ref")], seen[n]
        for name in ("weights.safetensors", "optimizer.safetensors"):
            assert (last / name).read_bytes() == (ref / name).read_bytes(), (n, when, seen[n])
        assert (run / "games.jsonl").read_text() == (tmp_path / "ref" / "games.jsonl").read_text()
        assert strip(_lines(run / "metrics.jsonl")) == strip(_lines(tmp_path / "ref" / "metrics.jsonl"))
        shutil.rmtree(run)
