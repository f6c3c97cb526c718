"""Loss, perplexity, learning-rate schedule, and a short reproducible training run."""

from __future__ import annotations

import math

import pytest
import torch

from studybuddy.engine.config import GPTConfig
from studybuddy.engine.data import create_dataloader
from studybuddy.engine.model import GPTModel
from studybuddy.engine.tokenizer import encode
from studybuddy.engine.train import (
    calc_loss_batch,
    calc_loss_loader,
    learning_rate_at,
    perplexity,
    train_model,
)

TEXT = (
    "Self-attention lets every token look at the tokens before it. "
    "A causal mask hides the tokens that come later. "
) * 12
# GPT-2 ids renumbered into a vocabulary of just the words above keeps these tests fast.
_GPT2_IDS = encode(TEXT)
_VOCAB = sorted(set(_GPT2_IDS))
IDS = [_VOCAB.index(i) for i in _GPT2_IDS]
CFG = GPTConfig(
    vocab_size=len(_VOCAB),
    context_length=16,
    emb_dim=16,
    n_heads=2,
    n_layers=1,
    drop_rate=0.1,
    tie_weights=True,
)


def test_batch_loss_is_mean_negative_log_likelihood():
    torch.manual_seed(0)
    model = GPTModel(CFG.replace(vocab_size=11)).eval()
    inputs = torch.randint(0, 11, (2, 5))
    targets = torch.randint(0, 11, (2, 5))
    logits = model(inputs)
    by_hand = 0.0
    for b in range(2):
        for t in range(5):
            row = logits[b, t].tolist()
            log_z = math.log(sum(math.exp(v) for v in row))
            by_hand += log_z - row[targets[b, t]]
    assert calc_loss_batch(inputs, targets, model).item() == pytest.approx(by_hand / 10, abs=1e-5)


def test_loader_loss_averages_batches_and_perplexity_is_exp():
    torch.manual_seed(1)
    model = GPTModel(CFG).eval()
    loader = create_dataloader(IDS, batch_size=2, max_length=16, stride=16, shuffle=False)
    batches = list(loader)
    expected = sum(calc_loss_batch(x, y, model).item() for x, y in batches[:3]) / 3
    assert calc_loss_loader(loader, model, num_batches=3) == pytest.approx(expected)
    assert perplexity(math.log(50257)) == pytest.approx(50257)
    assert perplexity(2.0) == pytest.approx(math.e**2)


def test_learning_rate_warms_up_then_decays_to_a_tenth():
    assert learning_rate_at(0, 100, 1e-3, 10) == pytest.approx(1e-4)
    assert learning_rate_at(9, 100, 1e-3, 10) == pytest.approx(1e-3)
    assert learning_rate_at(55, 100, 1e-3, 10) == pytest.approx(0.55e-3)  # halfway: cos = 0
    assert learning_rate_at(100, 100, 1e-3, 10) == pytest.approx(1e-4)


def _short_run(seed: int):
    torch.manual_seed(seed)
    model = GPTModel(CFG)
    loader = create_dataloader(IDS, batch_size=4, max_length=16, stride=8)
    val = create_dataloader(IDS, batch_size=4, max_length=16, stride=16, shuffle=False)
    optimizer = torch.optim.AdamW(model.parameters(), lr=1e-2, weight_decay=0.1)
    model.eval()
    untrained = calc_loss_loader(val, model)
    history = train_model(
        model, loader, val, optimizer, num_epochs=3, eval_freq=5, lr_schedule=True, warmup_steps=2
    )
    return history, len(loader), untrained


def test_training_lowers_the_loss_and_is_reproducible():
    (first, batches, untrained), (second, *_) = _short_run(123), _short_run(123)
    assert first.steps == 3 * batches
    assert first.tokens_seen == first.steps * 4 * 16
    evals = list(range(5, first.steps + 1, 5))
    assert [p.step for p in first.points] == evals + (
        [first.steps] if evals[-1] != first.steps else []
    )
    assert untrained == pytest.approx(math.log(len(_VOCAB)), abs=0.1)
    assert first.points[-1].val_loss < untrained - 0.8
    assert [(p.train_loss, p.val_loss) for p in first.points] == [
        (p.train_loss, p.val_loss) for p in second.points
    ]


def test_max_steps_ends_the_run_early():
    torch.manual_seed(0)
    model = GPTModel(CFG)
    loader = create_dataloader(IDS, batch_size=4, max_length=16, stride=8)
    optimizer = torch.optim.AdamW(model.parameters(), lr=1e-3)
    history = train_model(
        model, loader, loader, optimizer, num_epochs=3, eval_freq=100, max_steps=7
    )
    assert history.steps == 7
    assert [p.step for p in history.points] == [7]  # the final evaluation
    assert not history.out_of_time


def test_time_budget_stops_after_the_running_step():
    torch.manual_seed(0)
    model = GPTModel(CFG)
    loader = create_dataloader(IDS, batch_size=4, max_length=16, stride=8)
    optimizer = torch.optim.AdamW(model.parameters(), lr=1e-3)
    history = train_model(
        model, loader, loader, optimizer, num_epochs=3, eval_freq=100, time_budget_s=0.0
    )
    assert history.steps == 1 and history.out_of_time
    assert [p.step for p in history.points] == [1]
