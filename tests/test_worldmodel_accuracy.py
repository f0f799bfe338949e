"""The world model's k-step accuracy (move37.worldmodel.accuracy) on tic-tac-toe, against models whose answers
are known: one that is the rules, and one that knows nothing."""

import numpy as np
import pytest

from move37 import games
from move37.worldmodel.accuracy import continuations, rollout_accuracy
from move37.worldmodel.nets import NetConfig
from move37.worldmodel.play import mover_reward


class _Rules:
    """A 'learned' model that is the rules: latent = [index of the state], every tic-tac-toe state listed."""

    class net:
        config, latent_size = NetConfig(latent=1), 1

    def __init__(self, game):
        self.states, self.index, todo = [], {}, [game.initial_state()]
        while todo:
            s = todo.pop()
            key = s.encode().tobytes()
            if key in self.index:
                continue
            self.index[key] = len(self.states)
            self.states.append(s)
            if not s.is_terminal():
                todo.extend(s.play(int(a)) for a in s.legal_actions())

    def represent(self, obs):
        return np.array([[self.index[o.tobytes()]] for o in obs], np.float32)

    def step(self, latent, action):
        nxt, reward = [], []
        for i, a in zip(latent[:, 0].astype(int), action):
            s = self.states[i]
            n = s.play(int(a))
            nxt.append(self.index[n.encode().tobytes()])
            reward.append(mover_reward(n, s.current_player))
        return np.array(nxt, np.float32)[:, None], np.array(reward, np.float32)

    def __call__(self, latent, legal):
        masks = np.array([self.states[i].legal_mask() for i in latent[:, 0].astype(int)]) & legal
        return masks / np.maximum(masks.sum(1, keepdims=True), 1), np.zeros(len(latent), np.float32)


class _Blank(_Rules):
    """Knows nothing: every action legal everywhere, reward 0 always."""

    def step(self, latent, action):
        return latent, np.zeros(len(latent), np.float32)

    def __call__(self, latent, legal):
        return np.full(legal.shape, 1.0 / legal.shape[1], np.float32), np.zeros(len(latent), np.float32)


@pytest.fixture(scope="module")
def setup():
    game = games.make("tictactoe")
    rules = _Rules(game)
    return rules, continuations(game, rules, 24, np.random.default_rng(0), opening=2)


def test_continuations_are_real_games(setup):
    rules, trajs = setup
    first = rules.states[0].encode()
    opened = [len(np.flatnonzero(t.obs[0] != first)) > 0 for t in trajs]
    assert any(opened) and not all(opened)  # 0..2 random opening moves: some games start later
    for traj in trajs:
        assert traj.terminated and len(traj) >= 1
        assert all(traj.legal[t, a] for t, a in enumerate(traj.action))
        assert traj.reward[:-1].tolist() == [0.0] * (len(traj) - 1)


def test_rules_model_is_right_everywhere_but_silent_draws(setup):
    rules, trajs = setup
    rows = rollout_accuracy(rules, trajs, 10)
    lengths = np.array([len(t) for t in trajs])
    decisive = np.array([t.reward[-1] != 0 for t in trajs])
    assert [r["k"] for r in rows] == list(range(1, 1 + min(10, lengths.max())))
    for r in rows:
        k = r["k"]
        assert r["steps"] == int(np.maximum(lengths - k + 1, 0).sum())
        assert r["legal_exact"] in (1.0, None) and r["separated"] in (1.0, None) and r["reward"] == 1.0 and r["end_false"] in (0.0, None)
        assert r["end_recall"] == pytest.approx(decisive[lengths >= k].mean())  # a draw pays 0: no end is seen


def test_blank_model_scores_the_base_rates(setup):
    rules, trajs = setup
    blank = _Blank.__new__(_Blank)
    blank.states, blank.index = rules.states, rules.index
    for r in rollout_accuracy(blank, trajs, 10):
        assert r["legal_exact"] == r["all_legal"] and r["illegal_recall"] in (0.0, None)
        assert r["separated"] in (0.0, None)  # equal priors: no illegal action ranked below a legal one
        assert r["legal_recall"] in (1.0, None) and r["reward"] == r["reward_zero"]
        assert r["end_recall"] == 0.0 and r["end_false"] in (0.0, None)


def test_bad_arguments():
    with pytest.raises(ValueError):
        rollout_accuracy(None, [], 0)
