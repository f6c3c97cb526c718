"""The from-GPT-to-Llama demos: their numbers against hand calculations and independent counts."""

from __future__ import annotations

import pytest

from studybuddy.demos import DemoError, param_problems, run_demo
from studybuddy.engine import smollm2

needs_smollm2 = pytest.mark.skipif(not smollm2.is_installed(), reason="SmolLM2 not installed")


def test_rope_scores_depend_only_on_the_distance():
    result = run_demo("rope", {"query_position": 7, "key_position": 3, "shift": 250})
    first, moved = result.values["scores"][:2]
    assert moved == pytest.approx(first, abs=1e-3)
    assert result.values["unrotated"] != pytest.approx(first, abs=1e-2)


def test_rope_refuses_odd_head_dims():
    assert param_problems("rope", {"head_dim": 7})


def test_rms_norm_keeps_the_mean_layer_norm_removes_it():
    result = run_demo("rms-norm", {"emb_dim": 16, "offset": 5.0})
    assert result.values["rms_after"] == pytest.approx(1.0, abs=1e-4)
    assert result.values["mean_after_layer_norm"] == pytest.approx(0.0, abs=1e-5)
    assert result.values["mean_after_rms"] > 0.5  # offset 5 keeps most features positive
    assert result.values["parameters"] == {"rms_norm": 16, "layer_norm": 32}


def test_swiglu_counts_by_hand():
    result = run_demo("swiglu", {"emb_dim": 768, "hidden_dim": 2048})
    assert result.values["gelu_parameters"] == 768 * 3072 + 3072 + 3072 * 768 + 768
    assert result.values["swiglu_parameters"] == 3 * 768 * 2048


def test_grouped_query_attention_memory_by_hand():
    result = run_demo("grouped-query-attention", {"context_tokens": 1000, "bytes_per_value": 2})
    mb = result.values["mb"]
    # 2 (keys, values) x 30 layers x heads x 64 features x 2 bytes x 1000 tokens
    assert mb["multi-head (MHA)"] == round(2 * 30 * 9 * 64 * 2 * 1000 / 2**20, 2)
    assert mb["grouped-query (GQA)"] == round(2 * 30 * 3 * 64 * 2 * 1000 / 2**20, 2)
    assert result.values["gqa_equals_mha"] < 1e-5


@needs_smollm2
def test_gpt_vs_llama_totals_match_the_models(stand_in_model):
    from studybuddy.demos.shipped import smollm2_model
    from studybuddy.engine.model import count_parameters

    totals = run_demo("gpt-vs-llama").values["totals"]
    assert totals["gpt-study"] == count_parameters(stand_in_model)
    assert totals["smollm2"] == count_parameters(smollm2_model()) == 134_515_008


@needs_smollm2
def test_kv_cache_demo_same_tokens_and_cache_size():
    result = run_demo("kv-cache", {"new_tokens": 3})
    assert result.values["same_tokens"]
    assert result.values["bytes_per_token"] == 2 * 30 * 3 * 64 * 4


@needs_smollm2
def test_hallucination_shows_the_banks_answer():
    result = run_demo("hallucination", {"question_id": "ch1-gpt3-year-numeric", "max_tokens": 12})
    assert result.values["key"] == 2020
    assert any("The bank's answer: 2020" in note for note in result.notes)
    probabilities = [row[2] for row in result.table("answer tokens (greedy)").rows]
    assert probabilities and all(0 < p <= 1 for p in probabilities)


def test_demos_fall_back_to_gpt_study_with_one_note(stand_in_model, monkeypatch):
    monkeypatch.setattr(smollm2, "find_gguf", lambda: None)
    result = run_demo("kv-cache", {"new_tokens": 2})
    assert result.notes[0] == f"{smollm2.missing_message()}; using gpt-study."
    assert result.values["same_tokens"]


def test_hallucination_refuses_unknown_questions():
    with pytest.raises(DemoError):
        run_demo("hallucination", {"question_id": "no-such-question"})
