"""The small GPT shipped in data/model/: size, record, and that it learned the notes."""

from __future__ import annotations

import json
import math
from dataclasses import asdict

import pytest
import torch

from studybuddy.engine import load_pretrained
from studybuddy.engine.config import get_preset
from studybuddy.engine.data import create_dataloader
from studybuddy.engine.pretrained import shipped_model_dir, shipped_model_path
from studybuddy.engine.recipe import TrainingRecipe, load_corpus, sample_continuation
from studybuddy.engine.train import calc_loss_loader
from studybuddy.locations import data_dir


@pytest.fixture(scope="module")
def record():
    return json.loads((shipped_model_dir() / "training.json").read_text())


@pytest.fixture(scope="module")
def model():
    return load_pretrained()


def test_checkpoint_fits_in_16_mb():
    assert shipped_model_path().stat().st_size <= 16_000_000


def test_record_matches_the_default_recipe(record):
    # `studybuddy engine train` with no options must reproduce the shipped model.
    assert record["recipe"] == asdict(TrainingRecipe())
    assert record["config"] == get_preset("gpt-study").to_dict()
    assert record["wall_time_s"] <= 15 * 60
    assert record["model_bytes"] == shipped_model_path().stat().st_size


def test_record_describes_the_shipped_corpus(record):
    corpus = load_corpus(data_dir() / "corpus", TrainingRecipe().val_fraction)
    assert record["corpus"]["sha256"] == corpus.sha256
    assert record["corpus"]["words"] >= 30_000
    tokens = [p["tokens_seen"] for p in record["evals"]]
    assert tokens == sorted(tokens) and tokens[-1] == record["tokens_seen"]


def test_validation_loss_far_below_the_untrained_model(record, model):
    assert record["untrained"]["val_loss"] == pytest.approx(math.log(50257), abs=0.2)
    # Recompute the held-out loss of the weights as shipped, independently of the record.
    corpus = load_corpus(data_dir() / "corpus", TrainingRecipe().val_fraction)
    length = model.cfg.context_length
    batch = TrainingRecipe().batch_size  # the loss is a mean of batch means, as in the book
    val = create_dataloader(corpus.val_ids, batch, length, length, shuffle=False, drop_last=False)
    with torch.no_grad():
        val_loss = calc_loss_loader(val, model)
    assert val_loss == pytest.approx(record["final"]["val_loss_float16"], abs=1e-3)
    assert val_loss < math.log(50257) - 4


def test_continues_self_attention_with_words_of_the_topic(record, model):
    # The recorded samples are what this model, reloaded from disk, still produces.
    assert sample_continuation(model, "Self-attention") == record["sample"]["greedy"]
    sampled = sample_continuation(
        model,
        "Self-attention",
        temperature=0.8,
        top_k=40,
        generator=torch.Generator().manual_seed(123),
    )
    assert sampled == record["sample"]["temperature_0.8_top_k_40_seed_123"]
    topic = {"attention", "token", "tokens", "query", "queries", "key", "keys", "value", "values",
             "weight", "weights", "vector", "vectors", "context", "softmax", "head", "heads",
             "embedding", "embeddings", "matrix", "model", "layer"}  # fmt: skip
    words = {w.strip(".,;:()\"'").lower() for w in sampled.split()[1:]}
    assert len(words & topic) >= 3, words
