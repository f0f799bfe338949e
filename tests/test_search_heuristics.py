"""Evaluations: every game's heuristic stays in [-1, 1] for the mover; games without one get 0."""

import numpy as np
import pytest

from move37 import games
from move37.search.heuristics import action_order_for, evaluation_for


@pytest.mark.parametrize("name", games.names())
def test_evaluations_are_bounded_on_random_positions(name):
    game = games.make(name)
    evaluate = evaluation_for(game)
    order = action_order_for(game)
    assert sorted(order) == sorted(set(order)) and all(0 <= a < game.info.num_actions for a in order)
    rng = np.random.default_rng(0)
    state, seen = game.initial_state(), 0
    while not state.is_terminal() and seen < 30:
        v = float(evaluate(state))
        assert -1.0 <= v <= 1.0, (name, v)
        state = state.play(int(rng.choice(state.legal_actions())))
        seen += 1


def test_tictactoe_evaluation_sees_threats():
    game = games.make("tictactoe")
    evaluate = evaluation_for(game)
    assert evaluate(game.initial_state()) == 0.0
    assert evaluate(game.state_from_moves("b2")) < 0  # O to move, X holds the centre


def test_a_game_without_heuristics_is_searched_with_zero(monkeypatch):
    game = games.make("tictactoe")
    monkeypatch.setattr(type(game), "info", game.info.__class__(**{**game.info.__dict__, "name": "nosuchgame"}))
    assert evaluation_for(game)(game.initial_state()) == 0.0
    assert action_order_for(game) == tuple(range(9))
