"""The experience package: streams, streaming learners, normalisers, ObGD, plasticity measures and remedies,
and the resumable `move37 live` run."""

import json

import numpy as np
import pytest
import torch

from move37.cli import main
from move37.errors import Move37Error, SpecError
from move37.experience import live, make_learner, make_stream
from move37.experience.live import LiveConfig
from move37.experience.nets import MinAtarNet, sparse_init_
from move37.experience.normalise import ObservationNormaliser, RewardScaler, RunningMeanVar
from move37.experience.obgd import ObGD
from move37.experience.plasticity import Plasticity, Remedies, dormant_fraction, effective_rank
from move37.experience.streams import STREAMS
from move37.runs import read_rows


@pytest.fixture
def corridor(monkeypatch):
    monkeypatch.setitem(STREAMS.entries, "corridor", "experience_fakes:CorridorStream")


def test_minatar_stream_switches_games_and_cuts_the_episode():
    stream = make_stream("minatar:games=breakout+freeway,switch=50", seed=3)
    assert stream.observation_shape == (7, 10, 10) and stream.num_actions == 6
    assert stream.observation().shape == (7, 10, 10)
    tasks, cuts = [], []
    for t in range(1, 151):
        step = stream.step(t % 6)
        tasks.append(stream.task)
        cuts.append(step.cut)
        assert step.next_obs.shape == (7, 10, 10) and step.signals.shape == (5,)
        assert not (step.cut and step.terminal)
        if stream.task == "breakout":
            assert stream.observation()[4:].sum() == 0  # breakout fills 4 of the 7 channels
    assert tasks[48] == "breakout" and tasks[49] == "freeway" and tasks[99] == "breakout"
    assert stream.task == "freeway" and stream.visit == 2
    assert [i for i, c in enumerate(cuts) if c] in ([49, 99, 149], [49, 99], [99, 149], [49, 149], [149], [99], [49])


def test_minatar_stream_state_round_trip_and_random_order():
    a = make_stream("minatar:games=breakout+freeway+asterix,switch=10,order=random", seed=1)
    for _ in range(35):
        a.step(0)
    state = json.loads(json.dumps(a.state()))
    a, b = (make_stream("minatar:games=breakout+freeway+asterix,switch=10,order=random", seed=s) for s in (1, 2))
    a.load_state(state), b.load_state(state)
    seen_a, seen_b = [], []
    for _ in range(40):
        a.step(1), b.step(1)
        seen_a.append(a.task), seen_b.append(b.task)
    assert seen_a == seen_b and all(x != y for x, y in zip(seen_a[3::10], seen_a[4::10]))


def test_drift_stream_changes_actions_and_reward():
    s = make_stream("drift:game=breakout,every=20,change=both", seed=0)
    first = s.permutation.copy()
    for _ in range(20):
        s.step(0)
    assert s.task == "breakout/1" and s.sign == -1.0 and sorted(s.permutation) == list(range(6))
    assert not np.array_equal(first, s.permutation)


@pytest.mark.parametrize("text", ["minatar:games=pong", "minatar:switch=0", "nosuch", "minatar:speed=2",
                                  "drift:change=colour"])
def test_bad_stream_specs(text):
    with pytest.raises(Move37Error):
        make_stream(text)


def test_running_statistics_and_reward_floor():
    x = np.random.default_rng(0).normal(3, 2, size=(500, 4))
    stats = RunningMeanVar((4,))
    for row in x:
        stats.update(row)
    np.testing.assert_allclose(stats.mean, x.mean(0)), np.testing.assert_allclose(stats.var, x.var(0, ddof=1))
    norm = ObservationNormaliser((4,))
    for row in x:
        out = norm(row)
    np.testing.assert_allclose(out, (x[-1] - x.mean(0)) / x.std(0, ddof=1), rtol=1e-5)
    scaler = RewardScaler(0.99, min_std=0.1)
    for _ in range(1000):
        scaler(0.0, False)
    assert scaler(1.0, False) == pytest.approx(10.0)  # zero variance so far: divided by the floor, not by 1e-4


