"""The model that ships with StudyBuddy, and loading any other checkpoint by path."""

from __future__ import annotations

from pathlib import Path

from studybuddy.engine.errors import EngineError
from studybuddy.engine.model import GPTModel
from studybuddy.locations import data_dir

MODEL_FILE = "gpt-study.pt"
RECORD_FILE = "training.json"


def shipped_model_dir() -> Path:
    return data_dir() / "model"


def shipped_model_path() -> Path:
    return shipped_model_dir() / MODEL_FILE


def load_pretrained(path: str | Path | None = None, device: str = "cpu") -> GPTModel:
    """A ready-to-use `GPTModel` in eval mode.

    No argument: the small GPT trained on our study notes (data/model/gpt-study.pt). A file: a
    checkpoint written by `studybuddy engine train`. A folder: our checkpoint inside it, or a
    Hugging Face GPT-2 folder (config.json + model.safetensors or pytorch_model.bin).
    """
    from studybuddy.engine.checkpoint import load_checkpoint, load_hf_gpt2

    target = Path(path) if path is not None else shipped_model_path()
    if target.is_dir():
        if (target / "config.json").is_file():
            return load_hf_gpt2(target, device)
        if (target / MODEL_FILE).is_file():
            return load_checkpoint(target / MODEL_FILE, device)
        raise EngineError(
            f"{target}: expected {MODEL_FILE} or a Hugging Face GPT-2 folder "
            "(config.json + model.safetensors or pytorch_model.bin)"
        )
    return load_checkpoint(target, device)
