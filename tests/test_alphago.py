"""The AlphaGo pipeline: sampling, the policy-gradient step, the stages and their resume, the agent."""

import json

import numpy as np
import pytest
import torch

from move37 import agents, games
from move37.alphago import alphago_config, run_pipeline
from move37.alphago.play import net_policy, sample, uniform_policy
from move37.alphago.rl import _reinforce, play_match
from move37.cli import main
from move37.errors import RunFolderError, SpecError
from move37.nets import NetConfig, PolicyValueNet

TINY = {"imitation": {"epochs": 2, "net": {"kind": "mlp", "hidden": [16]}, "batch_size": 32},
        "rl": {"iterations": 4, "games": 8, "pool_every": 2, "eval_every": 2, "eval_games": 8},
        "value": {"games": 40, "chunk": 20, "epochs": 2, "u_max": 4}}


def test_sample_never_picks_an_impossible_move():
    probs = np.array([[0.0, 0.5, 0.0, 0.5], [0.0, 0.0, 1.0, 0.0]] * 500)
    picks = sample(probs, np.random.default_rng(0))
    assert set(picks[::2]) == {1, 3} and set(picks[1::2]) == {2}


def test_policy_gradient_step_follows_the_outcome(one_thread):
    ttt = games.make("tictactoe")
    torch.manual_seed(0)
    state = ttt.initial_state()
    obs, mask = state.encode()[None].astype(np.float32), state.legal_mask()[None]
    for z, direction in ((1.0, 1), (-1.0, -1)):
        net = PolicyValueNet(ttt.info.observation_shape, 9, NetConfig(kind="mlp", hidden=(16,)))
        before = net_policy(net)(obs, mask)[0, 4]
        _reinforce(net, torch.optim.SGD(net.parameters(), lr=0.5), [(obs, mask, np.array([4]), np.array([0]))],
                   np.array([z]))
        after = net_policy(net)(obs, mask)[0, 4]
        assert (after - before) * direction > 0


def test_match_scores_are_shares_and_colours_alternate():
    ttt = games.make("tictactoe")
    score, moves, z = play_match(ttt, uniform_policy, uniform_policy, 10, np.random.default_rng(1))
    assert 0 <= score <= 1 and len(z) == 10
    first_step_games = moves[0][3]
    assert set(first_step_games) == {0, 2, 4, 6, 8}  # the learner opens in the even games


def test_pipeline_runs_resumes_and_plays(tmp_path, one_thread):
    from test_imitation import _rule_records

    ttt = games.make("tictactoe")
    _rule_records(tmp_path / "rule.jsonl", n=30)
    config = alphago_config("tictactoe", TINY)
    out = tmp_path / "ag"
    run_pipeline(ttt, "tictactoe", out, config, records=[str(tmp_path / "rule.jsonl")], until="rl")
    rows = [json.loads(x) for x in (out / "metrics.jsonl").read_text().splitlines()]
    assert [r["iteration"] for r in rows] == [1, 2, 3, 4] and "score_vs_sl" in rows[1]
    written = run_pipeline(ttt, "tictactoe", out, config, records=[str(tmp_path / "rule.jsonl")])
    rows = [json.loads(x) for x in (out / "metrics.jsonl").read_text().splitlines()]
    assert [r.get("iteration", r.get("epoch")) for r in rows] == [1, 2, 3, 4, 1, 2]  # RL not redone
    assert rows[-1]["held_mse"] >= 0 and written["value"].is_file() and (out / "plots" / "rl.png").is_file()
    assert len(list((out / "rl" / "pool").iterdir())) == 4  # two pool members, weights + json each
    agent = agents.make(f"alphago:{out},sims=16", ttt)
    state = ttt.state_from_moves("a1 b1 a2 b2")
    assert agent.act(state) == ttt.text_to_action(state, "a3")  # the win in one
    with pytest.raises(RunFolderError, match="same"):
        run_pipeline(ttt, "tictactoe", out, config, records=["other.jsonl"])


def test_agent_and_command_errors(tmp_path, capsys):
    with pytest.raises(SpecError, match="missing"):
        agents.make(f"alphago:{tmp_path}", games.make("connect4"))
    assert main(["alphago", "connect4", "--out", str(tmp_path / "x"), "--imitation", str(tmp_path)]) == 2
    assert "no policy.safetensors" in capsys.readouterr().err


def test_zero_starts_from_an_imitation_network(tmp_path, capsys):
    from move37.imitation import imitation_config
    from move37.nets import load_net, save_net
    from move37.runs import latest_checkpoint

    ttt = games.make("tictactoe")
    net = PolicyValueNet(ttt.info.observation_shape, 9, imitation_config("tictactoe").net)  # the train preset's net
    with torch.no_grad():
        for p in net.parameters():
            p.fill_(0.01)
    save_net(net, tmp_path / "policy.safetensors", "tictactoe")
    cfg = tmp_path / "c.json"
    cfg.write_text(json.dumps({"games_per_iteration": 2, "selfplay": {"parallel_games": 2, "sims": 2},
                               "learn": {"min_positions": 10_000}, "eval": {"every": 0, "elo_every": 0}}))
    assert main(["train", "tictactoe", "--out", str(tmp_path / "z"), "--iterations", "1", "--config", str(cfg),
                 "--init", str(tmp_path)]) == 0
    start = load_net(latest_checkpoint(tmp_path / "z").parent / "000000" / "weights.safetensors", "tictactoe")
    assert all(torch.all(p == 0.01) for p in start.parameters())  # checkpoint 0 holds the given weights
    assert main(["train", "tictactoe", "--out", str(tmp_path / "y"), "--iterations", "1", "--init",
                 str(tmp_path / "nothing")]) == 2
    assert not (tmp_path / "y").exists() and "--init" in capsys.readouterr().err
