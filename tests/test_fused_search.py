"""Fused and round-batched Gumbel search (Connect Four) against the unfused loop, and compiled evaluators
against PyTorch."""

import tracemalloc

import numpy as np
import pytest
import torch

from move37 import games
from move37.nets import NetConfig, PolicyValueNet, evaluator
from move37.nets.compiled import MLPEvaluator
from move37.nets.folded import FoldedEvaluator
from move37.search.kernel_eval import Uniform
from move37.search.batched import BatchedSearch, SearchConfig
from move37.search.compiled import compiled_for

C4 = games.make("connect4")
# Openings, a middle game and a position two plies from a full board (terminal leaves and draws).
OPENINGS = ["", "4", "4453", "3344", "44444", "1234567", "112233", "4455661",
            "6661655774624632341525413332111327245"]


class Hidden:
    """The same evaluator without its `kernel`: search must call it from Python (the step path)."""

    def __init__(self, evaluate):
        self.inner = evaluate
        self.calls = 0

    def __call__(self, obs, legal):
        self.calls += 1
        return self.inner(obs, legal)


def _mlp(seed=0):
    torch.manual_seed(seed)
    return PolicyValueNet(C4.info.observation_shape, C4.info.num_actions, NetConfig(kind="mlp", hidden=(32, 16)))


def _play(evaluate, fused, threads=1, moves=14, sims=16, discount=1.0, rounds=False, compiled=True):
    """Self-play from OPENINGS with root noise and mixed budgets; every move's search results."""
    search = BatchedSearch(C4, evaluate, SearchConfig(threads=threads, discount=discount), len(OPENINGS), sims,
                           compiled_for(C4) if compiled else None, fused=fused, rounds=rounds)
    for b, moves_ in enumerate(OPENINGS):
        search.set_root(b, C4.state_from_moves(moves_))
    rng = np.random.default_rng(7)
    budgets = np.array([sims, 5, sims, 1, sims, 9, sims, sims, 3])
    results = []
    for m in range(moves):
        out = search.run(budgets, rng, explore=m < 6)
        results.append((out.visits, out.action, out.policy, out.value, out.q))
        for b in range(search.batch):
            if out.action[b] >= 0 and search.advance(b, int(out.action[b])).is_terminal():
                search.set_root(b, C4.state_from_moves(OPENINGS[(b + m) % len(OPENINGS)]))
    return results, search.simulations, search.evaluations + search.cache_hits, search.cache_hits


@pytest.mark.parametrize("make, discount", [(Uniform, 1.0), (lambda: MLPEvaluator(_mlp()), 1.0),
                                            (lambda: MLPEvaluator(_mlp()), 0.9)], ids=["uniform", "mlp", "discounted"])
def test_fused_search_equals_the_unfused_loop(make, discount):
    evaluate = make()
    reference = _play(Hidden(evaluate), fused=False, discount=discount)
    step = Hidden(evaluate)
    variants = {"step": _play(step, fused=True, discount=discount), "kernel": _play(evaluate, fused=True, discount=discount),
                "kernel, 2 threads": _play(evaluate, fused=True, threads=2, discount=discount)}
    assert step.calls > 0  # the step path did call the evaluator from Python
    if isinstance(evaluate, MLPEvaluator):  # the kernel's evaluation cache was used (and changed nothing)
        assert variants["kernel"][3] > 0 and variants["kernel, 2 threads"][3] > 0
    for name, got in variants.items():
        assert got[1:3] == reference[1:3], name  # simulations and evaluations counted alike
        for want, have in zip(reference[0], got[0]):
            for a, b in zip(want, have):
                np.testing.assert_array_equal(a, b, err_msg=name)


@pytest.mark.parametrize("compiled", [True, False], ids=["bitboard store", "state store"])
@pytest.mark.parametrize("sims", [16, 64])
def test_round_batched_search_builds_the_unfused_tree_in_fewer_calls(compiled, sims):
    evaluate = MLPEvaluator(_mlp())  # row by row: the same values whatever the batch
    one, rounds = Hidden(evaluate), Hidden(evaluate)
    reference = _play(one, fused=False, sims=sims, discount=0.9, compiled=compiled)
    got = _play(rounds, fused=False, sims=sims, discount=0.9, compiled=compiled, rounds=True)
    assert got[1:3] == reference[1:3]  # the same simulations and evaluations
    assert rounds.calls < one.calls / 1.8  # in fewer, larger calls
    for want, have in zip(reference[0], got[0]):
        visits, action, policy, value, q = have
        np.testing.assert_array_equal(visits, want[0])
        np.testing.assert_array_equal(action, want[1])
        np.testing.assert_array_equal(policy, want[2])
        np.testing.assert_array_equal(q, want[4])
        np.testing.assert_allclose(value, want[3], rtol=0, atol=1e-6)  # the root's sum adds in another order


def test_fused_search_takes_wins_for_either_player():
    search = BatchedSearch(C4, Uniform(), SearchConfig(), batch=2, max_sims=64, compiled=compiled_for(C4))
    search.set_root(0, C4.state_from_moves("445566"))  # first player wins in column 3 or 7 (action 2 or 6)
    search.set_root(1, C4.state_from_moves("7121212"))  # second player wins in column 1 (action 0)
    out = search.run(64)
    assert out.action[0] in (2, 6) and out.action[1] == 0
    assert out.q[0, out.action[0]] == 1.0 and out.q[1, 0] == 1.0


