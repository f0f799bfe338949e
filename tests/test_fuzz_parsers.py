"""Property-based fuzzing (Hypothesis) of every parser of outside text whose rule holds now: SGF, PGN, FEN,
positions and move texts of every game, game and task specs, the reasoning verifiers, train and reasoning
config files, GTP lines (and loadsgf files), UCI lines and HTTP requests to the play server.

Each case (tests/fuzzing.py) states the rule: a specific error (Move37Error, `?`, an ignored UCI line, a 4xx),
never a traceback, and nothing written. bench/reliability.py runs the same cases with 10,000+ inputs each;
tests/test_fuzz_pending.py holds the cases whose fixes are on other branches; tests/test_fuzz.py feeds random
lines to the protocol servers as subprocesses.
"""

from __future__ import annotations

import pytest
import fuzzing

CASES = {case.name: case for case in fuzzing.cases()}
EXAMPLES = {"http": 150, "uci": 150, "gtp:loadsgf": 100}  # every other case: 200


@pytest.mark.timeout(300)
@pytest.mark.parametrize("name", sorted(CASES))
def test_parser_keeps_the_rule(name, one_thread):
    fuzzing.run_case(CASES[name], EXAMPLES.get(name, 200))
