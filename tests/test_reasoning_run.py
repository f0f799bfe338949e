"""Run folders: exact resume across crashes and the SFT/RL boundary, config errors, the CLI."""

import json
import os
import shutil
import subprocess
import sys

import pytest
import torch
from safetensors.torch import load_file

from move37.errors import ConfigError, RunFolderError
from move37.reasoning import config
from move37.reasoning.train import Trainer, load_model, train
from move37.runs import latest_checkpoint

TINY = {
    "task": "addition:width=2", "seed": 3, "checkpoint_every": 3, "log_every": 1,
    "model": {"n_layer": 1, "n_head": 2, "n_embd": 16, "block_size": 40},
    "sft": {"steps": 5, "batch_size": 8, "min_difficulty": 1, "max_difficulty": 2},
    "grpo": {"steps": 4, "prompts_per_step": 2, "group_size": 3},
    "curriculum": {"start": 2, "min_difficulty": 1, "max_difficulty": 2},
    "eval": {"difficulties": [2], "problems": 6, "k": 2, "every": 2},
}


pytestmark = pytest.mark.usefixtures("one_thread")


def _same_checkpoint(a, b):
    """The latest checkpoints of runs `a` and `b` agree: step, phase, weights, optimiser, reference, run state."""
    ca, cb = latest_checkpoint(a), latest_checkpoint(b)
    assert ca.name == cb.name and sorted(p.name for p in ca.iterdir()) == sorted(p.name for p in cb.iterdir())
    for name in ("model", "optimizer", "reference"):
        x, y = load_file(ca / f"{name}.safetensors"), load_file(cb / f"{name}.safetensors")
        assert x.keys() == y.keys() and all(torch.equal(x[k], y[k]) for k in x)
    sa, sb = (json.loads((c / "state.json").read_text()) for c in (ca, cb))
    timing = {"elapsed": 0, "metrics_bytes": 0}  # the log holds wall-clock figures
    assert {**sa, **timing} == {**sb, **timing} and sa["phase"] == "rl"


def _metrics(path):
    rows = [json.loads(line) for line in (path / "metrics.jsonl").read_text().splitlines()]
    return [{k: v for k, v in r.items() if k != "elapsed"} for r in rows]


def test_resume_is_exact(tmp_path):
    cfg = config.from_dict(TINY)
    straight = train(tmp_path / "a", cfg, progress=False)
    assert straight["finished"]
    stops = 0
    while True:  # a deadline already past: stop and checkpoint after every single step
        result = train(tmp_path / "b", cfg if stops == 0 else None, minutes=0, progress=False)
        stops += 1
        if result["finished"]:
            break
    assert stops == 9
    _same_checkpoint(tmp_path / "a", tmp_path / "b")
    assert _metrics(tmp_path / "a") == _metrics(tmp_path / "b")
    assert (tmp_path / "b" / "accuracy.png").read_bytes()[:4] == b"\x89PNG"
    assert (tmp_path / "b" / "learner.png").read_bytes()[:4] == b"\x89PNG"
    rl_rows = [r for r in _metrics(tmp_path / "b") if r.get("phase") == "rl"]
    assert rl_rows and {"clip_frac", "entropy", "kl", "length"} <= set(rl_rows[-1])
    summary = json.loads((tmp_path / "b" / "summary.json").read_text())
    assert set(summary["difficulties"]["2"]) >= {"demonstrator", "sft", "rl"}


def test_run_folder_errors(tmp_path):
    train(tmp_path / "r", config.from_dict({**TINY, "sft": {**TINY["sft"], "steps": 1}, "grpo": {"steps": 0}}),
          progress=False)
    with pytest.raises(RunFolderError):
        Trainer(tmp_path / "r", config.from_dict({**TINY, "seed": 4}))  # a different config
    with Trainer(tmp_path / "r"), pytest.raises(RunFolderError, match="another process"):
        Trainer(tmp_path / "r")  # the folder is held
    model, _ = load_model(tmp_path / "r", "sft")
    assert model.cfg.n_embd == 16
    (latest_checkpoint(tmp_path / "r") / "model.safetensors").write_bytes(b"garbage")
    with pytest.raises(RunFolderError):
        Trainer(tmp_path / "r")
    with pytest.raises(RunFolderError):
        load_model(tmp_path / "nothing")


@pytest.mark.parametrize("bad, message", [
    ({"sft": {"stepz": 1}}, "unknown key"),
    ({"sft": {"steps": "many"}}, "expected int"),
    ({"task": "nosuch"}, "unknown task"),
    ({"task": "addition:slip=2"}, "slip"),
    ({"eval": {"difficulties": [99]}}, "outside"),
    ({"grpo": {"group_size": 1}}, "group_size"),
    ({"grpo": {"clip_low": "x"}}, "expected float"),
    ({"grpo_preset": "ppo"}, "preset"),
    ({"seed": 2**64}, "seed"),
    ({"threads": 0}, "threads"),
    ({"model": {"n_embd": 0}}, "n_embd"),
    ({"grpo": {"lr": -1}}, "lr"),
])
def test_config_errors(bad, message):
    with pytest.raises(ConfigError, match=message):
        config.from_dict(bad)


def test_cli_bad_config_is_one_line_exit_2(tmp_path):
    path = tmp_path / "c.json"
    path.write_text(json.dumps({"curriculum": {"low": 0.9, "high": 0.1}}))
    proc = subprocess.run([sys.executable, "-m", "move37.cli", "reason", "train", "--out", str(tmp_path / "o"),
                           "--config", str(path)], capture_output=True, text=True)
    assert proc.returncode == 2
    assert proc.stderr.count("\n") == 1 and proc.stderr.startswith("move37: error:") and "low" in proc.stderr
    assert not (tmp_path / "o").exists()


