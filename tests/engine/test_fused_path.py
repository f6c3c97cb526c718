"""The model's fused layers equal the book's step-by-step ones, with and without a KV cache.

GPTModel runs FusedMultiHeadAttention, FusedLayerNorm and FusedGELU; the book's MultiHeadAttention,
LayerNorm and GELU compute the same thing one formula at a time. The fused classes only override
`forward`/`attend`, so swapping a module's class back to the book's keeps every weight: that gives
a step-by-step twin of any model to compare against.
"""

from __future__ import annotations

import copy

import pytest
import torch
from torch.nn import functional as F

from studybuddy.engine.attention import FusedMultiHeadAttention, MultiHeadAttention
from studybuddy.engine.config import GPTConfig
from studybuddy.engine.kv_cache import KVCache
from studybuddy.engine.model import GELU, FusedGELU, FusedLayerNorm, GPTModel, LayerNorm

BOOK_CLASS = {
    FusedMultiHeadAttention: MultiHeadAttention,
    FusedLayerNorm: LayerNorm,
    FusedGELU: GELU,
}
CFG = GPTConfig(vocab_size=61, context_length=10, emb_dim=24, n_heads=3, n_layers=2, drop_rate=0.0)
TOL = 1e-5  # fp32


def step_by_step_twin(model: GPTModel) -> GPTModel:
    twin = copy.deepcopy(model)
    swapped = 0
    for module in twin.modules():
        if type(module) in BOOK_CLASS:
            module.__class__ = BOOK_CLASS[type(module)]
            swapped += 1
    # per block: attention, 2 norms, GELU; and the final norm
    assert swapped == 4 * CFG.n_layers + 1
    return twin


@pytest.fixture(scope="module")
def models():
    torch.manual_seed(3)
    model = GPTModel(CFG).eval()
    return model, step_by_step_twin(model)


def test_fused_layer_norm_and_gelu_equal_the_books():
    torch.manual_seed(0)
    x = torch.randn(3, 7, 32) * 4 + 1
    book, fused = LayerNorm(32), FusedLayerNorm(32)
    with torch.no_grad():
        book.scale.normal_()
        book.shift.normal_()
    fused.load_state_dict(book.state_dict())
    assert (fused(x) - book(x)).abs().max() < TOL
    assert (FusedGELU()(x) - GELU()(x)).abs().max() < TOL


def test_the_model_runs_the_fused_layers(models):
    model, _ = models
    kinds = {type(m) for m in model.modules()}
    assert {FusedMultiHeadAttention, FusedLayerNorm, FusedGELU} <= kinds
    assert not kinds & {MultiHeadAttention, LayerNorm, GELU}


def test_fused_model_equals_step_by_step_without_cache(models):
    model, twin = models
    torch.manual_seed(1)
    ids = torch.randint(0, CFG.vocab_size, (2, CFG.context_length))
    with torch.no_grad():
        fused, book = model(ids), twin(ids)
    assert fused.abs().max() > 0.1  # not trivially zero
    assert (fused - book).abs().max() < TOL


@pytest.mark.parametrize("past", range(CFG.context_length))
@pytest.mark.parametrize("step", [1, 3, CFG.context_length])
def test_fused_model_equals_step_by_step_at_every_cache_length(models, past, step):
    """`past` tokens cached first, then the rest in chunks of `step` new tokens: a chunk of one
    token attends to everything, a longer one after cached tokens needs the offset mask."""
    model, twin = models
    torch.manual_seed(2)
    ids = torch.randint(0, CFG.vocab_size, (2, CFG.context_length))
    with torch.no_grad():
        uncached = twin(ids)
        outputs = {}
        for name, m in (("fused", model), ("book", twin)):
            cache = m.new_cache(2, CFG.context_length)
            chunks = [m(ids[:, :past], cache)] if past else []
            while cache.length < CFG.context_length:
                chunks.append(m(ids[:, cache.length : cache.length + step], cache))
            outputs[name] = torch.cat(chunks, dim=1)
    assert (outputs["fused"] - outputs["book"]).abs().max() < TOL
    assert (outputs["fused"] - uncached).abs().max() < TOL


