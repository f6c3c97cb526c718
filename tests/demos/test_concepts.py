"""The concept demos against hand calculations, torch built-ins and published figures."""

from __future__ import annotations

import math

import pytest

from studybuddy.demos import DemoError, run_demo
from studybuddy.demos.attention import INPUTS


def test_neuron_weighted_sum_and_sigmoid_by_hand():
    result = run_demo("neuron", {})  # weights (0.5, -1.2, 2.0), bias 0.1, inputs (1, 0.5, 0.25)
    assert result.values["z"] == pytest.approx(0.5 * 1.0 - 1.2 * 0.5 + 2.0 * 0.25 + 0.1)
    assert result.values["output"] == pytest.approx(1 / (1 + math.exp(-0.5)))
    assert any("largest at z = 0" in note and "0.25" in note for note in result.notes)
    # the notes' slip: 1 / (1 + e^3.6) is the sigmoid of -3.6
    slip = run_demo("neuron", {"inputs": [1.0], "weights": [-3.6], "bias": 0.0})
    assert slip.values["output"] == pytest.approx(1 / (1 + math.exp(3.6)))
    assert round(slip.values["output"], 3) == 0.027


def test_neuron_threshold_note_and_relu():
    result = run_demo("neuron", {"inputs": [2.0], "weights": [2.0], "bias": -3.0})
    assert result.values["z"] == pytest.approx(1.0)
    assert any("x above -b / w = 1.5" in note for note in result.notes)
    relu = run_demo("neuron", {"inputs": [1.0, 1.0], "weights": [-1.0, -2.0], "activation": "relu"})
    assert relu.values["z"] == pytest.approx(-3.0 + 0.1)
    assert relu.values["output"] == 0.0
    assert not any("0.25" in note for note in relu.notes)  # the sigmoid's slope is not ReLU's


def test_neuron_refuses_a_weight_count_that_does_not_match():
    with pytest.raises(DemoError, match="one per input"):
        run_demo("neuron", {"inputs": [1.0, 2.0], "weights": [1.0]})


def test_layer_params_mnist_network_by_hand():
    result = run_demo("layer-params", {})
    assert result.values["total"] == (784 * 16 + 16) + (16 * 16 + 16) + (16 * 10 + 10) == 13_002
    assert result.values["per_layer"] == [12_560, 272, 170]
    no_bias = run_demo("layer-params", {"sizes": [784, 16, 16, 10], "bias": False})
    assert no_bias.values["total"] == 784 * 16 + 16 * 16 + 16 * 10


def test_model_scale_matches_the_engine_and_published_counts():
    import torch

    from studybuddy.engine.config import GPTConfig
    from studybuddy.engine.model import GPTModel

    counts = run_demo("model-scale", {}).values["parameters"]
    # GPT-2 small as OpenAI released it (qkv bias, tied head), built by our engine without
    # allocating its tensors
    with torch.device("meta"):
        engine = GPTModel(GPTConfig(qkv_bias=True, tie_weights=True))
    assert counts["gpt2-small"] == sum(t.numel() for t in engine.parameters()) == 124_439_808
    assert counts["gpt2-xl"] == 1_557_611_200  # the released GPT-2 XL checkpoint's count
    assert counts["bert-base"] == 109_482_240  # the released BERT-base (uncased) checkpoint's
    assert counts["gpt3-175b"] == pytest.approx(175e9, rel=0.005)  # Brown et al. 2020: 175.0B
    assert counts["bert-large"] == pytest.approx(340e6, rel=0.02)  # Devlin et al. 2018: 340M
    assert counts["gpt-1"] == pytest.approx(117e6, rel=0.01)
    table = run_demo("model-scale", {"models": ["gpt3-175b"], "extra_billion": 70}).tables[0]
    gpt3, extra = table.rows
    assert float(gpt3[4]) == pytest.approx(counts["gpt3-175b"] * 4 / 1e9, rel=1e-3)  # fp32 GB
    assert float(gpt3[6]) == pytest.approx(6 * 175e9 * 300e9, rel=0.01)  # C = 6ND
    assert float(extra[5]) == 140.0  # 70 billion x 2 bytes


