"""The demo ids and parameter bounds the question banks rely on (the demos contract)."""

from __future__ import annotations

import pytest

from studybuddy.demos import DemoError, all_demos, param_problems, run_demo

# id -> {parameter: (lowest allowed, highest allowed)}; lists are bounded by item values and
# item counts, strings by length, as the contract in the notes lays down.
CONTRACT: dict[str, dict[str, tuple]] = {
    "softmax-naive": {"scores": ("list", 2, 16, -1000.0, 1000.0)},
    "softmax-scaling": {"d_k": (1, 4096), "n_keys": (2, 32)},
    "dot-product-similarity": {"query_index": (0, 5)},
    "self-attention-simple": {"query_index": (0, 5)},
    "self-attention-trainable": {"query_index": (0, 5), "d_out": (1, 8)},
    "causal-mask": {"n_tokens": (2, 12)},
    "dropout-scaling": {"p": (0.0, 0.95), "size": (2, 64), "draws": (1, 100_000)},
    "register-buffer": {"context_length": (2, 16)},
    "multi-head-shapes": {
        "batch": (1, 8),
        "num_tokens": (1, 64),
        "d_in": (1, 1024),
        "d_out": (1, 1024),
        "num_heads": (1, 64),
    },
    "bpe-tokens": {"text": ("str", 1, 500)},
    "sliding-window": {"text": ("str", 1, 2000), "max_length": (1, 64), "stride": (1, 64)},
    "embeddings": {"num_tokens": (1, 16), "output_dim": (1, 768)},
    "layer-norm": {"emb_dim": (2, 1024)},
    "gelu-vs-relu": {"x_min": (-10.0, 0.0), "x_max": (0.0, 10.0)},
    "feed-forward": {"emb_dim": (2, 1024)},
    "shortcut-gradients": {"n_layers": (2, 12)},
    "param-count": {"preset": ("choice", "gpt2-small", "gpt2-medium", "gpt2-large", "gpt2-xl")},
    "multi-head-wrapper": {
        "d_in": (1, 1024),
        "d_out": (1, 256),
        "num_heads": (1, 16),
        "num_tokens": (1, 12),
    },
    "bidirectional-attention": {"n_tokens": (2, 12)},
    "positional-encoding": {"n_tokens": (2, 12), "d_model": (2, 64)},
    "tokenization-levels": {"text": ("str", 1, 500)},
    "train-val-curves": {"from_step": (0, 1_000_000)},
    "ngram-baseline": {"smoothing": (1e-6, 10.0), "bigram_weight": (0.0, 0.99)},
    "gradient-descent": {
        "learning_rates": ("list", 1, 4, 0.0001, 2.0),
        "steps": (1, 200),
        "steepness": (1.0, 50.0),
    },
    "linear-vs-parameter": {"d_in": (1, 1024), "d_out": (1, 64)},
    "rnn-bottleneck": {"hidden": (4, 48), "max_length": (3, 12), "steps": (10, 200)},
    "next-token": {"prompt": ("str", 1, 200), "steps": (1, 20)},
    "temperature": {"temperatures": ("list", 1, 6, 0.01, 5.0), "draws": (1, 10_000)},
    "top-k": {"k": (1, 50)},
    "loss-perplexity": {"text": ("str", 1, 2000)},
    "train-steps": {"steps": (1, 50), "lr": (1e-5, 1e-1)},
    "batch-noise": {"batch_sizes": ("list", 1, 6, 1, 512)},
    "sigmoid-network": {},
    "embedding-neighbours": {"word": ("str", 1, 40), "k": (1, 20)},
}


def test_every_contract_id_is_registered():
    assert set(CONTRACT) <= set(all_demos())


def _accepted_and_refused(spec: tuple) -> tuple[list, list]:
    kind = spec[0]
    if kind == "str":
        _, low, high = spec
        return ["a" * low, "a" * high], ["a" * (high + 1)] + ([""] if low > 0 else [])
    if kind == "list":
        _, fewest, most, low, high = spec
        ok = [[low] * fewest, [high] * most]
        step = 1 if isinstance(low, int) else 0.001
        return ok, [[low] * (most + 1), [low - step] * fewest, [high + step] * fewest]
    if kind == "choice":
        return list(spec[1:]), ["gpt2-huge"]
    low, high = spec
    step = 1 if isinstance(low, int) else max(abs(high - low) * 1e-3, 1e-6)
    return [low, high], [low - step, high + step]


@pytest.mark.parametrize("demo_id", sorted(CONTRACT))
def test_contract_parameters_take_their_bounds_and_refuse_beyond(demo_id):
    fields = all_demos()[demo_id].params_model.model_fields
    assert "seed" in fields
    for name, spec in CONTRACT[demo_id].items():
        assert name in fields, f"{demo_id} lacks {name}"
        accepted, refused = _accepted_and_refused(spec)
        for value in accepted:
            problems = [p for p in param_problems(demo_id, {name: value}) if p.startswith(name)]
            assert problems == [], (demo_id, name, value)
        for value in refused:
            problems = param_problems(demo_id, {name: value})
            assert problems and problems[0].startswith(name), (demo_id, name, value)


def test_a_refusal_names_the_allowed_range():
    assert param_problems("causal-mask", {"n_tokens": 13}) == [
        "n_tokens: Input should be less than or equal to 12 (allowed: 2 to 12)"
    ]
    (problem,) = param_problems("softmax-naive", {"scores": [1.0, 2000.0]})
    assert problem.startswith("scores.1:") and problem.endswith("(allowed: -1000 to 1000)")
    (problem,) = param_problems("bpe-tokens", {"text": "x" * 501})
    assert problem.endswith("(allowed: 1 to 500 characters)")


def test_cross_field_rules_are_refused_with_a_reason():
    with pytest.raises(DemoError, match=r"d_out \(10\) must be divisible by num_heads \(3\)"):
        run_demo("multi-head-shapes", {"d_out": 10, "num_heads": 3})
    with pytest.raises(DemoError, match="x_max"):
        run_demo("gelu-vs-relu", {"x_min": 0.0, "x_max": 0.0})


def test_unknown_demo_and_unknown_parameter():
    with pytest.raises(DemoError, match="no demo called 'nope'"):
        run_demo("nope")
    assert param_problems("top-k", {"kk": 3})[0].startswith("kk: not a parameter")


FAST = sorted(set(CONTRACT) - {"train-steps", "rnn-bottleneck"})


@pytest.mark.parametrize("demo_id", FAST)
def test_same_seed_same_numbers_and_notes_from_numbers(demo_id, stand_in_model):
    first = run_demo(demo_id, {"seed": 5})
    again = run_demo(demo_id, {"seed": 5})
    assert first.values == again.values
    assert first.notes and all(isinstance(n, str) and n for n in first.notes)
    assert first.values, "every demo reports headline numbers"


def test_the_listing_fits_80_columns():
    # `studybuddy show` prints the id in 28 columns, a space, then the summary
    for demo in all_demos().values():
        assert len(f"{demo.id:28} {demo.summary}") <= 80, demo.id


def test_a_new_family_module_is_found_without_editing_the_registry():
    from studybuddy.demos import registry

    names = registry._family_modules()
    assert names[: len(registry._FAMILIES)] == registry._FAMILIES
    assert not set(names) & registry._NOT_FAMILIES
