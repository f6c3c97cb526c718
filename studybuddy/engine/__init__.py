"""The from-scratch GPT engine: tokenizer, data, attention, model, generation, training, weights.

Public surface: `GPTConfig, GPTModel, get_tokenizer, generate, load_pretrained`. Names load on
first use, so importing `studybuddy.engine` (or its tokenizer) does not import torch.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from studybuddy.engine.config import GPTConfig
    from studybuddy.engine.generate import generate
    from studybuddy.engine.model import GPTModel
    from studybuddy.engine.pretrained import load_pretrained
    from studybuddy.engine.tokenizer import get_tokenizer

_WHERE = {
    "GPTConfig": "studybuddy.engine.config",
    "GPTModel": "studybuddy.engine.model",
    "get_tokenizer": "studybuddy.engine.tokenizer",
    "generate": "studybuddy.engine.generate",
    "load_pretrained": "studybuddy.engine.pretrained",
    "EngineError": "studybuddy.engine.errors",
}

__all__ = ["GPTConfig", "GPTModel", "get_tokenizer", "generate", "load_pretrained", "EngineError"]


def __getattr__(name: str) -> Any:
    if name not in _WHERE:
        raise AttributeError(f"module 'studybuddy.engine' has no attribute {name!r}")
    return getattr(importlib.import_module(_WHERE[name]), name)
