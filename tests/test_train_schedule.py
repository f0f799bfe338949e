"""Schedules in the training config: validated in one line, followed iteration by iteration, recorded in the
metrics, and the same after a resume; and configs/connect4-shipped.json, the shipped network's history."""

import json
import re
from pathlib import Path

import pytest

from move37.cli import main
from move37.errors import ConfigError
from move37.runs import checkpoint_dirs, setting
from move37.train.config import from_dict, load_config

TINY = {"games_per_iteration": 4, "selfplay": {"parallel_games": 4, "sims": 4},
        "learn": {"batch_size": 16, "window": 200, "min_positions": 20}, "eval": {"every": 0, "elo_every": 0}}
SCHEDULE = {"learn.lr": {"by": "iteration", "steps": [[2, 1e-3], [3, 5e-4]]},
            "selfplay.sims": {"by": "iteration", "steps": [[1, 12]]},  # above the constant: trees sized for it
            "search.discount": {"by": "iteration", "steps": [[3, 0.9]]},
            "learn.search_value_weight": {"steps": [[0, 0.5]]}}
ROOT = Path(__file__).resolve().parent.parent


def _rows(run: Path) -> list[dict]:
    return [json.loads(line) for line in (run / "metrics.jsonl").read_text().splitlines()]


def test_the_config_in_force_follows_the_steps():
    config = from_dict({"schedule": {"learn.lr": {"by": "iteration", "steps": [[0, 2e-3], [247, 5e-4]]},
                                     "selfplay.sims": {"by": "minutes", "steps": [[30, 64], [60.5, 128]]}}}, "connect4")
    assert [config.at(i, 0).learn.lr for i in (0, 246, 247, 1000)] == [2e-3, 2e-3, 5e-4, 5e-4]
    assert [config.at(0, m).selfplay.sims for m in (0, 29.9, 30, 60.4, 60.5)] == [32, 32, 64, 64, 128]
    assert isinstance(config.at(0, 61).selfplay.sims, int) and config.peak("selfplay.sims") == 128
    assert config.at(500, 45).learn.window == config.learn.window  # what no schedule names stays
    assert from_dict(config.to_dict()) == config  # run.json round trip


@pytest.mark.parametrize("schedule, message", [
    ({"learn.lrate": {"steps": [[0, 1e-3]]}}, "schedule.learn.lrate: not a schedulable setting"),
    ({"net.blocks": {"steps": [[10, 6]]}}, "schedule.net.blocks: not a schedulable setting"),
    ({"learn.lr": {"by": "hours", "steps": [[0, 1e-3]]}}, "schedule.learn.lr.by: \"hours\" is not one of 'iteration', 'minutes'"),
    ({"learn.lr": {"steps": []}}, "schedule.learn.lr.steps: expected a non-empty list"),
    ({"learn.lr": {"steps": [[5]]}}, "schedule.learn.lr.steps: expected a non-empty list"),
    ({"learn.lr": {"steps": [[5, 1e-3], [5, 2e-4]]}}, "points `at` must be >= 0 and increasing"),
    ({"learn.lr": {"steps": [[-1, 1e-3]]}}, "points `at` must be >= 0 and increasing"),
    ({"learn.lr": {"steps": [[5, -1e-3]]}}, "schedule.learn.lr: -0.001 at 5 is out of range"),
    ({"learn.discount": {"steps": [[5, 1.5]]}}, "schedule.learn.discount: 1.5 at 5 is out of range"),
    ({"keep_checkpoints": {"steps": [[5, 0]]}}, "schedule.keep_checkpoints: 0 at 5 is out of range"),
    ({"selfplay.sims": {"steps": [[5, 12.5]]}}, "schedule.selfplay.sims: expected whole numbers"),
    ({"learn.lr": {"steps": [["soon", 1e-3]]}}, "schedule.learn.lr.steps"),
    ({"learn.lr": 1e-3}, "schedule.learn.lr: expected an object"),
    ([["learn.lr", 1e-3]], "schedule: expected an object"),
])
def test_a_bad_schedule_is_a_one_line_error_that_writes_nothing(tmp_path, capsys, schedule, message):
    with pytest.raises(ConfigError, match=re.escape(message)):
        from_dict({"schedule": schedule}, "tictactoe")
    cfg, run = tmp_path / "bad.json", tmp_path / "run"
    cfg.write_text(json.dumps({**TINY, "schedule": schedule}))
    assert main(["train", "tictactoe", "--out", str(run), "--iterations", "1", "--config", str(cfg)]) == 2
    err = capsys.readouterr().err.strip()
    assert err.startswith("move37: error:") and message in err and "\n" not in err
    assert not run.exists()


