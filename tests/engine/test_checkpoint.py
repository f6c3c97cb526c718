"""Saving and loading our checkpoints; importing GPT-2 weights in Hugging Face's layout."""

from __future__ import annotations

import json
import math

import pytest
import torch
from torch.nn import functional as F

from studybuddy.engine.checkpoint import load_checkpoint, load_hf_gpt2, save_checkpoint
from studybuddy.engine.config import GPTConfig
from studybuddy.engine.errors import EngineError
from studybuddy.engine.model import GPTModel
from studybuddy.engine.pretrained import load_pretrained

CFG = GPTConfig(vocab_size=40, context_length=10, emb_dim=8, n_heads=2, n_layers=2, drop_rate=0.0)
IDS = torch.tensor([[3, 14, 15, 9, 2, 6]])


def test_round_trip_is_exact_in_float32(tmp_path):
    torch.manual_seed(0)
    model = GPTModel(CFG).eval()
    loaded = load_checkpoint(save_checkpoint(model, tmp_path / "m.pt"))
    assert loaded.cfg == CFG
    assert not loaded.training
    assert torch.equal(loaded(IDS), model(IDS))


def test_tied_float16_checkpoint_stores_the_matrix_once(tmp_path):
    torch.manual_seed(0)
    cfg = CFG.replace(vocab_size=5000, tie_weights=True)
    model = GPTModel(cfg).eval()
    path = save_checkpoint(model, tmp_path / "m.pt", dtype=torch.float16)
    stored = torch.load(path, weights_only=True)["state_dict"]
    assert "out_head.weight" not in stored
    assert stored["tok_emb.weight"].dtype == torch.float16
    # 5000 x 8 embedding in 2 bytes a number dominates the file; stored twice it would be 160 kB.
    assert 80_000 < path.stat().st_size < 120_000
    loaded = load_checkpoint(path)
    assert loaded.out_head.weight is loaded.tok_emb.weight
    assert loaded.tok_emb.weight.dtype == torch.float32
    assert torch.allclose(loaded(IDS), model(IDS), atol=1e-2)


def test_missing_and_foreign_checkpoints_are_one_line_errors(tmp_path):
    with pytest.raises(EngineError, match=r"no such checkpoint \(expected a \.pt file"):
        load_pretrained(tmp_path / "nope.pt")
    junk = tmp_path / "junk.pt"
    junk.write_bytes(b"not a checkpoint")
    with pytest.raises(EngineError, match="not a readable checkpoint") as info:
        load_checkpoint(junk)
    assert "\n" not in str(info.value)
    with pytest.raises(EngineError, match=r"expected gpt-study\.pt or a Hugging Face GPT-2 folder"):
        load_pretrained(tmp_path)


def test_wrong_shape_names_the_expected_shape(tmp_path):
    torch.manual_seed(0)
    path = save_checkpoint(GPTModel(CFG), tmp_path / "m.pt")
    payload = torch.load(path, weights_only=True)
    payload["state_dict"]["trf_blocks.1.att.W_key.weight"] = torch.zeros(8, 6)
    torch.save(payload, path)
    with pytest.raises(EngineError) as info:
        load_checkpoint(path)
    assert str(info.value).endswith(
        "trf_blocks.1.att.W_key.weight has shape (8, 6), expected (8, 8) for this config"
    )


# --- Hugging Face GPT-2 import ------------------------------------------------------------------

HF_CONFIG = {"n_embd": 8, "n_layer": 2, "n_head": 2, "n_positions": 10, "vocab_size": 40,
             "activation_function": "gelu_new", "layer_norm_epsilon": 1e-5}  # fmt: skip


def make_hf_state(seed: int = 0) -> dict[str, torch.Tensor]:
    """Random GPT-2 weights under Hugging Face's names; Conv1D weights are (in, out)."""
    g = torch.Generator().manual_seed(seed)
    d, v, n_ctx = HF_CONFIG["n_embd"], HF_CONFIG["vocab_size"], HF_CONFIG["n_positions"]

    def r(*shape):
        return torch.randn(*shape, generator=g) * 0.5

    state = {"wte.weight": r(v, d), "wpe.weight": r(n_ctx, d)}
    for i in range(HF_CONFIG["n_layer"]):
        h = f"h.{i}."
        state |= {
            h + "ln_1.weight": 1 + r(d), h + "ln_1.bias": r(d),
            h + "attn.c_attn.weight": r(d, 3 * d), h + "attn.c_attn.bias": r(3 * d),
            h + "attn.c_proj.weight": r(d, d), h + "attn.c_proj.bias": r(d),
            h + "ln_2.weight": 1 + r(d), h + "ln_2.bias": r(d),
            h + "mlp.c_fc.weight": r(d, 4 * d), h + "mlp.c_fc.bias": r(4 * d),
            h + "mlp.c_proj.weight": r(4 * d, d), h + "mlp.c_proj.bias": r(d),
            # A causal-mask buffer some GPT-2 files carry; the importer must ignore it.
            h + "attn.bias": torch.tril(torch.ones(1, 1, n_ctx, n_ctx)),
        }  # fmt: skip
    state |= {"ln_f.weight": 1 + r(d), "ln_f.bias": r(d)}
    return state


