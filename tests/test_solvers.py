"""Exact solvers: optimal and result-keeping moves on the shipped positions (move37/data), the solver
agent, and agreement with Pons's benchmark sets where they are present."""

from types import SimpleNamespace

import numpy as np
import pytest

from move37 import agents, data, games, solvers
from move37.errors import IllegalMoveError, UnknownNameError
from move37.solvers.connect4 import Connect4Solver, plies_to_end


@pytest.fixture(scope="module")
def game():
    return games.make("connect4")


@pytest.fixture(scope="module")
def solver(game):
    return Connect4Solver(game)


ENDGAME, MIDDLE = range(29, 42), range(15, 29)  # the plies of Pons's end and middle sets


def _shipped(plies: range) -> list[tuple[str, int]]:
    """(moves, exact score) of the shipped positions with a ply in `plies`, by ply."""
    return [(lab["moves"], lab["score"]) for lab in data.connect4_labels() if len(lab["moves"]) in plies]


def _lines(shared_data, name):
    pairs = [line.split() for line in (shared_data / "connect4" / name).read_text().splitlines() if line.strip()]
    assert len(pairs) == 1000
    return [(moves, int(score)) for moves, score in pairs]


@pytest.mark.parametrize("name", ["Test_L3_R1", "Test_L2_R1"])
def test_agrees_with_every_line_of_the_benchmark(shared_data, game, solver, name):
    wrong = [(m, s, solver.score(game.state_from_text(m)))
             for m, s in _lines(shared_data, name) if solver.score(game.state_from_text(m)) != s]
    assert wrong == []


@pytest.mark.parametrize("plies", [ENDGAME, MIDDLE])
def test_best_moves_are_exactly_the_moves_that_keep_the_score(game, solver, plies):
    for moves, expected in _shipped(plies)[::40]:
        state = game.state_from_text(moves)
        result = solver.solve(state)
        scores = solver.move_scores(state)  # a full solve of every child
        assert result.score == expected == scores.max()
        assert result.best_actions == tuple(int(a) for a in np.flatnonzero(scores == expected))
        assert result.value == np.sign(expected)
        for a in result.best_actions:
            assert solver.score(state.play(a)) == -expected



@pytest.mark.parametrize("plies", [ENDGAME, MIDDLE])
def test_good_moves_are_exactly_the_moves_that_keep_the_result(game, solver, plies):
    kinds = set()
    for moves, expected in _shipped(plies)[::50]:
        state = game.state_from_text(moves)
        scores = solver.move_scores(state)
        legal = np.flatnonzero(state.legal_mask())
        good = tuple(int(a) for a in legal if np.sign(scores[a]) == np.sign(expected))
        assert solver.good_actions(state) == good
        assert set(solver.solve(state).best_actions) <= set(good)
        kinds.add((int(np.sign(expected)), len(good) < len(legal)))
    assert (1, True) in kinds  # some won positions have moves that throw the win away

def test_hand_checked_positions(game, solver):
    win_now = game.state_from_text("121212")  # first player has three in column 1
    assert solver.solve(win_now).score == (43 - 6) // 2 and solver.solve(win_now).best_actions == (0,)
    two_threats = game.state_from_text("22334")  # first player threatens both ends of 2-3-4 on row 1
    assert solver.score(two_threats) == -(22 - 4)  # the first player wins with its 4th stone
    won = game.state_from_text("1212121")  # first player has just won with its 4th stone
    assert solver.solve(won) == solvers.SolveResult(-(22 - 4), -1, (), 0)
    full = game.state_from_text("446323116125713546635334125521577677446722")
    assert solver.solve(full).score == 0
    # the parent's move score is minus the child's score, terminal children included
    one_before = game.state_from_text("121212")
    assert -solver.score(one_before.play(0)) == solver.score(one_before)


def test_registry_and_negamax_on_tictactoe():
    ttt = games.make("tictactoe")
    s = solvers.for_game(ttt)
    start = s.solve(ttt.initial_state())
    assert (start.score, start.best_actions) == (0, tuple(range(9)))  # every opening move draws
    threat = ttt.state_from_moves("a1b1a2b2")  # X to move: a3 wins at once
    result = s.solve(threat)
    assert result.score == 1 and 6 in result.best_actions
    assert s.solve(ttt.state_from_moves("b2a1")).score == 0
    lost = ttt.state_from_moves("a1b1a2b2a3")
    assert s.solve(lost) == solvers.SolveResult(-1, -1, (), 0)
    with pytest.raises(UnknownNameError, match="no exact solver"):
        solvers.for_game(SimpleNamespace(info=SimpleNamespace(name="nosuchgame")))


