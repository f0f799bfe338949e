"""`move37 solve`: output format, per-line errors in files, and one-line fatal errors."""

import json

from move37 import data
from move37.cli import main

POSITION, SCORE = "2252576253462244111563365343671351441", -1  # line 1 of Pons's Test_L3_R1


def test_one_position(capsys):
    assert main(["solve", "connect4", POSITION]) == 0
    moves, score, best = capsys.readouterr().out.split()
    assert (moves, int(score)) == (POSITION, SCORE)
    assert best and set(best) <= set("1234567") and list(best) == sorted(best)


def test_win_now_and_finished_game(capsys):
    assert main(["solve", "connect4", "121212"]) == 0
    assert capsys.readouterr().out == "121212 18 1\n"
    assert main(["solve", "connect4", "1212121"]) == 0
    assert capsys.readouterr().out == "1212121 -18 -\n"


def test_tictactoe_best_moves_use_its_notation(capsys):
    assert main(["solve", "tictactoe", "a1b1a2b2"]) == 0
    moves, score, best = capsys.readouterr().out.split()
    assert moves == "a1b1a2b2" and score == "1" and "a3" in best


def test_positions_file_reports_bad_lines_and_goes_on(tmp_path, capsys):
    path = tmp_path / "positions.txt"
    path.write_text(f"{POSITION} {SCORE}\n# a comment\n\n449 0\n4444444\n121212 x\n")
    assert main(["solve", "connect4", "--positions", str(path)]) == 2
    captured = capsys.readouterr()
    out = captured.out.splitlines()
    assert [line.split()[:2] for line in out] == [[POSITION, str(SCORE)], ["121212", "18"]]
    errors = [e for e in captured.err.splitlines() if e.startswith(f"move37: error: {path}:")]
    assert len(errors) == 2
    assert errors[0].startswith(f"move37: error: {path}:4: ") and "'9'" in errors[0]
    assert errors[1].startswith(f"move37: error: {path}:5: ") and "move 7" in errors[1]


def test_json_lines(tmp_path, capsys):
    path = tmp_path / "p.txt"
    path.write_text(f"{POSITION}\n121212\n")
    assert main(["solve", "connect4", "--positions", str(path), "--json"]) == 0
    rows = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert [(r["position"], r["score"], r["value"]) for r in rows] == [(POSITION, SCORE, -1), ("121212", 18, 1)]
    assert rows[1]["best"] == ["1"] and all(r["seconds"] >= 0 and r["nodes"] >= 0 for r in rows)


def test_fatal_errors_are_one_line(tmp_path, capsys):
    cases = [
        ["solve", "nosuchgame", "44"],
        ["solve", "connect4", "44x"],
        ["solve", "connect4", "4444444"],
        ["solve", "connect4", "--positions", str(tmp_path / "missing.txt")],
    ]
    for argv in cases:
        assert main(argv) == 2
        err = capsys.readouterr().err.strip().splitlines()
        assert len(err) == 1 and err[0].startswith("move37: error: ")


def test_solve_othello_positions_file_takes_whole_obf_lines(capsys, tmp_path):
    """Othello positions contain a space (board, side to move): the whole line is the position."""
    lines = [line for line, _ in data.othello_endgames() if line[:64].count("-") <= 14][:2]
    path = tmp_path / "ffo.obf"
    path.write_text("\n".join(lines) + "\n")
    assert main(["solve", "othello", "--positions", str(path)]) == 0
    out = capsys.readouterr().out.splitlines()
    assert len(out) == 2
    for line, row in zip(lines, out):
        board, side, score, best = row.split()
        best_move, best_score = line.split()[2].split(";")[0].split(":")
        assert line.startswith(f"{board} {side}")
        assert int(score) == int(best_score) and best_move.lower() in best
