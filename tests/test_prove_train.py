"""`move37 prove-train`: a tiny expert-iteration run on a slice of set.mm writes metrics, a checkpointed
policy (safetensors) and a plot, resumes to more rounds, and its policy drives `move37 prove --policy`."""

import json

import pytest

from move37.cli import main
from move37.prove import database

@pytest.fixture(scope="module")
def small_db(setmm, tmp_path_factory):
    """set.mm before ax-4: fewer theorems than `prop_file`, for a quick training run."""
    path = tmp_path_factory.mktemp("db") / "prop.mm"
    path.write_text(database.prefix(setmm, "ax-4"))
    return path


def test_prove_train_runs_resumes_and_its_policy_proves(small_db, tmp_path, capsys, one_thread):
    out = tmp_path / "run"
    args = ["prove-train", "--out", str(out), "--budget", "10", "--attempts", "4", "--test-limit", "3",
            "--epochs", "2", "--db", str(small_db)]
    assert main([*args, "--rounds", "1"]) == 0
    rows = [json.loads(line) for line in (out / "metrics.jsonl").read_text().splitlines()]
    assert [r["round"] for r in rows] == [0]
    assert rows[0]["test"] == 3 and rows[0]["metamath_rejected"] in (0, None)
    assert (out / "checkpoints" / "000000" / "policy.safetensors").is_file()
    assert (out / "plots" / "rounds.png").is_file()
    assert main([*args, "--rounds", "2", "--conjectures", "3"]) == 0  # resumed, now with conjectures
    rows = [json.loads(line) for line in (out / "metrics.jsonl").read_text().splitlines()]
    assert [r["round"] for r in rows] == [0, 1]
    assert "conj_attempted" not in rows[0] and rows[1]["conj_attempted"] == 3
    conj = [json.loads(line) for line in (out / "conjectures.jsonl").read_text().splitlines()]
    assert [c["round"] for c in conj] == [1, 1, 1]
    assert sum(c["proved"] for c in conj) == rows[1]["conj_proved"]
    assert all((c["length"] or 0) >= 1 for c in conj if c["proved"])
    capsys.readouterr()
    assert main(["prove", "syl", "--db", str(small_db), "--budget", "30", "--policy", str(out)]) == 0
    assert capsys.readouterr().out.split()[:2] == ["syl", "proved"]


def test_a_policy_folder_that_is_not_one_is_one_line(small_db, tmp_path, capsys):
    assert main(["prove", "syl", "--db", str(small_db), "--policy", str(tmp_path)]) == 2
    assert "policy.safetensors" in capsys.readouterr().err
