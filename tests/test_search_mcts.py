"""UCT with random rollouts: finds immediate wins, beats random, is reproducible; the
compiled path (Connect Four's kernels) plays as the Python path does."""

import math
import random

import numpy as np
import pytest

from move37 import agents, games
from move37.search import _mcts_compiled
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


@pytest.mark.parametrize("compiled", ["true", "false"])
def test_uct_is_reproducible_and_time_limited(compiled):
    game = games.make("connect4")
    state = game.state_from_moves("44")
    a = agents.make(f"mcts:sims=300,seed=3,compiled={compiled}", game).analyse(state)
    b = agents.make(f"mcts:sims=300,seed=3,compiled={compiled}", game).analyse(state)
    assert a.action == b.action and np.array_equal(a.policy, b.policy)
    other = agents.make(f"mcts:sims=300,seed=4,compiled={compiled}", game).analyse(state)
    assert not np.array_equal(a.policy, other.policy)  # the seed drives rollouts and tie-breaks
    timed = agents.make(f"mcts:ms=20,compiled={compiled}", game).analyse(state)
    assert state.legal_mask()[timed.action] and timed.nodes >= 1


def test_bad_mcts_options():
    game = games.make("tictactoe")
    for spec in ("mcts:sims=x", "mcts:sims=0", "mcts:c=-1", "mcts:c=nan"):
        with pytest.raises(SpecError):
            agents.make(spec, game)


def _connect4_uct(spec: str):
    game = games.make("connect4")
    agent = agents.make(spec, game)
    assert (agent.search._kernels is not None) == ("compiled=false" not in spec)
    return game, agent


def test_compiled_uct_takes_a_win_and_blocks_a_loss():
    game, agent = _connect4_uct("mcts:sims=400")
    win = agent.analyse(game.state_from_moves("121212"))  # first player wins in column 1
    assert win.action == 0 and win.value > 0.9 and win.pv[0] == 0 and win.nodes == 400
    assert win.policy.shape == (7,) and abs(win.policy.sum() - 1) < 1e-9 and win.policy.argmax() == 0
    block = agent.analyse(game.state_from_moves("12121"))  # second player must block column 1
    assert block.action == 0


def test_compiled_uct_beats_random():
    game, uct = _connect4_uct("mcts:sims=200,seed=1")
    records = play_match(game, uct, agents.make("random", game), 10, seed=7)
    assert sum(r.score(r.players.index("mcts:sims=200,seed=1")) for r in records) >= 9


def test_compiled_tree_grows_and_counts_every_visit():
    game = games.make("connect4")
    tree, sims = _mcts_compiled.CONNECT4.search(game.initial_state(), limit=8000, deadline=math.inf, c=1.4,
                                                rng=random.Random(0), width=7)
    visits, _, first, count = tree.arrays[:4]
    assert sims == 8000 and tree.capacity > _mcts_compiled._INITIAL_CAPACITY  # grew once at least
    # every simulation passes the root; all but the first (which expands it) go on to a child
    assert visits[0] == 8000 and visits[first[0]:first[0] + count[0]].sum() == 7999
    assert tree.nodes > _mcts_compiled._INITIAL_CAPACITY


@pytest.mark.parametrize("compiled", ["true", "false"])
def test_both_paths_find_the_same_forced_win(compiled):
    # First player holds columns 4 and 5 on the bottom row; a stone in column 3 or 6
    # makes an open three there, a double threat the second player cannot stop.
    game, agent = _connect4_uct(f"mcts:sims=3000,seed=2,compiled={compiled}")
    analysis = agent.analyse(game.state_from_moves("4455"))
    assert analysis.action in (2, 5)
    assert analysis.value > 0.5
