"""bench/selfplay.py refuses a device it cannot use before it measures or writes anything."""

import subprocess
import sys
from pathlib import Path

import pytest
import torch

ROOT = Path(__file__).resolve().parent.parent


@pytest.mark.parametrize("device", ["cuda", "cuda:0", "tpu"])
def test_an_unavailable_device_is_an_error_and_nothing_is_written(device, tmp_path):
    if device.startswith("cuda") and torch.cuda.is_available():
        pytest.skip("this machine has CUDA")
    out = tmp_path / "selfplay.json"
    done = subprocess.run([sys.executable, str(ROOT / "bench" / "selfplay.py"), "--device", device, "--out", str(out)],
                          capture_output=True, text=True, timeout=120, cwd=ROOT)
    assert done.returncode == 2
    assert done.stderr.strip().splitlines()[-1].startswith(f"selfplay.py: error: --device {device}: torch ")
    assert not out.exists()
