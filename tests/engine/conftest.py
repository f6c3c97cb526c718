"""Engine tests run on one thread: their tensors are tiny, and on a busy 2-core machine two
OpenMP threads mostly wait for each other (a 30x slowdown measured on the training test)."""

from __future__ import annotations

import pytest


@pytest.fixture(autouse=True, scope="module")
def one_torch_thread():
    import torch

    before = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(before)
