"""Every interpretation note is printed only when what it says holds for the numbers it sits
under: each demo is run with varied parameters, and each conditional note is checked against the
result (or against an independent computation of the same fact)."""

from __future__ import annotations

import math

import pytest

from studybuddy.demos import all_demos, run_demo
from studybuddy.engine import smollm2


def said(result, phrase: str) -> bool:
    return any(phrase in note for note in result.notes)


def test_every_demo_is_covered_here():
    covered = {name.removeprefix("test_notes_").replace("_", "-") for name in globals()}
    missing = {demo_id for demo_id in all_demos() if demo_id not in covered}
    # Demos whose notes are checked with their other tests, named so that this test finds them.
    assert not missing, missing


# --- softmax ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "scores",
    [
        [2.0, 1.0, 0.1],
        [-1000.0, -1000.0, -1000.0],
        [1000.0, 999.0, 0.0],
        [709.0, 709.0, 709.0],
        [-1.0, -2.0],
        [1.0, -1.0],
        [-800.0, 0.0],
        [100.0, -200.0],
        [3.0, 3.0],
    ],
)
def test_notes_softmax_naive(scores):
    import torch

    result = run_demo("softmax-naive", {"scores": scores})
    exps32 = torch.exp(torch.tensor(scores, dtype=torch.float32))
    overflow = bool(torch.isinf(exps32).any())
    underflow = not overflow and float(exps32.sum()) == 0.0
    assert result.values["naive_overflows"] is overflow
    assert result.values["naive_underflows"] is underflow
    assert said(result, "Overflow:") is overflow
    assert said(result, "Underflow:") is underflow
    assert said(result, "inf / inf = nan") is overflow
    assert said(result, "0 / 0 = nan") is underflow
    big = max(scores) > math.log(1.7976931348623157e308)
    assert said(result, "raises OverflowError") is big
    exps64 = [math.exp(s) for s in scores] if not big else None
    assert said(result, "their sum passes the largest float") is bool(
        exps64 is not None and math.isinf(sum(exps64))
    )
    assert said(result, "Even in float64 every exp(x) underflows") is bool(
        exps64 is not None and sum(exps64) == 0.0
    )
    total = sum(scores)
    by_sum = None if total == 0 else [s / total for s in scores]
    assert said(result, "sum to 0") is (by_sum is None)
    negative = by_sum is not None and any(w < 0 for w in by_sum)
    assert said(result, "gives negative weights") is negative
    assert said(result, "turns the order round") is (
        by_sum is not None and not negative and total < 0 and len(set(scores)) > 1
    )
    for note in result.notes:
        if "softmax depends on differences" in note:
            first, second = sorted(scores, reverse=True)[:2]
            assert f"{math.exp(first - second):.2f} : 1" in note


@pytest.mark.parametrize(("d_k", "n_keys", "seed"), [(1, 6, 1), (64, 6, 123), (1024, 2, 5)])
def test_notes_softmax_scaling(d_k, n_keys, seed):
    result = run_demo("softmax-scaling", {"d_k": d_k, "n_keys": n_keys, "seed": seed})
    v = result.values
    dims = v["sweep_dims"]
    variance = v["qk_variance_by_dim"]
    growth = (variance[1024] / variance[1]) / 1024
    assert said(result, "grows in step with d_k") is (0.5 < growth < 2)
    big = dims.index(1024)
    assert said(result, "That is the reason for the scaling") is (
        v["mean_grad_norm_unscaled"][big] < v["mean_grad_norm_scaled"][big] / 2
    )
    assert said(result, "scaling changes nothing") is (d_k == 1)
    assert said(result, "For this draw too") is (
        d_k > 1
        and v["grad_norm_unscaled"] != 0
        and v["grad_norm_unscaled"] < v["grad_norm_scaled"] / 2
        and v["max_weight_unscaled"] > v["max_weight_scaled"]
    )


# --- attention -------------------------------------------------------------------------------

WORDS = ["Your", "journey", "starts", "with", "one", "step"]


@pytest.mark.parametrize("query_index", range(6))
def test_notes_dot_product_similarity(query_index):
    result = run_demo("dot-product-similarity", {"query_index": query_index})
    dots, cosines = result.values["dot_products"], result.values["cosines"]
    others = [i for i in range(6) if i != query_index]
    closest = max(others, key=lambda i: dots[i])
    best_cos = max(others, key=lambda i: cosines[i])
    assert f"({WORDS[closest]!r})" in result.notes[0]
    assert f"closest is {WORDS[best_cos]!r}" in result.notes[1]


@pytest.mark.parametrize("query_index", range(6))
def test_notes_self_attention_simple(query_index):
    result = run_demo("self-attention-simple", {"query_index": query_index})
    weights = result.values["weights"]
    top = max(range(6), key=lambda i: weights[i])
    assert said(result, "wins its own attention") is (top == query_index)
    assert said(result, "than to itself") is (top != query_index)
    assert f"to {WORDS[top]!r}" in result.notes[0]
    if query_index == 3:  # the example: "with" looks hardest at "journey"
        assert said(result, "'with' attends more to 'journey' (0.2074) than to itself (0.1462)")


@pytest.mark.parametrize(("query_index", "d_out"), [(1, 2), (0, 1), (5, 8)])
def test_notes_self_attention_trainable(query_index, d_out):
    result = run_demo("self-attention-trainable", {"query_index": query_index, "d_out": d_out})
    weights = result.values["weights"]
    top = max(range(6), key=lambda i: weights[i])
    assert said(result, f"goes to {WORDS[top]!r}")
    assert said(result, f"sqrt(d_out) = {math.sqrt(d_out):.4f}")


@pytest.mark.parametrize(("n_tokens", "seed"), [(6, 789), (2, 789), (12, 3)])
def test_notes_causal_mask(n_tokens, seed):
    result = run_demo("causal-mask", {"n_tokens": n_tokens, "seed": seed})
    weights = result.values["minus_inf"]
    unmasked = result.values["unmasked"]
    lost = [1 - sum(row[: i + 1]) for i, row in enumerate(unmasked)]
    assert said(result, "Zeroing alone leaves row") is (max(lost) > 1e-4)
    assert said(result, "book's ch. 3 example") is (seed == 789)
    assert said(result, "Tokens 7 to") is (n_tokens > 6)
    assert said(result, f"[{weights[1][0]:.4f}, {weights[1][1]:.4f}]")


def test_causal_mask_defaults_to_the_books_example():
    result = run_demo("causal-mask", {})
    assert result.params["seed"] == 789
    assert result.values["minus_inf"][1][:2] == pytest.approx([0.5517, 0.4483], abs=1e-4)
    # the book's unmasked first row (ch. 3, seed 789)
    assert result.values["unmasked"][0] == pytest.approx(
        [0.1921, 0.1646, 0.1652, 0.1550, 0.1721, 0.1510], abs=1e-4
    )
    longer = run_demo("causal-mask", {"n_tokens": 12})
    first_six = [w for row in longer.values["minus_inf"][:6] for w in row[:6]]
    assert first_six == pytest.approx(
        [w for row in result.values["minus_inf"] for w in row], abs=1e-7
    )


@pytest.mark.parametrize("n_tokens", [2, 6, 12])
def test_notes_bidirectional_attention(n_tokens):
    result = run_demo("bidirectional-attention", {"n_tokens": n_tokens})
    v = result.values
    assert v["visible_causal"] == list(range(1, n_tokens + 1))
    assert v["visible_bidirectional"] == [n_tokens] * n_tokens
    moved_all = all(v["bidirectional_moved"]) and v["causal_moved"] == [False] * (n_tokens - 1) + [
        True
    ]
    assert said(result, f"moved the outputs of {n_tokens} of {n_tokens}") is moved_all


