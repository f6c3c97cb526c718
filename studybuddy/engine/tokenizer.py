"""GPT-2's byte-pair encoding through tiktoken, built from the BPE ranks shipped in data/.

Nothing is downloaded: tiktoken is handed the local file and the sha256 it expects for
`r50k_base` (the GPT-2 encoding), and we check that hash ourselves first so a damaged file gives a
clear error instead of a silently different tokenizer.
"""

from __future__ import annotations

import functools
import hashlib
import os
from pathlib import Path

from studybuddy.engine.errors import EngineError
from studybuddy.locations import data_dir, tiktoken_cache_dir

BPE_FILE = "gpt2.tiktoken"
# The hash tiktoken_ext.openai_public pins for r50k_base.tiktoken; the bytes are GPT-2's ranks.
BPE_SHA256 = "306cd27f03c1a714eca7108e03d66b7dc042abe8c258b44c199a7ed9838dd930"
END_OF_TEXT = "<|endoftext|>"
END_OF_TEXT_ID = 50256


def bpe_path() -> Path:
    return data_dir() / BPE_FILE


def _check_bpe_file(path: Path) -> None:
    if not path.is_file():
        raise EngineError(f"{path}: BPE ranks not found (expected GPT-2's {BPE_FILE})")
    digest = hashlib.sha256(path.read_bytes()).hexdigest()
    if digest != BPE_SHA256:
        raise EngineError(f"{path}: sha256 is {digest}, expected {BPE_SHA256} (r50k_base)")


@functools.cache
def get_tokenizer(name: str | None = None):
    """GPT-2's tokenizer (a `tiktoken.Encoding`), built once per process.

    `name="smollm2"`: SmolLM2's byte-level BPE instead (a `LlamaTokenizer` with the same
    `encode(text)` and `decode(ids)`); "gpt2" or "gpt-study" name GPT-2's explicitly.
    """
    if name == "smollm2":
        from studybuddy.engine.smollm2 import load_tokenizer

        return load_tokenizer()
    if name not in (None, "gpt2", "gpt-study"):
        raise EngineError(f"unknown tokenizer {name!r}; expected gpt2 or smollm2")
    import tiktoken
    import tiktoken.load
    from tiktoken_ext.openai_public import r50k_pat_str

    path = bpe_path()
    _check_bpe_file(path)
    # tiktoken copies even local files into a cache, /tmp unless told otherwise.
    os.environ.setdefault("TIKTOKEN_CACHE_DIR", str(tiktoken_cache_dir()))
    ranks = tiktoken.load.load_tiktoken_bpe(str(path), expected_hash=BPE_SHA256)
    return tiktoken.Encoding(
        name="gpt2",
        pat_str=r50k_pat_str,
        mergeable_ranks=ranks,
        special_tokens={END_OF_TEXT: END_OF_TEXT_ID},
        explicit_n_vocab=END_OF_TEXT_ID + 1,
    )


def encode(text: str) -> list[int]:
    """Token ids of `text`; `<|endoftext|>` written in the text becomes the special token."""
    return get_tokenizer().encode(text, allowed_special={END_OF_TEXT})


def decode(ids) -> str:
    return get_tokenizer().decode(list(ids))


def visible_newlines(text: str) -> str:
    """Text with each newline shown as ↵, so generated text keeps to one readable line."""
    return text.replace("\r\n", "↵").replace("\n", "↵")
