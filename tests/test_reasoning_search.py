"""Countdown with search in the text: the demonstrator's depth-first search, the step-path verifier, trace reading."""

import numpy as np

from move37.reasoning import tasks
from move37.reasoning.tasks import Problem
from move37.reasoning.tasks.countdown_search import search
from move37.reasoning.search_trace import trace_stats


def _problem(target, numbers):
    return Problem(f"target {target} from {' '.join(map(str, numbers))}:", "", len(numbers),
                   {"numbers": numbers, "target": target, "steps": []})


def test_verifier_checks_the_path_only():
    task = tasks.make("countdown_search")
    p = _problem(24, [3, 5, 2, 7])
    assert tasks.verify(task, p, "anything=>3+5=8,8*2=16,16+7=23").reason == "wrong: misses the target"
    assert tasks.verify(task, p, "=>5-3=2,2*7=14,14+2=16").reason == "wrong: misses the target"
    assert tasks.verify(task, p, "junk=>7-5=2,2+2=4,4*3=12").reason == "wrong: misses the target"
    assert tasks.verify(task, p, "=>7*3=21,5-2=3,21+3=24").reward == 1.0
    assert tasks.verify(task, p, "=>7+5=12,12*2=24").reward == 1.0  # each number at most once
    assert tasks.verify(task, p, "=>7*3=21,21+3=24").reason == "wrong: uses a number not available"
    assert tasks.verify(task, p, "=>7*3=21,21+3=24,24/1=24").reason == "wrong: uses a number not available"
    assert tasks.verify(task, p, "=>7*3=21,2+21=23").reason == "wrong: misses the target"
    assert tasks.verify(task, p, "=>7*3=21,21+3=25").reason == "wrong: 21+3=25 is false"
    assert tasks.verify(task, p, "=>7*3=21,21+21=42,42-18=24").reason == "wrong: uses a number not available"
    assert tasks.verify(task, p, "=>7*3=21,21+3").reason.startswith("malformed")
    assert tasks.verify(task, p, "=>7/2=3").reason == "wrong: 7/2=3 is false"


def test_search_is_complete_without_budget_and_skips():
    task, rng = tasks.make("countdown_search"), np.random.default_rng(0)
    for _ in range(40):
        p = task.generate(3, rng)
        trace, path, solved = search(p.meta["numbers"], p.meta["target"], 64, 0.0, None)
        assert solved and tasks.verify(task, p, "=>" + ",".join(path)).reward == 1.0
        assert len(trace) <= 64


def test_demonstrator_gives_up_at_its_budget_and_misses_branches():
    task = tasks.make("countdown_search:budget=3,skip=0.5")
    rng = np.random.default_rng(1)
    problems = [task.generate(4, rng) for _ in range(200)]
    demos = [task.demonstrate(p, rng) for p in problems]
    assert max(trace_stats(d)[0] for d in demos) == 3
    careful = tasks.make("countdown_search:budget=3,skip=0.0")
    rate = np.mean([tasks.verify(task, p, d).reward for p, d in zip(problems, demos)])
    careful_rate = np.mean([careful.search_solves(p, None) for p in problems])
    assert 0 < rate < careful_rate < 1


def test_trace_stats_counts_entries_and_backtracks():
    text = "3 5 2 7:5*2=10,3 7 10:10+7=17,3 17:17+3=20,3 17:17-3=14,3 7 10:3*7=21,10 21:21-10=11=>x"
    assert trace_stats(text) == (6, 2)
    assert trace_stats("3 5:3+5=8,junk,3 5:5-3=2=>") == (3, 0)
    demo = tasks.make("countdown_search:skip=0.0").demonstrate(_problem(84, [8, 7, 6, 6]), None)
    assert trace_stats(demo)[1] >= 1 and demo.count(":") == trace_stats(demo)[0]


def test_default_config_is_the_bench_config_and_search_report_runs(tmp_path, capsys):
    import json
    from pathlib import Path

    from move37.cli import main
    from move37.reasoning import config
    from move37.reasoning.train import train

    bench = config.load(Path(__file__).parent.parent / "bench" / "reasoning_countdown_search.json")
    assert config.for_task("countdown_search") == bench and bench.model.block_size == 192
    tiny = {"task": "countdown_search", "checkpoint_every": 5, "log_every": 1,
            "model": {"n_layer": 1, "n_head": 2, "n_embd": 16, "block_size": 192},
            "sft": {"steps": 2, "batch_size": 4, "min_difficulty": 2, "max_difficulty": 3},
            "grpo": {"steps": 1, "prompts_per_step": 2, "group_size": 2},
            "curriculum": {"start": 2, "min_difficulty": 2, "max_difficulty": 3},
            "eval": {"difficulties": [3], "problems": 4, "k": 1, "every": 1}}
    run = tmp_path / "r"
    train(run, config.from_dict(tiny), progress=False)
    assert main(["reason", "search-report", str(run), "--tries", "2"]) == 0
    report = json.loads((run / "search.json").read_text())
    assert set(report) == {"imitation", "latest"} and (run / "search.png").stat().st_size > 0
    r = report["latest"]["3"]
    assert r["problems"] == 4 and 0 <= r["beyond_demonstrator"] <= 1 and r["demonstrator_entries"] >= 1
    assert main(["reason", "search-report", str(run), "--tries", "0"]) == 2


def test_best_first_order_solves_more_within_the_same_budget():
    fixed, best = tasks.make("countdown_search:skip=0.0"), tasks.make("countdown_search:skip=0.0,best_first=true")
    rng = np.random.default_rng(2)
    problems = [fixed.generate(4, rng) for _ in range(150)]
    assert np.mean([fixed.search_solves(p, None) for p in problems]) + 0.15 < \
        np.mean([best.search_solves(p, None) for p in problems])
