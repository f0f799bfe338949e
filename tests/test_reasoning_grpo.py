"""GRPO pieces: hand-computed advantages, the update's direction, dynamic sampling, cached sampling."""

import numpy as np
import pytest
import torch

from move37.reasoning import tasks, vocab
from move37.reasoning.batch import from_text, token_logprobs
from move37.reasoning.curriculum import Curriculum, CurriculumConfig
from move37.reasoning.grpo import GRPOConfig, advantages, grpo_step, style_scores
from move37.reasoning.model import CharTransformer, ModelConfig
from move37.reasoning.rollout import Rollout, rollout


pytestmark = pytest.mark.usefixtures("one_thread")


def tiny_model(seed=0):
    torch.manual_seed(seed)
    return CharTransformer(ModelConfig(n_layer=1, n_head=2, n_embd=16, block_size=48))


def test_advantages_by_hand():
    rewards = np.array([1.0, 0.0, 0.0, 0.0, 1.0, 1.0])
    group = np.array([0, 0, 0, 1, 1, 1])
    adv, informative = advantages(rewards, group, scale_std=False)
    np.testing.assert_allclose(adv, [2 / 3, -1 / 3, -1 / 3, -2 / 3, 1 / 3, 1 / 3])
    assert informative.all()
    adv, _ = advantages(rewards, group, scale_std=True)
    np.testing.assert_allclose(adv[:3], np.array([2 / 3, -1 / 3, -1 / 3]) / (np.std([1, 0, 0]) + 1e-4))
    _, informative = advantages(np.array([1.0, 1.0, 0.0, 0.0]), np.array([0, 0, 1, 1]), False)
    assert not informative.any()


def test_presets():
    assert not GRPOConfig.preset("dr_grpo").scale_std and GRPOConfig.preset("dr_grpo").loss_agg == "constant"
    dapo = GRPOConfig.preset("dapo")
    assert dapo.clip_high > dapo.clip_low and dapo.dynamic_sampling and dapo.loss_agg == "token"
    with pytest.raises(ValueError):
        GRPOConfig.preset("ppo")


def _two_answers():
    task = tasks.make("addition:width=2")
    problem = tasks.Problem("12+34=", "46", 2, {"a": "12", "b": "34"})
    texts = ["2+4+0=06,1+3+0=04=>46", "2+4+0=06,1+3+0=04=>47"]
    batch = from_text([problem.prompt] * 2, texts)
    rewards = np.array([tasks.verify(task, problem, t).reward for t in texts])
    return Rollout([problem] * 2, np.array([0, 0]), texts, rewards, ["ok", "wrong"], batch)


@pytest.mark.parametrize("preset", ["grpo", "dr_grpo", "dapo"])
def test_update_moves_probability_toward_the_right_answer(preset):
    model, ro = tiny_model(), _two_answers()
    assert ro.rewards.tolist() == [1.0, 0.0]
    opt = torch.optim.SGD(model.parameters(), lr=0.1)
    before = (token_logprobs(model, ro.batch)[0] * ro.batch.mask).sum(1)
    grpo_step(model, model, opt, ro, GRPOConfig.preset(preset, kl_beta=0.1))
    after = (token_logprobs(model, ro.batch)[0] * ro.batch.mask).sum(1)
    assert after[0] - after[1] > before[0] - before[1] + 0.1  # the right answer gained on the wrong one


def test_dynamic_sampling_skips_uninformative_groups():
    model, ro = tiny_model(), _two_answers()
    ro.rewards[:] = 1.0
    weights = [p.detach().clone() for p in model.parameters()]
    stats = grpo_step(model, model, torch.optim.SGD(model.parameters(), lr=0.5), ro, GRPOConfig.preset("dapo"))
    assert stats["kept"] == 0.0
    assert all(torch.equal(a, b) for a, b in zip(weights, model.parameters()))


def test_cached_sampling_matches_full_forward():
    model = tiny_model(1).eval()
    prompts = torch.tensor([[vocab.BOS] + vocab.encode("12+34=")] * 3)
    out = model.sample(prompts, 20, temperature=0.0)
    seq = prompts
    for t in range(out.shape[1]):  # greedy decode without the cache
        logits, _ = model(seq)
        seq = torch.cat([seq, logits[:, -1].argmax(-1, keepdim=True)], dim=1)
    torch.testing.assert_close(seq[:, prompts.shape[1]:], out)


def test_untrained_model_output_is_judged_not_crashing():
    task = tasks.make("addition:width=2")
    problems = [task.generate(2, np.random.default_rng(i)) for i in range(4)]
    ro = rollout(tiny_model(), task, problems, 2, 1.0, torch.Generator().manual_seed(0))
    assert ro.rewards.shape == (8,) and set(ro.rewards) <= {0.0}
    assert all(r.startswith("malformed") or r.startswith("wrong") for r in ro.reasons)