def test_obgd_bounds_the_step():
    w = torch.nn.Parameter(torch.ones(10))
    opt = ObGD([w], lr=1.0, gamma=0.9, lam=0.5, kappa=2.0)
    (-(w * 3.0).sum()).backward()  # gradient -3 on each weight: trace norm 30
    size = opt.step(delta=5.0)
    assert size == pytest.approx(1.0 / (2.0 * 5.0 * 30.0))
    np.testing.assert_allclose(w.detach(), 1.0 + size * 5.0 * 3.0)
    w.grad.zero_()
    opt.step(delta=0.0, reset=True)
    assert float(opt.traces()[0].abs().sum()) == 0.0


def test_sparse_init_zeroes_ninety_percent_of_inputs():
    w = torch.empty(8, 100)
    sparse_init_(w, 0.9, torch.Generator().manual_seed(0))
    assert ((w != 0).sum(1) == 10).all() and float(w.abs().max()) <= 0.1


def test_plasticity_measures():
    assert effective_rank(torch.eye(16)) == pytest.approx(16.0)
    assert effective_rank(torch.ones(32, 16)) == pytest.approx(1.0)
    h = torch.ones(10, 4)
    h[:, 3] = 0.0
    assert dormant_fraction(h) == 0.25


def test_continual_backprop_replaces_the_least_useful_units():
    net = MinAtarNet(2, 3, hidden=8, seed=0)
    with torch.no_grad():
        net.head.weight.fill_(1.0)
    opt = ObGD(net.parameters())
    plast = Plasticity(net, opt, Remedies(cbp=0.25, maturity=0), seed=0)
    features = torch.ones(1, 8)
    features[0, 5] = 0.0  # unit 5 contributes nothing
    before = net.fc.weight[5].clone()
    plast.after_update(features)
    assert plast.replaced == 2 and float(net.head.weight[:, 5].detach().abs().sum()) == 0.0
    assert not torch.equal(before, net.fc.weight[5])


def test_shrink_perturb_and_l2_init_pull_weights():
    net = MinAtarNet(2, 3, hidden=8, seed=0)
    start = [p.detach().clone() for p in net.parameters()]
    with torch.no_grad():
        for p in net.parameters():
            p.add_(1.0)
    Plasticity(net, ObGD(net.parameters()), Remedies(shrink=0.5)).after_update(torch.ones(1, 8))
    for p, p0 in zip(net.parameters(), start):
        torch.testing.assert_close(p.detach(), 0.5 * (p0 + 1.0))
    plast = Plasticity(MinAtarNet(2, 3, hidden=8, seed=0), None, Remedies(l2init=0.5))
    with torch.no_grad():
        for p in plast.net.parameters():
            p.add_(1.0)
    plast.after_update(torch.ones(1, 8))
    for p, p0 in zip(plast.net.parameters(), start):
        torch.testing.assert_close(p.detach(), p0 + 0.5)


def test_remedies_random_state_travels_in_the_checkpoint():
    """A resumed shrink-and-perturb / continual-backprop run draws the same noise and fresh units as an unbroken one."""
    remedies = Remedies(cbp=0.5, maturity=0, shrink=0.99, perturb=0.1)
    a = Plasticity(MinAtarNet(2, 3, hidden=8, seed=0), ObGD(MinAtarNet(2, 3, hidden=8).parameters()), remedies, seed=0)
    a.after_update(torch.rand(1, 8))
    b = Plasticity(MinAtarNet(2, 3, hidden=8, seed=9), a.optimizer, remedies, seed=9)
    b.net.load_state_dict(a.net.state_dict())
    b.load_tensors({k: v.clone() for k, v in a.tensors().items()})
    features = torch.rand(1, 8)
    a.after_update(features), b.after_update(features)
    for p, q in zip(a.net.parameters(), b.net.parameters()):
        torch.testing.assert_close(p, q)


