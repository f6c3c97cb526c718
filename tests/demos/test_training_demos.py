"""Loss and perplexity, training steps and gradient noise, against independent calculations."""

from __future__ import annotations

import math

import pytest

from studybuddy.demos import DemoError, run_demo


def test_loss_is_minus_log_probability_of_each_next_token(stand_in_model):
    import torch

    text = "Every effort moves you forward, one step at a time."
    result = run_demo("loss-perplexity", {"text": text})
    ids = result.values["token_ids"]
    with torch.no_grad():
        logits = stand_in_model(torch.tensor([ids[:-1]]))[0].double()
    for position in (0, 3, len(ids) - 2):
        row = logits[position].tolist()
        top = max(row)
        log_total = top + math.log(sum(math.exp(v - top) for v in row))
        expected = log_total - row[ids[position + 1]]
        assert result.values["losses"][position] == pytest.approx(expected, abs=1e-4)
    mean = sum(result.values["losses"]) / (len(ids) - 1)
    assert result.values["loss"] == pytest.approx(mean, rel=1e-6)
    assert result.values["perplexity"] == pytest.approx(math.exp(mean), rel=1e-6)
    # an untrained model is about as unsure as a uniform guess over the vocabulary
    assert result.values["loss_untrained"] == pytest.approx(math.log(50257), abs=0.5)


def test_text_longer_than_the_context_is_scored_in_windows(stand_in_model):
    text = "word " * 150  # 150 tokens; the stand-in's context is 64
    result = run_demo("loss-perplexity", {"text": text})
    assert len(result.values["losses"]) == len(result.values["token_ids"]) - 1
    assert any("windows" in note for note in result.notes)


def test_a_single_token_cannot_be_scored(stand_in_model):
    with pytest.raises(DemoError, match="at least 2"):
        run_demo("loss-perplexity", {"text": "Hi"})


def test_shipped_model_beats_an_untrained_one(shipped_model):
    result = run_demo(
        "loss-perplexity",
        {"text": "Self-attention lets each token look at the others.", "model": "gpt-study"},
    )
    assert result.values["loss"] < result.values["loss_untrained"] - 1.0


def test_train_steps_lower_the_loss_and_report_progress():
    seen = []
    result = run_demo(
        "train-steps", {"steps": 6, "lr": 0.01}, on_progress=lambda *a: seen.append(a)
    )
    losses = result.values["losses"]
    assert len(losses) == 6
    assert [(done, total) for done, total, _ in seen] == [(i, 6) for i in range(1, 7)]
    assert losses[0] == pytest.approx(math.log(50257), abs=0.5)  # a fresh model guesses
    assert losses[-1] < losses[0] - 0.5
    assert result.values["held_out_after"] < result.values["held_out_before"]


def test_batch_noise_falls_like_one_over_b():
    result = run_demo("batch-noise", {"batch_sizes": [1, 4, 16, 64, 256]})
    spread = result.values["per_example_spread"]
    for b, measured in zip(
        result.values["batch_sizes"], result.values["variance_measured"], strict=True
    ):
        assert measured == pytest.approx(spread / b, rel=0.15)
    cosines = result.values["mean_cosine"]
    assert cosines == sorted(cosines)
