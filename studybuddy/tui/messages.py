"""App-wide messages."""

from __future__ import annotations

from textual.message import Message


class ProgressChanged(Message):
    """An attempt was recorded; screens showing counts should refresh them."""