def test_curriculum_band():
    c = Curriculum(CurriculumConfig(start=3, min_difficulty=2, max_difficulty=4, low=0.3, high=0.8, smoothing=0.5))
    for _ in range(10):
        c.update(1.0)
    assert c.difficulty == 4  # rose to the top and stays there
    for _ in range(20):
        c.update(0.0)
    assert c.difficulty == 2
    c2 = Curriculum(c.cfg)
    c2.load_state(c.state())
    assert c2.state() == c.state()


def test_style_reward_scores_imitation_agreement():
    model, ro = tiny_model(), _two_answers()
    scores = style_scores(model, ro)
    assert scores.shape == (2,) and ((0 <= scores) & (scores <= 1)).all()
    _, agrees = token_logprobs(model, ro.batch)
    expected = (agrees.float() * ro.batch.mask).sum(1) / ro.batch.mask.sum(1)
    np.testing.assert_allclose(scores, expected.numpy())
    stats = grpo_step(model, tiny_model(), torch.optim.SGD(model.parameters(), lr=0.1), ro,
                      GRPOConfig.preset("grpo", style_weight=1.0))
    assert 0 <= stats["style"] <= 1 and stats["reward"] == 0.5  # reward reports correctness alone


def test_several_updates_per_batch_make_the_clip_bind():
    """With epochs x minibatches updates per rollout the ratio leaves 1 and the clip holds some tokens; with one
    update per batch the ratio is exactly 1 and nothing is ever clipped."""
    task = tasks.make("addition:width=2")
    problems = [task.generate(2, np.random.default_rng(i)) for i in range(4)]
    model = tiny_model()
    ro = rollout(model, task, problems, 4, 1.0, torch.Generator().manual_seed(0))
    ro.rewards[:] = np.tile([1.0, 0.0, 0.0, 0.0], 4)  # any reward with variance gives non-zero advantages
    opt = torch.optim.Adam(model.parameters(), lr=0.05)
    once = grpo_step(model, model, opt, ro, GRPOConfig.preset("grpo", epochs=1, minibatches=1))
    assert once["clip_frac"] == 0.0
    many = grpo_step(model, model, opt, ro, GRPOConfig.preset("grpo", epochs=4, minibatches=2, clip_low=0.05,
                                                              clip_high=0.05), generator=torch.Generator().manual_seed(0))
    assert many["clip_frac"] > 0.0
    assert {"entropy", "kl", "length", "cut"} <= set(many) and many["entropy"] > 0


def test_overlong_penalty_by_hand():
    from move37.reasoning.grpo import overlong_penalty

    got = overlong_penalty(np.array([10, 44, 46, 48, 60]), np.array([48, 48, 48, 48, 48]), 8)
    np.testing.assert_allclose(got, [0.0, -0.5, -0.75, -1.0, -1.0])
    assert not overlong_penalty(np.array([100]), np.array([48]), 0).any()


def test_overlong_filter_drops_cut_completions():
    model, ro = tiny_model(), _two_answers()
    ro.finished = np.array([False, False])
    weights = [p.detach().clone() for p in model.parameters()]
    stats = grpo_step(model, model, torch.optim.SGD(model.parameters(), lr=0.5), ro,
                      GRPOConfig.preset("grpo", overlong_filter=True))
    assert stats["kept"] == 0.0 and stats["cut"] == 1.0
    assert all(torch.equal(a, b) for a, b in zip(weights, model.parameters()))


def test_format_reward_grades_the_form():
    from move37.reasoning.grpo import format_scores

    ro = _two_answers()
    ro.texts = ["2+4=06=>46", "no separator", "cut=>", "=>4x"]
    ro.reasons = ["ok", "malformed: no '=>'", "malformed: cut", "malformed: answer"]
    ro.finished = np.array([True, True, False, True])
    np.testing.assert_allclose(format_scores(ro), [1.0, 1 / 3, 1 / 3, 2 / 3])


def test_format_only_targets_show_the_shape_not_the_solution():
    from move37.reasoning.sft import format_only

    task = tasks.make("addition:width=3")
    rng = np.random.default_rng(0)
    problems = [task.generate(3, rng) for _ in range(50)]
    shown = [format_only(task, p, rng) for p in problems]
    answers = [task.reference(p).rpartition("=>")[2] for p in problems]
    assert all(s.startswith("=>") and len(s) == 2 + len(a) and s[2:].isdigit() for s, a in zip(shown, answers))
    assert sum(s[2:] == a for s, a in zip(shown, answers)) <= 1  # right only by chance (1 in 10^4 each)
