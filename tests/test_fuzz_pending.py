"""Fuzz cases whose fixes are on another branch of issue 16 (to merge once it lands; see tests/fuzzing.py's
`pending_cases`): config files for `move37 train` and `move37 reason train` (binary, deeply nested, NaN, not an
object: the `runs` branch's one config reader).

Against main before that merge these tests fail: that is what they are for.
"""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import fuzzing

CASES = {case.name: case for case in fuzzing.pending_cases()}


@pytest.mark.timeout(300)
@pytest.mark.parametrize("name", sorted(CASES))
def test_parser_keeps_the_rule(name, one_thread):
    fuzzing.run_case(CASES[name], 150)


@pytest.mark.timeout(300)
@pytest.mark.parametrize("command", [["train", "tictactoe"], ["reason", "train"]])
def test_hostile_config_is_one_line_and_writes_nothing(command):
    """`move37 train ... --config FILE` and `move37 reason train --config FILE` with a file no reader may accept:
    exit 2, one `move37: error:` line, and no run folder."""
    from move37.reasoning.config import TrainConfig

    @settings(max_examples=25, deadline=None, database=None, suppress_health_check=list(HealthCheck))
    @given(st.one_of(fuzzing.hostile_config_texts(TrainConfig().to_dict()), st.just(b"null"), st.just(b"[1, 2]")))
    def run(data):
        with fuzzing.scratch_folder() as folder:
            (folder / "config.json").write_bytes(data)
            argv = [*command, "--out", str(folder / "run"), "--config", str(folder / "config.json")]
            rc, out, err = fuzzing.run_cli(argv + (["--iterations", "1"] if command[0] == "train" else ["--quiet"]))
            assert rc == 2 and len(err.splitlines()) == 1 and err.startswith("move37: error: "), (rc, err[-500:])
            assert fuzzing.files_under(folder) == ["config.json"]

    run()
