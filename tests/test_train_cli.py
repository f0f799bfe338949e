"""`move37 train` / `move37 report` on bad input: one-line errors, exit 2, nothing overwritten."""

import fcntl
import json
from pathlib import Path

import pytest

from move37.cli import main
from move37.errors import ConfigError
from move37.train.config import from_dict

TINY = {"games_per_iteration": 4, "selfplay": {"parallel_games": 4, "sims": 4},
        "learn": {"batch_size": 16, "window": 200, "min_positions": 20}, "eval": {"every": 0, "elo_every": 0}}


def _snapshot(folder: Path) -> dict:
    return {p.relative_to(folder): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def _one_line_error(capsys, *argv) -> str:
    assert main(list(argv)) == 2
    err = capsys.readouterr().err.strip()
    assert err.startswith("move37: error:") and "\n" not in err
    return err


def test_config_validation():
    with pytest.raises(ConfigError, match="learn.lr: expected float"):
        from_dict({"learn": {"lr": "fast"}}, "tictactoe")
    with pytest.raises(ConfigError, match="selfplay.simz: unknown key"):
        from_dict({"selfplay": {"simz": 3}}, "tictactoe")
    with pytest.raises(ConfigError, match="expected int"):
        from_dict({"seed": True}, "tictactoe")
    with pytest.raises(ConfigError, match="search.algorithm"):
        from_dict({"search": {"algorithm": "alphabeta"}}, "tictactoe")
    assert from_dict({"learn": {"lr": 1}}, "connect4").learn.lr == 1.0
    for bad, message in [({"seed": -1}, "seed"), ({"seed": 2**64}, "seed"), ({"checkpoint_every": 0}, "checkpoint_every"),
                         ({"keep_checkpoints": 0}, "keep_checkpoints"), ({"threads": 10**6}, "threads"),
                         ({"games_per_iteration": 0}, "games_per_iteration"), ({"eval": {"sims": -1}}, "eval"),
                         ({"learn": {"weight_decay": -1}}, "weight_decay")]:
        with pytest.raises(ConfigError, match=message):
            from_dict(bad, "tictactoe")


def test_bad_input_is_one_line_and_changes_nothing(tmp_path, capsys):
    cfg = tmp_path / "tiny.json"
    cfg.write_text(json.dumps(TINY))
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps({"net": {"chanels": 8}}))
    assert "net.chanels" in _one_line_error(capsys, "train", "tictactoe", "--out", str(tmp_path / "r0"),
                                             "--iterations", "1", "--config", str(bad))
    assert not (tmp_path / "r0").exists()

    run = tmp_path / "run"
    assert main(["train", "tictactoe", "--out", str(run), "--iterations", "2", "--config", str(cfg)]) == 0
    capsys.readouterr()
    before = _snapshot(run)
    assert "tictactoe run, not connect4" in _one_line_error(capsys, "train", "connect4", "--out", str(run), "--iterations", "3")
    other_cfg = tmp_path / "other.json"
    other_cfg.write_text(json.dumps({**TINY, "seed": 5}))
    assert "another config" in _one_line_error(capsys, "train", "tictactoe", "--out", str(run), "--iterations", "3",
                                               "--config", str(other_cfg))
    other_cfg.write_text(json.dumps({**TINY, "search": {"c_scale": 0.3}}))  # search.discount alone may change
    assert "changes only learn.lr" in _one_line_error(capsys, "train", "tictactoe", "--out", str(run), "--iterations",
                                                      "3", "--config", str(other_cfg))
    with open(run / ".lock", "a") as held:  # another process is training this folder
        fcntl.flock(held, fcntl.LOCK_EX)
        other_cfg.write_text(json.dumps({**TINY, "learn": {**TINY["learn"], "lr": 0.01}}))  # a schedule step
        assert "being trained by another process" in _one_line_error(capsys, "train", "tictactoe", "--out", str(run),
                                                                     "--iterations", "3", "--config", str(other_cfg))
    assert _snapshot(run) == before
    # a damaged newest checkpoint: refuse to resume, touch nothing
    newest = sorted((run / "checkpoints").iterdir())[-1] / "weights.safetensors"
    newest.write_bytes(newest.read_bytes()[:100])
    before = _snapshot(run)
    assert "corrupted or truncated" in _one_line_error(capsys, "train", "tictactoe", "--out", str(run), "--iterations", "3")
    assert _snapshot(run) == before
    # a folder that is not a run
    other = tmp_path / "other"
    other.mkdir()
    (other / "notes.txt").write_text("mine")
    assert "not a move37 run folder" in _one_line_error(capsys, "train", "tictactoe", "--out", str(other), "--minutes", "1")
    assert "no metrics.jsonl" in _one_line_error(capsys, "report", str(other))


