"""Helpers shared by demo families: reproducible randomness and readable tokens."""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def seeded(seed: int) -> Iterator[None]:
    """Seed torch's global generator for the block, then put its old state back.

    The engine's layers initialise from the global generator (as the book's do), so a seed is the
    only way to reproduce them; restoring the state keeps one demo from changing another's draws.
    """
    import torch

    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(seed)
        yield


@contextmanager
def torch_threads(count: int) -> Iterator[None]:
    """Run torch on `count` threads for the block, then restore the previous setting."""
    import torch

    before = torch.get_num_threads()
    if before != count:
        torch.set_num_threads(count)
    try:
        yield
    finally:
        if before != count:
            torch.set_num_threads(before)


def token_label(piece: bytes) -> str:
    """A token's bytes as a quoted string, so leading spaces and newlines stay visible."""
    return json.dumps(piece.decode("utf-8", errors="backslashreplace"), ensure_ascii=False)


def format_shape(shape: object) -> str:
    return "(" + ", ".join(str(int(d)) for d in shape) + ")"  # type: ignore[attr-defined]
