"""Protocol limits become an agent's budget through its spec (move37.agents.budget)."""

import io

import pytest

from move37.agents.budget import budgeted_spec, gtp_move_time_ms, move_time_ms, server_budget
from move37.protocols.uci import UciEngine


def test_a_time_limit_replaces_a_fixed_budget():
    assert budgeted_spec("mcts:sims=1000,c=2.0", ms=50) == ("mcts:c=2.0,ms=50,sims=1000000", [], [])
    assert budgeted_spec("alphabeta:depth=8", ms=50, depth=3) == ("alphabeta:depth=3,ms=50", [], [])
    assert budgeted_spec("alphabeta:depth=8") == ("alphabeta:depth=8", [], [])
    # as deep as time allows, within the bound (Go's max_length would pass Python's recursion limit)
    assert budgeted_spec("alphabeta:depth=8", ms=50) == ("alphabeta:ms=50,depth=256", [], [])


def test_nodes_become_simulations_and_unmet_limits_are_named():
    spec, unmet, _ = budgeted_spec('zero:"runs/a,b/c4",sims=64', nodes=200, ms=100)
    assert spec == 'zero:"runs/a,b/c4",sims=200,ms=100' and unmet == []  # the path keeps its comma
    assert budgeted_spec('zero:"runs/a,b/c4",sims=64', ms=100) == ('zero:"runs/a,b/c4",ms=100,sims=1000000', [], [])
    assert budgeted_spec("random", depth=4, ms=100) == ("random", ["movetime", "depth"], [])


def test_limits_beyond_an_options_bound_are_clamped_into_it():
    assert budgeted_spec("mcts:sims=100", nodes=10**9, ms=10**12) == (
        "mcts:sims=1000000,ms=3600000", [], ["movetime 3600000", "nodes 1000000"])
    assert budgeted_spec("alphabeta", depth=10**6) == ("alphabeta:depth=256", [], ["depth 256"])
    assert budgeted_spec("alphabeta", depth=0) == ("alphabeta:depth=1", [], ["depth 1"])


def test_a_server_adds_a_time_limit_and_bounds_an_open_count():
    assert server_budget("mcts", 500) == "mcts:sims=1000,ms=500"  # the default count stays
    assert server_budget("mcts:sims=50,c=2", 500) == "mcts:sims=50,c=2,ms=500"
    assert server_budget("alphabeta:tt_size=0", 500) == "alphabeta:tt_size=0,depth=6,ms=500"
    assert server_budget('zero:"a,b",sims=8', 500) == 'zero:"a,b",sims=8,ms=500'
    assert server_budget("mcts:ms=20,sims=5", 500) == "mcts:ms=20,sims=5"  # the spec's own time and count
    assert server_budget("mcts:ms=20", 500) == "mcts:ms=20,sims=100000"  # "as many as time allows": bounded
    assert server_budget("mcts:sims=none", 500) == "mcts:sims=100000,ms=500"
    assert server_budget("alphabeta:ms=20", 500) == "alphabeta:ms=20,depth=64"
    assert server_budget("random", 500) == "random"  # no time option


@pytest.mark.parametrize("limits, white, expected", [
    ({"movetime": 250}, True, 250),
    ({"wtime": 60000, "btime": 30000}, True, 2000),
    ({"wtime": 60000, "btime": 30000}, False, 1000),
    ({"wtime": 10000, "winc": 1000, "movestogo": 5}, True, 2750),
    ({"wtime": 100, "movestogo": 1}, True, 50),
    ({"depth": 3}, True, None),
])
def test_move_time_from_the_clock(limits, white, expected):
    assert move_time_ms(limits, white) == expected


def test_uci_go_depth_limits_alphabeta():
    pytest.importorskip("chess")
    out: list[str] = []
    engine = UciEngine("alphabeta:depth=6", out=out.append, log=io.StringIO())
    for line in ("position startpos moves e2e4", "go depth 1"):
        engine.handle(line)
    engine.wait(60)
    info = [line for line in out if line.startswith("info depth")]
    assert info and info[-1].split()[2] == "1" and out[-1].startswith("bestmove ")
    engine.handle("go nodes 5")  # not an alphabeta option: named, and the agent's own budget applies
    engine.wait(120)
    assert any("nodes limits are not options" in line for line in out)
    engine.close()


@pytest.mark.parametrize("settings, left, expected", [
    (None, None, None),
    ((0, 1, 0), None, None),          # byo-yomi time with no stones: GTP's "no limit"
    ((300, 0, 0), None, 10000),       # 5 minutes main time, a 30th of it
    ((0, 10, 5), None, 1600),         # byo-yomi: 10 s for 5 stones, with a margin
    ((300, 10, 5), (60, 0), 2000),    # main time left: a 30th
    ((300, 10, 5), (8, 4), 1600),     # in byo-yomi: 8 s for 4 stones, with a margin
])
def test_gtp_clock_share(settings, left, expected):
    assert gtp_move_time_ms(settings, left) == expected


def test_gtp_time_left_becomes_the_agents_time_budget():
    from move37.protocols.gtp import GtpEngine

    engine = GtpEngine("mcts:sims=50", "tictactoe", log=io.StringIO())
    assert engine._agent_for_clock(0) is engine.agent  # no clock: the spec's own budget
    engine.handle("time_settings 999999999 0 0")  # a share of 31 years: clamped to the ms bound
    assert engine._agent_for_clock(0).spec == "mcts:ms=3600000,sims=1000000"
    engine.handle("time_left black 3 0")
    timed = engine._agent_for_clock(0)
    assert timed is not engine.agent and timed.spec == "mcts:ms=100,sims=1000000"
    assert engine.handle("genmove black").startswith("= ")
    engine.close()