@pytest.mark.parametrize("agent", ["streamq:explore=100", "streamac", "dqn:start=50,explore=100,buffer=1000"])
def test_learners_learn_the_corridor(agent, corridor, one_thread):
    stream = make_stream("corridor")
    learner = make_learner(agent, stream.observation_shape, stream.num_actions, seed=0)
    obs, rewards = stream.observation(), []
    for _ in range(1500):
        a = learner.act(obs)
        step = stream.step(a)
        learner.learn(obs, a, step.reward, step.next_obs, step.terminal, step.cut, step.legal)
        rewards.append(step.reward)
        obs = stream.observation()
    assert np.mean(rewards[-300:]) > 0.8, agent


def test_stream_q_cuts_its_traces_after_an_exploratory_action(corridor, one_thread):
    """Watkins's Q(lambda): the target's max assumes greedy play from s' on, so a random action that is not the
    greedy one ends the credit chain; greedy steps keep it."""
    stream = make_stream("corridor")
    learner = make_learner("streamq:eps_start=1,eps_end=1,explore=0", stream.observation_shape, 3, seed=0)
    obs, kinds = stream.observation(), set()
    for _ in range(40):
        a = learner.act(obs)
        step = stream.step(a)
        learner.learn(obs, a, step.reward, step.next_obs, step.terminal, step.cut)
        obs = stream.observation()
        if not step.terminal:
            traced = sum(float(z.abs().sum()) for z in learner.optimizer.traces())
            kinds.add(learner.explored)
            assert (traced == 0.0) == learner.explored
    assert kinds == {True, False}  # epsilon 1 still draws the greedy action a third of the time


def test_minatar_minimal_action_set():
    """actions=minimal: the union of the games' minimal sets, mapped onto MinAtar's actions (Freeway: n, u, d)."""
    stream = make_stream("minatar:games=freeway,actions=minimal", seed=0)
    assert stream.num_actions == 3 and list(stream.action_set) == [0, 2, 4]
    ys = []
    for _ in range(12):
        step = stream.step(1)  # up
        ys.append(step.signals[4])
    assert ys[-1] > ys[0]  # the chicken went up the road (or crossed it)
    assert make_stream("minatar:games=breakout+freeway,actions=minimal").num_actions == 5  # n, l, u, r, d
    with pytest.raises(ValueError):
        stream.step(3)


@pytest.mark.parametrize("agent", ["streamq", "streamac", "dqn:start=20,buffer=100"])
def test_learner_state_round_trip(agent, corridor, one_thread):
    stream = make_stream("corridor")
    a = make_learner(agent, stream.observation_shape, 3, seed=0)
    obs = stream.observation()
    for _ in range(60):
        act = a.act(obs)
        step = stream.step(act)
        a.learn(obs, act, step.reward, step.next_obs, step.terminal, step.cut)
        obs = stream.observation()
    b = make_learner(agent, stream.observation_shape, 3, seed=5)
    b.load_tensors(a.tensors())
    b.load_state(json.loads(json.dumps(a.state())))
    x = torch.from_numpy(a.encode(obs))[None]
    torch.testing.assert_close(a.net(x), b.net(torch.from_numpy(b.encode(obs))[None]))
    assert [a.act(obs) for _ in range(5)] == [b.act(obs) for _ in range(5)]


def test_live_runs_resumes_and_plots(tmp_path, corridor):
    out = tmp_path / "run"
    cfg = LiveConfig(stream="corridor:switch=200", agent="streamq:explore=100", checkpoint_every=100,
                     probe_every=100)
    first = live(out, cfg, steps=400, show=False)
    assert first["steps"] == 400
    second = live(out, None, steps=900, show=False)
    rows = read_rows(out / "metrics.jsonl")
    probes = [r["step"] for r in rows if r["kind"] == "probe"]
    assert probes == list(range(100, 1000, 100))
    episodes = [r for r in rows if r["kind"] == "episode"]
    assert [r["step"] for r in episodes] == sorted(r["step"] for r in episodes)
    assert {v["visit"] for v in second["visits"]["a0"]} == {1, 2}
    assert all(0 <= v["return"] <= 5 for visits in second["visits"].values() for v in visits)
    assert (out / "returns.png").stat().st_size > 0 and (out / "plasticity.png").stat().st_size > 0


