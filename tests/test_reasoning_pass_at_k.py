"""pass@k: the unbiased estimator against the binomials by hand, and the CLI on a tiny run."""

import json
import math
import os
import subprocess
import sys

import numpy as np
import pytest

from move37.reasoning import config
from move37.reasoning.pass_at_k import ks_up_to, pass_at_k
from move37.reasoning.train import train

from test_reasoning_run import TINY

pytestmark = pytest.mark.usefixtures("one_thread")


def test_estimator_matches_the_binomials():
    n = 20
    c = np.array([0, 1, 5, 19, 20])
    for k in (1, 2, 7, 16, 20):
        expected = [1 - math.comb(n - ci, k) / math.comb(n, k) for ci in c]
        np.testing.assert_allclose(pass_at_k(n, c, k), expected, rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(pass_at_k(n, c, 1), c / n)
    assert ks_up_to(256) == [1, 2, 4, 8, 16, 32, 64, 128, 256] and ks_up_to(6) == [1, 2, 4, 6]
    with pytest.raises(ValueError):
        pass_at_k(4, c, 5)


def test_cli_writes_monotone_curves_for_both_models(tmp_path):
    run = tmp_path / "r"
    train(run, config.from_dict(TINY), progress=False)
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)}
    cmd = [sys.executable, "-m", "move37.cli", "reason", "pass-at-k", str(run), "-n", "8", "--problems", "4"]
    done = subprocess.run(cmd, capture_output=True, text=True, env=env, timeout=300)
    assert done.returncode == 0, done.stderr
    data = json.loads((run / "pass_at_k.json").read_text())
    curves = data["curves"]["2"]
    assert set(curves) == {"imitation", "latest"}
    for curve in curves.values():
        values = [curve[str(k)] for k in (1, 2, 4, 8)]
        assert values == sorted(values) and all(0 <= v <= 1 for v in values)
    assert (run / "pass_at_k.png").read_bytes()[:4] == b"\x89PNG"
    bad = subprocess.run(cmd[:-4] + ["-n", "0"], capture_output=True, text=True, env=env, timeout=120)
    assert bad.returncode == 2 and len(bad.stderr.strip().splitlines()) == 1
