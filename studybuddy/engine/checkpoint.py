"""Saving and loading model weights: our own checkpoints, and GPT-2 in Hugging Face's format.

Our checkpoint is one `torch.save` file holding plain data only (a dict of the config, the state
dict and a format tag), so it loads with `torch.load(weights_only=True)`, which cannot run code
hidden in a file. With tied embeddings `out_head.weight` is not stored twice.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import torch

from studybuddy.engine.config import GPTConfig
from studybuddy.engine.errors import EngineError
from studybuddy.engine.model import GPTModel

FORMAT = "studybuddy-gpt/1"
HF_WEIGHT_FILES = ("model.safetensors", "pytorch_model.bin")
# A config is checked against these before any tensor is allocated: a 1 KB file must not be able
# to ask for 10,000 layers or hundreds of GB. GPT-2 XL (48 layers, 1.6B numbers) fits easily.
MAX_LAYERS = 256
MAX_MODEL_NUMBERS = 2_000_000_000  # parameters and buffers together: 8 GB in fp32


def save_checkpoint(
    model: GPTModel,
    path: str | Path,
    dtype: torch.dtype | None = None,
    metadata: dict[str, Any] | None = None,
) -> Path:
    """Write `model`'s config and weights to `path`; `dtype` (e.g. torch.float16) shrinks the file.

    Weights are stored contiguous and detached, so the file holds only the data itself.
    """
    state = model.state_dict()
    if model.cfg.tie_weights:
        del state["out_head.weight"]  # the same tensor as tok_emb.weight
    state = {
        name: (tensor.to(dtype) if dtype is not None else tensor).detach().contiguous().clone()
        for name, tensor in state.items()
    }
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    torch.save(
        {
            "format": FORMAT,
            "config": model.cfg.to_dict(),
            "state_dict": state,
            "metadata": metadata or {},
        },
        path,
    )
    return path


def _shape(t: tuple[int, ...] | torch.Size) -> str:
    return "(" + ", ".join(str(d) for d in t) + ")"


def load_state_into(model: GPTModel, state: dict[str, torch.Tensor], source: str) -> GPTModel:
    """Copy `state` into `model` after checking every name and shape, converting to the model's
    dtype. Any mismatch is one line naming the tensor and the shape the config expects."""
    expected = model.state_dict()
    if model.cfg.tie_weights and "out_head.weight" not in state and "tok_emb.weight" in state:
        state = {**state, "out_head.weight": state["tok_emb.weight"]}
    for name, tensor in expected.items():
        if name not in state:
            raise EngineError(
                f"{source}: missing tensor {name} (expected shape {_shape(tensor.shape)})"
            )
        if tuple(state[name].shape) != tuple(tensor.shape):
            raise EngineError(
                f"{source}: {name} has shape {_shape(state[name].shape)}, "
                f"expected {_shape(tensor.shape)} for this config"
            )
    unexpected = sorted(set(state) - set(expected))
    if unexpected:
        raise EngineError(f"{source}: unexpected tensor {unexpected[0]} (not in GPTModel)")
    dtype = next(iter(expected.values())).dtype
    model.load_state_dict({name: t.to(dtype) for name, t in state.items()})
    return model


def check_size(cfg: GPTConfig, source: str) -> None:
    """Refuse a config whose model would be absurdly large, without allocating it: the model
    is built on PyTorch's 'meta' device, which records shapes and holds no data."""
    if cfg.n_layers > MAX_LAYERS:
        raise EngineError(f"{source}: {cfg.n_layers} layers; at most {MAX_LAYERS} are loaded")
    with torch.device("meta"):
        shell = GPTModel(cfg)
    numbers = sum(t.numel() for t in (*shell.parameters(), *shell.buffers()))
    if numbers > MAX_MODEL_NUMBERS:
        raise EngineError(
            f"{source}: the config asks for {numbers:,} numbers (parameters and buffers); "
            f"at most {MAX_MODEL_NUMBERS:,} are loaded"
        )


