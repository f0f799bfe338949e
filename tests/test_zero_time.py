"""The learned player's time budget (`zero:...,ms=T`): more time buys more simulations, and a move comes back."""

import time

import numpy as np
import pytest

from move37 import games
from move37.agents.zero import ZeroAgent
from move37.errors import SpecError
from move37.search.batched import SearchConfig

OTHELLO6 = games.make("othello:size=6")


def uniform(obs, legal):
    """Uniform priors over legal moves and value 0 (no network needed to time the search)."""
    return (legal / legal.sum(1, keepdims=True)).astype(np.float32), np.zeros(len(obs), np.float32)


def play(agent: ZeroAgent, moves: int) -> tuple[list[int], float]:
    """Simulations per move and the longest move's seconds over the first `moves` moves of a game."""
    state, counts, longest = OTHELLO6.initial_state(), [], 0.0
    for _ in range(moves):
        start = time.perf_counter()
        analysis = agent.analyse(state)
        longest = max(longest, time.perf_counter() - start)
        assert state.legal_mask()[analysis.action]
        counts.append(analysis.nodes)
        state = state.play(analysis.action)
    return counts, longest


@pytest.mark.parametrize("algorithm", ["gumbel", "puct"])
def test_more_time_gives_more_simulations_and_moves_come_back(algorithm):
    config = SearchConfig(algorithm=algorithm)
    short, _ = play(ZeroAgent.from_evaluate(OTHELLO6, uniform, None, config, ms=5), 4)
    long, longest = play(ZeroAgent.from_evaluate(OTHELLO6, uniform, None, config, ms=150), 4)
    assert min(short + long) >= 1
    assert sum(long[1:]) > 3 * sum(short[1:])  # 30x the time; the first move calibrates
    assert longest < 5.0  # generous: 150 ms asked, a loaded machine may run late but not forever


@pytest.mark.parametrize("algorithm", ["gumbel", "puct"])
def test_sims_caps_a_timed_search(algorithm):
    agent = ZeroAgent.from_evaluate(OTHELLO6, uniform, 12, SearchConfig(algorithm=algorithm), ms=2000)
    counts, _ = play(agent, 3)
    assert max(counts) <= 12 and min(counts) >= 1


def test_a_fixed_count_without_time_is_unchanged_and_bad_time_is_a_spec_error():
    agent = ZeroAgent.from_evaluate(OTHELLO6, uniform, 20, SearchConfig())
    assert play(agent, 2)[0] == [20, 20]
    with pytest.raises(SpecError):
        ZeroAgent("", game=games.make("connect4"), ms=0)