def test_notes_multi_head_shapes():
    result = run_demo("multi-head-shapes", {"d_in": 6, "d_out": 8, "num_heads": 4})
    assert said(result, "d_out / num_heads = 8 / 4 = 2")
    assert result.values["parameters"] == 3 * 6 * 8 + 8 * 8 + 8
    assert said(result, f"= {result.values['parameters']:,}.")


@pytest.mark.parametrize(
    ("d_in", "d_out", "num_heads"), [(3, 2, 2), (3, 1, 2), (3, 3, 2), (768, 64, 12), (5, 4, 1)]
)
def test_notes_multi_head_wrapper(d_in, d_out, num_heads):
    params = {"d_in": d_in, "d_out": d_out, "num_heads": num_heads}
    result = run_demo("multi-head-wrapper", params)
    divisible = d_out % num_heads == 0
    assert said(result, "cannot be built") is (not divisible)
    assert said(result, "the book's exercise") is (num_heads > 1 and divisible)
    assert said(result, f"= {num_heads * 3 * d_in * d_out:,}.")


# --- positions -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("kind", "d_model", "n_tokens"), [("learned", 16, 6), ("sinusoidal", 7, 3), ("learned", 2, 12)]
)
def test_notes_positional_encoding(kind, d_model, n_tokens):
    result = run_demo(
        "positional-encoding", {"kind": kind, "d_model": d_model, "n_tokens": n_tokens}
    )
    v = result.values
    assert v["max_diff_without_positions"] < 1e-5  # permutation-equivariant
    assert said(result, "no longer the old ones") is (v["max_diff_with_positions"] > 1e-4)
    spreads = [max(d) - min(d) for d in v["sinusoidal_dot_by_distance"].values()]
    assert said(result, "depends only on their distance") is (max(spreads) < 1e-4)
    if d_model % 2 == 0:  # an even width makes it exact: PE(p) . PE(q) = sum cos(w_i (p - q))
        assert max(spreads) < 1e-5


# --- regularisation --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("p", "draws", "size"),
    [(0.2, 10_000, 6), (0.5, 10_000, 6), (0.0, 3, 6), (0.8, 2, 2), (0.95, 1, 2)],
)
def test_notes_dropout_scaling(p, draws, size):
    result = run_demo("dropout-scaling", {"p": p, "draws": draws, "size": size, "seed": 1})
    v = result.values
    assert said(result, "Not 1 / p") is (0 < p and p != 0.5)
    assert said(result, "cannot tell the right rule from the wrong one") is (p == 0.5)
    off = abs(v["mean_over_draws"] - v["input_mean"]) / v["input_mean"]
    assert said(result, "keeps the expected value unchanged") is (off < 0.02)
    assert said(result, "Nothing survived") is (not any(any(row) for row in v["kept"]))
    if 0 < p:
        scale_table = result.table("the scale: 1/(1-p) against the 1/p mix-up")
        right, wrong = scale_table.rows
        assert right[0] == pytest.approx(1 / (1 - p), abs=1e-4)
        assert wrong[0] == pytest.approx(1 / p, abs=1e-4)
        # a kept share (1 - p), times 1/p, is what the mix-up would make of the mean
        assert wrong[2] == pytest.approx(v["input_mean"] * (1 - p) / p, abs=1e-3)


def test_dropout_default_is_not_the_rate_that_hides_the_mix_up():
    result = run_demo("dropout-scaling", {})
    assert result.params["p"] == 0.2
    assert said(result, "1 / (1 - p) = 1.25") and said(result, "Not 1 / p = 5")


@pytest.mark.parametrize("context_length", [2, 6, 16])
def test_notes_register_buffer(context_length):
    result = run_demo("register-buffer", {"context_length": context_length})
    hidden = context_length * (context_length - 1) // 2
    assert said(result, f"{hidden} of {context_length**2} (query, key) pairs are hidden")
    table = result.table("what nn.Module does with each kind of tensor")
    facts = result.values["facts"]
    by_kind = list(facts.values())
    for row, fact in zip(table.rows, next(iter(facts.values())), strict=True):
        expected = [
            ("yes" if kind[fact] else "no") if isinstance(kind[fact], bool) else kind[fact]
            for kind in by_kind
        ]
        assert row == expected


# --- tokens ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "Hello, do you like tea? <|endoftext|> In the sunlit terraces of someunknownPlace.",
        "a",
        "attention",
        " leading space",
    ],
)
def test_notes_bpe_tokens(text):
    result = run_demo("bpe-tokens", {"text": text})
    from studybuddy.engine.tokenizer import decode

    ids = result.values["ids"]
    assert said(result, "A space belongs to the word after it") is any(
        len(decode([i])) > 1 and decode([i])[0] == " " for i in ids
    )
    assert said(result, "in the vocabulary whole") is bool(result.values["split_words"])
    assert said(result, "is one special token") is ("<|endoftext|>" in text)
    assert said(result, "1 character became 1 token") is (text == "a")


@pytest.mark.parametrize(
    ("max_length", "stride", "text"),
    [
        (4, 1, None),
        (4, 4, None),
        (4, 6, None),
        (3, 2, None),
        (4, 1, "one two three four five six"),
        (4, 4, "one two three four five"),
    ],
)
def test_notes_sliding_window(max_length, stride, text):
    params = {"max_length": max_length, "stride": stride} | ({"text": text} if text else {})
    result = run_demo("sliding-window", params)
    v = result.values
    n, windows = len(v["token_ids"]), v["num_windows"]
    # independent count: the positions that some window takes as input
    starts = list(range(0, n - max_length, stride))
    assert v["starts"] == starts
    inputs = {s + j for s in starts for j in range(max_length)}
    never = n - len(inputs)
    assert v["tokens_never_input"] == never
    assert said(result, "Only one window fits") is (windows == 1)
    assert said(result, "each window repeats") is (windows > 1 and stride < max_length)
    assert said(result, "tile the text without overlap") is (windows > 1 and stride == max_length)
    assert said(result, "are skipped") is (windows > 1 and stride > max_length)
    assert said(result, f"{never} of the {n} tokens never appear in") is (never > 1)
    assert said(result, f"1 of the {n} tokens never appears in") is (never == 1)
    assert said(result, ", ...") is (windows > 3)


def test_sliding_window_with_stride_equal_to_max_length_counts_the_dropped_tail():
    result = run_demo("sliding-window", {"max_length": 4, "stride": 4})
    assert len(result.values["token_ids"]) == 19
    assert result.values["tokens_never_input"] == 3
    assert not said(result, "each token used once")


@pytest.mark.parametrize("num_tokens", [6, 11, 16])
def test_notes_embeddings(num_tokens):
    result = run_demo("embeddings", {"num_tokens": num_tokens, "output_dim": 8})
    ids = result.values["token_ids"]
    repeated = len(set(ids)) < len(ids)
    assert said(result, "appears at positions") is repeated
    assert said(result, "a repeated token would look identical") is (not repeated)


def test_embeddings_default_shows_a_repeated_word():
    result = run_demo("embeddings", {})
    ids = result.values["token_ids"]
    assert len(set(ids)) < len(ids)
    a, b = [i for i, t in enumerate(ids) if ids.count(t) > 1][:2]
    token, inputs = result.values["token_embeddings"], result.values["input_embeddings"]
    assert token[a] == token[b] and inputs[a] != inputs[b]


@pytest.mark.parametrize("word", ["model", "attention", "zzqxv"])
def test_notes_embedding_neighbours(word, stand_in_model):
    result = run_demo("embedding-neighbours", {"word": word, "k": 3})
    baseline = result.values["random_token_mean_cosine"]
    assert said(result, "they crowd together") is (baseline < -0.2)
    assert said(result, "is not one token") is (len(result.values["query_ids"]) > 1)


