"""Environments with rewards behind the game API: gymnasium (CartPole) and MinAtar."""

import numpy as np
import pytest

from move37 import games
from move37.errors import SpecError, UnknownNameError
from move37.games.conformance import check_game

pytest.importorskip("gymnasium")
pytest.importorskip("minatar")

ENV_SPECS = ["gym:CartPole-v1,max_steps=40", "minatar:breakout,max_steps=60", "minatar:freeway,max_steps=30",
             "minatar:asterix,max_steps=30", "minatar:seaquest,max_steps=30", "minatar:space_invaders,max_steps=30"]


@pytest.mark.parametrize("spec", ENV_SPECS)
def test_env_conforms(spec):
    game = games.make(spec)
    assert games.is_env(spec) and game.info.num_players == 1 and game.info.rewards
    assert check_game(game, playouts=2, seed=3) > 2


def test_cartpole_rewards_time_limit_and_termination():
    game = games.make("gym:CartPole-v1,max_steps=30")
    assert game.info.num_actions == 2 and game.info.observation_shape == (4,)
    state, total = game.initial_state(), 0.0
    while not state.is_terminal():  # always pushing right tips the pole over before 30 steps
        state = state.play(1)
        total += state.reward
    assert state.terminated and not state.truncated and state.reward == 1.0
    assert state.returns()[0] == total == len(state.actions) < 30
    rng, state = np.random.default_rng(0), game.initial_state()
    for _ in range(200):  # alternating keeps it up until the time limit cuts the episode
        if state.is_terminal():
            break
        state = state.play(len(state.actions) % 2)
    assert state.truncated and not state.terminated and len(state.actions) == 30
    assert not state.legal_mask().any()


def test_states_are_values():
    """Playing the same action twice from a state gives equal successors; the state itself is unchanged."""
    game = games.make("minatar:breakout")
    state = game.initial_state()
    for a in [1, 2, 2, 0, 1]:
        state = state.play(a)
    before = state.encode().copy()
    first, second = state.play(2), state.play(2)
    assert first == second and (first.encode() == second.encode()).all()
    assert (state.encode() == before).all() and state.encode().shape == (4, 10, 10)
    assert games.make("minatar:breakout").state_from_moves("1 2 2 0 1") == state


def test_board_games_keep_their_conventions():
    info = games.make("connect4").info
    assert info.num_players == 2 and not info.rewards and not games.is_env("connect4")
    assert games.make("tictactoe").initial_state().reward == 0.0


@pytest.mark.parametrize("spec, error", [("gym:NoSuchEnv-v9", SpecError), ("gym:Pendulum-v1", SpecError),
                                         ("minatar:pong", SpecError), ("gym", SpecError),
                                         ("gymm:CartPole-v1", UnknownNameError)])
def test_bad_env_names(spec, error):
    with pytest.raises(error):
        games.make(spec)
