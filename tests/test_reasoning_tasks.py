"""Tasks: conformance over the registry, the demonstrators' habits, the whitelist parser."""

from fractions import Fraction

import numpy as np
import pytest

from move37.errors import SpecError, UnknownNameError
from move37.reasoning import tasks
from move37.reasoning.tasks.conformance import check_task
from move37.reasoning.tasks.expression import ExpressionError, evaluate


SPECS = [n for n in tasks.names() if n != "gym"] + ["sorting:pad=true", "gym:spell_backward", "gym:lcm"]


@pytest.mark.parametrize("name", SPECS)
def test_conformance(name):
    if name.startswith("gym:"):
        pytest.importorskip("reasoning_gym")
    check_task(tasks.make(name), problems_per_difficulty=8)


def test_gym_adapter_uses_the_datasets_scorer_and_curriculum():
    pytest.importorskip("reasoning_gym")
    task = tasks.make("gym:spell_backward")
    assert task.max_difficulty == 5  # the curriculum's word-length levels
    easy = [task.generate(1, np.random.default_rng(i)) for i in range(30)]
    hard = [task.generate(5, np.random.default_rng(i)) for i in range(30)]
    assert max(len(p.answer) for p in easy) < max(len(p.answer) for p in hard)
    p = easy[0]
    assert p.answer == p.meta["metadata"]["word"][::-1]
    assert tasks.verify(task, p, "anything at all=>" + p.answer).reward == 1.0
    assert tasks.verify(task, p, "=>" + p.answer + "x").reward == 0.0
    assert tasks.make("gym:spell_backward,partial=true").check_answer(p, p.answer + "x").reward > 0
    assert task.generate(2, np.random.default_rng(5)) == task.generate(2, np.random.default_rng(5))
    with pytest.raises(Exception, match="unknown reasoning-gym dataset"):
        tasks.make("gym:no_such_dataset")


def test_addition_trace_and_slip():
    task = tasks.make("addition:slip=1.0,width=4")
    problem = task.generate(4, np.random.default_rng(0))
    assert problem.prompt[4] == "+" and problem.prompt[-1] == "="
    problem = type(problem)("4725+1385=", "6110", 4, {"a": "4725", "b": "1385"})
    assert task.reference(problem) == "5+5+0=10,2+8+1=11,7+3+1=11,4+1+1=06=>06110"
    # the column making exactly ten loses its carry; the others keep theirs
    assert task.demonstrate(problem, np.random.default_rng(0)) == "5+5+0=10,2+8+0=10,7+3+0=10,4+1+0=05=>05000"
    assert tasks.verify(task, problem, "junk=>6110").reward == 1.0  # only the answer is judged
    assert tasks.verify(task, problem, "=>0006110").reward == 1.0  # leading zeros are fine
    assert tasks.verify(task, problem, "=>6110.0").reason.startswith("malformed")
    assert tasks.verify(task, problem, "=>6111").reason == "wrong"


def test_addition_demonstrator_accuracy_band():
    """At 6 digits the default demonstrator is right 50-70% of the time (the target's regime)."""
    task, rng = tasks.make("addition"), np.random.default_rng(1)
    problems = [task.generate(6, rng) for _ in range(2000)]
    acc = np.mean([tasks.verify(task, p, task.demonstrate(p, rng)).reward for p in problems])
    assert 0.5 <= acc <= 0.7


def test_countdown_demonstrator_left_to_right():
    task = tasks.make("countdown")
    problem = tasks.Problem("target 17 from 2 3 5:", "2*(3+5)+1", 3, {"numbers": [2, 3, 5], "target": 17})
    demo = task.demonstrate(problem, np.random.default_rng(0))
    assert demo == "2*3=6,6+5=11=>(2*3)+5" or tasks.verify(task, problem, demo).reward == 0.0
    assert tasks.verify(task, problem, "=>3*5+2").reward == 1.0
    assert tasks.verify(task, problem, "=>3*5+2+2").reason == "wrong: uses numbers not given"


def test_expression_parser_whitelist():
    assert evaluate("(3+5)*2/4-1") == (Fraction(3), [3, 5, 2, 4, 1])
    for bad in ["2**3", "-1", "1/0", "abc", "1+", "(1", "1)", "01", "__import__('os')", "(" * 20 + "1" + ")" * 20]:
        with pytest.raises(ExpressionError):
            evaluate(bad)


def test_registry_errors():
    with pytest.raises(UnknownNameError):
        tasks.make("nosuch")
    with pytest.raises(SpecError):
        tasks.make("addition:slip=2")
    with pytest.raises(SpecError):
        tasks.make("addition:bogus=1")


def test_padded_sorting_keeps_the_habit_and_the_width():
    task = tasks.make("sorting:pad=true,slip=1.0")
    problem = tasks.Problem("sort 105 022 007:", "007 022 105", 3, {"values": [105, 22, 7]})
    assert task.demonstrate(problem, np.random.default_rng(0)) == "105,022,007=>105 022 007"  # as words
    assert tasks.verify(task, problem, "=>007 022 105").reward == 1.0
    assert tasks.verify(task, problem, "=>7 22 105").reward == 1.0  # the width is a form, not the answer
    assert tasks.verify(task, problem, "=>007 105 022").reason == "wrong: not in order"
    generated = task.generate(5, np.random.default_rng(3))
    assert all(len(w) == 3 for w in generated.prompt[5:-1].split(" "))


def test_padded_sorting_default_config_is_the_measured_one():
    from pathlib import Path

    from move37.reasoning import config

    bench = config.load(Path(__file__).parent.parent / "bench" / "reasoning_sorting34_pad3000.json")
    assert config.for_task("sorting:pad=true") == bench
    assert config.for_task("sorting:pad=false").sft.steps == config.TrainConfig().sft.steps  # the bare form: generic


def test_plain_sorting_is_the_padded_form_with_its_measured_config():
    """What a new user runs (`move37 reason train --task sorting`) is the form that learns (RL greedy 0.955 / 0.935
    against the demonstrator's 0.634 / 0.544), not the bare form whose imitation cannot copy (0.020 / 0.005)."""
    from pathlib import Path

    from move37.reasoning import config

    rng = np.random.default_rng(5)
    assert tasks.make("sorting").generate(4, rng).prompt == tasks.make("sorting:pad=true").generate(
        4, np.random.default_rng(5)).prompt
    assert all(len(w) == 3 for w in tasks.make("sorting").generate(6, rng).prompt[5:-1].split(" "))
    assert config.for_task("sorting") == config.load(Path(__file__).parent.parent / "bench" / "reasoning_sorting.json")


def test_basic_arithmetic_runs_with_its_measured_config():
    """`move37 reason train --task gym:basic_arithmetic` runs the config measured to learn (held-out greedy 0.84 at
    level 1 against the demonstrator's 0.675), not the generic one (800 imitation steps over levels 1-4, which fail);
    a dataset without its own keeps the generic config."""
    pytest.importorskip("reasoning_gym")
    from pathlib import Path

    from move37.reasoning import config

    bench = config.load(Path(__file__).parent.parent / "bench" / "reasoning_basic_arithmetic.json")
    assert config.for_task("gym:basic_arithmetic") == bench
    assert config.for_task("gym:basic_arithmetic,slip=0.3").task == "gym:basic_arithmetic,slip=0.3"
    assert config.for_task("gym:spell_backward").sft.steps == config.TrainConfig().sft.steps
