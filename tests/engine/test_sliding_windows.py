"""Sliding-window input/target pairs."""

from __future__ import annotations

import pytest
import torch

from studybuddy.engine.data import GPTDataset, create_dataloader
from studybuddy.engine.errors import EngineError


def test_windows_and_shifted_targets():
    data = GPTDataset(list(range(10)), max_length=4, stride=3)
    # Starts 0, 3 (a window at 6 would need token 10 as its last target).
    assert [w.tolist() for w in data.input_ids] == [[0, 1, 2, 3], [3, 4, 5, 6]]
    assert [w.tolist() for w in data.target_ids] == [[1, 2, 3, 4], [4, 5, 6, 7]]


def test_exactly_max_length_plus_one_tokens_gives_one_pair():
    data = GPTDataset([7, 8, 9], max_length=2, stride=1)
    assert len(data) == 1
    assert data[0][0].tolist() == [7, 8] and data[0][1].tolist() == [8, 9]


def test_too_short_text_is_a_clear_error():
    with pytest.raises(EngineError, match=r"has 3 tokens; need at least max_length \+ 1 = 5"):
        GPTDataset([1, 2, 3], max_length=4, stride=1)


def test_loader_from_text_batches():
    text = "Every effort moves you forward, one token at a time. " * 20
    loader = create_dataloader(text, batch_size=3, max_length=8, stride=8, shuffle=False)
    inputs, targets = next(iter(loader))
    assert inputs.shape == targets.shape == (3, 8)
    assert inputs.dtype == torch.long
    assert torch.equal(inputs[:, 1:], targets[:, :-1])
    assert torch.equal(inputs[1, 0:1], targets[0, -1:])  # stride 8: windows touch end to end
