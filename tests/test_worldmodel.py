"""MuZero (move37.worldmodel): rewards in the project's search, n-step targets, the latent loss, runs."""

import functools
import json

import numpy as np
import pytest
import torch
from safetensors.torch import load_file

from move37 import agents, games, runs
from move37.errors import RunFolderError, SpecError
from move37.search import BatchedSearch, SearchConfig
from move37.search._tree import Tree, backup_rewards
from move37.worldmodel.learner import LossConfig, losses
from move37.worldmodel.nets import MuZeroNet, NetConfig, squash, unsquash
from move37.worldmodel.play import mover_reward
from move37.worldmodel.replay import Replay, Trajectory, value_targets
from move37.worldmodel.store import LatentStore

pytest.importorskip("gymnasium")


def _chain(tree, players):
    """Root 0 -> node 1 -> node 2 (action 0 each), movers `players`."""
    tree.num_nodes[0] = 3
    tree.parent[0, :3] = [-1, 0, 1]
    tree.player[0, :3] = players


@pytest.mark.parametrize("players, root, mid, leaf", [((0, 0, 0), 2.75, 2.75, 3.5),    # one player
                                                      ((0, 1, 0), 0.75, 0.75, 0.5)])  # two players
def test_backup_with_rewards_by_hand(players, root, mid, leaf):
    """Rewards r1 = 1, r2 = 2 on the edges, leaf value 3 for player 0, discount 0.5.
    One player: Q(node 2) = 2 + 0.5 * 3 = 3.5; Q(node 1) = 1 + 0.5 * 3.5 = 2.75; the root adds 2.75.
    Two players (movers 0, 1, 0): player 1 moved into node 2, so Q(node 2) = 2 + 0.5 * -3 = 0.5 for player 1;
    player 0 moved into node 1: Q(node 1) = 1 + 0.5 * -0.5 = 0.75, and the root (player 0) adds 0.75."""
    tree = Tree(1, 8, 2)
    _chain(tree, players)
    tree.reward[0, 1:3] = [1.0, 2.0]
    backup_rewards(tree.visits, tree.value_sum, tree.parent, tree.player, tree.reward, np.array([0]), np.array([2]),
                   np.array([3.0], np.float32), np.float32(0.5))
    assert tree.visits[0, :3].tolist() == [1, 1, 1]
    assert tree.value_sum[0, :3] == pytest.approx([root, mid, leaf])


class _LineModel:
    """A known model for the search: latent = [position]; action 1 moves on and earns 1, action 0 earns 0;
    uniform priors and value 0 everywhere, so only the rewards can tell the actions apart."""

    class net:
        config, latent_size = NetConfig(latent=1), 1

    def represent(self, obs):
        return np.zeros((len(obs), 1), np.float32)

    def step(self, latent, action):
        return latent + action[:, None], action.astype(np.float32)

    def __call__(self, latent, legal):
        return np.full(legal.shape, 1.0 / legal.shape[1], np.float32), np.zeros(len(latent), np.float32)


@pytest.mark.parametrize("algorithm", ["gumbel", "puct"])
def test_search_over_a_model_follows_its_rewards(algorithm):
    game = games.make("gym:CartPole-v1")
    model = _LineModel()
    search = BatchedSearch(game, model, SearchConfig(algorithm=algorithm, discount=0.9), 2, 32,
                           store=functools.partial(LatentStore, model=model))
    for b in range(2):
        search.set_root(b, game.initial_state())
    out = search.run(32)
    assert out.action.tolist() == [1, 1]
    assert out.q[0, 1] > out.q[0, 0] + 0.5 and out.q[0, 1] >= 1.0  # Q(1) = 1 + 0.9 * (the rewards after it)


def test_value_targets_by_hand():
    """Rewards 1, 2, 3, bootstrap from search values, n = 2, discount 0.5, a time limit at the end."""
    traj = Trajectory(np.zeros((4, 1), np.float32), np.ones((4, 2), bool), np.zeros(4, np.int8),
                      np.zeros(3, np.int64), np.array([1, 2, 3], np.float32), np.full((3, 2), 0.5, np.float32),
                      np.array([10, 20, 30, 40], np.float32), terminated=False)
    z = value_targets(traj, n=2, discount=0.5)
    assert z.tolist() == pytest.approx([1 + 1 + 0.25 * 30, 2 + 1.5 + 0.25 * 40, 3 + 0.5 * 40, 40])
    two = Trajectory(traj.obs, traj.legal, np.array([0, 1, 0, 1], np.int8), traj.action,
                     np.array([0, 0, 1], np.float32), traj.policy, np.array([0, 0, 0, 0], np.float32), True)
    assert value_targets(two, n=10, discount=1.0).tolist() == [1.0, -1.0, 1.0, 0.0]  # the winner's +1, signed


