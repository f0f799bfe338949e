"""bench/worldmodel_c4.py: a child's CPU time read from /proc, and metrics rows mapped to the CPU spent."""

import importlib.util
import subprocess
import sys
from pathlib import Path

import pytest

from move37 import runs

ROOT = Path(__file__).resolve().parent.parent
spec = importlib.util.spec_from_file_location("worldmodel_c4", ROOT / "bench" / "worldmodel_c4.py")
c4 = importlib.util.module_from_spec(spec)
spec.loader.exec_module(c4)


@pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="needs Linux /proc")
def test_cpu_seconds_counts_a_busy_child():
    child = subprocess.Popen([sys.executable, "-c", "import time\nt = time.process_time()\n"
                              "while time.process_time() - t < 0.3: pass\ninput()"], stdin=subprocess.PIPE)
    try:
        for _ in range(200):
            if c4.cpu_seconds(child.pid) >= 0.25:
                break
            subprocess.run(["sleep", "0.05"])
        assert c4.cpu_seconds(child.pid) >= 0.25
    finally:
        child.kill()
        child.wait()


def test_curve_takes_each_rows_last_cpu_and_skips_rows_without_the_key(tmp_path):
    for row in [{"iteration": 1}, {"iteration": 2, "optimal_rate": 0.5}, {"iteration": 3, "optimal_rate": 0.6}]:
        runs.append_row(tmp_path / "metrics.jsonl", row)
    for row, cpu in [(0, 6.0), (1, 60.0), (2, 90.0), (1, 66.0)]:  # row 1 made again after a resume
        runs.append_row(tmp_path / "cpu.jsonl", {"row": row, "cpu": cpu, "wall": 0.0})
    assert c4.curve(tmp_path) == [(1.1, 0.5), (1.5, 0.6)]
