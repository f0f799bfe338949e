"""Policy-value networks: shapes, legality masking, and safetensors save/load with validation."""

import json

import numpy as np
import pytest
import torch

from move37 import games
from move37.errors import RunFolderError
from move37.nets import NetConfig, PolicyValueNet, evaluator, load_net, num_parameters, save_net


@pytest.mark.parametrize("config", [NetConfig("resnet", channels=8, blocks=2, hidden=(16,)), NetConfig("mlp", hidden=(32, 32))])
def test_forward_shapes_and_masking(config):
    game = games.make("connect4")
    net = PolicyValueNet(game.info.observation_shape, game.info.num_actions, config)
    state = game.state_from_moves("444444")  # column 4 full
    obs = np.stack([state.encode(), game.initial_state().encode()])
    mask = np.stack([state.legal_mask(), game.initial_state().legal_mask()])
    priors, values = evaluator(net)(obs, mask)
    assert priors.shape == (2, 7) and values.shape == (2,)
    assert priors[0, 3] == 0.0 and np.allclose(priors.sum(1), 1.0, atol=1e-5)
    assert np.all(np.abs(values) <= 1.0)


def test_mlp_84_128_128_has_about_28k_parameters():
    net = PolicyValueNet((2, 6, 7), 7, NetConfig("mlp", hidden=(128, 128)))
    assert 28_000 <= num_parameters(net) <= 29_000


def test_save_load_round_trip_and_damage(tmp_path):
    torch.manual_seed(1)
    net = PolicyValueNet((2, 3, 3), 9, NetConfig("resnet", channels=4, blocks=1, hidden=(8,)))
    path = tmp_path / "net.safetensors"
    save_net(net, path, "tictactoe")
    again = load_net(path, "tictactoe")
    obs = np.random.default_rng(0).random((3, 2, 3, 3)).astype(np.float32)
    mask = np.ones((3, 9), bool)
    for a, b in zip(evaluator(net)(obs, mask), evaluator(again)(obs, mask)):
        np.testing.assert_array_equal(a, b)
    with pytest.raises(RunFolderError, match="connect4"):
        load_net(path, "connect4")
    # truncated weights
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 2])
    with pytest.raises(RunFolderError, match="corrupted or truncated"):
        load_net(path)
    # weights that do not match the config beside them
    path.write_bytes(data)
    meta = json.loads(path.with_suffix(".json").read_text())
    meta["net"]["channels"] = 5
    path.with_suffix(".json").write_text(json.dumps(meta))
    with pytest.raises(RunFolderError, match="shape"):
        load_net(path)
    path.with_suffix(".json").write_text("{not json")
    with pytest.raises(RunFolderError, match="not a valid network config"):
        load_net(path)


def test_network_of_another_board_size_is_a_one_line_error(tmp_path):
    """A 9x9 Go network on a 13x13 board: refused at load time, not a crash inside the search."""
    from move37 import agents, games
    from move37.errors import Move37Error

    go9 = games.make("go9")
    path = tmp_path / "go9.safetensors"
    save_net(PolicyValueNet(go9.info.observation_shape, go9.info.num_actions, NetConfig("mlp", hidden=(8,))), path, "go9")
    assert agents.make(f"zero:{path},sims=2", games.make("go")).act(go9.initial_state()) >= 0  # go9 is an alias of go
    with pytest.raises(Move37Error, match="actions"):
        agents.make(f"zero:{path},sims=2", games.make("go:size=13"))


def test_the_player_searches_with_the_discount_the_network_was_trained_with(tmp_path):
    from move37.agents.zero import ZeroAgent

    game = games.make("tictactoe")
    net = PolicyValueNet(game.info.observation_shape, game.info.num_actions, NetConfig("mlp", hidden=(8,)))
    path = tmp_path / "net.safetensors"
    save_net(net, path, "tictactoe", discount=0.9)
    player = ZeroAgent(str(path), game=game, sims=8, search="puct")
    assert player.config.discount == pytest.approx(0.9) and player.config.algorithm == "puct"
    meta = json.loads(path.with_suffix(".json").read_text())
    del meta["search"]  # a network saved before the discount was recorded: undiscounted
    path.with_suffix(".json").write_text(json.dumps(meta))
    assert ZeroAgent(str(path), game=game, sims=8).config.discount == 1.0
    path.with_suffix(".json").write_text(json.dumps({**meta, "search": {"discount": 0}}))
    with pytest.raises(RunFolderError, match="discount"):
        load_net(path)


def test_a_grown_network_computes_the_same_and_its_new_units_learn():
    from move37.errors import ConfigError
    from move37.nets.grow import grow

    info = games.make("connect4").info
    torch.manual_seed(0)
    small = PolicyValueNet(info.observation_shape, info.num_actions, NetConfig(channels=8, blocks=1))
    small.train()
    for _ in range(3):  # batch-norm statistics away from their initial values
        small(torch.rand(32, *info.observation_shape), torch.ones(32, info.num_actions, dtype=torch.bool))
    small.eval()
    big = PolicyValueNet(info.observation_shape, info.num_actions, NetConfig(channels=12, blocks=3))
    grow(big, small.state_dict())
    big.eval()
    obs = torch.randint(0, 2, (16, *info.observation_shape)).float()
    mask = torch.rand(16, info.num_actions) < 0.8
    for a, b in zip(small(obs, mask), big(obs, mask)):
        torch.testing.assert_close(a, b, rtol=0, atol=1e-6)
    # one training step: the zero weights that read the new channels get gradients
    big.train()
    logits, value = big(obs, mask)
    (torch.log_softmax(logits, -1)[:, 3].mean() + value.mean()).backward()
    assert big.tower[0].conv1.weight.grad[:8, 8:].abs().sum() > 0
    assert big.tower[2].bn2.weight.grad.abs().sum() > 0  # a new block leaves the identity
    with pytest.raises(ConfigError, match="does not fit"):
        grow(small, big.state_dict())