@pytest.mark.parametrize("past", [0, 1, 4, 7])
@pytest.mark.parametrize("new", [1, 2, 3])
def test_fused_attention_equals_explicit_and_torchs_reference(past, new):
    """Against the book's class and against attention written here from the definition."""
    torch.manual_seed(past * 10 + new)
    heads, d = 4, 16
    book = MultiHeadAttention(d, d, context_length=10, dropout=0.0, num_heads=heads).eval()
    fused = FusedMultiHeadAttention(d, d, context_length=10, dropout=0.0, num_heads=heads).eval()
    fused.load_state_dict(book.state_dict())
    x = torch.randn(2, past + new, d)
    outs = []
    for attention in (book, fused):
        cache = KVCache(1, 2, heads, 10, d // heads, torch.float32)
        if past:
            attention(x[:, :past], cache)
            cache.advance(past)
        outs.append(attention(x[:, past:], cache))
    # From the definition: softmax(q k^T / sqrt(d_head) + causal -inf) v over all tokens.
    q, k, v = (book._split_heads(layer(x)) for layer in (book.W_query, book.W_key, book.W_value))
    scores = q @ k.transpose(-2, -1) / (d // heads) ** 0.5
    scores = scores.masked_fill(torch.ones(past + new, past + new).triu(1).bool(), -torch.inf)
    context = (F.softmax(scores, -1) @ v).transpose(1, 2).reshape(2, past + new, d)
    reference = book.out_proj(context)[:, past:]
    assert (outs[0] - outs[1]).abs().max() < TOL
    assert (outs[1] - reference).abs().max() < TOL


def test_last_only_is_the_last_row_of_the_full_logits(models):
    model, _ = models
    ids = torch.tensor([[4, 8, 15, 16, 23, 42]])
    with torch.no_grad():
        full, last = model(ids), model(ids, last_only=True)
    assert last.shape == (1, 1, CFG.vocab_size)
    assert (last[:, 0] - full[:, -1]).abs().max() < TOL


def test_attention_weights_stay_available_on_the_fused_module(models):
    """The demos read weights from `attention_weights`; on the model's fused module too."""
    model, _ = models
    att = model.trf_blocks[0].att
    x = torch.randn(1, 5, CFG.emb_dim)
    with torch.no_grad():
        queries, keys, _, _ = att.project(x)
        weights = att.attention_weights(queries, keys)
    assert weights.shape == (1, CFG.n_heads, 5, 5)
    assert torch.allclose(weights.sum(-1), torch.ones(1, CFG.n_heads, 5))
    assert bool((weights.triu(1) == 0).all())  # causal


def test_dropout_in_the_fused_attention_acts_only_while_training():
    torch.manual_seed(0)
    att = FusedMultiHeadAttention(8, 8, context_length=6, dropout=0.5, num_heads=2)
    x = torch.randn(1, 6, 8)
    with torch.no_grad():
        assert not torch.equal(att(x), att(x))  # training: different weights dropped each time
        att.eval()
        assert torch.equal(att(x), att(x))


def test_gpt2_matches_transformers_with_the_same_weights():
    """An independent implementation: Hugging Face's GPT-2 with our random weights copied over."""
    transformers = pytest.importorskip("transformers")
    from studybuddy.engine.checkpoint import hf_state_to_gpt, load_state_into

    hf_cfg = transformers.GPT2Config(
        vocab_size=61, n_positions=10, n_embd=24, n_layer=2, n_head=3,
        resid_pdrop=0.0, embd_pdrop=0.0, attn_pdrop=0.0,
    )  # fmt: skip
    torch.manual_seed(5)
    hf = transformers.GPT2LMHeadModel(hf_cfg).eval()
    cfg = CFG.replace(qkv_bias=True, tie_weights=True)
    ours = load_state_into(GPTModel(cfg), hf_state_to_gpt(hf.state_dict(), cfg), "hf").eval()
    ids = torch.randint(0, 61, (2, 10))
    with torch.no_grad():
        expected = hf(ids).logits
        assert (ours(ids) - expected).abs().max() < TOL
        cache = ours.new_cache(2, 10)
        stepwise = torch.cat(
            [ours(ids[:, :4], cache)] + [ours(ids[:, i : i + 1], cache) for i in range(4, 10)], 1
        )
    assert (stepwise - expected).abs().max() < TOL