@pytest.mark.parametrize(
    "text",
    ["Hello, do you like tea? Tokenizers split text into tokens.", "attention", "tea 🙂 ☕"],
)
def test_notes_tokenization_levels(text):
    import re

    from studybuddy.demos import shipped

    result = run_demo("tokenization-levels", {"text": text})
    corpus = [t for _, t in shipped.corpus_texts()]
    words = {w.strip() for t in corpus for w in re.split(r'([,.:;?_!"()\']|--|\s)', t) if w.strip()}
    chars = {c for t in corpus for c in t}
    pieces = [w.strip() for w in re.split(r'([,.:;?_!"()\']|--|\s)', text) if w.strip()]
    unknown = [w for w in pieces if w not in words]
    assert result.values["lengths"]["characters"] == len(text)
    assert result.values["lengths"]["words"] == len(pieces)
    assert result.values["unknown"]["words"] == len(unknown)
    assert result.values["vocabulary"]["words"] == len(words) + 2
    assert result.values["vocabulary"]["characters"] == len(chars)
    assert result.values["unknown"]["BPE (GPT-2)"] == 0
    assert said(result, "built from the notes has never seen") is bool(unknown)
    assert said(result, "Even characters can be unknown") is any(c not in chars for c in text)


# --- architecture ----------------------------------------------------------------------------


@pytest.mark.parametrize("emb_dim", [2, 6, 64])
def test_notes_layer_norm(emb_dim):
    result = run_demo("layer-norm", {"emb_dim": emb_dim})
    assert said(result, f"(= {emb_dim}/{emb_dim - 1})")
    variances = result.values["variances_after"]
    # measured with n - 1 a variance-1 row shows n / (n - 1)
    assert said(
        result, f"would show {sum(variances) / len(variances) * emb_dim / (emb_dim - 1):.4f}"
    )


@pytest.mark.parametrize(
    ("x_min", "x_max"), [(-4.0, 4.0), (0.0, 4.0), (-0.05, 1.0), (-10.0, 0.0), (-1.0, 2.0)]
)
def test_notes_gelu_vs_relu(x_min, x_max):
    result = run_demo("gelu-vs-relu", {"x_min": x_min, "x_max": x_max, "points": 41})
    v = result.values
    assert said(result, "dips below zero") is (v["gelu_min"] < 0)
    assert said(result, "small but not zero") is (x_min < -0.1)
    assert said(result, "no clearly negative x") is (x_min >= -0.1)
    assert said(result, "the two converge") is (x_max >= 2.0)


@pytest.mark.parametrize("emb_dim", [2, 768])
def test_notes_feed_forward(emb_dim):
    result = run_demo("feed-forward", {"emb_dim": emb_dim})
    assert result.values["parameters"] == 8 * emb_dim**2 + 5 * emb_dim
    assert said(result, f"= {8 * emb_dim**2 + 5 * emb_dim:,}, i.e. 8d^2 + 5d")


@pytest.mark.parametrize(("n_layers", "seed"), [(2, 123), (5, 123), (12, 3), (3, 1)])
def test_notes_shortcut_gradients(n_layers, seed):
    result = run_demo("shortcut-gradients", {"n_layers": n_layers, "seed": seed})
    plain, short = result.values["without_shortcuts"], result.values["with_shortcuts"]
    assert said(result, "the product shrinks") is (plain[0] < plain[-1])
    assert said(result, "identity path carries") is (short[0] > plain[0])
    assert result.series[0].log_y


@pytest.mark.parametrize("qkv_bias", [False, True])
def test_notes_param_count(qkv_bias):
    result = run_demo("param-count", {"qkv_bias": qkv_bias})
    tied = result.values["parameters_tied"]
    # OpenAI's released GPT-2 small: 124,439,808 with its biases and the tied head
    assert tied == (124_439_808 if qkv_bias else 124_412_160)
    assert result.values["parameters_tied_other_qkv_bias"] == (
        124_412_160 if qkv_bias else 124_439_808
    )
    assert said(result, f"12 layers x 3 projections x 768 biases = {12 * 3 * 768:,} parameters")
    assert said(result, "fewer" if qkv_bias else "more")


# --- generation ------------------------------------------------------------------------------


@pytest.mark.parametrize(("prompt", "steps"), [("Every effort moves you", 1), ("The", 12)])
def test_notes_next_token(prompt, steps, stand_in_model):
    result = run_demo("next-token", {"prompt": prompt, "steps": steps})
    generated = result.values["generated_ids"]
    assert said(result, "least sure") is (steps > 1)
    assert said(result, "repeats itself") is (len(set(generated)) < len(generated))
    assert not said(result, "in their style")


@pytest.mark.parametrize(
    "params",
    [
        {},
        {"temperatures": [2.0]},
        {"temperatures": [0.5, 3.0], "draws": 500},
        {"vocab": "custom", "logits": [1.0, 1.0, 0.0], "temperatures": [1.0, 0.1]},
    ],
)
def test_notes_temperature(params):
    result = run_demo("temperature", params)
    rows = result.values["by_temperature"]
    temps = [r["temperature"] for r in rows]
    assert said(result, "as T -> 0") is (min(temps) < 1)
    assert said(result, "A higher T flattens") is (len(set(temps)) > 1)
    assert said(result, "T = 1 leaves") is (1.0 in temps)
    book_counts = said(result, "drawn like the book's sampling loop")
    assert book_counts is (params == {})
    if params == {}:
        assert said(result, "'pizza', nearly the least likely word, was drawn 32 times at T = 5")


@pytest.mark.parametrize(
    "params",
    [
        {},
        {"k": 1},
        {"vocab": "custom", "logits": [3.0, 2.0, 2.0, 2.0, 1.0], "k": 2},
        {"vocab": "custom", "logits": [1.0, 1.0], "k": 1},
        {"k": 9},
    ],
)
def test_notes_top_k(params):
    result = run_demo("top-k", params)
    v = result.values
    k = params.get("k", 3)
    assert said(result, "more than k") is (v["nonzero_count"] > k)
    assert said(result, "greedy decoding") is (v["nonzero_count"] == 1)
    assert said(result, "varies among the good ones") is (v["nonzero_count"] > 1)
    assert said(result, f"{v['nonzero_count']} token")
    if params.get("logits") == [3.0, 2.0, 2.0, 2.0, 1.0]:
        assert v["nonzero_count"] == 4  # the example: the three 2.0s tie


# --- training --------------------------------------------------------------------------------


@pytest.mark.parametrize("text", ["Every effort moves you forward.", "word " * 150])
def test_notes_loss_perplexity(text, stand_in_model):
    result = run_demo("loss-perplexity", {"text": text})
    assert said(result, "it is scored in windows") is (len(result.values["token_ids"]) - 1 > 64)


@pytest.mark.parametrize(("steps", "lr"), [(1, 1e-3), (4, 1e-5), (4, 3e-3), (6, 0.1)])
def test_notes_train_steps(steps, lr):
    result = run_demo("train-steps", {"steps": steps, "lr": lr})
    losses = result.values["losses"]
    rises = sum(1 for a, b in zip(losses, losses[1:], strict=False) if b > a)
    assert said(result, f"it rose at {rises} of") is (rises > 0)
    assert said(result, "The loss fell at every one") is (rises == 0 and steps > 1)
    assert said(result, "overshoot") is (steps > 1 and max(losses[1:]) > losses[0] + 0.5)
    assert said(result, "barely moved") is (
        steps > 1 and not max(losses[1:]) > losses[0] + 0.5 and abs(losses[-1] - losses[0]) < 0.05
    )
    before, after = result.values["held_out_before"], result.values["held_out_after"]
    assert said(result, "held-out loss fell too") is (after < before - 0.5)


