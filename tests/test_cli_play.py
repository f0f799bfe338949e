"""`move37 play`: the human plays by typing moves; bad moves are asked for again."""

import io

from move37.cli import main


def _play(monkeypatch, capsys, typed: str, *argv: str) -> tuple[int, str, str]:
    monkeypatch.setattr("sys.stdin", io.StringIO(typed))
    rc = main(["play", *argv])
    captured = capsys.readouterr()
    return rc, captured.out, captured.err


def test_play_a_whole_game_against_alphabeta(monkeypatch, capsys):
    # The human (X) plays the first free cell in a fixed order; illegal and malformed moves are re-asked.
    typed = "zz\nb2\nb2\n" + "".join(f"{c}\n" for c in ["a1", "c1", "a2", "c2", "a3", "b1", "b3", "c3"])
    rc, out, _ = _play(monkeypatch, capsys, typed, "tictactoe", "--opponent", "alphabeta:depth=9")
    assert rc == 0
    assert "bad tic-tac-toe move 'zz'" in out and "illegal move 'b2'" in out
    assert "agent plays" in out and "depth" in out and "nodes" in out
    assert out.rstrip().endswith(("the agent wins", "draw"))


def test_agent_first_and_quitting(monkeypatch, capsys):
    rc, out, _ = _play(monkeypatch, capsys, "quit\n", "connect4", "--opponent", "mcts:sims=20", "--first", "agent")
    assert rc == 0 and out.index("agent plays") < out.index("your move") and "game abandoned" in out


def test_play_errors(monkeypatch, capsys):
    for argv, words in [
        (["connect4", "--opponent", "alphabeta:depth=x"], "depth"),
        (["connect4", "--opponent", "nosuch"], "unknown agent"),
        (["connect4", "--opponent", "random", "--moves", "4449"], "9"),
        (["connect4", "--opponent", "alphabeta:tt_size=8589934592"], "tt_size=8589934592: must be in 0..16777216"),
        (["connect4", "--opponent", "mcts:sims=1000000000"], "sims=1000000000: must be in 0..1000000"),
    ]:
        rc, out, err = _play(monkeypatch, capsys, "", *argv)
        assert rc == 2 and not out
        assert err.startswith("move37: error:") and words in err and err.count("\n") == 1, err
