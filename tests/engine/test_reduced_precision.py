"""bfloat16 weights: half the memory, and predictions within a stated tolerance of float32.

Tolerances, from measurements on the shipped model over 2,048 validation tokens (99.0% top-1
agreement, largest logit difference 0.074 of logits up to 12, loss 5.5706 vs 5.5707): at least
97% of next-token picks agree, no logit moves by more than 0.25, the loss by no more than 0.01.
bf16 keeps 8 significant bits, so each product carries a relative error of about 0.4%.
"""

from __future__ import annotations

import pytest
import torch
from torch.nn import functional as F

from studybuddy.engine.errors import EngineError
from studybuddy.engine.pretrained import dtype_from_name, load_pretrained
from studybuddy.engine.recipe import TrainingRecipe, load_corpus
from studybuddy.locations import data_dir


@pytest.fixture(scope="module")
def models():
    return load_pretrained(), load_pretrained(dtype=torch.bfloat16)


def weight_bytes(model: torch.nn.Module) -> int:
    return sum(p.numel() * p.element_size() for p in model.parameters())


def test_bf16_halves_the_weights_and_keeps_them_tied(models):
    fp32, bf16 = models
    assert {p.dtype for p in bf16.parameters()} == {torch.bfloat16}
    assert weight_bytes(bf16) * 2 == weight_bytes(fp32)
    assert bf16.out_head.weight is bf16.tok_emb.weight
    assert bf16.new_cache(1, 8).keys[0].dtype == torch.bfloat16


def test_bf16_predictions_are_within_tolerance_of_fp32(models):
    fp32, bf16 = models
    corpus = load_corpus(data_dir() / "corpus", TrainingRecipe().val_fraction)
    context = fp32.cfg.context_length
    ids = torch.tensor(corpus.val_ids[: 8 * context]).view(8, context)
    with torch.no_grad():
        exact, reduced = fp32(ids), bf16(ids).float()
    agreement = (exact.argmax(-1) == reduced.argmax(-1)).float().mean().item()
    assert agreement >= 0.97
    assert (exact - reduced).abs().max().item() <= 0.25

    def loss(logits: torch.Tensor) -> float:
        return F.cross_entropy(logits[:, :-1].flatten(0, 1), ids[:, 1:].flatten()).item()

    assert abs(loss(exact) - loss(reduced)) <= 0.01


def test_unknown_dtype_names_are_one_line_errors():
    assert dtype_from_name("bf16") is torch.bfloat16
    with pytest.raises(EngineError, match="unknown dtype 'int8'; expected one of: fp32, bf16"):
        dtype_from_name("int8")
    with pytest.raises(EngineError, match="floating-point"):
        load_pretrained(dtype=torch.int8)
