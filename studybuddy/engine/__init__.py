"""The from-scratch GPT engine: tokenizer, data, attention, model, generation, training, weights.

Public surface: `GPTConfig, GPTModel, LlamaConfig, LlamaModel, get_tokenizer, generate,
load_pretrained` (`load_pretrained("smollm2")` and `get_tokenizer("smollm2")` for SmolLM2).

Importing this package imports torch (about 1.5 s), so the app imports it only inside the
functions that compute. The names are bound here, eagerly, because `generate` is both a function
and the module that holds it: bound lazily, the module would win whenever
`studybuddy.engine.generate` had been imported first.
"""

from __future__ import annotations

from studybuddy.engine.config import GPTConfig
from studybuddy.engine.errors import EngineError
from studybuddy.engine.generate import generate
from studybuddy.engine.llama import LlamaConfig, LlamaModel
from studybuddy.engine.model import GPTModel
from studybuddy.engine.pretrained import load_pretrained
from studybuddy.engine.tokenizer import get_tokenizer

__all__ = [
    "GPTConfig",
    "GPTModel",
    "LlamaConfig",
    "LlamaModel",
    "get_tokenizer",
    "generate",
    "load_pretrained",
    "EngineError",
]
