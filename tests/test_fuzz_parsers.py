"""Property-based fuzzing (Hypothesis) of every parser of outside text whose rule holds now: SGF, PGN, FEN,
positions and move texts of every game, game, task and agent specs (agents from outside: the play page, UCI
setoption), the reasoning verifiers, arena records files, config files of both trainers, GTP lines (and loadsgf
files), UCI lines and HTTP requests to the play server.

Each case (tests/fuzzing.py) states the rule: a specific error (a one-line Move37Error, `?`, an ignored UCI
line, a 4xx), never a traceback, no program started by an agent from outside, and nothing written.
bench/reliability.py runs the same cases with 10,000+ inputs each; tests/test_fuzz_cli.py runs positions and
config files through the command line; tests/test_fuzz.py feeds random lines to the protocol servers as
subprocesses.
"""

from __future__ import annotations

import pytest

import fuzzing

CASES = {case.name: case for case in fuzzing.cases()}
EXAMPLES = {"http": 150, "http:agents": 100, "uci": 150, "uci:setoption": 100, "gtp:loadsgf": 100}  # others: 200


@pytest.mark.timeout(300)
@pytest.mark.parametrize("name", sorted(CASES))
def test_parser_keeps_the_rule(name, one_thread):
    fuzzing.run_case(CASES[name], EXAMPLES.get(name, 200))


@pytest.mark.timeout(120)
def test_web_content_length_that_is_no_length():
    """A Content-Length the server cannot read as a length ("²" passes str.isdigit) is a 400, not a 500."""
    client = fuzzing.WebClient.start()
    try:
        for length in fuzzing.BAD_LENGTHS:
            status, data = client.request("POST", "/api/games", b"{}", "application/json", length)
            assert status == 400 and "Content-Length" in fuzzing.json.loads(data)["error"], (length, status, data)
    finally:
        client.close()
