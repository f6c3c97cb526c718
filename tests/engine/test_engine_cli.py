"""`studybuddy engine info|generate|train`: computed numbers, one-line errors, no tracebacks."""

from __future__ import annotations

import json

import pytest
import torch
from typer.testing import CliRunner

from studybuddy.cli import app
from studybuddy.engine.checkpoint import save_checkpoint
from studybuddy.engine.config import GPTConfig
from studybuddy.engine.generate import generate
from studybuddy.engine.model import GPTModel
from studybuddy.engine.tokenizer import decode, encode

runner = CliRunner()


def run(*args: str):
    return runner.invoke(app, ["engine", *args])


def test_info_gpt2_small_shows_the_books_counts():
    result = run("info", "gpt2-small")
    assert result.exit_code == 0, result.output
    assert "163,009,536 (out_head separate), 124,412,160 (out_head tied" in result.output
    # 163,009,536 float32 numbers: 4 bytes each, in MiB (the book prints 621.83 MB).
    assert f"{163_009_536 * 4 / 2**20:,.2f} MB untied" == "621.83 MB untied"
    assert "621.83 MB untied" in result.output


def test_info_lists_every_preset_including_xl():
    result = run("info")
    assert result.exit_code == 0
    for name in ("gpt2-small", "gpt2-medium", "gpt2-large", "gpt2-xl", "gpt-study"):
        assert f"{name}: vocab_size=50257" in result.output


def test_unknown_preset_is_one_line():
    result = run("info", "gpt5")
    assert result.exit_code == 2
    assert result.output.strip().splitlines() == [
        "error: unknown preset 'gpt5'; expected one of: gpt2-small, gpt2-medium, gpt2-large, "
        "gpt2-xl, gpt-study"
    ]


@pytest.fixture
def tiny_checkpoint(tmp_path):
    torch.manual_seed(0)
    cfg = GPTConfig(context_length=8, emb_dim=8, n_heads=2, n_layers=1, tie_weights=True)
    return save_checkpoint(GPTModel(cfg).eval(), tmp_path / "tiny.pt"), cfg


def test_generate_matches_the_library_with_and_without_cache(tiny_checkpoint):
    path, _ = tiny_checkpoint
    from studybuddy.engine.checkpoint import load_checkpoint

    model = load_checkpoint(path)
    ids = generate(
        model,
        torch.tensor([encode("Attention")]),
        5,
        temperature=1.0,
        top_k=20,
        generator=torch.Generator().manual_seed(9),
    )
    args = ["generate", "Attention", "--model", str(path), "--max-new-tokens", "5",
            "--temperature", "1", "--top-k", "20", "--seed", "9"]  # fmt: skip
    for extra in ([], ["--no-kv-cache"]):
        result = run(*args, *extra)
        assert result.exit_code == 0, result.output
        assert result.output.rstrip("\n") == decode(ids[0].tolist())


def test_generate_in_bf16_on_chosen_threads_matches_the_library(tiny_checkpoint, monkeypatch):
    path, _ = tiny_checkpoint
    from studybuddy.engine.pretrained import load_pretrained

    model = load_pretrained(path, dtype=torch.bfloat16)
    ids = generate(model, torch.tensor([encode("Attention")]), 5)
    seen = []
    monkeypatch.setattr(torch, "get_num_threads", lambda: 1)
    monkeypatch.setattr(torch, "set_num_threads", lambda n: seen.append(n))
    args = ["generate", "Attention", "--model", str(path), "--max-new-tokens", "5"]
    result = run(*args, "--dtype", "bf16", "--threads", "3")
    assert result.exit_code == 0, result.output
    assert result.output.rstrip("\n") == decode(ids[0].tolist())
    assert seen == [3, 1]  # set for generation, then restored


def test_generate_defaults_to_every_core(tiny_checkpoint, monkeypatch):
    import os

    path, _ = tiny_checkpoint
    seen = []
    monkeypatch.setattr(torch, "get_num_threads", lambda: 1)
    monkeypatch.setattr(torch, "set_num_threads", lambda n: seen.append(n))
    result = run("generate", "Attention", "--model", str(path), "--max-new-tokens", "1")
    assert result.exit_code == 0, result.output
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    assert seen[:1] == ([cores] if cores != 1 else [])


def test_unknown_dtype_is_one_line(tiny_checkpoint):
    path, _ = tiny_checkpoint
    result = run("generate", "hi", "--model", str(path), "--dtype", "int8")
    assert result.exit_code == 2
    assert result.output.strip() == "error: unknown dtype 'int8'; expected one of: fp32, bf16"


def test_long_prompt_gets_one_notice(tiny_checkpoint):
    path, _ = tiny_checkpoint
    prompt = "one two three four five six seven eight nine ten"
    result = run("generate", prompt, "--model", str(path), "--max-new-tokens", "3")
    assert result.exit_code == 0, result.output
    n = len(encode(prompt))
    notice = f"note: prompt has {n} tokens but the model's context is 8; keeping the last 8"
    assert result.output.count("note:") == 1
    assert notice in result.output


def test_missing_model_is_one_line(tmp_path):
    result = run("generate", "hi", "--model", str(tmp_path / "none.pt"))
    assert result.exit_code == 2
    assert len(result.output.strip().splitlines()) == 1
    assert "no such checkpoint (expected a .pt file" in result.output


def test_train_without_a_corpus_is_one_line(tmp_path):
    result = run("train", "--corpus", str(tmp_path / "empty"), "--out", str(tmp_path / "out"))
    assert result.exit_code == 2
    assert (
        result.output.strip()
        == f"error: {tmp_path / 'empty'}: no corpus (expected a folder of *.md study notes)"
    )
    result = run("train", "--preset", "tiny")
    assert result.exit_code == 2 and "unknown preset 'tiny'" in result.output


@pytest.mark.slow
def test_train_smoke_run_writes_model_and_record(tmp_path):
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    note = "Self-attention compares every token with the tokens before it. " * 120
    (corpus / "a.md").write_text(note)
    (corpus / "b.md").write_text(note.replace("Self-attention", "Dropout"))
    out = tmp_path / "out"
    args = ["--corpus", str(corpus), "--out", str(out), "--max-steps", "2"]
    result = run("train", *args)
    assert result.exit_code == 0, result.output
    record = json.loads((out / "training.json").read_text())
    assert record["steps"] == 2
    assert record["tokens_seen"] == 2 * 2 * 256
    assert record["sample"]["greedy"].startswith("Self-attention")
    assert record["corpus"]["files"] == ["a.md", "b.md"]
    study = GPTConfig(
        context_length=256, emb_dim=128, n_heads=4, n_layers=4, drop_rate=0.0, tie_weights=True
    )
    assert record["config"] == study.to_dict()
    assert (out / "gpt-study.pt").stat().st_size < 16_000_000