def test_train_steps_default_visibly_learns():
    result = run_demo("train-steps", {})
    assert result.values["losses"][-1] < result.values["losses"][0] - 1.0
    assert result.values["held_out_after"] < result.values["held_out_before"] - 1.0


@pytest.mark.parametrize("sizes", [[512], [1, 8, 64, 256], [4, 4]])
def test_notes_batch_noise(sizes):
    result = run_demo("batch-noise", {"batch_sizes": sizes})
    distinct = len(set(sizes))
    assert said(result, "From B =") is (distinct > 1)
    assert said(result, "Give several batch sizes") is (distinct == 1)
    assert not said(result, "512 with 512")


@pytest.mark.parametrize("from_step", [0, 600, 850])
def test_notes_train_val_curves(from_step):
    from studybuddy.demos import shipped

    record = shipped.training_record()
    evals = record["evals"]
    result = run_demo("train-val-curves", {"from_step": from_step})
    first, last = evals[0], evals[-1]
    gap_first = first["val_loss"] - first["train_loss"]
    gap_last = last["val_loss"] - last["train_loss"]
    assert said(result, "The gap between them grew") is (gap_last > gap_first)
    third = evals[len(evals) * 2 // 3]
    train_drop = third["train_loss"] - last["train_loss"]
    val_drop = third["val_loss"] - last["val_loss"]
    assert said(result, "validation is stalling") is (0 < train_drop and val_drop < train_drop / 2)
    lowest = min(evals, key=lambda e: e["val_loss"])
    assert said(result, "still at its lowest") is (lowest is last)
    assert result.values["steps"] == [e["step"] for e in evals if e["step"] >= from_step]


@pytest.mark.parametrize(
    ("smoothing", "bigram_weight"), [(0.01, 0.6), (0.01, 0.0), (10.0, 0.99), (1e-4, 0.3)]
)
def test_notes_ngram_baseline(smoothing, bigram_weight):
    result = run_demo("ngram-baseline", {"smoothing": smoothing, "bigram_weight": bigram_weight})
    losses = {name: math.exp(v["val"]) for name, v in result.values["losses"].items()}
    train = {name: math.exp(v["train"]) for name, v in result.values["losses"].items()}
    counting = ["unigram", "bigram (add-k)", "bigram (mixed)"]
    best = min(counting, key=losses.__getitem__)
    assert said(result, "mixing in the unigram's guess does better") is (
        losses["bigram (mixed)"] < losses["bigram (add-k)"]
    )
    assert said(result, "counts memorise") is (
        losses["bigram (mixed)"] > 2 * train["bigram (mixed)"]
    )
    assert said(result, f"the {best} beats it") is (losses["shipped GPT"] >= losses[best])
    assert said(result, "Even one token of context helps") is (
        losses["bigram (mixed)"] < losses["unigram"]
    )


# --- basics ----------------------------------------------------------------------------------


@pytest.mark.parametrize(("target", "lr"), [(0.0, 5.0), (1.0, 1.0), (0.9, 10.0), (0.5, 0.01)])
def test_notes_sigmoid_network(target, lr):
    result = run_demo("sigmoid-network", {"target": target, "lr": lr})
    v = result.values
    assert said(result, "(lower, as gradient descent intends)") is (
        v["cost_after_step"] < v["cost"]
    )
    assert said(result, "the step overshot") is (
        v["cost"] > 0 and v["cost_after_step"] >= v["cost"]
    )
    c = v["C"]
    assert said(result, "C sits where the sigmoid is flat") is (
        c * (1 - c) < 0.1 and v["cost"] > 1e-6
    )
    hidden = max(abs(g) for row in v["gradients"]["w1"] for g in row)
    output = max(abs(g) for g in v["gradients"]["w2"])
    assert said(result, "pass through one more sigmoid derivative") is (0 < hidden < output)


def test_sigmoid_network_default_moves_the_cost():
    result = run_demo("sigmoid-network", {})
    assert result.values["cost_after_step"] < 0.9 * result.values["cost"]


@pytest.mark.parametrize(
    "params", [{}, {"learning_rates": [0.5], "steepness": 1.0}, {"learning_rates": [0.001]}]
)
def test_notes_gradient_descent(params):
    result = run_demo("gradient-descent", params)
    steepness = params.get("steepness", 10.0)
    for run in result.values["runs"]:
        lr = run["lr"]
        diverges = abs(1 - lr * steepness) > 1 or abs(1 - lr) > 1
        assert (run["verdict"] == "diverges") is diverges
        assert said(result, f"lr = {lr:g} is too big") is diverges
        assert said(result, f"lr = {lr:g} works") is (run["verdict"] == "converged")
        assert said(result, f"lr = {lr:g} is too small") is (run["verdict"] == "still going")


@pytest.mark.parametrize("d_in", [3, 512])
def test_notes_linear_vs_parameter(d_in):
    result = run_demo("linear-vs-parameter", {"d_in": d_in})
    assert said(result, "grow with d_in") is (result.values["projection_scale_ratio"] > 2)
    assert said(result, f"+-{1 / math.sqrt(d_in):.3f}")


@pytest.mark.parametrize(
    "params", [{"steps": 40, "max_length": 5, "hidden": 8}, {"steps": 60, "max_length": 6}]
)
def test_notes_rnn_bottleneck(params):
    result = run_demo("rnn-bottleneck", params)
    v = result.values
    plain, attended = v["accuracy_one_vector"], v["accuracy_attention"]
    assert all(0.0 <= a <= 1.0 for a in plain + attended)
    assert said(result, "the accuracy falls from") is (plain[0] - plain[-1] > 0.1)
    assert said(result, "the bottleneck is gone") is (attended[-1] > plain[-1] + 0.1)
    assert said(result, "attention does not help yet") is (attended[-1] <= plain[-1] + 0.1)
    diagonal = v["attention_diagonal"]
    assert said(result, "learned to read the token it copies") is (diagonal > 0.5)
    assert run_demo("rnn-bottleneck", params).values == v  # deterministic with the seed


def test_a_runaway_descent_stops_with_finite_numbers():
    result = run_demo(
        "gradient-descent", {"learning_rates": [2.0], "steps": 200, "steepness": 50.0}
    )
    (run,) = result.values["runs"]
    assert run["verdict"] == "diverges"
    assert all(math.isfinite(x) for x in run["losses"])
    assert said(result, "stopped once |w| passed")


# --- concepts --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "params",
    [
        {},
        {"inputs": [2.0], "weights": [2.0], "bias": -3.0},
        {"inputs": [1.0], "weights": [-2.0], "bias": 1.0},
        {"inputs": [1.0], "weights": [0.0], "bias": 0.0},
        {"inputs": [1.0, -1.0], "weights": [0.5, 3.0], "bias": 0.0, "activation": "relu"},
    ],
)
def test_notes_neuron(params):
    result = run_demo("neuron", params)
    z = result.values["z"]
    weights = params.get("weights", [0.5, -1.2, 2.0])
    assert said(result, f"= {z:.4f}")
    assert said(result, "Each weight is how strongly") == (len(weights) > 1)
    one_input_threshold = len(weights) == 1 and weights[0] != 0
    assert said(result, "-b / w") == one_input_threshold
    if one_input_threshold:
        side = "above" if weights[0] > 0 else "below"
        assert said(result, f"x {side} -b / w = {-params['bias'] / weights[0]:.4g}")
    sigmoid = params.get("activation", "sigmoid") == "sigmoid"
    assert said(result, "strictly between 0 and 1") == sigmoid
    assert said(result, "never negative") == (not sigmoid)
    if not sigmoid:
        assert result.values["output"] == max(0.0, z)


@pytest.mark.parametrize("bias", [True, False])
def test_notes_layer_params(bias):
    result = run_demo("layer-params", {"sizes": [3, 4, 2], "bias": bias})
    assert result.values["total"] == 3 * 4 + 4 * 2 + (4 + 2 if bias else 0)
    assert said(result, f"In all: {result.values['total']:,} parameters")
    assert said(result, "no biases") == (not bias)