def test_report_writes_pngs(tmp_path, capsys):
    run = tmp_path / "run"
    rows = [{"iteration": i, "games": 10 * i, "elapsed": 30.0 * i, "loss_policy": 1.0 / i, "elo": 50.0 * i,
             "elo_low": 40.0 * i, "elo_high": 60.0 * i, "optimal_rate": 0.1 * i, "optimal_rate_policy": 0.05 * i}
            for i in range(1, 5)]
    run.mkdir()
    (run / "metrics.jsonl").write_text("".join(json.dumps(r) + "\n" for r in rows) + '{"partial')
    assert main(["report", str(run)]) == 0
    for name in ("elo", "optimal_rate", "loss_policy"):
        assert (run / "plots" / f"{name}.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_resume_may_change_the_learner_schedule(tmp_path):
    from move37.nets import load_net
    from move37.runs import checkpoint_dirs, latest_checkpoint

    cfg, run = tmp_path / "tiny.json", tmp_path / "run"
    cfg.write_text(json.dumps(TINY))
    assert main(["train", "tictactoe", "--out", str(run), "--iterations", "2", "--config", str(cfg)]) == 0
    lower = tmp_path / "lower.json"
    lower.write_text(json.dumps({**TINY, "keep_checkpoints": 1, "keep_every": 3,
                                 "learn": {**TINY["learn"], "lr": 1e-4, "discount": 0.9},
                                 "search": {"discount": 0.9}, "selfplay": {**TINY["selfplay"], "sims": 6}}))
    assert main(["train", "tictactoe", "--out", str(run), "--iterations", "3", "--config", str(lower)]) == 0
    meta = json.loads((run / "run.json").read_text())
    assert meta["config"]["learn"]["lr"] == 1e-4 and meta["config"]["search"]["discount"] == 0.9
    assert meta["changes"] == [{"key": "learn.lr", "from": 0.003, "to": 1e-4, "at_iteration": 2},
                               {"key": "learn.discount", "from": 1.0, "to": 0.9, "at_iteration": 2},
                               {"key": "search.discount", "from": 1.0, "to": 0.9, "at_iteration": 2},
                               {"key": "selfplay.sims", "from": 4, "to": 6, "at_iteration": 2},
                               {"key": "keep_checkpoints", "from": 3, "to": 1, "at_iteration": 2},
                               {"key": "keep_every", "from": 0, "to": 3, "at_iteration": 2}]
    ckpt = latest_checkpoint(run)
    assert ckpt.name == "000003"
    assert json.loads((ckpt / "weights.json").read_text())["search"] == {"discount": 0.9}  # for its player
    groups = json.loads((ckpt / "state.json").read_text())["optimizer"]["param_groups"]
    assert all(g["lr"] == 1e-4 for g in groups)
    assert load_net(ckpt / "weights.safetensors", "tictactoe") is not None
    # resuming again without --config keeps the lowered rate
    assert main(["train", "tictactoe", "--out", str(run), "--iterations", "4"]) == 0
    assert json.loads((run / "run.json").read_text())["config"]["learn"]["lr"] == 1e-4
    # and the new retention: the newest checkpoint and the multiples of keep_every
    assert [d.name for d in checkpoint_dirs(run)] == ["000000", "000003", "000004"]


def test_resume_may_grow_a_residual_network(tmp_path, capsys):
    from move37.nets import load_net
    from move37.runs import latest_checkpoint

    resnet = {**TINY, "net": {"kind": "resnet", "channels": 4, "blocks": 1}}
    cfg, run = tmp_path / "tiny.json", tmp_path / "run"
    cfg.write_text(json.dumps(resnet))
    assert main(["train", "tictactoe", "--out", str(run), "--iterations", "2", "--config", str(cfg)]) == 0
    shrink = tmp_path / "shrink.json"
    shrink.write_text(json.dumps({**resnet, "net": {"kind": "resnet", "channels": 3, "blocks": 2}}))
    before = _snapshot(run)
    assert "may only grow" in _one_line_error(capsys, "train", "tictactoe", "--out", str(run), "--iterations", "3",
                                              "--config", str(shrink))
    assert _snapshot(run) == before
    bigger = tmp_path / "bigger.json"
    bigger.write_text(json.dumps({**resnet, "net": {"kind": "resnet", "channels": 6, "blocks": 2}}))
    assert main(["train", "tictactoe", "--out", str(run), "--iterations", "3", "--config", str(bigger)]) == 0
    meta = json.loads((run / "run.json").read_text())
    assert meta["changes"] == [{"key": "net.channels", "from": 4, "to": 6, "at_iteration": 2},
                               {"key": "net.blocks", "from": 1, "to": 2, "at_iteration": 2}]
    net = load_net(latest_checkpoint(run) / "weights.safetensors", "tictactoe")
    assert (net.config.channels, net.config.blocks) == (6, 2)
    assert main(["train", "tictactoe", "--out", str(run), "--iterations", "4"]) == 0  # and resumes as usual
    assert latest_checkpoint(run).name == "000004"
