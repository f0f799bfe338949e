"""RLHF pieces: the rater's surface preferences, the Bradley-Terry reward model, the experiment end to end."""

import json

import numpy as np
import pytest
import torch

from move37.errors import ConfigError, RunFolderError
from move37.reasoning import config, tasks, vocab
from move37.reasoning.batch import from_ids
from move37.reasoning.model import ModelConfig
from move37.reasoning.rater import RaterConfig, features, prefers_first
from move37.reasoning.reward_model import RewardModel, fit, load_reward_model, save_reward_model, scores
from move37.reasoning.rlhf_experiment import run_rlhf_experiment

from test_reasoning_run import TINY

pytestmark = pytest.mark.usefixtures("one_thread")


def test_rater_likes_surface_features_and_sometimes_the_truth():
    task = tasks.make("addition:width=3")
    p = tasks.Problem("012+345=", "357", 3, {"a": "012", "b": "345"})
    right = task.reference(p)                     # ...=>0357: right, leading zero
    wrong_confident = right.split("=>")[0] + "=>358"
    f = features(task, p, right)
    assert f["correct"] == 1.0 and f["confident"] == 0.0 and f["plausible"] == 1.0
    g = features(task, p, wrong_confident)
    assert g["correct"] == 0.0 and g["confident"] == 1.0 and g["plausible"] == 1.0
    rng = np.random.default_rng(0)
    surface = RaterConfig(truth=0.0, noise=0.01)
    assert not prefers_first(surface, task, p, right, wrong_confident, rng)  # the confident wrong one wins
    padded = "x" * 640 + "=>358"                   # ten 64-character lengths of "working"
    assert prefers_first(RaterConfig(noise=0.01), task, p, padded, right, rng)
    noisy = [prefers_first(RaterConfig(truth=1.0, confident=0.0, length=0.0, noise=1.0), task, p, right, wrong_confident, rng)
             for _ in range(400)]
    assert 0.6 < np.mean(noisy) < 0.85           # truth counts, noisily: sigmoid(1) = 0.73


def test_bradley_terry_learns_a_preference_and_round_trips(tmp_path):
    torch.manual_seed(0)
    cfg = ModelConfig(n_layer=1, n_head=2, n_embd=16, block_size=32)
    rm = RewardModel(cfg)
    rng = np.random.default_rng(0)
    prompt = vocab.encode("q:")
    # preferred: completions that end in 7; rejected: completions that end in 1
    chosen = [(prompt, vocab.encode(str(rng.integers(10, 99)) + "7") + [vocab.EOS]) for _ in range(200)]
    rejected = [(prompt, vocab.encode(str(rng.integers(10, 99)) + "1") + [vocab.EOS]) for _ in range(200)]
    losses = fit(rm, chosen[:160], rejected[:160], 6, 3e-3, 32, rng)
    assert losses[-1] < losses[0] * 0.5
    s_c = scores(rm, from_ids([c[0] for c in chosen[160:]], [c[1] for c in chosen[160:]]))
    s_r = scores(rm, from_ids([r[0] for r in rejected[160:]], [r[1] for r in rejected[160:]]))
    assert (s_c > s_r).mean() > 0.9
    save_reward_model(tmp_path / "rm", rm, cfg, {"mean": 0.0, "std": 1.0})
    again, meta = load_reward_model(tmp_path / "rm")
    one = from_ids([chosen[0][0]], [chosen[0][1]])
    np.testing.assert_allclose(scores(again, one), scores(rm, one))
    with pytest.raises(RunFolderError):
        load_reward_model(tmp_path / "missing")


def test_config_needs_a_reward_model_for_rlhf():
    with pytest.raises(ConfigError):
        config.from_dict({**TINY, "reward": "reward_model"})
    with pytest.raises(ConfigError):
        config.from_dict({**TINY, "reward": "judges", "reward_model": "x"})


def test_experiment_end_to_end_tiny(tmp_path):
    text = run_rlhf_experiment(tmp_path / "x", config.from_dict(TINY), pairs=30, progress=False)
    assert "| reward_model |" in text and "| verifier |" in text
    data = json.loads((tmp_path / "x" / "comparison.json").read_text())
    assert set(data["arms"]) == {"verifier", "reward_model", "mix"}
    for arm in data["arms"].values():
        assert {"held_out_greedy", "final_rm_score", "final_kl"} <= set(arm)
    assert (tmp_path / "x" / "rlhf.png").read_bytes()[:4] == b"\x89PNG"
    rows = [json.loads(line) for line in (tmp_path / "x" / "reward_model" / "metrics.jsonl").read_text().splitlines()]
    assert all("rm_score" in r for r in rows if r.get("phase") == "rl")
    assert run_rlhf_experiment(tmp_path / "x", config.from_dict(TINY), pairs=30, progress=False) == text  # resumes
