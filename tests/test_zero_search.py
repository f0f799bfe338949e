"""Batched array-tree search (PUCT and Gumbel): schedules, tactics, invariants, reuse, batching."""

import numpy as np
import pytest

from move37 import games
from move37.errors import ConfigError
from move37.search._tree import Tree, backup_one
from move37.search.batched import BatchedSearch, SearchConfig
from move37.search.compiled import compiled_for
from move37.search.gumbel import considered_visits

TTT = games.make("tictactoe")


def uniform(obs, legal):
    """Uniform priors over legal moves and value 0: search alone must find the tactics."""
    return (legal / legal.sum(1, keepdims=True)).astype(np.float32), np.zeros(len(obs), np.float32)


def test_sequential_halving_schedule_by_hand():
    # 4 actions, 8 simulations: every action once, then the best two twice each.
    assert considered_visits(4, 8) == [0, 0, 0, 0, 1, 1, 2, 2]
    assert considered_visits(1, 3) == [0, 1, 2]
    assert considered_visits(2, 5) == [0, 0, 1, 1, 2]


@pytest.mark.parametrize("algorithm", ["puct", "gumbel"])
@pytest.mark.parametrize("moves, best", [("a1a2b1b2", 2), ("a1b2b1", 2), ("b2a1c3a3", 3)])
def test_search_finds_wins_and_blocks(algorithm, moves, best):
    search = BatchedSearch(TTT, uniform, SearchConfig(algorithm=algorithm), batch=2, max_sims=128)
    search.set_root(0, TTT.state_from_moves(moves))
    search.set_root(1, None)
    out = search.run(128)
    assert out.action[0] == best
    assert out.action[1] == -1 and out.visits[1].sum() == 0
    assert out.policy[0].argmax() == best


@pytest.mark.parametrize("algorithm", ["puct", "gumbel"])
def test_visit_invariants_and_batch_independence(algorithm):
    config = SearchConfig(algorithm=algorithm)
    states = [TTT.initial_state(), TTT.state_from_moves("b2"), TTT.state_from_moves("a1c3b1")]
    together = BatchedSearch(TTT, uniform, config, batch=3, max_sims=40)
    for b, s in enumerate(states):
        together.set_root(b, s)
    out = together.run(np.array([40, 17, 5]))
    t = together.tree
    assert list(t.visits[:, 0]) == [41, 18, 6]  # root expansion + one visit per simulation
    assert list(out.visits.sum(1)) == [40, 17, 5]
    for b in range(3):  # every node's visits = 1 + its children's visits (or more, for terminal revisits)
        for node in range(t.num_nodes[b]):
            kids = t.children[b, node][t.children[b, node] >= 0]
            if not t.terminal[b, node]:
                assert t.visits[b, node] == 1 + t.visits[b, kids].sum()
            assert node == 0 or t.children[b, t.parent[b, node], t.action[b, node]] == node
    for b, s in enumerate(states):  # the same search alone gives the same result
        alone = BatchedSearch(TTT, uniform, config, batch=1, max_sims=40)
        alone.set_root(0, s)
        one = alone.run([40, 17, 5][b])
        np.testing.assert_array_equal(one.visits[0], out.visits[b])
        assert one.action[0] == out.action[b]


def test_terminal_values_back_up_exactly():
    # X to move wins at once with c1: with enough simulations its Q tends to +1 for the mover.
    search = BatchedSearch(TTT, uniform, SearchConfig(algorithm="puct"), batch=1, max_sims=200)
    search.set_root(0, TTT.state_from_moves("a1a2b1b2"))
    out = search.run(200)
    assert out.q[0, 2] == pytest.approx(1.0)
    assert out.value[0] > 0.8


def test_discounted_backup_shrinks_values_per_move():
    # root (player 0) -> a (player 1) -> b (player 0): a win for player 0 found at b counts
    # 1 at b (for a's mover), 0.5 one move up and 0.25 at the root.
    t = Tree(1, 4, 2)
    t.parent[0, :3] = [-1, 0, 1]
    t.player[0, :3] = [0, 1, 0]
    backup_one(t.visits, t.value_sum, t.parent, t.player, 0, 2, np.float32(1.0), np.float32(0.5))
    assert list(t.value_sum[0, :3]) == [0.25, 0.5, -1.0]
    assert list(t.visits[0, :3]) == [1, 1, 1]
    with pytest.raises(ConfigError):
        SearchConfig(discount=0.0)


def test_discounted_search_values_a_win_a_move_away():
    # X (to move) wins at once with c1: the undiscounted root value tends to 1, the discounted
    # one stays below the discount (the win is a move away).
    for discount, low, high in ((1.0, 0.9, 1.0), (0.8, 0.6, 0.8)):
        search = BatchedSearch(TTT, uniform, SearchConfig(algorithm="puct", discount=discount), batch=1, max_sims=200)
        search.set_root(0, TTT.state_from_moves("a1a3b1b3"))
        out = search.run(200)
        assert out.action[0] == 2 and out.q[0, 2] == pytest.approx(1.0)
        assert low < out.value[0] <= high