@pytest.mark.parametrize(
    "models", [["gpt3-175b"], ["bert-base"], ["bert-base", "bert-large"], ["gpt-1", "gpt2-xl"]]
)
def test_notes_model_scale(models):
    result = run_demo("model-scale", {"models": models})
    assert said(result, "GPT-3:") == ("gpt3-175b" in models)
    assert said(result, "BERT-base") == ({"bert-base", "bert-large"} <= set(models))
    assert not said(result, "From GPT-1")  # needs all three generations
    if "gpt3-175b" in models:
        n = result.values["parameters"]["gpt3-175b"]
        assert said(result, f"{n * 4 / 1e9:.0f} GB, {math.ceil(n * 4 / 1e9 / 80)} GPUs")


@pytest.mark.parametrize("sentence", ["german", "french"])
def test_notes_word_by_word(sentence):
    result = run_demo("word-by-word", {"sentence": sentence})
    v = result.values
    assert said(result, f"Only {v['in_place']} words")
    assert said(result, "has no place") == bool(v["unused"])
    literal, reference = v["literal"].split(), v["reference"].split()
    assert v["in_place"] == sum(a == b for a, b in zip(literal, reference, strict=False))


@pytest.mark.parametrize("p", [0.0, 0.1, 0.5, 0.9])
def test_notes_attention_dropout(p):
    result = run_demo("attention-dropout", {"p": p})
    v = result.values
    if p == 0:
        assert said(result, "nothing is dropped: both points")
        return
    assert said(result, f"{v['zeroed']} of the {v['allowed']} weights")
    assert v["allowed"] == 21  # 6 tokens, causal: 1 + 2 + ... + 6
    sums = [sum(row) for row in v["dropped"]]
    assert said(result, f"rows now sum to {min(sums):.3f} to {max(sums):.3f}")


@pytest.mark.parametrize(
    ("pairs", "sizes", "drop_last"),
    [(1003, [4, 8, 16], True), (1000, [8], True), (1000, [5, 10], False), (7, [16], False)],
)
def test_notes_batches_per_epoch(pairs, sizes, drop_last):
    result = run_demo(
        "batches-per-epoch", {"pairs": pairs, "batch_sizes": sizes, "drop_last": drop_last}
    )
    left_out = any(row[3] for row in result.tables[0].rows)
    assert said(result, "skips the last, smaller batch") == (drop_last and left_out)
    assert said(result, "Halving the batch") == any(2 * a in sizes for a in sizes)
    assert said(result, "floor(" if drop_last else "ceil(")


@pytest.mark.parametrize("parameters", [124_412_160, 1_000])
def test_notes_optimizer_state(parameters):
    result = run_demo("optimizer-state", {"parameters": parameters})
    assert said(result, f"{2 * 4 * parameters / 2**20:,.1f} MiB")
    assert said(result, "holds 2.00x the first gradient")
    assert said(result, f"within {result.values['gap_resumed']:.1e}")


def test_notes_logit_shapes(stand_in_model):
    result = run_demo("logit-shapes", {"texts": ["Every effort moves you forward"]})
    n = len(result.values["inputs"][0])
    assert said(result, f"A batch of 1 x {n} token ids gives logits of (1, {n}, 50257)")
    assert said(result, f"({n}, 50257) and ({n},)")


# --- from GPT to Llama -----------------------------------------------------------------------


@pytest.mark.parametrize(
    "params",
    [
        {},
        {"query_position": 4, "key_position": 4, "shift": 0, "head_dim": 4},
        {"query_position": 0, "key_position": 9, "shift": 3000, "head_dim": 2, "base": 10.0},
    ],
)
def test_notes_rope(params):
    import torch

    result = run_demo("rope", params)
    p = result.params
    m, n, s = p["query_position"], p["key_position"], p["shift"]
    scores = result.values["scores"]
    assert said(result, f"(distance {m - n}) score {scores[0]:.5f}")
    assert said(result, "positions further") is (s > 0)
    if s > 0:
        assert said(result, f"still score {scores[1]:.5f}")
        assert abs(scores[1] - scores[0]) < 0.05  # float32 rounding, not a different score
    assert said(result, "changes the score") is (m != n)
    assert said(result, "At distance 0") is (m == n)
    if m == n:  # same angle for both: the score is the plain dot product
        assert scores[0] == pytest.approx(result.values["unrotated"], abs=1e-4)
    half = p["head_dim"] // 2
    assert said(result, "pair 1 by") is (half >= 3)
    if half >= 3:
        last = p["base"] ** (-2 * (half - 1) / p["head_dim"])
        assert said(result, f"the last pair by {last:.3g}")
    # The same query drawn again: rotation keeps its length.
    torch.manual_seed(p["seed"])
    q = torch.randn(p["head_dim"])
    assert said(result, f"|q| = {float(q.norm()):.4f} before and {float(q.norm()):.4f} after")


@pytest.mark.parametrize(("emb_dim", "offset"), [(6, 2.0), (2, -50.0), (300, 0.0)])
def test_notes_rms_norm(emb_dim, offset):
    import torch

    result = run_demo("rms-norm", {"emb_dim": emb_dim, "offset": offset})
    x = torch.tensor([result.tables[0].rows[0]])  # the input row, as shown (up to 8 features)
    if emb_dim <= 8:
        assert said(result, f"root mean square ({float(x.pow(2).mean().sqrt()):.4f})")
    v = result.values
    assert v["rms_after"] == pytest.approx(1.0, abs=1e-3)  # "the output has RMS 1"
    assert said(result, f"keeps a mean of {v['mean_after_rms']:.4f}")
    assert said(result, f"its output has mean {v['mean_after_layer_norm']:.1e} and variance 1")
    assert said(result, f"RMSNorm has {emb_dim} parameters")
    assert said(result, f"LayerNorm {2 * emb_dim} (scale and shift)")
    assert said(result, "61 norms in SmolLM2")  # 30 blocks x 2, and the final norm


@pytest.mark.parametrize(("emb_dim", "hidden_dim"), [(576, 1536), (2, 2), (768, 3072)])
def test_notes_swiglu(emb_dim, hidden_dim):
    import torch
    import torch.nn.functional as F

    result = run_demo("swiglu", {"emb_dim": emb_dim, "hidden_dim": hidden_dim})
    gelu = 2 * 4 * emb_dim * emb_dim + 4 * emb_dim + emb_dim
    swiglu = 3 * emb_dim * hidden_dim
    assert said(result, f"GPT's feed-forward: {gelu:,} parameters")
    assert said(result, f"SwiGLU at hidden {hidden_dim:,}: {swiglu:,}")
    assert said(result, f"{swiglu / gelu:.2f} times as many")
    assert said(result, f"8/3 x {emb_dim} = {round(8 * emb_dim / 3):,}")
    minus_one = torch.tensor(-1.0)
    assert said(result, f"SiLU gives {float(minus_one * torch.sigmoid(minus_one)):.4f}")
    assert said(result, f"GELU {float(F.gelu(minus_one, approximate='tanh')):.4f}")


@pytest.mark.parametrize(("tokens", "size"), [(8192, 4), (1, 2)])
def test_notes_grouped_query_attention(tokens, size):
    result = run_demo(
        "grouped-query-attention", {"context_tokens": tokens, "bytes_per_value": size}
    )
    # SmolLM2: 30 layers, 9 query heads, 3 key/value heads of 64 features
    mha, gqa = 2 * 30 * 9 * 64 * size, 2 * 30 * 3 * 64 * size
    assert said(result, "9 query heads share 3 key/value heads (3 per group)")
    assert said(result, f"{gqa:,} bytes per token instead of {mha:,}")
    mb_mha, mb_gqa = round(mha * tokens / 2**20, 2), round(gqa * tokens / 2**20, 2)
    assert said(result, f"{mb_mha:,} MiB with MHA, {mb_gqa:,} MiB with GQA")
    assert said(result, f"{mb_mha - mb_gqa:,.2f} MiB saved")
    assert said(result, f"differ by {result.values['gqa_equals_mha']:.1e}")
    assert result.values["gqa_equals_mha"] < 1e-5


