"""The evaluation positions shipped in move37/data: well formed, labelled exactly as the project's
solvers label them today, reproducible by their generator, and (where the public sets are present)
in agreement with Pons's Connect Four scores and the FFO endgame suite."""

from collections import Counter

import numpy as np
import pytest

from move37 import data, games, solvers
from move37.experiments import eval_data
from move37.experiments.eval_data import connect4_label, othello_label
from move37.solvers.othello import OthelloEndgameSolver

C4 = games.make("connect4")
OTHELLO = games.make("othello")


@pytest.fixture(scope="module")
def c4_solver():
    return solvers.for_game(C4)


@pytest.fixture(scope="module")
def c4_lines():
    return data.CONNECT4.read_text().splitlines()


def test_connect4_positions_are_live_distinct_and_cover_the_plies(c4_lines):
    labels = data.connect4_labels()
    assert len(labels) == len(c4_lines) >= 2000
    plies = [len(lab["moves"]) for lab in labels]
    assert plies == sorted(plies) and Counter(plies) == {ply: 80 for ply in range(6, 42)}  # as the README says
    states = [C4.state_from_moves(lab["moves"]) for lab in labels]
    assert len({s.key() for s in states}) == len(states)
    for lab, state in zip(labels, states):
        legal = set(np.flatnonzero(state.legal_mask()).tolist())
        assert not state.is_terminal() and not eval_data.wins_at_once(state)
        assert set(lab["best"]) <= set(lab["good"]) <= legal and lab["best"]
        if lab["score"] < 0:
            assert set(lab["good"]) == legal  # every move of a lost position keeps the result
    assert {np.sign(lab["score"]) for lab in labels} == {-1, 0, 1}


def test_connect4_labels_are_the_solvers(c4_solver, c4_lines):
    """A sample from every ply from 14 on (earlier ones cost seconds each), labelled again."""
    sample = [line for line in c4_lines if len(line.split()[0]) >= 14][::40]
    assert len(sample) >= 40
    assert [connect4_label(C4, c4_solver, line.split()[0]) for line in sample] == sample


def test_othello_endgames_list_every_move_best_first():
    endgames = data.othello_endgames()
    assert len(endgames) >= 80
    empties = set()
    for line, scores in endgames:
        state = OTHELLO.state_from_text(line)
        empties.add(state.empties())
        legal = {OTHELLO.action_to_text(state, int(a)).upper() for a in state.legal_actions()}
        assert set(scores) == legal and list(scores.values()) == sorted(scores.values(), reverse=True)
    assert empties == set(range(12, 21))


def test_othello_labels_are_the_solvers():
    solver = OthelloEndgameSolver(OTHELLO)
    lines = [line for line, _ in data.othello_endgames() if line[:64].count("-") <= 14]
    assert lines
    assert [othello_label(OTHELLO, solver, line.split(";")[0]) for line in lines] == lines


def test_generator_is_reproducible_and_resumes(tmp_path):
    argv = ["connect4", "--seed", "5", "--games", "12", "--plies", "20-23", "--per-ply", "2", "--depths", "2",
            "--progress", str(tmp_path / "log")]
    assert eval_data.main([*argv, "--out", str(tmp_path / "a.txt")]) == 0
    first = (tmp_path / "a.txt").read_text().splitlines()
    assert 4 <= len(first) <= 8 and {len(line.split()[0]) for line in first} <= {20, 21, 22, 23}
    log = (tmp_path / "log").read_text().splitlines()
    assert sorted(log) == sorted(first)
    # A second run finds every label in the progress log and solves nothing; a fresh log gives the same lines.
    (tmp_path / "log").write_text("\n".join(f"{line.split()[0]} 99 1 1" for line in first) + "\n")
    assert eval_data.main([*argv, "--out", str(tmp_path / "b.txt")]) == 0
    assert [line.split()[1] for line in (tmp_path / "b.txt").read_text().splitlines()] == ["99"] * len(first)
    assert eval_data.main([*argv[:-1], str(tmp_path / "log2"), "--out", str(tmp_path / "c.txt")]) == 0
    assert (tmp_path / "c.txt").read_text().splitlines() == first


def test_a_position_past_the_time_cap_is_left_out_and_not_retried(tmp_path):
    progress = tmp_path / "log"
    opening = ["4453", "445"]  # seconds each: far past a millisecond
    assert eval_data.label_all("connect4", opening, progress, 0.001, len) == []
    assert progress.read_text().splitlines() == [f"{eval_data.SKIPPED}{p} after 0.001 s" for p in ("445", "4453")]
    assert eval_data.label_all("connect4", opening, progress, 60.0, len) == []


def test_a_torn_last_line_of_the_progress_log_is_labelled_again(tmp_path, c4_lines):
    first, second = c4_lines[-2:]
    progress = tmp_path / "log"
    progress.write_text(first + "\n" + second[:9])  # killed while appending the second label
    moves = [first.split()[0], second.split()[0]]
    assert eval_data.label_all("connect4", moves, progress, 60.0, len) == [first, second]
    assert progress.read_text().splitlines() == [first, second]


def test_labeller_agrees_with_the_public_sets(shared_data, c4_solver):
    """Cross-check (where ../shared/data is present): Pons's scores and the FFO best moves.
    The whole sets: bench/eval_data_crosscheck.py."""
    for name in ("Test_L3_R1", "Test_L2_R1", "Test_L2_R2"):
        for line in (shared_data / "connect4" / name).read_text().splitlines()[::50]:
            moves, score = line.split()
            assert connect4_label(C4, c4_solver, moves).split()[1] == score, (name, moves)
    solver = OthelloEndgameSolver(OTHELLO)
    for line in (shared_data / "othello" / "ffo_1-79.tsv").read_text().splitlines()[1:8]:
        no, _, side, board, best_score, best_moves, _ = line.split("\t")
        scores = data.obf_scores(othello_label(OTHELLO, solver, f"{board} {side}"))
        top = max(scores.values())
        assert (top, {m for m, s in scores.items() if s == top}) == (int(best_score), set(best_moves.split(","))), no
