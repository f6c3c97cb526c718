"""Bad input around SmolLM2: a damaged GGUF reaches a demo as one line naming the file; a prompt
longer than the context is cropped with one notice; generation parameters are bounded."""

from __future__ import annotations

import dataclasses
import shutil

import pytest
import torch
from typer.testing import CliRunner

from studybuddy.cli import app
from studybuddy.engine import smollm2

pytestmark = pytest.mark.skipif(not smollm2.is_installed(), reason="SmolLM2 not installed")
runner = CliRunner()


@pytest.fixture
def fresh_demo_models():
    """Demos load SmolLM2 afresh in the test, and the real one again after it."""
    from studybuddy.demos import shipped

    shipped._smollm2_model.cache_clear()
    shipped._smollm2_tokenizer.cache_clear()
    yield
    shipped._smollm2_model.cache_clear()
    shipped._smollm2_tokenizer.cache_clear()


@pytest.mark.parametrize("damage", ["altered", "truncated"])
def test_a_damaged_gguf_is_one_line_in_a_demo(damage, tmp_path, monkeypatch, fresh_demo_models):
    from studybuddy.demos import DemoError, run_demo

    copy = tmp_path / smollm2.GGUF_NAME
    if damage == "altered":
        shutil.copyfile(smollm2.require_gguf(), copy)
        with copy.open("r+b") as handle:
            handle.seek(20_000_000)
            handle.write(b"\xff\xfe")
    else:
        with smollm2.require_gguf().open("rb") as source:
            copy.write_bytes(source.read(1_000_000))
    monkeypatch.setattr(smollm2, "find_gguf", lambda: copy)
    monkeypatch.setenv("STUDYBUDDY_CACHE_DIR", str(tmp_path / "cache"))
    with pytest.raises(DemoError) as err:
        run_demo("next-token", {"prompt": "Hello"})
    message = str(err.value)
    assert "\n" not in message
    assert message.startswith(f"{copy}: sha256 is ")
    assert "--force-reinstall" in message


def _small_context(monkeypatch, context: int) -> None:
    """SmolLM2 as the CLI loads it, told its context is `context` tokens (the real 8,192 would
    take minutes to fill on a CPU)."""
    from studybuddy.engine import pretrained

    real = pretrained.load_pretrained

    def load(name=None, **kwargs):
        model = real(name, **kwargs)
        if name == "smollm2":
            model.cfg = dataclasses.replace(model.cfg, context_length=context)
        return model

    monkeypatch.setattr(pretrained, "load_pretrained", load)


def test_generate_crops_a_long_prompt_with_one_notice(monkeypatch):
    from studybuddy.engine.generate import generate
    from studybuddy.engine.pretrained import load_pretrained
    from studybuddy.engine.tokenizer import get_tokenizer

    prompt = "one two three four five six seven eight nine ten eleven twelve thirteen"
    tokenizer = get_tokenizer("smollm2")
    ids = tokenizer.encode(prompt)
    assert len(ids) > 12
    expected_ids = generate(load_pretrained("smollm2"), torch.tensor([ids[-12:]]), 3)
    _small_context(monkeypatch, 12)
    result = runner.invoke(
        app,
        ["engine", "generate", "--model", "smollm2", prompt, "--max-new-tokens", "3", "--raw"],
    )
    assert result.exit_code == 0, result.output
    assert result.output.count("note:") == 1
    assert f"note: prompt has {len(ids)} tokens but the model's context is 12" in result.output
    assert tokenizer.decode(expected_ids[0].tolist()) in result.output


def test_chat_crops_a_long_conversation_with_one_notice(monkeypatch):
    _small_context(monkeypatch, 64)
    question = "Tell me about " + "very " * 80 + "long questions."
    result = runner.invoke(
        app, ["engine", "chat", "--max-new-tokens", "4"], input=question + "\n\n"
    )
    assert result.exit_code == 0, result.output
    assert result.output.count("note:") == 1
    assert "keeping the last 60 so the answer fits the 64-token context" in result.output


@pytest.mark.parametrize(
    ("option", "value"),
    [("--max-new-tokens", "100000"), ("--temperature", "50"), ("--top-k", "0")],
)
def test_generation_parameters_are_bounded(option, value):
    result = runner.invoke(app, ["engine", "generate", "--model", "smollm2", "hi", option, value])
    assert result.exit_code == 2
    assert "Traceback" not in result.output
    assert option in result.output  # typer names the option that is out of range


def test_demo_parameters_are_bounded():
    from studybuddy.demos import param_problems

    assert param_problems("next-token", {"prompt": "x" * 201})
    assert param_problems("next-token", {"steps": 21})
    assert param_problems("kv-cache", {"new_tokens": 33})
    assert param_problems("hallucination", {"max_tokens": 65})
    assert param_problems("causal-mask", {"layer": 256})
    assert param_problems("causal-mask", {"sentence": "x" * 121})
    assert param_problems("top-k", {"vocab": "model", "k": 51})
    assert param_problems("next-token", {"model": "gpt-4"})