@pytest.mark.skipif(not smollm2.is_installed(), reason="SmolLM2 not installed")
def test_notes_gpt_vs_llama(stand_in_model):
    from studybuddy.demos.shipped import smollm2_model

    result = run_demo("gpt-vs-llama")
    cfg = stand_in_model.cfg
    assert said(result, f"gpt-study: {cfg.n_layers} layers, width {cfg.emb_dim}")
    total = sum(q.numel() for q in stand_in_model.parameters())  # tied head counted once
    assert said(result, f"{total:,} parameters.")
    llama = smollm2_model()
    ff = sum(q.numel() for name, q in llama.named_parameters() if ".ff." in name)
    assert ff > 0
    assert said(result, f"{ff / 134_515_008:.0%} in the feed-forward layers")
    positional = [name for name, _ in llama.named_parameters() if "pos_emb" in name]
    assert said(result, "no position table at all") is (not positional)


@pytest.mark.skipif(not smollm2.is_installed(), reason="SmolLM2 not installed")
def test_notes_kv_cache():
    result = run_demo("kv-cache", {"prompt": "Hello there", "new_tokens": 3})
    rows = result.table("one generation step").rows
    prompt = len(result.values["prompt_ids"])
    assert rows[0][2] == prompt + 2  # the last uncached step runs prompt + 2 earlier new tokens
    assert said(result, f"{prompt} prompt tokens, 3 new")
    # steps run p, p + 1 and p + 2 tokens without the cache; p, then 1 and 1 with it
    assert said(result, f"({3 * prompt + 3} token passes in all)")
    assert said(result, f"then one token per step ({prompt + 2})")
    assert said(result, "identical:") is result.values["same_tokens"]
    assert said(result, "NOT identical") is (not result.values["same_tokens"])
    # 30 layers x (keys, values) x 3 heads x 64 features x 4 bytes
    assert said(result, f"The cache costs {2 * 30 * 3 * 64 * 4:,} bytes per token")
    assert said(result, f"{rows[0][1]} ms without the cache (all {prompt + 2} tokens)")
    assert said(result, f"{rows[1][1]} ms with it (one token")


@pytest.mark.skipif(not smollm2.is_installed(), reason="SmolLM2 not installed")
def test_notes_hallucination():
    import re

    result = run_demo("hallucination", {"question_id": "ch1-gpt3-layers-numeric", "max_tokens": 8})
    answer, key = result.values["answer"], result.values["key"]
    numbers = [float(n.replace(",", "")) for n in re.findall(r"\d[\d,]*(?:\.\d+)?", answer)]
    assert said(result, "right this time") is (key in numbers)
    assert said(result, "which is what hallucination means") is (key not in numbers)
    lowest = min(row[2] for row in result.table("answer tokens (greedy)").rows)
    assert said(result, f"probability {lowest:.3g}")


# --- why transformers scale (demos/scale.py) ----------------------------------------------------


@pytest.mark.parametrize("gpus", [1, 1024])
def test_notes_training_cost(gpus):
    result = run_demo("training-cost", {"gpus": gpus})
    flops = 6 * 175e9 * 300e9  # by hand: 3.15e23
    assert result.values["flops"] == pytest.approx(flops)
    gpu_seconds = flops / 28e12
    assert result.values["gpu_years"] == pytest.approx(gpu_seconds / (365.25 * 86400))
    assert result.values["dollars"] == pytest.approx(gpu_seconds / 3600 * 1.5)
    # the bank's figure for the 2020 estimate: 4.6 million, give or take 0.4
    assert abs(result.values["dollars"] / 1e6 - 4.6) <= 0.4
    assert result.values["wall_days"] == pytest.approx(gpu_seconds / gpus / 86400)
    assert said(result, "GPUs working together") is (gpus > 1)
    assert said(result, "$4.69 million")


def test_notes_sequential_vs_parallel():
    result = run_demo("sequential-vs-parallel", {"num_tokens": 16, "d": 8})
    assert result.values["steps"] == {"rnn": 16, "attention": 1}
    # by hand: the RNN does two d x d matrix-vector products per token; attention three n x d x d
    # projections, then n x n x d for the scores and again for the weighted sum
    assert result.values["flops"] == {
        "rnn": 16 * 2 * 2 * 8 * 8,
        "attention": 3 * 2 * 16 * 8 * 8 + 2 * 2 * 16 * 16 * 8,
    }
    assert result.values["rnn_vs_torch"] < 1e-5
    assert result.values["attention_vs_sdpa"] < 1e-5
    assert said(result, "runs 16 steps in a row")


def test_notes_gradient_path():
    import torch

    from studybuddy.engine.attention import CausalAttention

    result = run_demo("gradient-path", {"num_tokens": 12, "d": 8, "seed": 3})
    torch.manual_seed(3)  # the same draws in the same order, differentiated by a Jacobian
    x = torch.randn(1, 12, 8)
    rnn = torch.nn.RNN(8, 8, batch_first=True)
    attention = CausalAttention(8, 8, 12, 0.0).eval()
    for name, model in (("rnn", lambda t: rnn(t)[0]), ("attention", attention)):
        jac = torch.autograd.functional.jacobian(lambda t, m=model: m(t)[0, -1].sum(), x)
        expected = jac[0].norm(dim=-1).tolist()
        assert result.values[name] == pytest.approx(expected, rel=1e-4, abs=1e-9)
    rnn_grads, att_grads = result.values["rnn"], result.values["attention"]
    assert rnn_grads[0] < 1e-2 * rnn_grads[-1]  # faded over 11 steps
    assert att_grads[0] > 1e-2 * att_grads[-1]  # one step away


# --- learning from data (demos/learning.py) -----------------------------------------------------


@pytest.mark.parametrize("noise", [0.0, 3.0])
def test_notes_learned_rule(noise):
    import numpy as np

    result = run_demo("learned-rule", {"noise": noise, "steps": 600})
    c, f = np.array(result.values["celsius"]), np.array(result.values["observed"])
    # the least-squares line through the same examples, solved in closed form
    w, b = np.linalg.lstsq(np.stack([c, np.ones_like(c)], 1), f, rcond=None)[0]
    assert result.values["w"] == pytest.approx(w, abs=2e-3)
    assert result.values["b"] == pytest.approx(b, abs=5e-2)
    if noise == 0:
        assert (w, b) == pytest.approx((1.8, 32.0), abs=1e-4)
    assert said(result, "With noise") is (noise > 0)


@pytest.mark.parametrize("candidates", [1, 200])
def test_notes_held_out_reuse(candidates):
    result = run_demo("held-out-reuse", {"candidates": candidates, "examples": 100})
    val, test = result.values["validation"], result.values["test"]
    best = max(range(len(val)), key=val.__getitem__)
    assert result.values["chosen_validation"] == max(val)
    assert result.values["chosen_test"] == test[best]
    if candidates == 200:
        # the best of 200 coin flips on 100 examples: expected about 0.5 + 2.7 x 0.05
        assert max(val) >= 0.6
        assert 0.35 <= test[best] <= 0.65
        assert sum(test) / len(test) == pytest.approx(0.5, abs=0.03)
    assert said(result, "nothing is chosen") is (candidates == 1)