def test_squash_round_trip():
    x = torch.tensor([-300.0, -1.0, 0.0, 0.5, 475.0])
    assert torch.allclose(unsquash(squash(x)), x, atol=1e-3)


def _batch(net, rng):
    game = games.make("gym:CartPole-v1,max_steps=20")
    replay = Replay(1000, 3, 0.99)
    for seed in range(3):
        state, rows = game.episode(seed), []
        while not state.is_terminal():
            rows.append((state.encode(), state.play(seed % 2)))
            state = rows[-1][1]
        T = len(rows)
        replay.add(Trajectory(np.stack([r[0] for r in rows] + [state.encode()]), np.ones((T + 1, 2), bool),
                              np.zeros(T + 1, np.int8), np.full(T, seed % 2), np.ones(T, np.float32),
                              np.full((T, 2), 0.5, np.float32), np.zeros(T + 1, np.float32), state.terminated))
    return replay.sample(rng, 16, 3)


def test_latent_loss_has_no_gradient_into_the_target_and_can_be_switched_off():
    torch.manual_seed(0)
    net, target = MuZeroNet((4,), 2, NetConfig(16, 32, 8)), MuZeroNet((4,), 2, NetConfig(16, 32, 8))
    batch = _batch(net, np.random.default_rng(0))
    on = losses(net, target, batch, LossConfig(consistency=True))
    latent = float(on["latent"].detach())
    assert -1.0 <= latent <= 1.0 and latent != 0.0
    on["total"].backward()
    assert all(p.grad is None for p in target.parameters())
    assert net.predictor[0].weight.grad.abs().sum() > 0
    off = losses(net, target, batch, LossConfig(consistency=False))
    assert float(off["latent"]) == 0.0


TINY = {"sims": 4, "eval_sims": 4, "parallel": 4, "episodes": 4, "batch": 16, "unroll": 3, "td_steps": 3,
        "updates_per_move": 0.05, "eval_every": 2, "eval_episodes": 2, "reanalyse": 0.5,
        "net": {"latent": 8, "hidden": 16, "projection": 8}}


def _train(tmp_path, name, iterations, spec="gym:CartPole-v1,max_steps=25"):
    from move37.worldmodel.train import train

    config = tmp_path / "tiny.json"
    config.write_text(json.dumps(TINY))
    return train(spec, tmp_path / name, config_path=str(config), iterations=iterations, log=open("/dev/null", "w"))


def test_run_resumes_exactly_and_plays(tmp_path):
    _train(tmp_path, "straight", 2)
    _train(tmp_path, "resumed", 1)
    _train(tmp_path, "resumed", 2)
    rows = [runs.read_rows(tmp_path / n / "metrics.jsonl") for n in ("straight", "resumed")]
    drop = lambda r: {k: v for k, v in r.items() if k != "elapsed"}  # noqa: E731
    assert [drop(r) for r in rows[0]] == [drop(r) for r in rows[1]] and len(rows[0]) == 2
    assert "eval_return" in rows[0][1] and rows[0][1]["reanalysed"] > 0
    a, b = (runs.latest_checkpoint(tmp_path / n) / "weights.safetensors" for n in ("straight", "resumed"))
    ta, tb = load_file(str(a)), load_file(str(b))
    assert ta.keys() == tb.keys() and all(torch.equal(ta[k], tb[k]) for k in ta)
    assert (tmp_path / "straight" / "plots" / "return.png").is_file()
    game = games.make("gym:CartPole-v1,max_steps=25")
    player = agents.make(f"muzero:{tmp_path / 'straight'},sims=4", game)
    assert player.act(game.initial_state()) in (0, 1)
    with pytest.raises(SpecError):
        agents.make(f"muzero:{tmp_path / 'straight'}", games.make("connect4"))
    with pytest.raises(RunFolderError):
        _train(tmp_path, "straight", 3, spec="gym:CartPole-v1,max_steps=30")


@pytest.mark.parametrize("net", [TINY["net"], {"spatial": 4, "blocks": 1, "hidden": 16, "projection": 8, "support": 1,
                                                "transform": False}])