@pytest.mark.parametrize("name", ["addition", "countdown", "countdown_search", "sorting"])
def test_default_config_fits_every_task(name):
    from move37.reasoning import tasks

    cfg = config.for_task(name)
    task = tasks.make(name)
    assert task.min_difficulty <= cfg.sft.min_difficulty <= cfg.sft.max_difficulty <= task.max_difficulty
    assert cfg == config.for_task(name) and (name != "addition" or cfg == config.TrainConfig())


def test_cli_eval_report_tasks(tmp_path, capsys):
    from move37.cli import main

    run = tmp_path / "r"
    train(run, config.from_dict({**TINY, "grpo": {**TINY["grpo"], "steps": 2}}), progress=False)
    assert main(["reason", "eval", str(run), "--json", "--problems", "5"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert set(out) == {"demonstrator", "latest", "sft"} and 0 <= out["latest"]["greedy/2"] <= 1
    assert main(["reason", "report", str(run)]) == 0
    assert "demonstrator" in capsys.readouterr().out
    assert main(["reason", "tasks"]) == 0
    assert "countdown" in capsys.readouterr().out
    assert main(["reason", "eval", str(run), "--difficulty", "9"]) == 2  # outside the task's range


def test_held_out_set_covering_every_problem_is_an_error(tmp_path):
    cfg = config.from_dict({**TINY, "eval": {"difficulties": [1], "problems": 2000}})
    with pytest.raises(ConfigError, match="held-out"):
        train(tmp_path / "r", cfg, progress=False)


def test_held_out_set_covering_most_problems_is_an_error(tmp_path):
    """200 held-out 1-digit sums cover 53 of the 55 (a+b = b+a): training would memorise the two left."""
    cfg = config.from_dict({**TINY, "eval": {"difficulties": [1, 2], "problems": 200}})
    with pytest.raises(ConfigError, match="difficulty 1: .* held-out"):
        train(tmp_path / "r", cfg, progress=False)
    assert not (tmp_path / "r" / "metrics.jsonl").exists()
    train(tmp_path / "ok", config.from_dict({**TINY, "eval": {"difficulties": [2], "problems": 200, "k": 1}}),
          progress=False)  # 2-digit sums: plenty left


# The end of imitation (step 2) is an imitation checkpoint rewritten as the first RL one; checkpoint 2 is pruned at 6.
KILLABLE = {**TINY, "checkpoint_every": 2, "sft": {**TINY["sft"], "steps": 2}, "grpo": {**TINY["grpo"], "steps": 4},
            "eval": {**TINY["eval"], "problems": 3, "k": 1, "every": 4}}


def _consistent(run, cfg):
    """What a resume reads agrees with itself: an imitation checkpoint has no reference, is within imitation and
    carries the imitation optimiser; an RL one has the reference and the RL optimiser (its rate, AdamW moments of
    at most its RL steps)."""
    ckpt = latest_checkpoint(run)
    if ckpt is None:
        return
    state = json.loads((ckpt / "state.json").read_text())
    assert int(ckpt.name) == state["step"]
    rl = state["phase"] == "rl"
    assert (ckpt / "reference.safetensors").exists() == rl
    assert state["step"] >= cfg.sft.steps if rl else state["step"] <= cfg.sft.steps
    lrs = {g["lr"] for g in state["optimizer"]["param_groups"]}
    steps = {float(v) for k, v in load_file(ckpt / "optimizer.safetensors").items() if k.endswith(".step")}
    if rl:
        g = cfg.grpo_config()  # epochs x minibatches optimiser steps per RL step
        assert lrs == {g.lr} and steps <= {float((state["step"] - cfg.sft.steps) * g.epochs * g.minibatches)}
    else:
        assert steps == {float(state["step"])}


def test_a_kill_at_every_write_resumes_to_the_uninterrupted_run(tmp_path, monkeypatch, kills):
    """Killed before or after each write in turn (the end of imitation included: a kill between freezing the
    reference and the checkpoint that says phase 'rl'), the resumed run ends where an uninterrupted one does:
    same step, phase, weights, optimiser moments and learning rate, reference and metrics.
    (fsync only matters when the machine loses power, not when a process dies, and the plot is a plain atomic
    file here: both cost more than the rest of these runs.)"""
    from move37.atomic import write_bytes
    from move37.reasoning import report

    monkeypatch.setattr(os, "fsync", lambda fd: None)
    monkeypatch.setattr(report, "write_plot", lambda rows, cfg, path: write_bytes(path, json.dumps(rows).encode()))
    monkeypatch.setattr(report, "write_learner_plot", lambda rows, cfg, path: write_bytes(path, b"learner"))
    cfg = config.from_dict(KILLABLE)
    with kills.writes(tmp_path) as seen:
        train(tmp_path / "ref", cfg, progress=False)
    assert len(seen) > 30 and any("reference.safetensors" in w for w in seen)
    for n, when in kills.points(seen):
        run = tmp_path / f"{n}-{when}"
        with pytest.raises(kills.Killed), kills.writes(tmp_path, (n, when)):
            train(run, cfg, progress=False)
        _consistent(run, cfg)
        assert train(run, cfg, progress=False)["finished"], (n, when, seen[n])  # the same command again
        _same_checkpoint(tmp_path / "ref", run)
        assert _metrics(tmp_path / "ref") == _metrics(run), (n, when, seen[n])
        assert sorted(p.name for p in (run / "checkpoints").iterdir()) == ["000004", "000006"]  # pruned, no strays
        shutil.rmtree(run)