def test_mlp_evaluator_equals_the_torch_network_and_follows_training():
    net = _mlp(3)
    rng = np.random.default_rng(0)
    obs = rng.integers(0, 2, (40, 2, 6, 7)).astype(np.float32)
    legal = rng.random((40, 7)) < 0.6
    legal[:, 3] = True
    compiled, reference = MLPEvaluator(net), _torch_evaluate(net)
    for _ in range(2):
        p, v = compiled(obs, legal)
        q, w = reference(obs, legal)
        np.testing.assert_allclose(p, q, rtol=1e-5, atol=1e-6)
        np.testing.assert_allclose(v, w, rtol=1e-5, atol=1e-6)
        assert np.all(p[~legal] == 0) and np.allclose(p.sum(1), 1, atol=1e-6)
        optimizer = torch.optim.SGD(net.parameters(), lr=0.5)  # change the weights in place, as a learner does
        logits, value = net(torch.from_numpy(obs), torch.from_numpy(legal))
        (logits.logsumexp(1).mean() + value.square().mean()).backward()
        optimizer.step()
        optimizer.zero_grad()
    assert not np.allclose(compiled(obs, legal)[1], v)  # the second round saw the new weights


def test_torch_free_evaluator_is_picked_for_cpu_mlps():
    net = _mlp(4)
    picked = evaluator(net)
    assert isinstance(picked, MLPEvaluator) and picked.kernel is not None
    rng = np.random.default_rng(1)
    for k in (3, picked.large_from + 1):  # compiled rows, then PyTorch's batched path
        obs = rng.integers(0, 2, (k, 2, 6, 7)).astype(np.float32)
        legal = np.ones((k, 7), bool)
        for got, want in zip(picked(obs, legal), _torch_evaluate(net)(obs, legal)):
            np.testing.assert_allclose(got, want, rtol=1e-5, atol=1e-6)
    resnet = PolicyValueNet(C4.info.observation_shape, C4.info.num_actions, NetConfig(kind="resnet", channels=4, blocks=1))
    assert not isinstance(evaluator(resnet), MLPEvaluator)


def test_folded_evaluator_equals_the_eager_resnet_and_follows_training():
    torch.manual_seed(5)
    net = PolicyValueNet(C4.info.observation_shape, C4.info.num_actions, NetConfig(kind="resnet", channels=8, blocks=2))
    picked = evaluator(net)
    assert isinstance(picked, FoldedEvaluator)
    rng = np.random.default_rng(2)
    obs = rng.integers(0, 2, (50, 2, 6, 7)).astype(np.float32)
    legal = rng.random((50, 7)) < 0.6
    legal[:, 0] = True
    optimizer = torch.optim.SGD(net.parameters(), lr=0.5)
    for _ in range(2):
        for k in (1, 7, 50):  # one folded copy serves every batch size
            p, v = picked(obs[:k], legal[:k])
            q, w = _torch_evaluate(net)(obs[:k], legal[:k])
            np.testing.assert_allclose(p, q, rtol=1e-5, atol=1e-6)
            np.testing.assert_allclose(v, w, rtol=1e-5, atol=1e-6)
            assert np.all(p[~legal[:k]] == 0)
        net.train()  # a learner's step: batch-norm statistics and weights change in place
        logits, value = net(torch.from_numpy(obs), torch.from_numpy(legal))
        (logits.logsumexp(1).mean() + value.square().mean()).backward()
        optimizer.step()
        optimizer.zero_grad()
        net.eval()
    assert not np.allclose(picked(obs, legal)[1], v)  # the second round saw the new weights


def _torch_evaluate(net):
    @torch.inference_mode()
    def evaluate(obs, legal):
        logits, value = net(torch.from_numpy(obs), torch.from_numpy(legal))
        return torch.softmax(logits, -1).numpy(), value.numpy()

    return evaluate


def test_uniform_evaluator():
    legal = np.array([[True, False, True, True, False, False, False], [True] * 7])
    p, v = Uniform()(np.zeros((2, 2, 6, 7), np.float32), legal)
    np.testing.assert_allclose(p[0], [1 / 3, 0, 1 / 3, 1 / 3, 0, 0, 0], rtol=1e-6)
    np.testing.assert_allclose(p[1], np.full(7, 1 / 7), rtol=1e-6)
    assert v.tolist() == [0.0, 0.0]


def test_schedules_of_many_budgets_stay_bounded():
    """A timed player plans a new simulation count every move. The search kept one Gumbel schedule table
    per count it had seen (17 x count int32: 70 kB at 1000), so its memory grew for as long as it played."""
    search = BatchedSearch(C4, Uniform(), SearchConfig(), 1, 1100, compiled_for(C4))
    root = C4.state_from_moves("4453")

    def run(sims):
        search.set_root(0, root)
        return search.run(sims)

    first = run(1000)
    for sims in range(1001, 1040):  # warm: compiled, and the kept tables full
        run(sims)
    tracemalloc.start()
    before = tracemalloc.get_traced_memory()[0]
    for sims in range(1040, 1080):  # 40 new counts: 3 MB of tables if all were kept
        run(sims)
    grown = tracemalloc.get_traced_memory()[0] - before
    tracemalloc.stop()
    table = (SearchConfig().gumbel_k + 1) * 1080 * 4  # bytes of one table
    assert grown < 20 * table  # at most the few kept tables were made anew, not one per count
    again = run(1000)  # its table was dropped long ago: made afresh, the same search
    np.testing.assert_array_equal(again.visits, first.visits)
    np.testing.assert_array_equal(again.policy, first.policy)
