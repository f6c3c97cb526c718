"""LayerNorm, GELU, FeedForward, TransformerBlock and GPTModel against torch built-ins and the
book's parameter counts."""

from __future__ import annotations

import math

import pytest
import torch
from torch import nn
from torch.nn import functional as F

from studybuddy.engine.config import PRESETS, GPTConfig, get_preset
from studybuddy.engine.errors import EngineError
from studybuddy.engine.model import (
    GELU,
    FeedForward,
    GPTModel,
    LayerNorm,
    TransformerBlock,
    count_parameters_tied,
    count_parameters_untied,
)

TINY = GPTConfig(vocab_size=97, context_length=16, emb_dim=12, n_heads=3, n_layers=2, drop_rate=0.0)


def test_layer_norm_equals_torch():
    torch.manual_seed(0)
    ours, reference = LayerNorm(10), nn.LayerNorm(10, eps=1e-5)
    with torch.no_grad():
        ours.scale.normal_()
        ours.shift.normal_()
        reference.weight.copy_(ours.scale)
        reference.bias.copy_(ours.shift)
    x = torch.randn(4, 5, 10) * 3 + 1
    assert torch.allclose(ours(x), reference(x), atol=1e-5)


def test_gelu_equals_torch_tanh_approximation():
    x = torch.linspace(-6, 6, 1001)
    assert torch.allclose(GELU()(x), nn.GELU(approximate="tanh")(x), atol=1e-6)


def test_feed_forward_expands_four_times():
    ff = FeedForward(TINY)
    assert ff.layers[0].weight.shape == (48, 12)
    assert ff.layers[2].weight.shape == (12, 48)
    x = torch.randn(2, 3, 12)
    hidden = F.gelu(x @ ff.layers[0].weight.T + ff.layers[0].bias, approximate="tanh")
    assert torch.allclose(ff(x), hidden @ ff.layers[2].weight.T + ff.layers[2].bias, atol=1e-5)


def test_transformer_block_is_pre_norm_with_shortcuts():
    torch.manual_seed(1)
    block = TransformerBlock(TINY).eval()
    x = torch.randn(2, 5, 12)
    norm1 = F.layer_norm(x, (12,), block.norm1.scale, block.norm1.shift, eps=1e-5)
    h = x + block.att(norm1)
    norm2 = F.layer_norm(h, (12,), block.norm2.scale, block.norm2.shift, eps=1e-5)
    expected = h + block.ff(norm2)
    assert torch.allclose(block(x), expected, atol=1e-5)


def test_parameter_names_follow_the_book():
    names = set(GPTModel(TINY).state_dict())
    for name in [
        "tok_emb.weight",
        "pos_emb.weight",
        "trf_blocks.1.att.W_query.weight",
        "trf_blocks.1.att.W_key.weight",
        "trf_blocks.1.att.W_value.weight",
        "trf_blocks.1.att.out_proj.weight",
        "trf_blocks.1.att.out_proj.bias",
        "trf_blocks.1.ff.layers.0.weight",
        "trf_blocks.1.ff.layers.2.bias",
        "trf_blocks.1.norm1.scale",
        "trf_blocks.1.norm2.shift",
        "final_norm.scale",
        "final_norm.shift",
        "out_head.weight",
    ]:
        assert name in names
    assert "out_head.bias" not in names
    assert "trf_blocks.0.att.W_query.bias" not in names  # qkv_bias=False


def test_forward_shape_and_causality():
    torch.manual_seed(2)
    model = GPTModel(TINY).eval()
    ids = torch.randint(0, 97, (2, 9))
    logits = model(ids)
    assert logits.shape == (2, 9, 97)
    changed = ids.clone()
    changed[:, -1] = (changed[:, -1] + 1) % 97
    # Changing the last token must not change any earlier position's logits.
    assert torch.allclose(model(changed)[:, :-1], logits[:, :-1])


def test_gpt2_small_parameter_counts_match_the_book_and_a_hand_count():
    with torch.device("meta"):
        model = GPTModel(get_preset("gpt2-small"))
    v, c, d, n = 50257, 1024, 768, 12
    per_block = 3 * d * d + (d * d + d) + (d * 4 * d + 4 * d) + (4 * d * d + d) + 4 * d
    by_hand = v * d + c * d + n * per_block + 2 * d + v * d
    assert count_parameters_untied(model) == by_hand == 163_009_536  # book, ch. 4
    assert count_parameters_tied(model) == 124_412_160  # book, ch. 4


def test_tied_weights_share_one_matrix():
    model = GPTModel(TINY.replace(tie_weights=True))
    assert model.out_head.weight is model.tok_emb.weight
    assert count_parameters_untied(model) - count_parameters_tied(model) == 97 * 12


def test_untrained_tied_model_starts_near_uniform_loss():
    torch.manual_seed(3)
    model = GPTModel(get_preset("gpt-study")).eval()
    ids = torch.randint(0, 50257, (2, 32))
    with torch.no_grad():
        loss = F.cross_entropy(model(ids[:, :-1]).flatten(0, 1), ids[:, 1:].flatten())
    assert abs(loss.item() - math.log(50257)) < 0.1


def test_presets_and_unknown_preset_error():
    assert set(PRESETS) >= {"gpt2-small", "gpt2-medium", "gpt2-large", "gpt2-xl"}
    with pytest.raises(EngineError, match="unknown preset 'gpt5'; expected one of: gpt2-small"):
        get_preset("gpt5")
    with pytest.raises(EngineError, match="divisible by n_heads"):
        GPTConfig(emb_dim=10, n_heads=3)


def test_context_overflow_is_refused():
    model = GPTModel(TINY)
    with pytest.raises(EngineError, match="exceed context_length 16"):
        model(torch.zeros(1, 17, dtype=torch.long))
