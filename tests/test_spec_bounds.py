"""Bounded spec options (move37.spec.Bound): refused beyond their range, tighter from outside."""

from __future__ import annotations

from typing import Annotated

import pytest

from move37 import agents, games
from move37.errors import LimitError, SpecError
from move37.spec import Bound, call_with_spec, option_bounds, parse_spec

Count = Annotated[int, Bound(1, 1000, outside=10)]
Wait = Annotated[float, Bound(0.5, 60, outside=5)]


def factory(path: str = "", /, *, count: Count | None = None, wait: Wait = 30.0, name: str = "x"):
    return {"path": path, "count": count, "wait": wait, "name": name}


def build(text: str, outside: bool = False) -> dict:
    return call_with_spec(factory, parse_spec(text), "thing", outside=outside)


def test_values_inside_the_bound_pass_and_outside_it_are_limit_errors():
    assert build("t:count=1000")["count"] == 1000 and build("t:count=none")["count"] is None
    with pytest.raises(LimitError, match=r"thing 't': option count=1001: must be in 1\.\.1000$"):
        build("t:count=1001")
    with pytest.raises(LimitError, match=r"count=0"):
        build("t:count=0")
    with pytest.raises(LimitError, match=r"wait=inf"):
        build("t:wait=inf")
    assert issubclass(LimitError, SpecError)  # every caller that reports SpecError reports these


def test_outside_meets_the_lower_top_and_defaults_come_down_to_it():
    assert build("t:count=10", outside=True)["count"] == 10
    with pytest.raises(LimitError, match=r"count=11: must be in 1\.\.10 for a request from outside"):
        build("t:count=11", outside=True)
    assert build("t")["wait"] == 30.0  # the default for a local caller
    out = build("t:p", outside=True)
    assert out["wait"] == 5.0 and isinstance(out["wait"], float) and out["count"] is None and out["path"] == "p"
    assert build("t:wait=2", outside=True)["wait"] == 2.0


def test_option_bounds_reads_plain_and_optional_annotations():
    assert option_bounds(factory) == {"count": Bound(1, 1000, outside=10), "wait": Bound(0.5, 60, outside=5)}


def test_clamp():
    bound = Bound(1, 100, outside=10)
    assert [bound.clamp(v) for v in (0, 5, 500)] == [1, 5, 100]
    assert bound.clamp(500, outside=True) == 10


def test_every_agents_bounded_options_are_checked_before_it_is_built():
    game = games.make("tictactoe")
    for name in agents.names():
        for option, bound in agents.bounds(name).items():
            command = "x," if agents.starts_process(name) else ""  # never started: the bound fails first
            with pytest.raises(LimitError, match=f"option {option}="):
                agents.make(f"{name}:{command}{option}={int(bound.high) + 1}", game)


def test_options_after_a_comma_instead_of_a_colon_get_the_colon_form_suggested():
    with pytest.raises(SpecError, match=r"options follow a colon: zero:sims=64\)$"):
        parse_spec("zero,sims=64")
    with pytest.raises(SpecError, match=r"bad name 'no name!' in spec 'no name!'$"):
        parse_spec("no name!")
