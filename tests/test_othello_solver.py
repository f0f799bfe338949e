"""The exact Othello endgame solver: the shipped endgames (move37/data), an independent brute force, limits,
and the FFO suite where the public sets are present."""

import numpy as np
import pytest

from move37 import agents, data, games, solvers
from move37.errors import SolverLimitError
from move37.games._othello_kernels import board_mask, to_bitboard
from move37.solvers import _othello_kernels as K
from move37.solvers.othello import OthelloEndgameSolver

# FFO problems the solver finishes in a fraction of a second each (14-18 empties).
FFO_FAST = [*range(1, 20), 21, 22, 23]


def ffo_rows(shared_data):
    path = shared_data / "othello" / "ffo_1-79.tsv"
    rows = [line.split("\t") for line in path.read_text().splitlines()[1:]]
    return {int(r[0]): (f"{r[3]} {r[2]}", int(r[4]), set(r[5].split(","))) for r in rows}


def shipped(max_empties: int = 14) -> list[tuple[str, int, set[str]]]:
    """(OBF line, best score, best moves) of the shipped endgames with at most `max_empties` empties."""
    out = []
    for line, scores in data.othello_endgames():
        if line[:64].count("-") <= max_empties:
            top = max(scores.values())
            out.append((line, top, {m for m, s in scores.items() if s == top}))
    return out


def brute_force(state) -> int:
    """Plain negamax over the game API (no bitboard code shared with the solver)."""
    if state.is_terminal():
        diff = state.disc_difference() * (1 if state.current_player == 0 else -1)
        return diff + (state.empties() if diff > 0 else -state.empties() if diff < 0 else 0)
    return max(-brute_force(state.play(int(a))) for a in state.legal_actions())


def random_endgames(game, empties: int, count: int, seed: int):
    """Live positions with `empties` empty squares reached by random play."""
    rng = np.random.default_rng(seed)
    out = []
    while len(out) < count:
        s = game.initial_state()
        while not s.is_terminal() and s.empties() > empties:
            s = s.play(int(rng.choice(s.legal_actions())))
        if not s.is_terminal():
            out.append(s)
    return out


def test_registry_gives_the_endgame_solver():
    assert isinstance(solvers.for_game(games.make("othello")), OthelloEndgameSolver)


def test_agrees_with_ffo_best_scores_and_moves(shared_data):
    game = games.make("othello")
    solver = OthelloEndgameSolver(game)
    rows = ffo_rows(shared_data)
    for no in FFO_FAST:
        board, score, best = rows[no]
        state = game.state_from_text(board)
        result = solver.solve(state)
        got = {game.action_to_text(state, a).upper() for a in result.best_actions}
        assert (result.score, got) == (score, best), f"FFO #{no}"
        assert result.value == np.sign(score) and result.nodes > 0
        if no <= 5:
            assert solver.score(state) == score


@pytest.mark.parametrize("size", [8, 6])
def test_matches_brute_force_on_random_endgames(size):
    game = games.make(f"othello:size={size}")
    solver = OthelloEndgameSolver(game)
    for state in random_endgames(game, empties=6, count=10, seed=size):
        exact = brute_force(state)
        result = solver.solve(state)
        assert result.score == exact
        # Every listed move is optimal, and every optimal move is listed.
        optimal = {int(a) for a in state.legal_actions() if -brute_force(state.play(int(a))) == exact}
        assert set(result.best_actions) == optimal


def test_six_by_six_deeper_position_is_consistent():
    """At 14 empties brute force is too slow; the score must equal the best child's score."""
    game = games.make("othello:size=6")
    solver = OthelloEndgameSolver(game)
    state = random_endgames(game, empties=14, count=1, seed=5)[0]
    result = solver.solve(state)
    children = {int(a): -solver.score(state.play(int(a))) for a in state.legal_actions()}
    assert result.score == max(children.values())
    assert set(result.best_actions) == {a for a, v in children.items() if v == result.score}


def test_forced_pass_and_finished_game():
    game = games.make("othello")
    cells = ["-"] * 64
    cells[0], cells[1] = "X", "O"  # white to move cannot; black then takes c1 and all
    state = game.state_from_text("".join(cells) + " O")
    result = OthelloEndgameSolver(game, max_empties=64).solve(state)
    assert result.best_actions == (game.pass_action,) and result.score == -64 and result.value == -1
    end = game.state_from_text("X" * 20 + "O" * 44 + " X")
    assert OthelloEndgameSolver(game).solve(end) == solvers.SolveResult(-24, -1, (), 0)


def test_too_many_empties_is_a_limit_error():
    game = games.make("othello")
    with pytest.raises(SolverLimitError, match="max_empties=24"):
        OthelloEndgameSolver(game).solve(game.initial_state())
    with pytest.raises(SolverLimitError, match="6x6"):
        OthelloEndgameSolver(game).solve(games.make("othello:size=6").initial_state())


def test_stable_discs_never_flip():
    """Discs the solver calls stable stay put in random continuations."""
    rng = np.random.default_rng(7)
    for size in (8, 6):
        game = games.make(f"othello:size={size}")
        board = board_mask(size)
        for state in random_endgames(game, empties=20, count=15, seed=size):
            black = to_bitboard(state.black, size)
            stable = int(K.stable_discs(np.uint64(black), np.uint64(to_bitboard(state.white, size)), board))
            assert stable & ~black == 0
            s = state
            while not s.is_terminal():
                s = s.play(int(rng.choice(s.legal_actions())))
                assert to_bitboard(s.black, size) & stable == stable


def test_solver_agent_plays_a_best_move():
    game = games.make("othello")
    line, _, best = shipped()[0]
    state = game.state_from_text(line)
    agent = agents.make("solver", game=game)
    assert game.action_to_text(state, agent.act(state)).upper() in best


def test_solve_command_line(capsys):
    from move37.cli import main

    game = games.make("othello")
    line, score, best = next(row for row in shipped() if len(row[2]) >= 2)
    board = line.split(";")[0]
    assert main(["solve", "othello", board]) == 0
    state = game.state_from_text(board)
    moves = [game.action_to_text(state, a) for a in sorted(game.text_to_action(state, m.lower()) for m in best)]
    assert capsys.readouterr().out.split() == [*board.split(), str(score), game.join_moves(moves)]  # action order
    assert main(["solve", "othello", "f5d6"]) == 2  # 58 empties: beyond the limit
    assert "max_empties" in capsys.readouterr().err


def test_best_move_command_reads_obf_lines(tmp_path, capsys):
    from move37.cli import main

    rows = shipped()[:6]
    positions = tmp_path / "endgames.obf"
    positions.write_text("".join(line + "\n" for line, _, _ in rows))
    assert main(["best-move", "othello", "--agent", "solver", "--positions", str(positions)]) == 0
    moves = capsys.readouterr().out.split()
    assert len(moves) == 6 and all(m.upper() in best for m, (_, _, best) in zip(moves, rows))
