"""bench/worldmodel_eval.py: greedy evaluation of a MuZero environment run's checkpoints, apart from training."""

import importlib.util
import json
from pathlib import Path

import pytest

from move37 import jsontext, runs
from move37.worldmodel.train import train

ROOT = Path(__file__).resolve().parent.parent
spec = importlib.util.spec_from_file_location("worldmodel_eval", ROOT / "bench" / "worldmodel_eval.py")
ev = importlib.util.module_from_spec(spec)
spec.loader.exec_module(ev)

TINY = {"sims": 2, "eval_sims": 2, "parallel": 4, "episodes": 4, "batch": 8, "updates_per_move": 0.05,
        "eval_every": 100, "keep": 5, "net": {"latent": 8, "hidden": 16, "projection": 8}}


@pytest.fixture(scope="module")
def run(tmp_path_factory):
    folder = tmp_path_factory.mktemp("cartpole")
    config = folder / "config.json"
    config.write_text(json.dumps(TINY))
    train("gym:CartPole-v1", folder / "run", config_path=str(config), iterations=2, log=open("/dev/null", "w"))
    for i, cpu in [(0, 6.0), (1, 12.0)]:
        runs.append_row(folder / "run" / "cpu.jsonl", {"row": i, "cpu": cpu, "wall": 0.0})
    return folder / "run"


def test_evaluates_chosen_checkpoints_deterministically_and_rewrites_a_row(run, tmp_path):
    out = tmp_path / "eval.json"
    rows = ev.evaluate(run, out, episodes=3, sims=2, iterations=[1, 2])
    assert [r["iteration"] for r in rows] == [1, 2]
    assert [r["cpu_minutes"] for r in rows] == [0.1, 0.2]
    assert all(1 <= r["min"] <= r["mean"] <= 500 and r["episodes"] == 3 for r in rows)
    again = ev.evaluate(run, out, episodes=3, sims=2, iterations=[2])
    assert len(again) == 2 and again[1]["mean"] == rows[1]["mean"]
    assert [r["iteration"] for r in jsontext.read(out)["rows"]] == [1, 2]
    ev.plot(tmp_path / "curve.png", run, out, 475.0)
    assert (tmp_path / "curve.png").stat().st_size > 0


def test_a_missing_checkpoint_is_refused(run, tmp_path):
    with pytest.raises(SystemExit, match="no checkpoint for iteration"):
        ev.evaluate(run, tmp_path / "eval.json", episodes=2, sims=2, iterations=[7])