def test_word_by_word_keeps_the_source_order():
    result = run_demo("word-by-word", {})
    assert result.values["literal"] == "Can you me help this sentence to translate"
    assert result.values["in_place"] == 2  # "Can you", then the orders part
    assert result.values["unused"] == ["to"]
    french = run_demo("word-by-word", {"sentence": "french"})
    assert french.values["literal"] == "The cat black sleeps"
    assert french.values["moved"] == ["cat", "black"]


def test_attention_dropout_points_against_torch():
    import torch
    from torch.nn import functional as F

    from studybuddy.engine.attention import CausalAttention

    result = run_demo("attention-dropout", {"p": 0.5})
    v = result.values
    torch.manual_seed(123)
    layer = CausalAttention(3, 2, 6, 0.5)
    x = torch.tensor(INPUTS)
    with torch.no_grad():
        q, k, val = layer.W_query(x), layer.W_key(x), layer.W_value(x)
        expected = F.scaled_dot_product_attention(q[None], k[None], val[None], is_causal=True)[0]
    flat = [c for row in v["eval"] for c in row]
    assert flat == pytest.approx(expected.flatten().tolist(), abs=1e-5)
    weights, dropped = torch.tensor(v["weights"]), torch.tensor(v["dropped"])
    kept = dropped != 0
    # survivors are scaled by 1 / (1 - p) = 2, everything else is 0
    assert torch.allclose(dropped[kept], 2 * weights[kept], atol=1e-5)
    assert v["zeroed"] == int(((~kept) & (weights > 0)).sum()) > 0
    plain = torch.tensor(v["weights"]) @ val
    context = torch.tensor(v["context_dropped"])
    hit = context != 0
    assert torch.allclose(context[hit], 2 * plain[hit], atol=1e-4)
    none = run_demo("attention-dropout", {"p": 0.0})
    assert none.values["dropped"] == none.values["weights"]
    assert "nothing is dropped" in none.notes[0]


def test_batches_per_epoch_by_hand():
    result = run_demo("batches-per-epoch", {})  # 1,003 pairs, drop_last
    assert result.values["batches"] == [1003 // 4, 1003 // 8, 1003 // 16] == [250, 125, 62]
    kept = run_demo("batches-per-epoch", {"batch_sizes": [8], "drop_last": False})
    assert kept.values["batches"] == [math.ceil(1003 / 8)]
    assert kept.tables[0].rows[0][4] == 1003 - 125 * 8  # the short last batch


def test_optimizer_state_against_hand_reasoning():
    import torch

    v = run_demo("optimizer-state", {}).values
    once, twice = torch.tensor(v["grad_once"]), torch.tensor(v["grad_twice"])
    assert torch.allclose(twice, 2 * once, atol=1e-5)  # backward() accumulates into .grad
    assert v["model_values"] == 3 * 2 + 2 and v["moment_values"] == 2 * v["model_values"]
    assert v["adam_mib"] == pytest.approx(2 * 4 * 124_412_160 / 2**20)  # 949.2 MiB
    assert round(v["adam_mib"], 1) == 949.2
    assert v["gap_resumed"] < 1e-6 < v["gap_model_only"]


def test_logit_shapes_and_loss_against_a_hand_written_cross_entropy(stand_in_model):
    import torch

    result = run_demo("logit-shapes", {})
    v = result.values
    assert v["logits_shape"] == [2, 4, 50257] and v["flat_shape"] == [8, 50257]
    assert [row[1:] for row in v["inputs"]] == [row[:-1] for row in v["targets"]]
    with torch.no_grad():
        logits = stand_in_model(torch.tensor(v["inputs"]))
    log_probs = torch.log_softmax(logits, dim=-1)
    picked = log_probs.gather(-1, torch.tensor(v["targets"])[..., None])
    assert v["loss"] == pytest.approx(float(-picked.mean()), abs=1e-4)


def test_logit_shapes_refuses_a_one_token_text(stand_in_model):
    with pytest.raises(DemoError, match="two tokens"):
        run_demo("logit-shapes", {"texts": ["Hi", "Every effort moves you"]})
