"""UCT with random rollouts: finds immediate wins, beats random, is reproducible."""

import numpy as np
import pytest

from move37 import agents, games
from move37.arena import play_match
from move37.errors import SpecError


def test_uct_takes_an_immediate_win():
    game = games.make("tictactoe")
    state = game.state_from_moves("a1b1a2b2")  # X wins at a3
    a = agents.make("mcts:sims=400", game).analyse(state)
    assert game.action_to_text(state, a.action) == "a3"
    assert a.value > 0.9
    assert a.policy.shape == (9,) and abs(a.policy.sum() - 1) < 1e-9 and a.policy[a.action] == a.policy.max()
    assert a.nodes == 400


def test_uct_beats_random_at_connect4():
    game = games.make("connect4")
    uct, rnd = agents.make("mcts:sims=100", game), agents.make("random", game)
    records = play_match(game, uct, rnd, 8, seed=5)
    points = sum(r.score(r.players.index("mcts:sims=100")) for r in records)
    assert points >= 7


def test_uct_is_reproducible_and_time_limited():
    game = games.make("connect4")
    state = game.state_from_moves("44")
    a = agents.make("mcts:sims=300,seed=3", game).analyse(state)
    b = agents.make("mcts:sims=300,seed=3", game).analyse(state)
    assert a.action == b.action and np.array_equal(a.policy, b.policy)
    timed = agents.make("mcts:ms=20", game).analyse(state)
    assert state.legal_mask()[timed.action] and timed.nodes >= 1


def test_bad_mcts_options():
    game = games.make("tictactoe")
    for spec in ("mcts:sims=x", "mcts:sims=0", "mcts:c=-1", "mcts:c=nan"):
        with pytest.raises(SpecError):
            agents.make(spec, game)
