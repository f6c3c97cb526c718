"""Reading a Llama-family GGUF file (llama.cpp's format) into our names and layout.

The `gguf` package parses the file and dequantizes its blocks (Q4_1, Q8_0, ...); this module
only checks what it finds, maps llama.cpp's tensor names to the book's, and undoes one layout
change: llama.cpp's converter permutes the rows of the query and key matrices so that its rotary
code can rotate adjacent feature pairs (0, 1), (2, 3), ... Our `RotaryEmbedding` rotates pairs
(i, i + head_dim/2) like the original checkpoints, so the rows are put back.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from studybuddy.engine.errors import EngineError
from studybuddy.engine.llama import LlamaConfig

CONTROL_TOKEN = 3  # llama.cpp's token type for special tokens such as <|im_end|>

# llama.cpp's per-block tensor names -> ours, under trf_blocks.{i}.
BLOCK_TENSORS = {
    "attn_norm.weight": "norm1.weight",
    "attn_q.weight": "att.W_query.weight",
    "attn_k.weight": "att.W_key.weight",
    "attn_v.weight": "att.W_value.weight",
    "attn_output.weight": "att.out_proj.weight",
    "ffn_norm.weight": "norm2.weight",
    "ffn_gate.weight": "ff.fc1.weight",
    "ffn_up.weight": "ff.fc2.weight",
    "ffn_down.weight": "ff.fc3.weight",
}
TOP_TENSORS = {
    "token_embd.weight": "tok_emb.weight",
    "output_norm.weight": "final_norm.weight",
    "output.weight": "out_head.weight",
}


@dataclass
class GGUFContents:
    """What a Llama GGUF holds: sizes, float32 weights under our names, the tokenizer's parts."""

    config: LlamaConfig
    weights: dict[str, Any]  # name -> numpy float32 array, ready for the model
    tokens: list[str]
    merges: list[str]
    special_tokens: list[str]  # the tokens llama.cpp marks as control
    chat_template: str | None
    metadata: dict[str, Any] = field(default_factory=dict)