def reference_logits(sd: dict[str, torch.Tensor], ids: torch.Tensor) -> torch.Tensor:
    """GPT-2's forward pass written directly from the weights, independent of GPTModel."""
    d, heads = HF_CONFIG["n_embd"], HF_CONFIG["n_head"]
    t = ids.shape[1]
    x = sd["wte.weight"][ids] + sd["wpe.weight"][:t]
    causal = torch.tril(torch.ones(t, t, dtype=torch.bool))
    for i in range(HF_CONFIG["n_layer"]):
        h = f"h.{i}."
        a = F.layer_norm(x, (d,), sd[h + "ln_1.weight"], sd[h + "ln_1.bias"], 1e-5)
        qkv = a @ sd[h + "attn.c_attn.weight"] + sd[h + "attn.c_attn.bias"]
        q, k, v = (z.view(1, t, heads, d // heads).transpose(1, 2) for z in qkv.split(d, dim=-1))
        scores = (q @ k.transpose(-1, -2)) / math.sqrt(d // heads)
        att = torch.softmax(scores.masked_fill(~causal, float("-inf")), dim=-1) @ v
        att = att.transpose(1, 2).reshape(1, t, d)
        x = x + att @ sd[h + "attn.c_proj.weight"] + sd[h + "attn.c_proj.bias"]
        m = F.layer_norm(x, (d,), sd[h + "ln_2.weight"], sd[h + "ln_2.bias"], 1e-5)
        hidden = m @ sd[h + "mlp.c_fc.weight"] + sd[h + "mlp.c_fc.bias"]
        hidden = (
            0.5
            * hidden
            * (1 + torch.tanh(math.sqrt(2 / math.pi) * (hidden + 0.044715 * hidden**3)))
        )
        x = x + hidden @ sd[h + "mlp.c_proj.weight"] + sd[h + "mlp.c_proj.bias"]
    x = F.layer_norm(x, (d,), sd["ln_f.weight"], sd["ln_f.bias"], 1e-5)
    return x @ sd["wte.weight"].T


def write_hf_folder(folder, state, fmt: str):
    folder.mkdir()
    (folder / "config.json").write_text(json.dumps(HF_CONFIG))
    if fmt == "bin":
        # GPT2LMHeadModel-style names: a transformer. prefix and an lm_head tied to wte.
        prefixed = {f"transformer.{k}": v for k, v in state.items()}
        prefixed["lm_head.weight"] = state["wte.weight"].clone()
        torch.save(prefixed, folder / "pytorch_model.bin")
    else:
        from safetensors.torch import save_file

        save_file({k: v.contiguous() for k, v in state.items()}, str(folder / "model.safetensors"))
    return folder


@pytest.mark.parametrize("fmt", ["bin", "safetensors"])
def test_hf_import_matches_an_independent_forward_pass(tmp_path, fmt):
    state = make_hf_state()
    folder = write_hf_folder(tmp_path / "gpt2-tiny", state, fmt)
    model = load_pretrained(folder)
    assert model.cfg == GPTConfig(
        vocab_size=40,
        context_length=10,
        emb_dim=8,
        n_heads=2,
        n_layers=2,
        drop_rate=0.0,
        qkv_bias=True,
        tie_weights=True,
    )
    assert model.out_head.weight is model.tok_emb.weight
    with torch.no_grad():
        assert torch.allclose(model(IDS), reference_logits(state, IDS), atol=1e-4)
    assert torch.equal(load_hf_gpt2(folder)(IDS), model(IDS))


def test_hf_import_bad_folders(tmp_path):
    state = make_hf_state()
    state["h.1.mlp.c_fc.weight"] = torch.zeros(8, 16)
    folder = write_hf_folder(tmp_path / "bad", state, "bin")
    with pytest.raises(
        EngineError, match=r"ff\.layers\.0\.weight has shape \(16, 8\), expected \(32, 8\)"
    ):
        load_pretrained(folder)
    del state["h.1.mlp.c_fc.weight"]
    torch.save(state, folder / "pytorch_model.bin")
    with pytest.raises(EngineError, match=r"missing tensor h\.1\.mlp\.c_fc\.weight"):
        load_pretrained(folder)
    (folder / "pytorch_model.bin").unlink()
    with pytest.raises(
        EngineError, match="no weights .expected model.safetensors or pytorch_model.bin"
    ):
        load_pretrained(folder)