def test_a_run_follows_its_schedule_records_it_and_resumes_onto_the_same_values(tmp_path):
    cfg = tmp_path / "tiny.json"
    cfg.write_text(json.dumps({**TINY, "schedule": SCHEDULE}))
    straight, resumed = tmp_path / "straight", tmp_path / "resumed"
    assert main(["train", "tictactoe", "--out", str(straight), "--iterations", "4", "--config", str(cfg)]) == 0
    rows = _rows(straight)
    assert [r["learn.lr"] for r in rows] == [3e-3, 3e-3, 1e-3, 5e-4]  # tictactoe's preset rate, then the steps
    assert [r["selfplay.sims"] for r in rows] == [4, 12, 12, 12]
    assert [r["search.discount"] for r in rows] == [1.0, 1.0, 1.0, 0.9]
    assert [r["learn.search_value_weight"] for r in rows] == [0.5] * 4
    assert "learn.discount" not in rows[0]  # only what the schedule names
    ckpts = {d.name: d for d in checkpoint_dirs(straight)}
    # each checkpoint's player gets the discount its network was trained with
    assert json.loads((ckpts["000003"] / "weights.json").read_text())["search"] == {"discount": 1.0}
    assert json.loads((ckpts["000004"] / "weights.json").read_text())["search"] == {"discount": 0.9}
    groups = json.loads((ckpts["000004"] / "state.json").read_text())["optimizer"]["param_groups"]
    assert all(g["lr"] == 5e-4 for g in groups)

    assert main(["train", "tictactoe", "--out", str(resumed), "--iterations", "2", "--config", str(cfg)]) == 0
    assert main(["train", "tictactoe", "--out", str(resumed), "--iterations", "4"]) == 0  # run.json's own schedule
    timing = ("elapsed", "games_per_s", "moves_per_s", "evals_per_s")
    assert [{k: v for k, v in r.items() if k not in timing} for r in _rows(resumed)] == \
        [{k: v for k, v in r.items() if k not in timing} for r in rows]
    last = checkpoint_dirs(resumed)[-1]
    assert (last / "weights.safetensors").read_bytes() == (ckpts["000004"] / "weights.safetensors").read_bytes()
    assert (last / "optimizer.safetensors").read_bytes() == (ckpts["000004"] / "optimizer.safetensors").read_bytes()


def test_a_schedule_by_minutes_reads_the_run_clock_the_checkpoint_saved(tmp_path):
    """A resumed run's minutes go on from the checkpoint's `elapsed`, not from zero."""
    cfg, run = tmp_path / "tiny.json", tmp_path / "run"
    cfg.write_text(json.dumps({**TINY, "schedule": {"learn.lr": {"by": "minutes", "steps": [[600, 1e-4]]}}}))
    assert main(["train", "tictactoe", "--out", str(run), "--iterations", "1", "--config", str(cfg)]) == 0
    state_path = checkpoint_dirs(run)[-1] / "state.json"
    state = json.loads(state_path.read_text())
    state_path.write_text(json.dumps({**state, "elapsed": 600 * 60.0}))  # as if the run had trained for 10 hours
    assert main(["train", "tictactoe", "--out", str(run), "--iterations", "2"]) == 0
    assert [r["learn.lr"] for r in _rows(run)] == [3e-3, 1e-4]


def test_a_resume_may_not_change_the_schedule(tmp_path, capsys):
    cfg, run = tmp_path / "tiny.json", tmp_path / "run"
    cfg.write_text(json.dumps({**TINY, "schedule": SCHEDULE}))
    assert main(["train", "tictactoe", "--out", str(run), "--iterations", "1", "--config", str(cfg)]) == 0
    before = (run / "run.json").read_bytes()
    cfg.write_text(json.dumps({**TINY, "schedule": {**SCHEDULE, "learn.lr": {"steps": [[2, 1e-4]]}}}))
    assert main(["train", "tictactoe", "--out", str(run), "--iterations", "2", "--config", str(cfg)]) == 2
    assert "was started with another config" in capsys.readouterr().err
    assert (run / "run.json").read_bytes() == before and len(_rows(run)) == 1


def test_the_shipped_config_replays_the_shipped_networks_history():
    """configs/connect4-shipped.json against the schedule recorded in src/move37/models/connect4.md (runs/c4x,
    c4y and c4u resumed by hand): the same value of every setting after every change."""
    config = load_config(ROOT / "configs" / "connect4-shipped.json", "connect4")
    recorded = (ROOT / "src" / "move37" / "models" / "connect4.md").read_text().split("Schedule (the run was resumed "
                                                                                     "with a changed config): ")[1]
    changes = [part.strip().rstrip(".").split(" ") for part in recorded.splitlines()[0].split(", ")]
    assert len(changes) == 13
    for key, old, _, new, _, _, at in changes:  # "learn.lr 0.002 -> 0.0005 at iteration 137"
        assert float(setting(config.at(int(at) - 1, 0.0), key)) == float(old), (key, at)
        assert float(setting(config.at(int(at), 0.0), key)) == float(new), (key, at)
    assert (config.net.channels, config.net.blocks) == (64, 4)



def test_ray_workers_and_learner_follow_the_config_in_force():
    """With --ray the driver hands each worker and the learner actor the config in force (run in-process here)."""
    import numpy as np
    import torch

    from move37.train.ray_source import SelfPlayWorker
    from move37.train.ray_stages import LearnerActor

    config = from_dict({**TINY, "schedule": {"selfplay.sims": {"steps": [[5, 16]]}, "learn.lr": {"steps": [[5, 1e-4]]}}},
                       "tictactoe")
    worker = SelfPlayWorker("tictactoe", config)  # built with the run's config: trees for the schedule's 16
    weights = {k: v.numpy() for k, v in worker.net.state_dict().items()}
    early = worker.play(weights, 4, [0, 1, 0], None, config.at(0, 0))
    late = worker.play(weights, 4, [0, 1, 0], None, config.at(5, 0))
    assert late.misses > early.misses  # four times the simulations: more positions evaluated
    optimizer = torch.optim.AdamW(worker.net.parameters(), lr=config.learn.lr).state_dict()
    learner = LearnerActor("tictactoe", config, weights, optimizer, 0, [])
    learner.train(0, np.random.default_rng(0).bit_generator.state, config.at(5, 0).learn.lr)
    assert all(g["lr"] == 1e-4 for g in learner.optimizer_state()["param_groups"])