@pytest.mark.parametrize("discount", [1.0, 0.8])
def test_gumbel_root_value_is_the_improved_policys_value(discount):
    # X (to move) wins at once with c1. Sequential halving gives each of the 5 moves the same
    # visits in its first round, so the root's mean backed-up value counts the 4 weak moves as
    # much as the win; the value Gumbel reports (the self-play value target) is pi''s value,
    # which puts nearly all its weight on the win: close to `discount` (the win one move away).
    search = BatchedSearch(TTT, uniform, SearchConfig(discount=discount), batch=1, max_sims=32)
    search.set_root(0, TTT.state_from_moves("a1a3b1b3"))
    out = search.run(32)
    t = search.tree
    root_mean = t.value_sum[0, 0] / t.visits[0, 0]
    assert out.action[0] == 2 and out.q[0, 2] == pytest.approx(1.0)
    assert 0.9 * discount < out.value[0] <= discount
    assert root_mean < out.value[0] - 0.2
    assert out.value[0] == pytest.approx(discount * float((out.policy[0] * out.q[0]).sum()), abs=1e-5)


def test_puct_tree_reuse_keeps_the_subtree():
    search = BatchedSearch(TTT, uniform, SearchConfig(algorithm="puct", reuse=True), batch=1, max_sims=64)
    search.set_root(0, TTT.initial_state())
    out = search.run(64)
    a = int(out.action[0])
    child = search.tree.children[0, 0, a]
    kept = int(search.tree.visits[0, child])
    state = search.advance(0, a)
    t = search.tree
    assert search.root_state(0) == state and t.visits[0, 0] == kept and t.parent[0, 0] == -1
    for node in range(1, t.num_nodes[0]):
        parent_state = search.store.states[0][t.parent[0, node]]
        assert search.store.states[0][node] == parent_state.play(int(t.action[0, node]))
    out = search.run(64)
    assert t.visits[0, 0] == kept + 64


def test_puct_reroot_keeps_the_grandchild_subtree():
    """A player sees the position after its move and the reply: `reroot` finds it two plies down."""
    search = BatchedSearch(TTT, uniform, SearchConfig(algorithm="puct", reuse=True), batch=1, max_sims=64)
    start = TTT.initial_state()
    search.set_root(0, start)
    out = search.run(64)
    a = int(out.action[0])
    t = search.tree
    child = t.children[0, 0, a]
    reply = int(np.argmax(t.visits[0, t.children[0, child]] * (t.children[0, child] >= 0)))
    kept = int(t.visits[0, t.children[0, child, reply]])
    after = start.play(a).play(reply)
    assert search.reroot(0, after, 64)
    assert search.root_state(0) == after and t.visits[0, 0] == kept and t.parent[0, 0] == -1
    assert not search.reroot(0, TTT.state_from_moves("a1b1c1"), 8)  # not in the tree: the caller starts afresh
    gumbel = BatchedSearch(TTT, uniform, SearchConfig(), batch=1, max_sims=8)
    gumbel.set_root(0, start)
    gumbel.run(8)
    assert not gumbel.reroot(0, after, 8)  # Gumbel plans each search from scratch


@pytest.mark.parametrize("algorithm", ["puct", "gumbel"])
@pytest.mark.parametrize("sims", [0, 16])
def test_output_carries_the_root_evaluation(algorithm, sims):
    """prior, raw_value and legal are the evaluator's answer at the root; inactive rows are zeros."""
    def peaked(obs, legal):
        p = legal * np.arange(1, 10, dtype=np.float32)
        return p / p.sum(1, keepdims=True), obs.sum(axis=(1, 2, 3)).astype(np.float32) / 10

    root = TTT.state_from_moves("c3a1")
    search = BatchedSearch(TTT, peaked, SearchConfig(algorithm=algorithm), batch=2, max_sims=16)
    search.set_root(0, root)
    search.set_root(1, None)
    out = search.run(sims)
    prior, value = peaked(root.encode()[None], root.legal_mask()[None])
    np.testing.assert_array_equal(out.prior[0], prior[0])
    assert out.raw_value[0] == value[0] == pytest.approx(0.2)
    np.testing.assert_array_equal(out.legal[0], root.legal_mask())
    assert out.prior_action()[0] == 7 and out.prior_action()[1] == -1  # 8 is taken; no game in slot 1
    assert not out.legal[1].any() and out.prior[1].sum() == 0 and out.raw_value[1] == 0


def test_gumbel_zero_simulations_plays_the_prior():
    def peaked(obs, legal):
        p = legal * np.arange(1, 10, dtype=np.float32)
        return p / p.sum(1, keepdims=True), np.zeros(len(obs), np.float32)

    search = BatchedSearch(TTT, peaked, SearchConfig(), batch=1, max_sims=1)
    search.set_root(0, TTT.state_from_moves("c3"))
    assert search.run(0).action[0] == 7  # the most probable legal action (8 is taken)


@pytest.mark.parametrize("algorithm", ["puct", "gumbel"])
@pytest.mark.parametrize("spec, openings", [("connect4", ["", "4453", "44444"]), ("othello:size=6", ["", "c2b2"])])
def test_compiled_store_searches_exactly_like_state_objects(algorithm, spec, openings):
    game = games.make(spec)
    states = [game.state_from_moves(moves) for moves in openings]
    results = []
    for compiled in (False, True):
        search = BatchedSearch(game, uniform, SearchConfig(algorithm=algorithm), batch=len(states), max_sims=48,
                               compiled=compiled_for(game) if compiled else None)
        for b, s in enumerate(states):
            search.set_root(b, s)
        out = search.run(48)
        for b in range(len(states)):  # play on, reusing trees where the algorithm does
            search.advance(b, int(out.action[b]))
        results.append((out.visits, out.action, search.run(48).visits))
    for a, b in zip(*results):
        np.testing.assert_array_equal(a, b)