def _config_from(values: Any, source: str) -> GPTConfig:
    if not isinstance(values, dict):
        raise EngineError(f"{source}: the config is not a mapping of GPTConfig fields")
    for name in ("vocab_size", "context_length", "emb_dim", "n_heads", "n_layers"):
        value = values.get(name)
        if value is not None and (not isinstance(value, int) or isinstance(value, bool)):
            raise EngineError(f"{source}: config {name} must be a whole number (got {value!r})")
    try:
        return GPTConfig.from_dict(values)
    except TypeError as exc:  # a field of the wrong type, e.g. a string for drop_rate
        raise EngineError(f"{source}: a config field has the wrong type ({exc})") from None


def load_checkpoint(path: str | Path, device: str = "cpu") -> GPTModel:
    """A `GPTModel` (in eval mode) from a checkpoint written by `save_checkpoint`."""
    path = Path(path)
    if not path.is_file():
        raise EngineError(f"{path}: no such checkpoint (expected a .pt file from save_checkpoint)")
    try:
        payload = torch.load(path, map_location=device, weights_only=True)
    except Exception as exc:  # a truncated or foreign file; torch's message names the cause
        raise EngineError(f"{path}: not a readable checkpoint ({_first_line(exc)})") from None
    if not isinstance(payload, dict) or payload.get("format") != FORMAT:
        raise EngineError(f"{path}: not a StudyBuddy checkpoint (expected format {FORMAT!r})")
    cfg = _config_from(payload.get("config"), str(path))
    check_size(cfg, str(path))
    state = payload.get("state_dict")
    if not isinstance(state, dict) or not all(isinstance(t, torch.Tensor) for t in state.values()):
        raise EngineError(f"{path}: the checkpoint's state_dict is not a mapping of tensors")
    model = GPTModel(cfg).to(device)
    load_state_into(model, state, str(path))
    return model.eval()


# --- GPT-2 weights in Hugging Face's layout -----------------------------------------------------


def hf_config_to_gpt(values: dict[str, Any], source: str = "config.json") -> GPTConfig:
    """The `GPTConfig` of a Hugging Face GPT-2 `config.json`."""
    activation = values.get("activation_function", "gelu_new")
    if activation != "gelu_new":
        raise EngineError(f"{source}: activation_function {activation!r}, expected 'gelu_new'")
    try:
        return GPTConfig(
            vocab_size=int(values["vocab_size"]),
            context_length=int(values.get("n_positions") or values["n_ctx"]),
            emb_dim=int(values["n_embd"]),
            n_heads=int(values["n_head"]),
            n_layers=int(values["n_layer"]),
            drop_rate=0.0,
            qkv_bias=True,  # GPT-2's c_attn has a bias
            tie_weights=True,
        )
    except KeyError as exc:
        raise EngineError(
            f"{source}: missing {exc}; expected n_embd, n_layer, n_head, n_positions, vocab_size"
        ) from None
    except (TypeError, ValueError) as exc:  # a value that is not a whole number
        raise EngineError(f"{source}: the sizes must be whole numbers ({exc})") from None


