"""The demos added for issue 20, against independent references: torch built-ins, the book's
printed figures, hand calculations and the shipped training record."""

from __future__ import annotations

import math
from collections import Counter

import pytest

from studybuddy.demos import DemoError, run_demo
from studybuddy.demos.attention import INPUTS


def _book_projections(seed: int, d_in: int = 3, d_out: int = 2):
    """W_query, W_key, W_value drawn the book's way: three nn.Linear after manual_seed."""
    import torch

    torch.manual_seed(seed)
    return [torch.nn.Linear(d_in, d_out, bias=False) for _ in range(3)]


def test_bidirectional_and_causal_attention_match_torch_sdpa():
    import torch
    from torch.nn import functional as F

    result = run_demo("bidirectional-attention", {"n_tokens": 6})
    x = torch.tensor(INPUTS)
    w_q, w_k, w_v = _book_projections(789)
    with torch.no_grad():
        q, k, v = w_q(x), w_k(x), w_v(x)
        both = F.scaled_dot_product_attention(q[None], k[None], v[None], is_causal=False)[0]
        causal = F.scaled_dot_product_attention(q[None], k[None], v[None], is_causal=True)[0]
        weights = torch.softmax(q @ k.T / math.sqrt(2), dim=-1)
    flat = [w for row in result.values["bidirectional_context"] for w in row]
    assert flat == pytest.approx(both.flatten().tolist(), abs=1e-6)
    flat = [w for row in result.values["causal_context"] for w in row]
    assert flat == pytest.approx(causal.flatten().tolist(), abs=1e-6)
    flat = [w for row in result.values["bidirectional_weights"] for w in row]
    assert flat == pytest.approx(weights.flatten().tolist(), abs=1e-6)
    assert result.values["causal_weights"][1][:2] == pytest.approx([0.5517, 0.4483], abs=1e-4)


def test_multi_head_wrapper_reproduces_the_books_outputs_and_counts():
    result = run_demo("multi-head-wrapper", {})  # d_in 3, d_out 2, 2 heads, seed 123
    v = result.values
    # the book's printed context vectors for its batch of two copies (ch. 3)
    assert v["wrapper_output"][0][0] == pytest.approx([-0.4519, 0.2216, 0.4772, 0.1063], abs=1e-4)
    assert v["wrapper_output"][0][5] == pytest.approx([-0.5299, -0.1081, 0.5077, 0.3493], abs=1e-4)
    assert v["split_output"][0][0] == pytest.approx([0.3190, 0.4858], abs=1e-4)
    assert v["split_output"][0][5] == pytest.approx([0.2575, 0.4028], abs=1e-4)
    # parameters by hand: per head 3 matrices of 3 x 2; MHA adds out_proj (d_out^2 + d_out)
    assert v["wrapper_parameters"] == 2 * 3 * 3 * 2
    assert v["split_parameters"] == 3 * 3 * 2 + 2 * 2 + 2
    assert v["same_width_parameters"] == 3 * 3 * 4 + 4 * 4 + 4
    assert (v["wrapper_width"], v["split_width"], v["same_width_width"]) == (4, 2, 4)
    exercise = run_demo("multi-head-wrapper", {"d_out": 1})
    assert exercise.values["wrapper_width"] == 2  # the book's exercise 3.2
    odd = run_demo("multi-head-wrapper", {"d_out": 3})
    assert odd.values["split_output"] is None and odd.values["wrapper_width"] == 6


