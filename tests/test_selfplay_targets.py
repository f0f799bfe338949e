"""Self-play training targets: random openings, discounted outcomes, search-value mixing."""

import numpy as np
import pytest

from move37 import games
from move37.errors import ConfigError
from move37.search.batched import SearchConfig
from move37.selfplay.play import GameRecord, SelfPlayConfig, play_games
from move37.train.config import from_dict


def _uniform(obs, mask):
    return mask / mask.sum(axis=1, keepdims=True), np.zeros(len(obs), np.float32)


def test_random_openings_are_played_but_not_trained_on():
    game = games.make("connect4")
    config = SelfPlayConfig(parallel_games=8, sims=4, random_opening=6)
    records = play_games(game, _uniform, SearchConfig(), config, 24, np.random.default_rng(1))
    first = [int(r.ply[0]) for r in records]
    assert all(0 <= p <= 6 for p in first) and len(set(first)) > 2
    for r in records:
        plies = len(game.split_moves(r.moves))
        assert r.length == plies and len(r.ply) == plies - r.ply[0]  # every searched move is a position
        assert np.array_equal(r.ply, np.arange(r.ply[0], plies))
        state = game.state_from_moves(r.moves)  # the record replays, random moves included
        assert state.is_terminal()


def test_without_random_openings_games_start_at_the_initial_position():
    game = games.make("tictactoe")
    records = play_games(game, _uniform, SearchConfig(), SelfPlayConfig(parallel_games=4, sims=4), 8,
                         np.random.default_rng(0))
    assert all(r.ply[0] == 0 for r in records)


def test_value_targets_discount_and_mix():
    record = GameRecord(moves="", returns=np.array([1.0, -1.0], np.float32), obs=np.zeros((3, 1)),
                        legal=np.ones((3, 2), bool), policy=np.full((3, 2), 0.5, np.float32),
                        player=np.array([0, 1, 0], np.int8), search_value=np.array([0.2, -0.4, 0.6], np.float32),
                        ply=np.array([2, 3, 4], np.int16), length=5)
    assert record.value().tolist() == [1.0, -1.0, 1.0]
    np.testing.assert_allclose(record.value(discount=0.5), [0.125, -0.25, 0.5])
    np.testing.assert_allclose(record.value(search_weight=0.5), [0.6, -0.7, 0.8], rtol=1e-6)
    np.testing.assert_allclose(record.value(search_weight=1.0, discount=0.5), [0.2, -0.4, 0.6], rtol=1e-6)


@pytest.mark.parametrize("bad", [{"learn": {"discount": 0.0}}, {"learn": {"discount": 1.5}},
                                 {"learn": {"search_value_weight": -0.1}}, {"selfplay": {"random_opening": -1}}])
def test_bad_target_settings_are_config_errors(bad):
    with pytest.raises(ConfigError):
        from_dict(bad, "connect4")
