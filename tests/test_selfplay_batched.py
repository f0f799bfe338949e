"""Self-play's batched moves: every game's move in one call (`BatchedSearch.advance_all`) and every
recorded root encoded in one call (`root_leaves`) give the records the game-by-game path gives."""

import numpy as np
import pytest

from move37 import games
from move37.errors import IllegalMoveError
from move37.search.batched import BatchedSearch, SearchConfig
from move37.search.compiled import compiled_for
from move37.selfplay.play import SelfPlayConfig, play_games


def _uniform(obs, mask):
    return mask / mask.sum(axis=1, keepdims=True), np.zeros(len(obs), np.float32)


def _records(game, compiled: bool):
    search = SearchConfig(algorithm="gumbel")
    searcher = BatchedSearch(game, _uniform, search, 4, 8, compiled_for(game) if compiled else None)
    config = SelfPlayConfig(parallel_games=4, sims=8, random_opening=3, full_search_prob=0.6, fast_sims=4)
    return play_games(game, _uniform, search, config, 6, np.random.default_rng(3), searcher=searcher)


@pytest.mark.parametrize("spec", ["connect4", "othello:size=6"])
def test_compiled_store_plays_the_records_of_state_objects(spec):
    game = games.make(spec)
    fast, slow = _records(game, True), _records(game, False)
    assert [r.moves for r in fast] == [r.moves for r in slow]
    for a, b in zip(fast, slow):
        assert np.array_equal(a.obs, b.obs) and np.array_equal(a.legal, b.legal)
        assert np.array_equal(a.player, b.player) and np.array_equal(a.ply, b.ply)
        assert np.array_equal(a.returns, b.returns) and a.length == b.length
        replayed = game.state_from_moves(a.moves)  # the text is the game that was played
        assert replayed.is_terminal() and np.array_equal(replayed.returns(), a.returns)
        for ply, obs in zip(a.ply, a.obs):
            moves = game.split_moves(a.moves)[:ply]
            assert np.array_equal(game.state_from_moves(game.join_moves(moves)).encode(), obs)


def test_advance_all_plays_each_game_and_refuses_an_illegal_move_whole():
    game = games.make("connect4")
    searcher = BatchedSearch(game, _uniform, SearchConfig(algorithm="gumbel"), 3, 8, compiled_for(game))
    starts = [game.state_from_moves(m) for m in ("", "4444", "112233")]
    for b, s in enumerate(starts):
        searcher.set_root(b, s)
    ended = searcher.advance_all(np.array([3, 3, 3]))  # the third wins for the first player
    assert ended.tolist() == [False, False, True]
    for b, s in enumerate(starts):
        assert searcher.root_state(b) == s.play(3)
    full = game.state_from_moves("444444")
    searcher.set_root(1, full)
    with pytest.raises(IllegalMoveError):
        searcher.advance_all(np.array([2, 3, -1]))  # column 4 is full: nothing is played
    assert searcher.root_state(0) == starts[0].play(3) and searcher.root_state(1) == full


@pytest.mark.parametrize("spec, compiled, one_call", [("connect4", True, True), ("othello:size=6", True, False),
                                                      ("connect4", False, False), ("tictactoe", False, False)])
def test_stores_declare_what_they_can_do(spec, compiled, one_call):
    """Search reads a store's capabilities from the declared protocols (move37.search.Store, AdvancesRoots):
    every game's store says it has no rewards, and only a store that plays all roots in one call says so."""
    from move37.search import AdvancesRoots

    game = games.make(spec)
    searcher = BatchedSearch(game, _uniform, SearchConfig(algorithm="gumbel"), 2, 8,
                             compiled_for(game) if compiled else None)
    assert searcher.store.rewards is False and searcher.rewards is False
    assert isinstance(searcher.store, AdvancesRoots) is one_call


def test_advance_all_without_a_one_call_store_also_refuses_an_illegal_move_whole():
    game = games.make("tictactoe")
    searcher = BatchedSearch(game, _uniform, SearchConfig(algorithm="gumbel"), 2, 8)
    start = game.initial_state()
    for b in range(2):
        searcher.set_root(b, start)
    with pytest.raises(IllegalMoveError):
        searcher.advance_all(np.array([4, 9]))  # 9 is no cell: the first game's move is not played either
    assert searcher.root_state(0) == start and searcher.root_state(1) == start
    assert searcher.advance_all(np.array([4, -1])).tolist() == [False, False]
    assert searcher.root_state(0) == start.play(4) and searcher.root_state(1) == start
