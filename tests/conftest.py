"""Shared fixtures: the public ground-truth data made by others (for cross-checks only); one torch thread."""

from pathlib import Path

import pytest
import torch

from move37.data import public_data


@pytest.fixture
def shared_data() -> Path:
    """The public sets ($MOVE37_SHARED_DATA, else ../shared/data beside the checkout). Only tests whose
    purpose is the cross-check against them use this; they skip with a reason where it is absent.
    Everything else reads the positions shipped in move37/data."""
    path = public_data()
    if path is None:
        pytest.skip("public ground-truth folder not present (set MOVE37_SHARED_DATA or put it at ../shared/data)")
    return path


@pytest.fixture(scope="module")
def one_thread():
    """One torch thread for a module's tests: far faster than two on a shared CPU for models this small."""
    before = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(before)
