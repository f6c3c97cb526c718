"""The tokenizer and the trained model that ship in data/, loaded once per process.

Demos call these functions through the module (`shipped.model()`), so tests can stand a small
model in for the shipped one before data/model/ exists.
"""

from __future__ import annotations

import functools
from typing import Any

from studybuddy.demos.common import seeded, token_label
from studybuddy.demos.registry import DemoError


@functools.cache
def tokenizer() -> Any:
    from studybuddy.engine.errors import EngineError
    from studybuddy.engine.tokenizer import get_tokenizer

    try:
        return get_tokenizer()
    except EngineError as exc:
        raise DemoError(str(exc)) from None


@functools.cache
def model() -> Any:
    """The small GPT trained on our study notes, in eval mode."""
    from studybuddy.engine.errors import EngineError
    from studybuddy.engine.pretrained import load_pretrained, shipped_model_path

    if not shipped_model_path().is_file():
        raise DemoError(
            f"this demo needs the trained model, which is not installed "
            f"(expected {shipped_model_path()})"
        )
    try:
        return load_pretrained()
    except EngineError as exc:
        raise DemoError(str(exc)) from None


@functools.lru_cache(maxsize=2)
def untrained_model(seed: int) -> Any:
    """A freshly initialised model with the shipped model's configuration."""
    from studybuddy.engine.model import GPTModel

    with seeded(seed):
        fresh = GPTModel(model().cfg)
    return fresh.eval()


def encode(text: str) -> list[int]:
    from studybuddy.engine.tokenizer import END_OF_TEXT

    return tokenizer().encode(text, allowed_special={END_OF_TEXT})


def decode(ids: list[int]) -> str:
    return tokenizer().decode(list(ids))


def label(token_id: int) -> str:
    """One token as a quoted string (`" moves"`), bytes that are not UTF-8 escaped."""
    return token_label(tokenizer().decode_single_token_bytes(int(token_id)))