def test_board_game_trains_and_plays(tmp_path, net):
    TINY_BOARD = {**TINY, "eval_every": 1, "eval_positions": 20, "net": net}
    (tmp_path / "board.json").write_text(json.dumps(TINY_BOARD))
    from move37.worldmodel.train import train

    row = train("tictactoe", tmp_path / "ttt", config_path=str(tmp_path / "board.json"), iterations=1,
                log=open("/dev/null", "w"))
    assert 0.0 <= row["optimal_rate_policy"] <= 1.0 and 0.0 <= row["good_rate"] <= 1.0
    assert (tmp_path / "ttt" / "plots" / "optimal_rate.png").is_file()
    game = games.make("tictactoe")
    player = agents.make(f"muzero:{tmp_path / 'ttt'},sims=8", game)
    assert game.initial_state().legal_mask()[player.act(game.initial_state())]


def test_conv_representation_reads_boards_and_round_trips(tmp_path):
    """net.conv: two convolutions before the representation MLP; the config travels with the weights file,
    and a flat observation is refused."""
    import copy

    from move37.worldmodel.checkpoint import load_net, save_weights

    torch.manual_seed(0)
    net = MuZeroNet((2, 6, 7), 7, NetConfig(latent=8, hidden=16, projection=8, conv=4))
    obs = torch.rand(3, 2, 6, 7)
    latent = net.representation(obs)
    assert latent.shape == (3, 8) and float(latent.min()) == 0.0 and float(latent.max()) == pytest.approx(1.0)
    save_weights(tmp_path / "w.safetensors", net, copy.deepcopy(net), "connect4", 1.0)
    back, meta = load_net(tmp_path / "w.safetensors")
    assert back.config.conv == 4 and torch.equal(back.representation(obs), net.eval().representation(obs))
    with pytest.raises(ValueError, match="conv"):
        MuZeroNet((4,), 2, NetConfig(conv=4))


class _C4Rules:
    """Connect Four's rules as a 'learned' model: latent = [index of a real state]; after the game's end, or
    after an illegal move, the state is absorbing with reward 0 (MuZero's convention past the end). Uniform
    priors and value 0 everywhere: only the rewards, backed up with the two-player sign, can find moves."""

    class net:
        config, latent_size = NetConfig(latent=1), 1

    def __init__(self, roots):
        self.states, self.index = [], {}
        for s in roots:
            self._id(s)

    def _id(self, state):
        key = state.encode().tobytes() + bytes([state.is_terminal()])
        if key not in self.index:
            self.index[key] = len(self.states)
            self.states.append(state)
        return self.index[key]

    def represent(self, obs):
        return np.array([[self.index[o.tobytes() + b"\x00"]] for o in obs], np.float32)

    def step(self, latent, action):
        nxt, reward = [], []
        for i, a in zip(latent[:, 0].astype(int), action):
            s = self.states[i]
            n = s if s.is_terminal() or not s.legal_mask()[a] else s.play(int(a))
            nxt.append(self._id(n))
            reward.append(0.0 if n is s else mover_reward(n, s.current_player))
        return np.array(nxt, np.float32)[:, None], np.array(reward, np.float32)

    def __call__(self, latent, legal):
        return np.full(legal.shape, 1.0 / legal.shape[1], np.float32), np.zeros(len(latent), np.float32)


@pytest.mark.parametrize("algorithm", ["gumbel", "puct"])
def test_latent_search_with_the_rules_wins_and_blocks(algorithm):
    """With a model that is the rules, the latent search takes a win in one (a reward for the mover) and blocks
    the opponent's (a reward two plies down, for the other player, seen through the sign flip)."""
    game = games.make("connect4")
    win, block = game.state_from_moves("121213"), game.state_from_moves("12121")  # column 1 (0-based 0) both times
    model = _C4Rules([win, block])
    search = BatchedSearch(game, model, SearchConfig(algorithm=algorithm, gumbel_k=7), 2, 32,
                           store=functools.partial(LatentStore, model=model))
    search.set_root(0, win)
    search.set_root(1, block)
    out = search.run(32, np.random.default_rng(0), explore=False)
    assert out.action.tolist() == [0, 0]
    assert out.value[0] > 0.5  # the win is worth about 1 to its mover


