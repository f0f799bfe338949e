"""`move37 arena`: the Elo table, JSON output, records, and one-line errors."""

import json

from move37.arena import read_records
from move37.cli import main


def test_arena_prints_the_table(capsys, tmp_path):
    path = tmp_path / "games.jsonl"
    rc = main(["arena", "tictactoe", "random", "alphabeta:depth=9", "--games", "4", "--records", str(path)])
    out = capsys.readouterr().out.splitlines()
    assert rc == 0
    assert out[1].split()[:3] == ["rank", "agent", "Elo"]
    assert out[2].split()[:2] == ["1", "alphabeta:depth=9"] and out[3].split()[:3] == ["2", "random", "0"]
    assert len(read_records(path)) == 4
    assert out[5].startswith("head to head") and out[7].split()[1:] == ["alphabeta:depth=9", "-", "4/4"]


def test_arena_json(capsys):
    rc = main(["arena", "tictactoe", "random", "mcts:sims=50", "--games", "2", "--json", "--seed", "4"])
    data = json.loads(capsys.readouterr().out)
    assert rc == 0 and data["games"] == 2
    names = {r["agent"] for r in data["ratings"]}
    assert names == {"random", "mcts:sims=50"}
    assert sum(row["games"] for row in data["head_to_head"]) == 4
    for r in data["ratings"]:
        assert r["low"] <= r["elo"] <= r["high"] and r["wins"] + r["draws"] + r["losses"] == r["games"] == 2


def test_arena_errors_are_one_line(capsys, tmp_path):
    cases = [
        (["arena", "nosuchgame", "random", "random:seed=1"], "unknown game"),
        (["arena", "tictactoe", "random", "nosuchagent"], "unknown agent"),
        (["arena", "tictactoe", "random", "alphabeta:depth=x"], "depth"),
        (["arena", "tictactoe", "random", "random"], "only once"),
        (["arena", "tictactoe", "random", "mcts", "--games", "0"], "at least 1"),
        (["arena", "tictactoe", "random", "mcts", "--opening-plies", "-1"], "at least 0"),
        (["arena", "tictactoe", "random", "mcts", "--resume"], "records file"),
        (["arena", "tictactoe", "random", "mcts", "--records", str(tmp_path / "no" / "dir.jsonl")], "No such file"),
    ]
    for argv, words in cases:
        assert main(argv) == 2
        err = capsys.readouterr().err
        assert err.startswith("move37: error:") and words in err and err.count("\n") == 1, err