@pytest.mark.parametrize("weight_decay", [0.0, 0.1])
def test_notes_adamw_decay(weight_decay):
    import torch

    lr, ratio = 0.01, 1000.0
    one = run_demo("adamw-decay", {"weight_decay": weight_decay, "steps": 1, "seed": 9})
    torch.manual_seed(9)
    g = (torch.randn(1, 2) * torch.tensor([1.0, 1 / ratio]))[0].tolist()
    # Adam's first step by hand: m = (1 - b1) g, v = (1 - b2) g^2, bias-corrected to g and g^2
    for i in range(2):
        adam_grad = g[i] + weight_decay * 1.0
        expected_l2 = 1.0 - lr * adam_grad / (abs(adam_grad) + 1e-8)
        expected_w = 1.0 * (1 - lr * weight_decay) - lr * g[i] / (abs(g[i]) + 1e-8)
        assert one.values["adam_l2"][i] == pytest.approx(expected_l2, abs=1e-6)
        assert one.values["adamw"][i] == pytest.approx(expected_w, abs=1e-6)
    many = run_demo("adamw-decay", {"weight_decay": weight_decay})
    plain, l2, w = (many.values[k] for k in ("plain", "adam_l2", "adamw"))
    if weight_decay == 0:
        assert plain == l2 == w
        assert said(many, "all three runs agree")
    else:
        shrink_l2 = [a - b for a, b in zip(plain, l2, strict=True)]
        shrink_w = [a - b for a, b in zip(plain, w, strict=True)]
        assert shrink_l2[1] > 5 * shrink_l2[0]  # L2 decays the small-gradient weight most
        assert shrink_w[0] == pytest.approx(shrink_w[1], rel=0.15)  # AdamW: alike
        assert said(many, f"took off {shrink_l2[1]:.3g}")


@pytest.mark.parametrize("seed", [123, 1, 2])
def test_notes_word2vec(seed):
    import numpy as np

    result = run_demo("word2vec", {"seed": seed})
    vectors = np.array(result.values["vectors"])  # cat, dog, car, truck, bus
    unit = vectors / np.linalg.norm(vectors, axis=1, keepdims=True)
    cosine = unit @ unit.T
    assert result.values["cosine"]["cat-dog"] == pytest.approx(cosine[0, 1], abs=1e-5)
    assert result.values["cosine"]["car-truck"] == pytest.approx(cosine[2, 3], abs=1e-5)
    # the point: shared contexts give closer vectors than the other group's words
    assert cosine[0, 1] > cosine[0, 2] + 0.2 and cosine[2, 3] > cosine[1, 3] + 0.2
    assert said(result, f"cosine {cosine[0, 1]:.2f}")


# --- applications (demos/applications.py) --------------------------------------------------------

needs_smollm2 = pytest.mark.skipif(not smollm2.is_installed(), reason="SmolLM2 not installed")


def _answer_probability(prompt: str, answer: str) -> float:
    """P(answer | prompt) from one unpadded pass, scored with cross_entropy."""
    import torch
    import torch.nn.functional as F

    from studybuddy.demos.shipped import smollm2_model, smollm2_tokenizer

    model, tok = smollm2_model(), smollm2_tokenizer()
    p, a = tok.encode(prompt), tok.encode(answer)
    with torch.no_grad():
        logits = model(torch.tensor([p + a]))[0].float()
    nll = F.cross_entropy(logits[len(p) - 1 : -1], torch.tensor(a), reduction="sum")
    return math.exp(-float(nll))


@needs_smollm2
def test_notes_few_shot():
    result = run_demo("few-shot", {"task": "capitals"})
    probs = result.values["probabilities"]
    zero = _answer_probability("Japan =>", " Tokyo")
    four = _answer_probability(
        "France => Paris\nItaly => Rome\nSpain => Madrid\nGermany => Berlin\nJapan =>", " Tokyo"
    )
    assert probs[0] == pytest.approx(zero, rel=1e-3)
    assert probs[4] == pytest.approx(four, rel=1e-3)
    assert four > 1000 * zero  # the examples make the point
    assert said(result, "is the model's first choice")


@needs_smollm2
def test_notes_chat_template():
    from studybuddy.demos.shipped import smollm2_tokenizer

    result = run_demo("chat-template", {"question": "What is the capital of France?"})
    tok = smollm2_tokenizer()
    chat = result.values["chat_prompt"]
    assert "<|im_start|>user\nWhat is the capital of France?<|im_end|>" in chat
    assert chat.endswith("<|im_start|>assistant\n")
    assert result.values["tokens"] == {
        "raw": len(tok.encode("What is the capital of France?")),
        "chat": len(tok.encode(chat)),
    }
    assert "Paris" in result.values["answers"]["chat"]
    assert said(result, "no answer") is (not result.values["answers"]["raw"].strip())


@needs_smollm2
def test_notes_preference_pair():
    from studybuddy.demos.shipped import smollm2_tokenizer

    params = {"prompt": "What is 2 + 2?", "chosen": "2 + 2 = 4.", "rejected": "2 + 2 = 5."}
    result = run_demo("preference-pair", params)
    tok = smollm2_tokenizer()
    prompt = tok.render_chat([{"role": "user", "content": params["prompt"]}])
    for side in ("chosen", "rejected"):
        mean = math.log(_answer_probability(prompt, params[side])) / len(tok.encode(params[side]))
        assert result.values[side] == pytest.approx(mean, abs=1e-4)
    margin = result.values["chosen"] - result.values["rejected"]
    assert result.values["loss"] == pytest.approx(math.log1p(math.exp(-margin)), abs=1e-6)
    assert said(result, "already ranks the answers") is (margin > 0)


def test_notes_pretrain_finetune(stand_in_model):
    import torch
    import torch.nn.functional as F

    from studybuddy.demos import shipped

    text = "Attention mixes the values of earlier tokens with softmax weights."
    result = run_demo("pretrain-finetune", {"text": text, "steps": 3})
    ids = shipped.encode(text)
    with torch.no_grad():
        logits = stand_in_model(torch.tensor([ids[:-1]]))[0]
    start = float(F.cross_entropy(logits, torch.tensor(ids[1:])))
    curves = result.values["curves"]
    assert curves["pretrained"][0] == pytest.approx(start, abs=1e-4)
    assert all(len(c) == 4 for c in curves.values())
    # the cached model is copied, not trained in place
    with torch.no_grad():
        again = float(
            F.cross_entropy(stand_in_model(torch.tensor([ids[:-1]]))[0], torch.tensor(ids[1:]))
        )
    assert again == pytest.approx(start, abs=1e-6)
    assert said(result, "Both models have the same")


def test_pretrain_finetune_on_the_shipped_model_starts_far_lower(shipped_model):
    result = run_demo("pretrain-finetune", {"steps": 4})
    curves = result.values["curves"]
    assert curves["pretrained"][0] < curves["from scratch"][0] - 2
    assert curves["pretrained"][-1] < curves["from scratch"][-1]


@needs_smollm2
@pytest.mark.parametrize(
    ("question", "note"),
    [("How many layers does gpt-study have?", 1), ("Where does the study group meet?", 0)],
)
def test_notes_retrieval(question, note):
    import torch
    import torch.nn.functional as F

    from studybuddy.demos.applications import NOTES
    from studybuddy.demos.shipped import smollm2_model, smollm2_tokenizer

    result = run_demo("retrieval", {"question": question})
    model, tok = smollm2_model(), smollm2_tokenizer()

    def bag(text):  # the mean of the token embedding rows, read straight from the table
        return model.tok_emb.weight[tok.encode(text)].mean(0)

    with torch.no_grad():
        expected = [float(F.cosine_similarity(bag(question), bag(n), dim=0)) for n in NOTES]
    assert [s[0] for s in result.values["scores"]] == pytest.approx(expected, abs=1e-5)
    assert result.values["best"] == note  # the note that holds the answer
    hidden_best = max(range(len(NOTES)), key=lambda i: result.values["scores"][i][1])
    assert said(result, "ranks the notes differently") is (hidden_best != note)
    if note == 1:
        assert "4" in result.values["answer_with"]