def test_two_hot_targets_round_trip_through_the_categorical_head():
    """A categorical value or reward (`support` S) reads back the two-hot target it is trained on, on the raw
    scale (board games) and on MuZero's squashed one, and the cross-entropy is least at that target."""
    from move37.worldmodel.nets import two_hot

    assert torch.allclose(two_hot(torch.tensor([-1.0, 0.0, 0.4, 1.0, 3.0]), 1),
                          torch.tensor([[1, 0, 0], [0, 1, 0], [0, 0.6, 0.4], [0, 0, 1], [0, 0, 1]]))
    for config, y in [(NetConfig(8, 8, 8, support=1, transform=False), torch.tensor([-1.0, -0.3, 0.0, 0.7, 1.0])),
                      (NetConfig(8, 8, 8, support=20), torch.tensor([-300.0, -1.0, 0.0, 0.5, 200.0]))]:
        net = MuZeroNet((4,), 2, config)
        y_scaled = squash(y) if config.transform else y
        logits = torch.log(two_hot(y_scaled, config.support) + 1e-12)
        assert torch.allclose(net.scalar(logits), y, rtol=1e-3, atol=1e-3)
        assert (net.scalar_loss(logits, y) < net.scalar_loss(logits, y.flip(0)) + 1e-6).all()


@pytest.mark.parametrize("shape, actions", [((2, 6, 7), 7), ((2, 3, 3), 9)])
def test_spatial_latent_marks_the_action_where_it_lands(tmp_path, shape, actions):
    """net.spatial: a (C, H, W) latent; the dynamics sees the action as a plane (a column, or a cell), so
    two actions give two next latents; the config travels with the weights; other action sets are refused."""
    import copy

    from move37.worldmodel.checkpoint import load_net, save_weights

    torch.manual_seed(0)
    net = MuZeroNet(shape, actions, NetConfig(hidden=16, projection=8, spatial=4, blocks=1, support=1))
    obs = torch.rand(2, *shape)
    latent = net.representation(obs)
    assert latent.shape == (2, 4 * shape[1] * shape[2]) == (2, net.latent_size)
    nxt, reward = net.dynamics(latent, torch.tensor([0, actions - 1]))
    other, _ = net.dynamics(latent, torch.tensor([actions - 1, 0]))
    assert nxt.shape == latent.shape and reward.shape == (2, 3) and not torch.allclose(nxt, other)
    save_weights(tmp_path / "w.safetensors", net, copy.deepcopy(net), "connect4", 1.0)
    back, _ = load_net(tmp_path / "w.safetensors")
    assert torch.equal(back.prediction(latent)[1], net.eval().prediction(latent)[1])
    with pytest.raises(ValueError, match="spatial"):
        MuZeroNet((2, 6, 7), 5, NetConfig(spatial=4))


def test_augment_mirrors_a_connect4_unroll_into_the_mirrored_game():
    """A mirrored row is the mirrored game: its observation, actions, next observations and policy are those of
    the game played in mirrored columns."""
    from move37.worldmodel.replay import augment

    game = games.make("connect4")
    moves = [3, 3, 4, 2, 0, 6, 5]

    def traj(actions):
        states = [game.initial_state()]
        for a in actions:
            states.append(states[-1].play(a))
        policy = np.eye(7, dtype=np.float32)[actions]
        return Trajectory(np.stack([s.encode() for s in states]), np.stack([s.legal_mask() for s in states]),
                          np.array([s.current_player for s in states], np.int8), np.array(actions, np.int64),
                          np.zeros(len(actions), np.float32), policy, np.zeros(len(actions) + 1, np.float32), False)

    plain, mirror = traj(moves), traj([6 - a for a in moves])
    replay = Replay(100, 3, 1.0)
    replay.add(plain)
    rng = np.random.default_rng(0)
    batch = replay.sample(rng, 64, 3)
    out = augment(batch, game, rng)
    flipped = 0
    for i in range(64):
        t = next(t for t in range(len(moves)) if np.array_equal(batch.obs[i], plain.obs[t]))
        live = int(batch.next_mask[i].sum())
        same = np.array_equal(out.obs[i], plain.obs[t]) and out.action[i, :live].tolist() == moves[t:t + live]
        source = plain if same else mirror
        flipped += not same
        assert np.array_equal(out.obs[i], source.obs[t])
        assert out.action[i, :live].tolist() == source.action[t:t + live].tolist()
        assert np.array_equal(out.next_obs[i, :live], source.obs[t + 1:t + 1 + live])
        assert np.array_equal(out.policy[i, :live], source.policy[t:t + live])
    assert 0 < flipped < 64
