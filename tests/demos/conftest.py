"""Fixtures for demo tests.

Demos on the shipped model are tested twice: always on a small stand-in model (random weights,
same architecture and tokenizer), so their logic is checked on every machine; and on the real
checkpoint when data/model/ has it (tests that take the `shipped_model` fixture skip otherwise).
"""

from __future__ import annotations

import pytest


@pytest.fixture(scope="session")
def stand_in():
    import torch

    from studybuddy.engine.config import GPTConfig
    from studybuddy.engine.model import GPTModel

    torch.manual_seed(7)
    cfg = GPTConfig(
        context_length=64, emb_dim=32, n_heads=2, n_layers=1, drop_rate=0.0, tie_weights=True
    )
    return GPTModel(cfg).eval()


@pytest.fixture
def stand_in_model(stand_in, monkeypatch):
    """Demos that use the shipped model get the stand-in instead, and so do those that would
    use SmolLM2 (where it is absent they fall back to the stand-in with their usual note)."""
    from studybuddy.demos import shipped
    from studybuddy.engine import smollm2

    monkeypatch.setattr(shipped, "model", lambda: stand_in)
    choose = shipped.language_model
    monkeypatch.setattr(
        shipped,
        "language_model",
        lambda choice="smollm2": choose("gpt-study" if smollm2.is_installed() else choice),
    )
    shipped.untrained_model.cache_clear()
    yield stand_in
    shipped.untrained_model.cache_clear()


@pytest.fixture
def shipped_model():
    from studybuddy.demos import shipped
    from studybuddy.engine.pretrained import shipped_model_path

    if not shipped_model_path().is_file():
        pytest.skip("the trained model is not in data/model/ yet")
    return shipped.model()