def test_notes_any_sequence(stand_in_model):
    from studybuddy.engine.model import count_parameters

    result = run_demo("any-sequence", {"lengths": [2, 5], "image_size": 16, "patch": 4})
    v = stand_in_model.cfg.vocab_size
    assert result.values["logit_shapes"] == [f"(1, 2, {v})", f"(1, 5, {v})"]
    assert result.values["parameters"] == count_parameters(stand_in_model)
    # 16 / 4 = 4 patches a side, 16 patches of 3 x 4 x 4 = 48 numbers
    assert result.values["patch_shape"] == [1, 16, 48]
    assert result.values["out_shape"] == [1, 16, 32]
    assert said(result, "sequence of 16 tokens")
    assert said(result, f"has {stand_in_model.cfg.context_length} learned positions")


def test_any_sequence_refuses_patches_that_do_not_tile():
    from studybuddy.demos import param_problems

    assert param_problems("any-sequence", {"image_size": 10, "patch": 4})


def test_notes_block_trace():
    import torch
    import torch.nn.functional as F

    from studybuddy.engine.config import GPTConfig
    from studybuddy.engine.model import TransformerBlock

    result = run_demo("block-trace", {"emb_dim": 8, "num_tokens": 4, "seed": 5})
    assert result.values["steps"][1:3] == ["norm1 (LayerNorm)", "att (masked multi-head attention)"]
    assert result.values["gap"] < 1e-6
    torch.manual_seed(5)
    block = TransformerBlock(GPTConfig(context_length=4, emb_dim=8, n_heads=2)).eval()
    x = torch.randn(1, 4, 8) * 2 + 1
    normed = F.layer_norm(x, (8,), eps=1e-5)  # torch's own LayerNorm, scale 1 and shift 0
    rows = result.table("the steps in order").rows
    assert rows[1][4] == pytest.approx(float(normed.std()), abs=1e-4)
    with torch.no_grad():
        out = block(x)
    assert rows[6][3] == pytest.approx(float(out.mean()), abs=1e-4)
    assert said(result, "pre-LayerNorm")


def test_notes_learning_signals():
    import numpy as np

    result = run_demo("learning-signals")
    x, labels = np.array(result.values["points"]), np.array(result.values["labels"])
    # the best any line can do here is about the Bayes rate: the centres are 3 apart, sd 1
    nearest_centre = (x[:, 0] > 0).astype(int)
    bayes = float((nearest_centre == labels).mean())
    assert result.values["supervised"] >= bayes - 0.03
    assert result.values["unsupervised"] >= bayes - 0.05
    tries = result.values["tries"]
    assert sum(tries) == 500 and tries[2] == max(tries)  # it found the best lever
    assert said(result, f"gets {result.values['supervised']:.1%} right")


def test_notes_classifier_head(stand_in_model):
    result = run_demo("classifier-head", {"num_classes": 3, "text": "one two three four"})
    cfg = stand_in_model.cfg
    n = result.values["class_shape"][1]
    assert result.values["vocabulary_shape"] == [1, n, cfg.vocab_size]
    assert result.values["class_shape"] == [1, n, 3]
    assert sum(result.values["probabilities"]) == pytest.approx(1.0, abs=1e-6)
    last = stand_in_model.trf_blocks[-1]
    expected = (
        sum(q.numel() for q in last.parameters())
        + sum(q.numel() for q in stand_in_model.final_norm.parameters())
        + cfg.emb_dim * 3
        + 3
    )
    assert result.values["trainable"] == expected
    assert stand_in_model.out_head.out_features == cfg.vocab_size  # the cached model untouched
    assert said(result, f"a {cfg.emb_dim} x 3 layer")


def test_notes_layer_norm_eps():
    import torch
    import torch.nn.functional as F

    result = run_demo("layer-norm-eps", {"value": 3.0, "emb_dim": 6, "eps": 1e-5})
    assert all(math.isnan(v) for v in result.values["without_eps"][0])  # 0 / 0
    assert result.values["with_eps"][0] == pytest.approx([0.0] * 6, abs=1e-6)
    torch.manual_seed(123)
    ordinary = torch.randn(6)
    expected = F.layer_norm(ordinary, (6,), eps=1e-5)  # torch's own, same eps
    assert result.values["with_eps"][1] == pytest.approx(expected.tolist(), abs=1e-5)
    without = (ordinary - ordinary.mean()) / ordinary.var(unbiased=False).sqrt()
    assert result.values["change"] == pytest.approx(
        float((expected - without).abs().max()), abs=1e-6
    )
    assert said(result, "0 / 0 = nan")


def test_notes_scaling_law():
    result = run_demo("scaling-law", {"tokens_billion": 300, "parameters_billion": 70})
    # by hand from the published fit, at N = 1e9 and D = 300e9
    expected = 1.69 + 406.4 / 1e9**0.34 + 410.7 / 300e9**0.28
    assert result.values["by_size"][2] == pytest.approx(expected, rel=1e-9)
    by_size = result.values["by_size"]
    assert all(a > b > 1.69 for a, b in zip(by_size, by_size[1:], strict=False))  # falls, floored
    assert said(result, "10^0.34 = 2.19")


@needs_smollm2
def test_notes_head_patterns():
    result = run_demo("head-patterns", {"layer": 0})
    weights = result.values["weights"]
    assert len(weights) == 9 and all(sum(w) == pytest.approx(1.0, abs=1e-5) for w in weights)
    tops = {max(range(len(w)), key=w.__getitem__) for w in weights}
    assert result.values["distinct_tops"] == len(tops) >= 3  # the heads look at different tokens
    assert result.values["gap"] < 1e-4  # the weights are the ones the layer uses
    assert said(result, f"go to {len(tops)} different tokens")


def test_notes_pretraining_objectives():
    text = "One two three four five six. Seven eight nine ten. Eleven twelve thirteen."
    result = run_demo("pretraining-objectives", {"text": text, "mask_rate": 0.3})
    words = text.split()
    hidden = result.values["hidden"]
    assert len(hidden) == round(0.3 * len(words)) and len(set(hidden)) == len(hidden)
    # the corrupted input and the target put together give the text back
    rebuilt, parts = [], dict()
    target = result.values["target"]
    marks = [i for i, w in enumerate(target) if w.startswith("<X")]
    for k, start in enumerate(marks):
        end = marks[k + 1] if k + 1 < len(marks) else len(target)
        parts[target[start]] = target[start + 1 : end]
    for w in result.values["corrupted"]:
        rebuilt += parts.get(w, [w])
    assert rebuilt == words
    rows = result.table("next sentence prediction").rows
    assert [r[2] for r in rows] == ["IsNext", "NotNext"]
    assert said(result, f"{len(hidden)} words become [MASK]")


def test_notes_compute_per_token():
    result = run_demo("compute-per-token", {"answer_tokens": 2, "worked_tokens": 50})
    # SmolLM2 by hand: per layer q and o 576 x 576, k and v 576 x 192 (3 heads of 64), the
    # SwiGLU 3 x 576 x 1536; then the 49,152 x 576 output head; 2 FLOPs per weight
    per_layer = 2 * 576 * 576 + 2 * 576 * 192 + 3 * 576 * 1536
    assert result.values["matmul"] == 2 * (30 * per_layer + 49152 * 576)
    assert result.values["attention"] == 2 * 2 * 30 * 9 * 64 * 100
    rows = result.table("computation spent on the problem").rows
    assert float(rows[1][2]) / float(rows[0][2]) == pytest.approx(25, rel=1e-2)
    assert said(result, "25 times as much")