def hf_state_to_gpt(hf: dict[str, torch.Tensor], cfg: GPTConfig) -> dict[str, torch.Tensor]:
    """Rename and reshape a GPT-2 state dict into `GPTModel`'s names.

    GPT-2 uses `Conv1D` layers whose weight is (in_features, out_features), the transpose of
    `nn.Linear`'s; and one `c_attn` projection producing queries, keys and values side by side.
    """
    hf = {name.removeprefix("transformer."): t for name, t in hf.items()}
    state: dict[str, torch.Tensor] = {
        "tok_emb.weight": hf["wte.weight"],
        "pos_emb.weight": hf["wpe.weight"],
        "final_norm.scale": hf["ln_f.weight"],
        "final_norm.shift": hf["ln_f.bias"],
    }
    for i in range(cfg.n_layers):
        h, b = f"h.{i}.", f"trf_blocks.{i}."
        q_w, k_w, v_w = hf[h + "attn.c_attn.weight"].chunk(3, dim=-1)
        q_b, k_b, v_b = hf[h + "attn.c_attn.bias"].chunk(3, dim=-1)
        for name, weight, bias in (
            ("W_query", q_w, q_b),
            ("W_key", k_w, k_b),
            ("W_value", v_w, v_b),
        ):
            state[b + f"att.{name}.weight"] = weight.T
            state[b + f"att.{name}.bias"] = bias
        state[b + "att.out_proj.weight"] = hf[h + "attn.c_proj.weight"].T
        state[b + "att.out_proj.bias"] = hf[h + "attn.c_proj.bias"]
        state[b + "ff.layers.0.weight"] = hf[h + "mlp.c_fc.weight"].T
        state[b + "ff.layers.0.bias"] = hf[h + "mlp.c_fc.bias"]
        state[b + "ff.layers.2.weight"] = hf[h + "mlp.c_proj.weight"].T
        state[b + "ff.layers.2.bias"] = hf[h + "mlp.c_proj.bias"]
        state[b + "norm1.scale"] = hf[h + "ln_1.weight"]
        state[b + "norm1.shift"] = hf[h + "ln_1.bias"]
        state[b + "norm2.scale"] = hf[h + "ln_2.weight"]
        state[b + "norm2.shift"] = hf[h + "ln_2.bias"]
    if "lm_head.weight" in hf and not torch.equal(hf["lm_head.weight"], hf["wte.weight"]):
        state["out_head.weight"] = hf["lm_head.weight"]
    return state


def _first_line(exc: BaseException) -> str:
    message = str(exc).strip()
    return message.splitlines()[0] if message else type(exc).__name__


def _read_hf_weights(folder: Path) -> dict[str, torch.Tensor]:
    safetensors_file, bin_file = (folder / name for name in HF_WEIGHT_FILES)
    for weights in (safetensors_file, bin_file):
        if not weights.is_file():
            continue
        try:
            if weights is safetensors_file:
                from safetensors.torch import load_file

                state = load_file(str(weights))
            else:  # weights_only: a pickle that would run code is refused, not run
                state = torch.load(weights, map_location="cpu", weights_only=True)
        except Exception as exc:  # a bad header, a truncated file, a code-carrying pickle
            raise EngineError(f"{weights}: not readable weights ({_first_line(exc)})") from None
        if not isinstance(state, dict) or not all(
            isinstance(t, torch.Tensor) for t in state.values()
        ):
            raise EngineError(f"{weights}: expected a mapping of tensor names to tensors")
        return state
    raise EngineError(f"{folder}: no weights (expected {' or '.join(HF_WEIGHT_FILES)})")


def load_hf_gpt2(folder: str | Path, device: str = "cpu") -> GPTModel:
    """A `GPTModel` (eval mode) from a local Hugging Face GPT-2 folder: config.json plus
    model.safetensors or pytorch_model.bin."""
    folder = Path(folder)
    config_file = folder / "config.json"
    if not config_file.is_file():
        raise EngineError(f"{folder}: no config.json (expected a Hugging Face GPT-2 folder)")
    try:
        values = json.loads(config_file.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, ValueError) as exc:
        raise EngineError(f"{config_file}: not a readable JSON config ({exc})") from None
    if not isinstance(values, dict):
        raise EngineError(f"{config_file}: expected a JSON object of GPT-2 settings")
    cfg = hf_config_to_gpt(values, str(config_file))
    check_size(cfg, str(config_file))
    hf = _read_hf_weights(folder)
    try:
        state = hf_state_to_gpt(hf, cfg)
    except KeyError as exc:
        raise EngineError(
            f"{folder}: missing tensor {exc.args[0]} (expected GPT-2 names)"
        ) from None
    if "out_head.weight" in state:
        cfg = cfg.replace(tie_weights=False)
    model = GPTModel(cfg).to(device)
    load_state_into(model, state, str(folder))
    return model.eval()
