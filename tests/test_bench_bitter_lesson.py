"""bench/bitter_lesson.py: moves timed by the CPU clock, the measuring order, and a resumed run that replays nothing."""

import importlib.util
from pathlib import Path

import pytest

from move37 import agents, arena, games
from move37.errors import ConfigError

ROOT = Path(__file__).resolve().parent.parent
spec = importlib.util.spec_from_file_location("bitter_lesson", ROOT / "bench" / "bitter_lesson.py")
bitter = importlib.util.module_from_spec(spec)
spec.loader.exec_module(bitter)


def test_cpu_timed_charges_each_move_its_clock_interval():
    ticks = iter([0.0, 0.004, 1.0, 1.010, 5.0, 5.001])  # moves of 4, 10 and 1 ms; time between moves not charged
    game = games.make("connect4")
    player = bitter.CpuTimed(agents.make("random", game), clock=lambda: next(ticks))
    state = game.initial_state()
    for _ in range(3):
        state = state.play(player.act(state))
    assert player.moves == 3
    assert player.spec == "random"
    assert player.cpu_ms_per_move() == pytest.approx(5.0)


def test_schedule_measures_every_agents_cheap_budgets_first():
    setup = {"a": ("a:{}", [1, 2, 3]), "b": ("b:{}", [10]), "c": ("c:{}", [7, 8])}
    assert bitter.schedule(setup) == [("a", "a:{}", 1), ("b", "b:{}", 10), ("c", "c:{}", 7), ("a", "a:{}", 2),
                                      ("c", "c:{}", 8), ("a", "a:{}", 3)]
    assert bitter.schedule(setup, {"c"}) == [("c", "c:{}", 7), ("c", "c:{}", 8)]


def test_wilson_interval_contains_the_rate_and_stays_in_bounds():
    low, high = bitter.wilson(9, 10)
    assert 0.55 < low < 0.9 < high <= 1.0
    assert bitter.wilson(0, 5)[0] == 0.0


def test_run_resumes_without_replaying_and_refuses_other_settings(tmp_path, monkeypatch):
    setup = {"ladder": ["random", "alphabeta:depth=1"], "opening_plies": 2, "vet_openings": False,
             "agents": {"ab": ("alphabeta:depth={}", [1, 2]), "uct": ("mcts:sims={}", [20])}}
    first = bitter.run("connect4", tmp_path, setup, positions=3, games_per_opponent=2, seed=1, log=lambda _: None)
    assert set(first["points"]) == {"ab@1", "ab@2", "uct@20"}
    for point in first["points"].values():
        # 3 labelled positions + 2 games against each of 2 ladder agents: every move of the agent timed once
        assert point["positions"] == 3 and point["moves_positions"] == 3
        assert point["moves"] > 3 and point["ladder_games"] == 4
        per_move = 1000 * point["cpu_s"] / point["moves"]  # cpu_s is kept to 0.1 ms
        assert point["cpu_ms_per_move"] == pytest.approx(per_move, abs=0.1 / point["moves"])
        assert 0 <= point["optimal"] <= point["good"] <= 3
        assert point["spec"] in first["elo"]
    assert first["elo"]["random"]["elo"] == 0.0
    played = arena.read_records(tmp_path / "games.jsonl")
    assert len(played) == 3 * 4

    def refuse(*args, **kwargs):
        raise AssertionError("a finished point was measured again")

    monkeypatch.setattr(bitter, "measure_point", refuse)
    again = bitter.run("connect4", tmp_path, setup, positions=3, games_per_opponent=2, seed=1, log=lambda _: None)
    assert again["points"] == first["points"]
    assert len(arena.read_records(tmp_path / "games.jsonl")) == len(played)
    with pytest.raises(ConfigError, match="other settings"):
        bitter.run("connect4", tmp_path, {**setup, "ladder": ["random"]}, positions=3, games_per_opponent=2, seed=1)
