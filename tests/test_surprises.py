"""The move-37 finder: verdicts agree with the exact solver, counts add up, the report and its boards."""

import json

import pytest

from move37 import agents, games
from move37.alphago import surprises
from move37.cli import main
from move37.solvers.connect4 import Connect4Solver

POSITIONS = ["112233", "1423633422622636443", "142363342262263644334", "64237364724644776", "2643676777443646"]


@pytest.fixture(scope="module")
def found():
    c4 = games.make("connect4")
    # alpha-beta as the agent, a uniform policy as the imitation: every move has prior 1/7 < 0.5
    agent, imitation = agents.make("alphabeta:depth=4", c4), agents.make("random", c4)
    states = [(p, c4.state_from_moves(p)) for p in POSITIONS]
    return list(surprises.find(c4, agent, imitation, states, threshold=0.5))


def test_verdicts_follow_the_exact_scores(found):
    c4, solver = games.make("connect4"), Connect4Solver()
    for s in found:
        state = c4.state_from_moves(s.position)
        scores = solver.move_scores(state)
        move, fav = c4.text_to_action(state, s.move), c4.text_to_action(state, s.favourite)
        if s.verdict == "same":
            assert move == fav
            continue
        assert (s.score_move, s.score_favourite) == (scores[move], scores[fav])
        assert s.verdict == {1: "better", 0: "equal", -1: "worse"}[int(scores[move] > scores[fav]) - int(scores[move] < scores[fav])]
    assert any(s.verdict == "better" for s in found)  # "112233": only 4 wins; the random favourite is 1


def test_counts_and_report(found, tmp_path):
    rows = surprises.counts(found)
    assert rows[0]["positions"] == len(POSITIONS) and rows[0]["below"] == 0  # no prior below 5% (all 1/7)
    path = surprises.report(games.make("connect4"), found, tmp_path, "solver", "random", 0.5)
    text = path.read_text()
    assert "better" in text and (tmp_path / "boards" / "001.png").read_bytes()[:4] == b"\x89PNG"
    assert len((tmp_path / "surprises.jsonl").read_text().splitlines()) == len(POSITIONS)


def test_command(tmp_path, capsys):
    pos = tmp_path / "p.txt"
    pos.write_text("\n".join(POSITIONS) + "\nbad\n")
    assert main(["surprises", "connect4", "--agent", "alphabeta:depth=2", "--imitation", "random", "--positions", str(pos),
                 "--threshold", "0.5", "--out", str(tmp_path / "r"), "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["counts"][0]["positions"] == len(POSITIONS)
    assert main(["surprises", "connect4", "--agent", "alphabeta:depth=2", "--imitation", "random", "--games", "1",
                 "--threshold", "2", "--out", str(tmp_path / "x")]) == 2