def test_negamax_good_moves_keep_the_result():
    """Every solver declares `good_actions` (move37.solvers.Solver); negamax's scores each child."""
    ttt = games.make("tictactoe")
    s = solvers.for_game(ttt)
    threat = ttt.state_from_moves("a1b1a2b2")  # X to move wins: a3 at once, or by other moves
    good = s.good_actions(threat)
    assert 6 in good and all(s.score(threat.play(a)) == -1 for a in good)
    assert all(s.score(threat.play(int(a))) != -1 for a in threat.legal_actions() if a not in good)
    assert s.good_actions(threat, 1) == good
    assert s.good_actions(ttt.state_from_moves("a1b1a2b2a3")) == ()  # finished: no moves


def test_solver_agent_never_loses_to_random_at_tictactoe():
    ttt = games.make("tictactoe")
    solver_agent, rand = agents.make("solver", ttt), agents.make("random:seed=1", ttt)
    for g in range(8):
        solver_agent.reset(g)
        rand.reset(100 + g)
        state = ttt.initial_state()
        while not state.is_terminal():
            state = state.play((solver_agent if state.current_player == 0 else rand).act(state))
        assert state.returns()[0] >= 0


def test_solver_agent_wins_connect4_by_the_predicted_margin(game):
    """From won positions with the first player to move, the solver agent (first player) beats random
    with its k-th stone where 22 - k is at least the predicted score."""
    won = [(m, s) for m, s in _shipped(MIDDLE) if len(m) % 2 == 0 and s > 0][::25][:4]
    assert len(won) == 4
    solver_agent, rand = agents.make("solver:seed=3", game), agents.make("random:seed=4", game)
    for moves, score in won:
        state = game.state_from_text(moves)
        analysis = solver_agent.analyse(state)
        assert analysis.score == score and analysis.value == 1.0
        assert analysis.policy.sum() == pytest.approx(1.0) and analysis.policy[analysis.action] > 0
        while not state.is_terminal():
            state = state.play((solver_agent if state.current_player == 0 else rand).act(state))
        assert state.returns()[0] == 1.0
        winner_stones = (state.moves + 1) // 2
        assert 22 - winner_stones >= score


def test_perfect_play_ends_after_the_predicted_plies(game):
    """Solver against solver (both optimal: fastest win, slowest loss) ends exactly plies_to_end(score)
    plies after the position, for wins, losses and draws."""
    lines = _shipped(ENDGAME)
    picked = [next(line for line in lines if kind(line[1])) for kind in (lambda s: s > 0, lambda s: s < 0, lambda s: s == 0)]
    first, second = agents.make("solver:seed=1", game), agents.make("solver:seed=2", game)
    for moves, score in picked:
        state = game.state_from_text(moves)
        start = state.moves
        while not state.is_terminal():
            state = state.play((first if state.current_player == 0 else second).act(state))
        assert state.moves - start == plies_to_end(score, start)
    assert plies_to_end((43 - 6) // 2, 6) == 1 and plies_to_end((43 - 7) // 2, 7) == 1  # a win at once


def test_solver_agent_refuses_a_finished_game(game):
    """Regression: of the positions reported with the crash ("4453", "44445", "3344", "112233", "4455667"),
    "4455667" is a finished game (the first player's four in the bottom row), on which the solver agent
    divided by zero (no optimal moves). It now refuses it with IllegalMoveError, as the random agent does;
    one ply earlier it still plays an immediate win. (The four live ones are just slow to solve this early.)"""
    live = game.state_from_text("445566")
    assert agents.make("solver:seed=0", game).analyse(live).action in (2, 6)
    finished = live.play(6)
    assert finished.is_terminal()
    for spec in ("solver", "random"):
        with pytest.raises(IllegalMoveError, match="already over"):
            agents.make(spec, game).analyse(finished)
