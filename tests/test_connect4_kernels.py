"""The compiled Connect Four kernels agree with the object-level game, move by move."""

import numpy as np
import pytest

from move37.games import _connect4_kernels as k
from move37.games import make


@pytest.fixture(scope="module")
def game():
    return make("connect4")


def _random_games(game, n, rng):
    """Yield lists of states, one list per ply, for `n` random games played in lockstep."""
    states = [game.initial_state() for _ in range(n)]
    while True:
        yield states
        live = [s for s in states if not s.is_terminal()]
        if not live:
            return
        states = [s.play(int(rng.choice(s.legal_actions()))) if not s.is_terminal() else s for s in states]


def test_kernels_agree_with_object_game_over_random_games(game):
    rng = np.random.default_rng(0)
    plies = 0
    for states in _random_games(game, 200, rng):
        position, mask = k.from_states(states)
        legal = k.legal_masks(position, mask)
        terminal, value = k.terminal_values(position, mask)
        np.testing.assert_array_equal(legal, np.stack([s.legal_mask() for s in states]))
        np.testing.assert_array_equal(terminal, [s.is_terminal() for s in states])
        np.testing.assert_array_equal(value, [s.returns()[s.current_player] for s in states])
        np.testing.assert_array_equal(k.encode(position, mask), np.stack([s.encode() for s in states]))
        np.testing.assert_array_equal(k.keys(position, mask), [s.key() for s in states])
        # One batched step must land where the object game lands.
        live = ~terminal
        if live.any():
            actions = np.array([int(rng.choice(s.legal_actions())) for s, a in zip(states, live) if a])
            new_position, new_mask = k.play(position[live], mask[live], actions)
            expected = [s.play(int(a)) for s, a in zip([s for s, a in zip(states, live) if a], actions)]
            np.testing.assert_array_equal(new_position, [s.position for s in expected])
            np.testing.assert_array_equal(new_mask, [s.mask for s in expected])
        plies += 1
    assert plies >= 7  # at least one game ran to a win


def test_terminal_positions_score_for_the_player_to_move(game):
    won = game.state_from_moves("1212121")  # first player's vertical four
    drawn = game.state_from_moves("446323116125713546635334125521577677446722")  # full board, no four
    going = game.state_from_moves("44")
    position, mask = k.from_states([won, drawn, going])
    terminal, value = k.terminal_values(position, mask)
    assert terminal.tolist() == [True, True, False]
    assert value.tolist() == [-1.0, 0.0, 0.0]
    assert not k.legal_masks(position, mask)[:2].any()
    # A playout from a finished game is its result.
    assert k.random_playouts(position[:1], mask[:1], 3)[0] == -1.0


def test_play_rejects_full_columns_and_finished_games(game):
    column_full = game.state_from_moves("111111")
    won = game.state_from_moves("1212121")
    for state, action in [(column_full, 0), (won, 3)]:
        position, mask = k.from_states([state])
        with pytest.raises(ValueError):
            k.play(position, mask, np.array([action]))
    position, mask = k.from_states([game.initial_state()])
    with pytest.raises(ValueError):
        k.play(position, mask, np.array([7]))


def test_random_playouts_are_reproducible_and_match_known_first_player_edge():
    n = 20000
    position = np.zeros(n, dtype=np.int64)
    mask = np.zeros(n, dtype=np.int64)
    a = k.random_playouts(position, mask, 7)
    b = k.random_playouts(position, mask, 7)
    np.testing.assert_array_equal(a, b)
    assert set(np.unique(a)) <= {-1.0, 0.0, 1.0}
    # Uniform random play from the empty board: the first player wins about 55.6% and
    # loses about 44.2% (value about +0.11); a sign or turn error would flip or zero it.
    assert 0.07 < a.mean() < 0.16
    assert (a == 0).mean() < 0.01


@pytest.mark.parametrize("algorithm", ["gumbel", "puct"])
def test_bitboard_store_searches_exactly_like_the_generic_store(game, algorithm):
    """Batched search over the compiled store gives the same trees as over State objects
    (PUCT also exercises subtree reuse, i.e. `remap`)."""
    from move37.search.batched import BatchedSearch, SearchConfig
    from move37.search.compiled import compiled_for

    def evaluate(obs, legal):  # deterministic in the position, so both runs see the same priors
        seeds = (obs[:, 0] * 3 + obs[:, 1]).reshape(len(obs), -1) @ (np.arange(42) % 7 + 1)
        priors = np.stack([np.random.default_rng(int(s)).random(7) for s in seeds]).astype(np.float32) * legal
        values = (obs[:, 0].sum(axis=(1, 2)) - obs[:, 1].sum(axis=(1, 2))).astype(np.float32) * 0.1
        return priors / priors.sum(axis=1, keepdims=True), values

    runs = []
    for store in ("generic", "bitboard"):
        search = BatchedSearch(game, evaluate, SearchConfig(algorithm=algorithm), 6, 24,
                               compiled_for(game) if store == "bitboard" else None)
        assert isinstance(search.store, k.BitboardStore) == (store == "bitboard")
        rng = np.random.default_rng(0)
        for b in range(6):
            search.set_root(b, game.state_from_moves("4453"[: b % 4]))
        outputs = []
        for _ in range(25):
            out = search.run(24, rng, explore=True)
            outputs.append((out.visits.copy(), out.policy.copy(), out.action.copy()))
            for b in range(6):
                action = int(out.action[b]) if algorithm == "gumbel" else int(out.visits[b].argmax())
                if search.advance(b, action).is_terminal():
                    search.set_root(b, game.initial_state())
        runs.append(outputs)
    for (v1, p1, a1), (v2, p2, a2) in zip(*runs):
        np.testing.assert_array_equal(v1, v2)
        np.testing.assert_allclose(p1, p2)
        np.testing.assert_array_equal(a1, a2)