def test_live_cli_errors_are_one_line(tmp_path, capsys, corridor):
    out = tmp_path / "run"
    assert main(["live", "--out", str(out), "--steps", "10"]) == 2
    assert main(["live", "--out", str(out), "--stream", "corridor", "--agent", "nosuch", "--steps", "10"]) == 2
    assert main(["live", "--out", str(out), "--stream", "corridor", "--agent", "streamq"]) == 2
    assert not out.exists()
    assert main(["live", "--out", str(out), "--stream", "corridor", "--agent", "streamq", "--steps", "50",
                 "--quiet", "--json"]) == 0
    capsys.readouterr()
    assert main(["live", "--out", str(out), "--stream", "corridor", "--agent", "streamac", "--steps", "60"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("move37: error:") and len(err.strip().splitlines()) == 1
    assert main(["live", "--out", str(out), "--steps", "60", "--quiet"]) == 0


def test_adapted_reward_follows_a_change_of_goal():
    from move37.experience.feedback import make_feedback, summarise

    user = make_feedback("user:goals=right+left,change=4000,rate_every=40,noise=0.02", seed=0)
    rng, rows = np.random.default_rng(0), []
    for step in range(1, 8001):
        lean = np.sin(step / 97.0)  # behaviour that varies between segments, as an exploring agent's does
        signals = np.array([0.0, 1.0, 0.0, np.clip(lean + rng.normal(0, 0.5), -1, 1), rng.normal(0, 0.3)], np.float32)
        rows += user.observe(step, signals)
    s = summarise(rows)
    assert s["ratings"] == 200 and s["cosine_before"] > 0.9 and s["cosine_after"] > 0.9
    assert s["ratings_to_follow"] is not None and s["ratings_to_follow"] <= 20
    fixed = make_feedback("user:reward=first", seed=0)
    assert fixed.reward(np.array([0, 1, 0, 0.5, 0], np.float32)) == pytest.approx(0.5)
    with pytest.raises(SpecError):
        make_feedback("user:goals=right")


def test_live_with_feedback_logs_ratings(tmp_path, corridor):
    out = tmp_path / "fb"
    cfg = LiveConfig(stream="corridor", agent="streamq:explore=300", feedback="user:change=1500,rate_every=50",
                     checkpoint_every=500, probe_every=500)
    summary = live(out, cfg, steps=1000, show=False)
    summary = live(out, None, steps=3000, show=False)
    ratings = [r for r in read_rows(out / "metrics.jsonl") if r["kind"] == "rating"]
    assert [r["step"] for r in ratings] == list(range(50, 3001, 50))
    assert summary["feedback"]["ratings_after_change"] == 30 and (out / "feedback.png").exists()
    assert all(len(r["phi"]) == 5 and -1 <= r["cosine"] <= 1 for r in ratings)


def test_connect4_stream_drifts_through_its_ladder(one_thread):
    stream = make_stream("connect4:ladder=random+ab1+ab2,every=30,width=1,noise=0", seed=0)
    learner = make_learner("streamq:explore=10", stream.observation_shape, stream.num_actions, seed=0)
    assert stream.observation_shape == (2, 10, 10) and stream.num_actions == 7
    obs, legal, results, opponents = stream.observation(), stream.legal(), [], set()
    for _ in range(100):
        opponents.add(stream.opponent_level)
        a = learner.act(obs, legal)
        assert legal[a]
        step = stream.step(a)
        learner.learn(obs, a, step.reward, step.next_obs, step.terminal, step.cut, step.legal)
        if step.terminal:
            results.append(step.reward)
        obs, legal = stream.observation(), stream.legal()
    assert stream.task == "random" and stream.visit == 2  # random, ab1, ab2 (from step 30, 60), random again (90)
    assert opponents == {"random", "ab1", "ab2"} and set(results) <= {-1.0, 0.0, 1.0} and results
    with pytest.raises(SpecError):
        make_stream("connect4:ladder=random+ab9")
