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


# The share of each study note held out for validation when the shipped model was trained
# (training.json's recipe says 0.1); the n-gram baseline must be scored on the same tokens.
VAL_FRACTION = 0.1


@functools.cache
def corpus_texts() -> tuple[tuple[str, str], ...]:
    """The study notes in data/corpus as (file name, text), in name order."""
    from studybuddy.locations import data_dir

    folder = data_dir() / "corpus"
    files = sorted(folder.glob("*.md")) if folder.is_dir() else []
    if not files:
        raise DemoError(f"this demo needs the study notes, which are not installed ({folder})")
    return tuple((f.name, f.read_text(encoding="utf-8")) for f in files)


@functools.cache
def corpus_split() -> Any:
    """The notes as token ids, split into training and validation exactly as the shipped model
    was trained (the engine's own `load_corpus`)."""
    from studybuddy.engine.errors import EngineError
    from studybuddy.engine.recipe import load_corpus
    from studybuddy.locations import data_dir

    corpus_texts()  # the same clear error when the notes are missing
    try:
        return load_corpus(data_dir() / "corpus", VAL_FRACTION)
    except EngineError as exc:
        raise DemoError(str(exc)) from None


@functools.cache
def training_record() -> dict[str, Any]:
    """data/model/training.json: the shipped model's own record of its training run."""
    import json

    from studybuddy.engine.pretrained import shipped_model_dir

    path = shipped_model_dir() / "training.json"
    if not path.is_file():
        raise DemoError(f"this demo needs the training record, which is not installed ({path})")
    if path.stat().st_size > 5_000_000:  # bound what is read: the real one is a few kB
        raise DemoError(f"{path}: too large to be a training record")
    try:
        record = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise DemoError(f"{path}: not readable as JSON ({exc})") from None
    if not isinstance(record, dict):
        raise DemoError(f"{path}: expected a JSON object")
    return record


def encode(text: str) -> list[int]:
    from studybuddy.engine.tokenizer import END_OF_TEXT

    return tokenizer().encode(text, allowed_special={END_OF_TEXT})


def decode(ids: list[int]) -> str:
    return tokenizer().decode(list(ids))


def label(token_id: int) -> str:
    """One token as a quoted string (`" moves"`), bytes that are not UTF-8 escaped."""
    return token_label(tokenizer().decode_single_token_bytes(int(token_id)))