def test_positional_encoding_against_the_formula_and_a_permutation():
    result = run_demo("positional-encoding", {"d_model": 6, "n_tokens": 5})
    v = result.values
    for pos in range(5):
        for j in range(6):
            angle = pos / 10000 ** (2 * (j // 2) / 6)
            expected = math.sin(angle) if j % 2 == 0 else math.cos(angle)
            assert v["sinusoidal"][pos][j] == pytest.approx(expected, abs=1e-6)
    order = v["order"]
    assert sorted(order) == list(range(5)) and order != list(range(5))
    for i, j in enumerate(order):  # the shuffled run's output i is the plain run's output j
        assert v["outputs_shuffled"][i] == pytest.approx(v["outputs"][j], abs=1e-6)


def test_train_val_curves_report_the_training_record(monkeypatch):
    import json

    from studybuddy.demos import shipped
    from studybuddy.engine.pretrained import shipped_model_dir

    record = json.loads((shipped_model_dir() / "training.json").read_text())
    result = run_demo("train-val-curves", {})
    assert result.values["train_loss"] == [e["train_loss"] for e in record["evals"]]
    assert result.values["val_loss"] == [e["val_loss"] for e in record["evals"]]
    assert result.values["train_tokens"] == record["corpus"]["train_tokens"]
    last = record["evals"][-1]
    assert any(f"ends at {math.exp(last['val_loss']):.0f}" in n for n in result.notes)
    # a record whose validation turns back up: the note says so
    rising = {
        "evals": [
            {"step": s, "tokens_seen": 100 * s, "train_loss": 6 - s / 100, "val_loss": val}
            for s, val in ((100, 6.0), (200, 5.5), (300, 5.7))
        ]
    }
    monkeypatch.setattr(shipped, "training_record", lambda: rising)
    turned = run_demo("train-val-curves", {})
    assert any("lowest at step 200" in n and "overfitting outright" in n for n in turned.notes)
    monkeypatch.setattr(shipped, "training_record", lambda: {"evals": [{"step": "x"}]})
    with pytest.raises(DemoError, match="lacks step"):
        run_demo("train-val-curves", {})
    with pytest.raises(DemoError, match="fewer than 2 evaluations"):
        monkeypatch.setattr(shipped, "training_record", lambda: rising)
        run_demo("train-val-curves", {"from_step": 300})


def test_ngram_baseline_against_counting_by_hand():
    from studybuddy.engine.recipe import load_corpus
    from studybuddy.locations import data_dir

    corpus = load_corpus(data_dir() / "corpus", 0.1)
    train, val = corpus.train_ids, corpus.val_ids
    unigrams = Counter(train)
    bigrams = Counter(zip(train, train[1:], strict=False))
    n, vocab, k, weight = len(train), 50257, 0.01, 0.6

    def mean_nll(tokens, prob):
        pairs = list(zip(tokens, tokens[1:], strict=False))
        return -sum(math.log(prob(a, b)) for a, b in pairs) / len(pairs)

    def unigram(a, b):
        return (unigrams[b] + k) / (n + k * vocab)

    def add_k(a, b):
        return (bigrams[(a, b)] + k) / (unigrams[a] + k * vocab)

    def mixed(a, b):
        counted = bigrams[(a, b)] / unigrams[a] if unigrams[a] else 0.0
        return weight * counted + (1 - weight) * unigram(a, b)

    result = run_demo("ngram-baseline", {"smoothing": k, "bigram_weight": weight})
    losses = result.values["losses"]
    for name, prob in (("unigram", unigram), ("bigram (add-k)", add_k), ("bigram (mixed)", mixed)):
        assert losses[name]["val"] == pytest.approx(mean_nll(val, prob), rel=1e-9)
        assert losses[name]["train"] == pytest.approx(mean_nll(train, prob), rel=1e-9)
    unseen = sum(1 for pair in zip(val, val[1:], strict=False) if pair not in bigrams)
    assert result.values["unseen_val_pairs"] == pytest.approx(unseen / (len(val) - 1))
    assert (result.values["train_tokens"], result.values["val_tokens"]) == (len(train), len(val))


def test_gradient_descent_follows_the_closed_form():
    result = run_demo("gradient-descent", {"learning_rates": [0.02, 0.21], "steps": 12})
    for run in result.values["runs"]:
        lr = run["lr"]
        # on (w1^2 + 10 w2^2) / 2 each step multiplies w1 by (1 - lr), w2 by (1 - 10 lr)
        w1, w2 = -4.0 * (1 - lr) ** 12, 2.0 * (1 - 10 * lr) ** 12
        assert run["final_w"] == pytest.approx([w1, w2], rel=1e-9)
        assert run["final_loss"] == pytest.approx(0.5 * (w1**2 + 10 * w2**2), rel=1e-9)


def test_linear_vs_parameter_moves_the_weights_transposed():
    import torch

    result = run_demo("linear-vs-parameter", {})
    v = result.values
    assert v["linear_weight_shape"] == [2, 3] and v["parameter_shape"] == [3, 2]
    flat = lambda rows: [x for row in rows for x in row]  # noqa: E731
    assert flat(v["v1_moved_output"]) == pytest.approx(flat(v["v2_output"]), abs=1e-6)
    assert flat(v["v1_own_output"]) != pytest.approx(flat(v["v2_output"]), abs=1e-3)
    # the book's SelfAttention_v2 with seed 789 (ch. 3), computed directly
    w_q, w_k, w_v = _book_projections(789)
    x = torch.tensor(INPUTS)
    with torch.no_grad():
        context = torch.softmax(w_q(x) @ w_k(x).T / math.sqrt(2), dim=-1) @ w_v(x)
    assert flat(v["v2_output"]) == pytest.approx(context.flatten().tolist(), abs=1e-6)
    assert v["v2_output"][0] == pytest.approx([-0.0739, 0.0713], abs=1e-4)  # the book's row
    low, high = v["linear_weight_range"]
    assert -v["init_bound"] <= low and high <= v["init_bound"]
    low, high = v["parameter_range"]
    assert 0.0 <= low and high < 1.0