def unpermute_rotary_rows(weight: Any, n_heads: int) -> Any:
    """Undo llama.cpp's reordering of a query or key matrix (out_features, in_features).

    Its converter regrouped each head's rows from (two halves, head_dim/2 rows) into (head_dim/2
    pairs, 2); swapping the two axes back restores the original order.
    """
    rows, cols = weight.shape
    head_dim = rows // n_heads
    return weight.reshape(n_heads, head_dim // 2, 2, cols).swapaxes(1, 2).reshape(rows, cols).copy()


def _field(reader: Any, key: str, path: Path, default: Any = ...) -> Any:
    entry = reader.fields.get(key)
    if entry is None:
        if default is ...:
            raise EngineError(f"{path}: metadata {key!r} is missing")
        return default
    return entry.contents()


def _int(reader: Any, key: str, path: Path) -> int:
    value = _field(reader, key, path)
    if not isinstance(value, int) or isinstance(value, bool):
        raise EngineError(f"{path}: metadata {key!r} should be an integer, got {value!r}")
    return value


def config_from_reader(reader: Any, path: Path) -> LlamaConfig:
    arch = _field(reader, "general.architecture", path)
    if arch != "llama":
        raise EngineError(f"{path}: architecture is {arch!r}; only 'llama' models are supported")
    tokens = reader.fields.get("tokenizer.ggml.tokens")
    vocab_size = len(tokens.data) if tokens is not None else _int(reader, "llama.vocab_size", path)
    emb_dim = _int(reader, "llama.embedding_length", path)
    n_heads = _int(reader, "llama.attention.head_count", path)
    cfg = LlamaConfig(
        vocab_size=vocab_size,
        context_length=_int(reader, "llama.context_length", path),
        emb_dim=emb_dim,
        n_heads=n_heads,
        n_kv_heads=int(_field(reader, "llama.attention.head_count_kv", path, n_heads)),
        n_layers=_int(reader, "llama.block_count", path),
        hidden_dim=_int(reader, "llama.feed_forward_length", path),
        rope_base=float(_field(reader, "llama.rope.freq_base", path, 10_000.0)),
        rms_eps=float(_field(reader, "llama.attention.layer_norm_rms_epsilon", path, 1e-5)),
        tie_weights=not any(t.name == "output.weight" for t in reader.tensors),
    )
    rope_dims = int(_field(reader, "llama.rope.dimension_count", path, cfg.head_dim))
    if rope_dims != cfg.head_dim:
        raise EngineError(
            f"{path}: rotary embedding over {rope_dims} of {cfg.head_dim} dims is not supported"
        )
    return cfg


def expected_shapes(cfg: LlamaConfig) -> dict[str, tuple[int, ...]]:
    """Every tensor the model needs, (out_features, in_features) like nn.Linear.weight."""
    kv = cfg.n_kv_heads * cfg.head_dim
    per_block = {
        "norm1.weight": (cfg.emb_dim,),
        "att.W_query.weight": (cfg.emb_dim, cfg.emb_dim),
        "att.W_key.weight": (kv, cfg.emb_dim),
        "att.W_value.weight": (kv, cfg.emb_dim),
        "att.out_proj.weight": (cfg.emb_dim, cfg.emb_dim),
        "norm2.weight": (cfg.emb_dim,),
        "ff.fc1.weight": (cfg.hidden_dim, cfg.emb_dim),
        "ff.fc2.weight": (cfg.hidden_dim, cfg.emb_dim),
        "ff.fc3.weight": (cfg.emb_dim, cfg.hidden_dim),
    }
    shapes = {
        "tok_emb.weight": (cfg.vocab_size, cfg.emb_dim),
        "final_norm.weight": (cfg.emb_dim,),
    }
    if not cfg.tie_weights:
        shapes["out_head.weight"] = (cfg.vocab_size, cfg.emb_dim)
    for i in range(cfg.n_layers):
        shapes.update({f"trf_blocks.{i}.{name}": shape for name, shape in per_block.items()})
    return shapes


def our_name(gguf_name: str) -> str | None:
    if gguf_name in TOP_TENSORS:
        return TOP_TENSORS[gguf_name]
    parts = gguf_name.split(".", 2)
    if len(parts) == 3 and parts[0] == "blk" and parts[1].isdigit() and parts[2] in BLOCK_TENSORS:
        return f"trf_blocks.{int(parts[1])}.{BLOCK_TENSORS[parts[2]]}"
    return None


def read_gguf(path: Path) -> GGUFContents:
    """Config, dequantized float32 weights under our names, and the tokenizer's parts.

    Every size is checked against the metadata before a tensor is dequantized, and any damage
    the parser trips over becomes one `EngineError` naming the file.
    """
    try:
        return _read(path)
    except EngineError:
        raise
    except (OSError, ValueError, IndexError, KeyError, TypeError, AssertionError) as exc:
        # gguf raises these for truncated or altered files (a short memmap, a bad type tag).
        reason = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        raise EngineError(f"{path}: not a readable GGUF file ({reason})") from None


def _read(path: Path) -> GGUFContents:
    import gguf
    import gguf.quants
    import numpy as np

    reader = gguf.GGUFReader(str(path))
    cfg = config_from_reader(reader, path)
    shapes = expected_shapes(cfg)
    weights: dict[str, Any] = {}
    for tensor in reader.tensors:
        name = our_name(tensor.name)
        if name is None or name not in shapes:
            raise EngineError(f"{path}: unexpected tensor {tensor.name!r}")
        # GGUF lists dimensions innermost first; nn.Linear wants (out, in).
        shape = tuple(int(n) for n in reversed(tensor.shape.tolist()))
        if shape != shapes[name]:
            raise EngineError(f"{path}: {tensor.name} has shape {shape}, expected {shapes[name]}")
        array = np.array(gguf.quants.dequantize(tensor.data, tensor.tensor_type), np.float32)
        array = array.reshape(shape)
        if name.endswith("att.W_query.weight"):
            array = unpermute_rotary_rows(array, cfg.n_heads)
        elif name.endswith("att.W_key.weight"):
            array = unpermute_rotary_rows(array, cfg.n_kv_heads)
        if not np.isfinite(array).all():
            raise EngineError(f"{path}: {tensor.name} holds values that are not finite")
        weights[name] = array
    missing = sorted(set(shapes) - set(weights))
    if missing:
        raise EngineError(f"{path}: {len(missing)} tensors missing, e.g. {missing[0]}")

    if _field(reader, "tokenizer.ggml.model", path) != "gpt2":
        raise EngineError(f"{path}: only byte-level BPE ('gpt2') tokenizers are supported")
    tokens = list(_field(reader, "tokenizer.ggml.tokens", path))
    merges = list(_field(reader, "tokenizer.ggml.merges", path))
    types = list(_field(reader, "tokenizer.ggml.token_type", path, [1] * len(tokens)))
    if len(types) != len(tokens):
        raise EngineError(f"{path}: {len(types)} token types for {len(tokens)} tokens")
    template = _field(reader, "tokenizer.chat_template", path, None)
    return GGUFContents(
        config=cfg,
        weights=weights,
        tokens=tokens,
        merges=merges,
        special_tokens=[t for t, kind in zip(tokens, types, strict=True) if kind == CONTROL_TOKEN],
        chat_template=template if isinstance(template, str) else None,
        metadata={
            "name": _field(reader, "general.name", path, ""),
            "license": _field(reader, "general.license", path, ""),
            "pre_tokenizer": _field(reader, "tokenizer.ggml.pre", path, ""),
        },
    )
