"""Turning a token stream into next-token training pairs (ch. 2).

A window of `max_length` tokens is the input; the same window shifted by one is the target, so
every position learns to predict the token after it. Windows start every `stride` tokens: a
stride equal to `max_length` uses each token once per epoch, a smaller one overlaps windows.
"""

from __future__ import annotations

from collections.abc import Sequence

import torch
from torch.utils.data import DataLoader, Dataset

from studybuddy.engine.errors import EngineError
from studybuddy.engine.tokenizer import encode


class GPTDataset(Dataset):
    """Sliding-window (input, target) pairs over one sequence of token ids."""

    def __init__(self, token_ids: Sequence[int], max_length: int, stride: int) -> None:
        if max_length < 1 or stride < 1:
            raise EngineError(f"max_length and stride must be >= 1, got {max_length}, {stride}")
        if len(token_ids) < max_length + 1:
            raise EngineError(
                f"text has {len(token_ids)} tokens; need at least max_length + 1 = "
                f"{max_length + 1} to make one input/target pair"
            )
        ids = torch.as_tensor(list(token_ids), dtype=torch.long)
        # The last window must still have a target token after its final input token.
        starts = range(0, len(ids) - max_length, stride)
        self.input_ids = [ids[i : i + max_length] for i in starts]
        self.target_ids = [ids[i + 1 : i + max_length + 1] for i in starts]

    @classmethod
    def from_text(cls, text: str, max_length: int, stride: int) -> GPTDataset:
        return cls(encode(text), max_length, stride)

    def __len__(self) -> int:
        return len(self.input_ids)

    def __getitem__(self, index: int) -> tuple[torch.Tensor, torch.Tensor]:
        return self.input_ids[index], self.target_ids[index]


def create_dataloader(
    text_or_ids: str | Sequence[int],
    batch_size: int = 4,
    max_length: int = 256,
    stride: int = 128,
    shuffle: bool = True,
    drop_last: bool = True,
    num_workers: int = 0,
) -> DataLoader:
    """A DataLoader of (input, target) batches, each of shape (batch_size, max_length).

    Shuffling draws from torch's global generator, so `torch.manual_seed` makes it reproducible.
    """
    if isinstance(text_or_ids, str):
        dataset = GPTDataset.from_text(text_or_ids, max_length, stride)
    else:
        dataset = GPTDataset(text_or_ids, max_length, stride)
    return DataLoader(
        dataset,
        batch_size=batch_size,
        shuffle=shuffle,
        drop_last=drop_last,
        num_workers=num_workers,
    )
