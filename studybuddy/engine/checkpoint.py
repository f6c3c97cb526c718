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


def load_checkpoint(path: str | Path, device: str = "cpu") -> GPTModel:
    """A `GPTModel` (in eval mode) from a checkpoint written by `save_checkpoint`."""
    path = Path(path)
    if not path.is_file():
        raise EngineError(f"{path}: no such checkpoint (expected a .pt file from save_checkpoint)")
    try:
        payload = torch.load(path, map_location=device, weights_only=True)
    except Exception as exc:  # a truncated or foreign file; torch's message names the cause
        first_line = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise EngineError(f"{path}: not a readable checkpoint ({first_line})") from None
    if not isinstance(payload, dict) or payload.get("format") != FORMAT:
        raise EngineError(f"{path}: not a StudyBuddy checkpoint (expected format {FORMAT!r})")
    cfg = GPTConfig.from_dict(payload["config"])
    model = GPTModel(cfg).to(device)
    load_state_into(model, payload["state_dict"], str(path))
    return model.eval()


def read_checkpoint_metadata(path: str | Path) -> dict[str, Any]:
    payload = torch.load(Path(path), map_location="cpu", weights_only=True)
    return dict(payload.get("metadata", {}))


# --- GPT-2 weights in Hugging Face's layout -----------------------------------------------------


def hf_config_to_gpt(values: dict[str, Any], source: str = "config.json") -> GPTConfig:
    """The `GPTConfig` of a Hugging Face GPT-2 `config.json`."""
    activation = values.get("activation_function", "gelu_new")
    if activation != "gelu_new":
        raise EngineError(f"{source}: activation_function {activation!r}, expected 'gelu_new'")
    try:
        return GPTConfig(
            vocab_size=int(values["vocab_size"]),
            context_length=int(values.get("n_positions", values.get("n_ctx"))),
            emb_dim=int(values["n_embd"]),
            n_heads=int(values["n_head"]),
            n_layers=int(values["n_layer"]),
            drop_rate=0.0,
            qkv_bias=True,  # GPT-2's c_attn has a bias
            tie_weights=True,
        )
    except (KeyError, TypeError) as exc:
        raise EngineError(
            f"{source}: missing {exc}; expected n_embd, n_layer, n_head, n_positions, vocab_size"
        ) from None


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


def _read_hf_weights(folder: Path) -> dict[str, torch.Tensor]:
    safetensors_file, bin_file = (folder / name for name in HF_WEIGHT_FILES)
    if safetensors_file.is_file():
        from safetensors.torch import load_file

        return load_file(str(safetensors_file))
    if bin_file.is_file():
        return torch.load(bin_file, map_location="cpu", weights_only=True)
    raise EngineError(f"{folder}: no weights (expected {' or '.join(HF_WEIGHT_FILES)})")


def load_hf_gpt2(folder: str | Path, device: str = "cpu") -> GPTModel:
    """A `GPTModel` (eval mode) from a local Hugging Face GPT-2 folder: config.json plus
    model.safetensors or pytorch_model.bin."""
    folder = Path(folder)
    config_file = folder / "config.json"
    if not config_file.is_file():
        raise EngineError(f"{folder}: no config.json (expected a Hugging Face GPT-2 folder)")
    cfg = hf_config_to_gpt(json.loads(config_file.read_text()), str(config_file))
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
