"""The byte-level BPE tokenizer a GGUF file describes, through Hugging Face's `tokenizers`.

The file holds the vocabulary and merges; how text is split before the merges is named by
`tokenizer.ggml.pre`. For SmolLM2 ("smollm", like StarCoder's) every digit stands alone, then
GPT-2's split applies. Control tokens (<|im_start|>, <|im_end|>, <|endoftext|>, ...) are matched
whole wherever they appear in the text. Instruct prompts are rendered with the chat template the
file carries (a Jinja template), in a sandbox since it comes from a file.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from studybuddy.engine.errors import EngineError

IM_START = "<|im_start|>"
IM_END = "<|im_end|>"
END_OF_TEXT = "<|endoftext|>"

# llama.cpp pre-tokenizer names whose split is "each digit alone, then GPT-2's regex".
DIGITS_THEN_GPT2 = {"smollm", "starcoder", "refact", "codeshell"}
PLAIN_GPT2 = {"gpt2", "default", ""}


def build_backend(tokens: list[str], merges: list[str], special: list[str], pre: str) -> Any:
    """A `tokenizers.Tokenizer` from a GGUF's vocabulary, merges and control tokens."""
    from tokenizers import AddedToken, Tokenizer, decoders, models, pre_tokenizers

    if pre not in DIGITS_THEN_GPT2 | PLAIN_GPT2:
        raise EngineError(f"pre-tokenizer {pre!r} is not supported (expected 'smollm' or 'gpt2')")
    vocab = {token: index for index, token in enumerate(tokens)}
    if len(vocab) != len(tokens):
        raise EngineError("the vocabulary lists a token twice")
    pairs = []
    for merge in merges:
        left, sep, right = merge.partition(" ")
        if not sep:
            raise EngineError(f"merge {merge!r} is not two tokens separated by a space")
        pairs.append((left, right))
    backend = Tokenizer(models.BPE(vocab=vocab, merges=pairs, fuse_unk=False))
    byte_level = pre_tokenizers.ByteLevel(add_prefix_space=False, use_regex=True)
    if pre in DIGITS_THEN_GPT2:
        backend.pre_tokenizer = pre_tokenizers.Sequence(
            [pre_tokenizers.Digits(individual_digits=True), byte_level]
        )
    else:
        backend.pre_tokenizer = byte_level
    backend.decoder = decoders.ByteLevel()
    backend.add_special_tokens([AddedToken(t, special=True, normalized=False) for t in special])
    return backend


class LlamaTokenizer:
    """encode(text) -> ids and decode(ids) -> text, plus the chat template for instruct turns."""

    def __init__(self, backend: Any, chat_template: str | None = None) -> None:
        self.backend = backend
        self.chat_template = chat_template
        self._template: Any = None

    @classmethod
    def from_file(cls, path: Path, chat_template: str | None = None) -> LlamaTokenizer:
        from tokenizers import Tokenizer

        return cls(Tokenizer.from_file(str(path)), chat_template)

    def save(self, path: Path) -> None:
        self.backend.save(str(path))

    @property
    def n_vocab(self) -> int:
        return int(self.backend.get_vocab_size(with_added_tokens=True))

    def encode(self, text: str) -> list[int]:
        """Token ids of `text`; special tokens written in the text become their single id."""
        return list(self.backend.encode(text, add_special_tokens=False).ids)

    def decode(self, ids: Any) -> str:
        """Text of `ids`, special tokens included, so decode(encode(text)) == text."""
        return str(self.backend.decode([int(i) for i in ids], skip_special_tokens=False))

    def token_id(self, token: str) -> int:
        found = self.backend.token_to_id(token)
        if found is None:
            raise EngineError(f"token {token!r} is not in the vocabulary")
        return int(found)

    def token_text(self, token_id: int) -> str:
        """One token's own text (may be part of a multi-byte character)."""
        return self.decode([token_id])

    @property
    def stop_ids(self) -> set[int]:
        """Tokens that end an assistant turn or the text."""
        return {
            int(i) for t in (IM_END, END_OF_TEXT) if (i := self.backend.token_to_id(t)) is not None
        }

    def render_chat(
        self, messages: list[dict[str, str]], add_generation_prompt: bool = True
    ) -> str:
        """Prompt text for `messages` ([{"role": ..., "content": ...}]) by the file's template."""
        if self.chat_template is None:
            raise EngineError("this model has no chat template")
        if self._template is None:
            from jinja2.sandbox import ImmutableSandboxedEnvironment

            env = ImmutableSandboxedEnvironment(trim_blocks=True, lstrip_blocks=True)
            self._template = env.from_string(self.chat_template)
        return str(
            self._template.render(messages=messages, add_generation_prompt=add_generation_prompt)
        )
