"""Shared fixtures: where the ground-truth data made by others lives; one torch thread."""

from pathlib import Path

import pytest
import torch

SHARED_DATA = Path(__file__).resolve().parents[2] / "shared" / "data"


@pytest.fixture
def shared_data() -> Path:
    """../shared/data beside the checkout; tests that need it skip with a reason when absent."""
    if not SHARED_DATA.is_dir():
        pytest.skip(f"ground-truth folder {SHARED_DATA} not present")
    return SHARED_DATA


@pytest.fixture(scope="module")
def one_thread():
    """One torch thread for a module's tests: far faster than two on a shared CPU for models this small."""
    before = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(before)
