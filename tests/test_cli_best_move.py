"""`move37 best-move`: one move a line; bad lines named by number, the rest still processed."""

import json

from move37.cli import main


def test_best_move_reports_bad_lines_and_goes_on(capsys, tmp_path):
    path = tmp_path / "positions.txt"
    path.write_text("a1b1a2b2 1\n# comment\n\nb2b2\nzz\na1b1a2b2a3\nc3c1 extra fields\n")
    rc = main(["best-move", "tictactoe", "--agent", "alphabeta:depth=9", "--positions", str(path)])
    captured = capsys.readouterr()
    assert rc == 2
    moves = captured.out.split()
    assert len(moves) == 2 and moves[0] == "a3" and moves[1] not in ("c3", "c1")
    err = captured.err.splitlines()
    assert [line.split(":")[3] for line in err[:3]] == ["4", "5", "6"]
    assert "3 bad line(s)" in err[3]


def test_best_move_json(capsys, tmp_path):
    path = tmp_path / "positions.txt"
    path.write_text("4453\n44\n")
    assert main(["best-move", "connect4", "--agent", "alphabeta:depth=3", "--positions", str(path), "--json"]) == 0
    rows = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert [r["line"] for r in rows] == [1, 2] and all(r["move"] in "1234567" for r in rows)
    assert all(r["depth"] == 3 and r["nodes"] > 0 for r in rows)


def test_best_move_errors(capsys, tmp_path):
    path = tmp_path / "p.txt"
    path.write_text("b2\n")
    for argv, words in [
        (["best-move", "tictactoe", "--agent", "random", "--positions", str(tmp_path / "missing.txt")], "No such file"),
        (["best-move", "tictactoe", "--agent", "mcts:sims=x", "--positions", str(path)], "sims"),
        (["best-move", "nosuch", "--agent", "random", "--positions", str(path)], "unknown game"),
    ]:
        assert main(argv) == 2
        err = capsys.readouterr().err
        assert err.startswith("move37: error:") and words in err and err.count("\n") == 1
