"""Training support for Go 9x9 and chess: the shipped configs load, their networks take
the games' observations, and one tiny self-play + learning iteration runs on go9."""

import json
from pathlib import Path

import numpy as np
import pytest
import torch

from move37 import games
from move37.nets import PolicyValueNet
from move37.train.config import load_config
from move37.train.loop import train

CONFIGS = Path(__file__).resolve().parents[1] / "configs"


@pytest.mark.parametrize("game_spec,name", [("go9", "go9"), ("go9", "go9-cpu"), ("chess", "chess"),
                                            ("chess", "chess-cpu")])
def test_config_builds_a_network_for_the_game(game_spec, name):
    game = games.make(game_spec)
    config = load_config(CONFIGS / f"{name}.json", game_spec)
    net = PolicyValueNet(game.info.observation_shape, game.info.num_actions, config.net).eval()
    states = [game.initial_state(), game.state_from_moves(game.join_moves(
        [game.action_to_text(game.initial_state(), int(game.initial_state().legal_actions()[3]))]))]
    obs = torch.from_numpy(np.stack([s.encode() for s in states]))
    mask = torch.from_numpy(np.stack([s.legal_mask() for s in states]))
    with torch.no_grad():
        logits, value = net(obs, mask)
    assert logits.shape == (2, game.info.num_actions) and value.shape == (2,)
    assert bool((logits[~mask] < -1e8).all()) and bool(torch.isfinite(logits[mask]).all())


def test_one_tiny_go9_iteration(tmp_path):
    config = {"games_per_iteration": 2, "net": {"kind": "resnet", "channels": 8, "blocks": 1, "hidden": [8]},
              "selfplay": {"parallel_games": 2, "sims": 2, "fast_sims": 1}, "search": {"gumbel_k": 2},
              "learn": {"batch_size": 16, "window": 5000, "min_positions": 16}, "eval": {"every": 0}}
    path = tmp_path / "tiny.json"
    path.write_text(json.dumps(config))
    last = train("go9", tmp_path / "run", config_path=path, iterations=1, progress=False)
    assert last["games"] == 2 and last["step"] > 0
    game = games.make("go9")
    for line in (tmp_path / "run" / "games.jsonl").read_text().splitlines():
        record = json.loads(line)
        final = game.state_from_moves(record["moves"])  # self-play records replay in GTP notation
        assert final.is_terminal() and list(final.returns()) == record["returns"]
