"""Alpha-beta: exact on tic-tac-toe, never loses, finds Connect Four wins, TT-independent values."""

from functools import lru_cache

import numpy as np
import pytest

from move37 import agents, data, games, solvers
from move37.arena import play_match
from move37.errors import SpecError
from move37.search.alphabeta import WIN, AlphaBeta

TTT = games.make("tictactoe")


@lru_cache(maxsize=None)
def _minimax(board: tuple[int, ...]) -> int:
    """Exact value (+1/0/-1) for the player to move; an oracle independent of the search."""
    state = TTT.initial_state().__class__(board)
    if state.is_terminal():
        return int(state.returns()[1 - state.current_player]) * -1 if state.returns().any() else 0
    return max(-_minimax(state.play(int(a)).board) for a in state.legal_actions())


def _random_positions(n: int, seed: int) -> list:
    rng = np.random.default_rng(seed)
    out = []
    while len(out) < n:
        state = TTT.initial_state()
        for _ in range(int(rng.integers(1, 8))):
            state = state.play(int(rng.choice(state.legal_actions())))
            if state.is_terminal():
                break
        if not state.is_terminal():
            out.append(state)
    return out


def test_full_depth_agrees_with_exact_values_on_tictactoe():
    solver = solvers.for_game(TTT)
    for state in [TTT.initial_state(), *_random_positions(30, seed=1)]:
        r = AlphaBeta(TTT, depth=9).search(state)
        exact = _minimax(state.board)
        assert np.sign(r.score) == exact == solver.solve(state).value
        assert r.action in solver.solve(state).best_actions
        assert -_minimax(state.play(r.action).board) == exact  # the chosen move is optimal
        assert r.pv[0] == r.action and r.nodes > 0


def test_transposition_table_does_not_change_the_value():
    nodes_with = nodes_without = 0
    for state in _random_positions(15, seed=2):
        with_tt = AlphaBeta(TTT, depth=9).search(state)
        without = AlphaBeta(TTT, depth=9, tt_size=0).search(state)
        assert with_tt.score == without.score
        nodes_with += with_tt.nodes
        nodes_without += without.nodes
    assert nodes_with < nodes_without  # transpositions are cut


def test_faster_wins_are_preferred():
    # X to move: a1 a2 give a win at a3 now; a longer win also exists.
    state = TTT.state_from_moves("a1b1a2b2")
    r = AlphaBeta(TTT, depth=9).search(state)
    assert TTT.action_to_text(state, r.action) == "a3"
    assert r.score == WIN - 1 and r.proven and r.value == 1.0


def test_alphabeta_never_loses_at_tictactoe():
    ab = agents.make("alphabeta:depth=9", TTT)
    rnd = agents.make("random", TTT)
    records = play_match(TTT, ab, rnd, 12, openings=["", "a1", "b1"], seed=3)
    for rec in records:
        me = rec.players.index("alphabeta:depth=9")
        assert rec.score(me) >= 0.5
    assert sum(rec.score(rec.players.index("alphabeta:depth=9")) == 1 for rec in records) >= 6


def test_time_limit_returns_a_legal_move():
    game = games.make("connect4")
    state = game.state_from_moves("4453")
    a = agents.make("alphabeta:ms=30", game).analyse(state)
    assert state.legal_mask()[a.action] and a.depth >= 1


def test_bad_options_are_spec_errors():
    with pytest.raises(SpecError):
        agents.make("alphabeta:depth=x", TTT)
    with pytest.raises(SpecError):
        agents.make("alphabeta:depth=0", TTT)
    with pytest.raises(SpecError):
        agents.make("alphabeta:speed=3", TTT)


def _wins_in_three(limit: int) -> list[str]:
    """Shipped positions (move37/data) where the mover wins with its 3rd stone from now, from ply 29 on."""
    return [lab["moves"] for lab in data.connect4_labels()
            if len(lab["moves"]) >= 29 and lab["score"] == 19 - len(lab["moves"]) // 2][:limit]


def test_connect4_win_in_three_is_found_and_converted():
    game = games.make("connect4")
    positions = _wins_in_three(4)
    assert len(positions) == 4
    for moves in positions:
        state = game.state_from_moves(moves)
        mover = state.current_player
        attacker = AlphaBeta(game, depth=6)
        r = attacker.search(state)
        assert r.score == WIN - 5 and r.proven
        defender = AlphaBeta(game, depth=6)
        plies = 0
        while not state.is_terminal():
            search = attacker if state.current_player == mover else defender
            state = state.play(search.search(state).action)
            plies += 1
        assert state.returns()[mover] == 1 and plies == 5
