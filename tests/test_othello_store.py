"""Othello's compiled store against the object game, move by move (search over it: test_zero_search.py)."""

import numpy as np
import pytest

from move37 import games
from move37.games._othello_store import OthelloStore
from move37.search._tree_states import StateStore
from move37.search.compiled import compiled_for


@pytest.mark.parametrize("spec", ["othello:size=6", "othello"])
def test_store_steps_and_describes_like_the_object_game(spec):
    game = games.make(spec)
    n2 = game.size ** 2
    rng = np.random.default_rng(3)
    store = compiled_for(game).store(game, 1, 200)
    assert isinstance(store, OthelloStore)
    parent, action = np.full((1, 200), -1, np.int32), np.full((1, 200), -1, np.int32)
    seen = {"pass": 0, "terminal": 0}
    while seen["terminal"] < 4 or (seen["pass"] == 0 and seen["terminal"] < 60):
        # whole random games, each position stepped by the store from its parent, until one passed
        state = game.initial_state()
        store.set_root(0, state)
        got = store.roots(np.array([0]))
        node = 0
        while True:
            want = StateStore(game, 1, 1)._describe([state])
            for field in ("obs", "legal", "player", "terminal", "final_value"):
                np.testing.assert_array_equal(getattr(got, field), getattr(want, field), err_msg=field)
            if state.is_terminal():
                seen["terminal"] += 1
                break
            legal = np.flatnonzero(state.legal_mask())
            a = int(rng.choice(legal))
            seen["pass"] += a == n2
            parent[0, node + 1], action[0, node + 1] = node, a
            node += 1
            got = store.expand(np.array([0]), np.array([node]), parent, action)
            state = state.play(a)
    assert seen["pass"] > 0
