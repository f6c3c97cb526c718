"""`GPTConfig`: the model's hyperparameters under the book's names, and the named presets."""

from __future__ import annotations

from dataclasses import asdict, dataclass, replace
from typing import Any

from studybuddy.engine.errors import EngineError


@dataclass(frozen=True)
class GPTConfig:
    """Everything needed to build a `GPTModel`; field names follow the book (ch. 4)."""

    vocab_size: int = 50257  # GPT-2's BPE vocabulary: 50,000 merges + 256 bytes + <|endoftext|>
    context_length: int = 1024  # positions the model can attend over (size of pos_emb)
    emb_dim: int = 768
    n_heads: int = 12
    n_layers: int = 12
    drop_rate: float = 0.1  # for training; dropout is off in eval mode anyway
    qkv_bias: bool = False  # GPT-2's released weights have it; the book trains without it
    # Our addition: share one matrix between tok_emb and out_head, as GPT-2 itself does. It halves
    # the largest part of a small model, which is what lets the shipped checkpoint fit in 16 MB.
    tie_weights: bool = False

    def __post_init__(self) -> None:
        if self.emb_dim % self.n_heads:
            raise EngineError(
                f"emb_dim ({self.emb_dim}) must be divisible by n_heads ({self.n_heads})"
            )
        for name in ("vocab_size", "context_length", "emb_dim", "n_heads", "n_layers"):
            if getattr(self, name) < 1:
                raise EngineError(f"{name} must be a positive integer, got {getattr(self, name)}")
        if not 0.0 <= self.drop_rate < 1.0:
            raise EngineError(f"drop_rate must be in [0, 1), got {self.drop_rate}")

    @property
    def head_dim(self) -> int:
        return self.emb_dim // self.n_heads

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, values: dict[str, Any]) -> GPTConfig:
        known = set(cls.__dataclass_fields__)
        unknown = sorted(set(values) - known)
        if unknown:
            raise EngineError(
                f"unknown GPTConfig field(s) {unknown}; expected some of {sorted(known)}"
            )
        return cls(**values)

    def replace(self, **changes: Any) -> GPTConfig:
        return replace(self, **changes)


# GPT-2's four released sizes (Radford et al. 2019), with the book's training defaults.
PRESETS: dict[str, GPTConfig] = {
    "gpt2-small": GPTConfig(emb_dim=768, n_layers=12, n_heads=12),
    "gpt2-medium": GPTConfig(emb_dim=1024, n_layers=24, n_heads=16),
    "gpt2-large": GPTConfig(emb_dim=1280, n_layers=36, n_heads=20),
    "gpt2-xl": GPTConfig(emb_dim=1600, n_layers=48, n_heads=25),
    # The model shipped in data/model/: small enough to train in minutes on 2 CPU cores and to
    # store in under 16 MB (tied embeddings, fp16 on disk). The 50257 x 128 embedding matrix is
    # still most of it (6.4M of 7.2M parameters).
    # No dropout: in minutes of training the model underfits (train loss ~ val loss), and trials
    # with 0.1 learned no better.
    "gpt-study": GPTConfig(
        context_length=256, emb_dim=128, n_heads=4, n_layers=4, drop_rate=0.0, tie_weights=True
    ),
}


def get_preset(name: str) -> GPTConfig:
    """The preset called `name`, or a one-line error listing the known ones."""
    try:
        return PRESETS[name]
    except KeyError:
        raise EngineError(
            f"unknown preset {name!r}; expected one of: {', '.join(PRESETS)}"
        ) from None
