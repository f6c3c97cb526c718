"""The GPT building blocks against torch's own layers and counts made from the shapes."""

from __future__ import annotations

import pytest

from studybuddy.demos import run_demo


@pytest.mark.parametrize("emb_dim", [2, 5, 768])
def test_layer_norm_matches_torch(emb_dim):
    import torch

    result = run_demo("layer-norm", {"emb_dim": emb_dim, "batch": 3})
    x = torch.tensor(result.values["inputs"])
    expected = torch.nn.functional.layer_norm(x, (emb_dim,), eps=1e-5)
    assert torch.allclose(torch.tensor(result.values["outputs"]), expected, atol=1e-5)
    assert result.values["means_after"] == pytest.approx([0.0] * 3, abs=1e-5)
    assert result.values["variances_after"] == pytest.approx([1.0] * 3, abs=1e-3)


def test_gelu_matches_torch_tanh_gelu_and_relu():
    import torch

    result = run_demo("gelu-vs-relu", {"x_min": -3, "x_max": 3, "points": 61})
    x = torch.tensor(result.values["x"])
    assert x[0] == -3 and x[-1] == 3 and len(x) == 61
    gelu = torch.nn.GELU(approximate="tanh")(x)
    assert result.values["gelu"] == pytest.approx(gelu.tolist(), abs=1e-6)
    assert result.values["relu"] == [max(0.0, v) for v in x.tolist()]
    # derivative by central differences of torch's GELU
    h = 1e-3
    slope = (
        torch.nn.GELU(approximate="tanh")(x.double() + h)
        - torch.nn.GELU(approximate="tanh")(x.double() - h)
    ) / (2 * h)
    assert result.values["gelu_grad"] == pytest.approx(slope.tolist(), abs=1e-4)
    # GELU's minimum, about -0.17 near x = -0.75
    assert result.values["gelu_min"] == pytest.approx(-0.17, abs=0.005)


@pytest.mark.parametrize("d", [2, 768, 1024])
def test_feed_forward_shapes_and_parameters(d):
    result = run_demo("feed-forward", {"emb_dim": d})
    assert result.values["input_shape"] == [2, 3, d]
    assert result.values["hidden_shape"] == [2, 3, 4 * d]
    assert result.values["output_shape"] == [2, 3, d]
    assert result.values["parameters"] == (d * 4 * d + 4 * d) + (4 * d * d + d)
    assert result.values["max_abs_diff_steps_vs_block"] == 0.0


def test_shortcuts_keep_early_gradients_alive():
    result = run_demo("shortcut-gradients", {"n_layers": 5})
    without, with_ = result.values["without_shortcuts"], result.values["with_shortcuts"]
    assert len(without) == len(with_) == 5
    assert with_[0] > 100 * without[0]
    assert without[0] < without[-1]


def _gpt_parameters(d: int, layers: int, vocab: int = 50257, context: int = 1024) -> int:
    attention = 3 * d * d + (d * d + d)  # W_query, W_key, W_value (no bias) and out_proj
    feed_forward = (d * 4 * d + 4 * d) + (4 * d * d + d)
    norms = 2 * 2 * d
    return vocab * d + context * d + layers * (attention + feed_forward + norms) + 2 * d + vocab * d


@pytest.mark.parametrize(
    ("preset", "d", "layers"),
    [
        ("gpt2-small", 768, 12),
        ("gpt2-medium", 1024, 24),
        ("gpt2-large", 1280, 36),
        ("gpt2-xl", 1600, 48),
    ],
)
def test_param_count_from_the_shapes(preset, d, layers):
    result = run_demo("param-count", {"preset": preset})
    untied = _gpt_parameters(d, layers)
    assert result.values["parameters_untied"] == untied
    assert result.values["parameters_tied"] == untied - 50257 * d
    assert sum(result.values["parts"].values()) == untied
    assert result.values["megabytes_fp32_untied"] == pytest.approx(untied * 4 / 1024**2)


def test_param_count_gpt2_small_is_the_books_163m_and_124m():
    result = run_demo("param-count", {"preset": "gpt2-small"})
    assert result.values["parameters_untied"] == 163_009_536
    assert result.values["parameters_tied"] == 124_412_160
    assert round(result.values["megabytes_fp32_untied"], 2) == 621.83


def test_multi_head_shapes_follow_the_heads():
    result = run_demo(
        "multi-head-shapes",
        {"batch": 2, "num_tokens": 6, "d_in": 768, "d_out": 768, "num_heads": 12},
    )
    shapes = result.values["shapes"]
    assert shapes["input x"] == [2, 6, 768]
    assert shapes["view as heads"] == [2, 6, 12, 64]
    assert shapes["queries (transpose 1, 2)"] == [2, 12, 6, 64]
    assert shapes["scores q @ k^T"] == [2, 12, 6, 6]
    assert shapes["context weights @ v"] == [2, 12, 6, 64]
    assert shapes["out_proj"] == [2, 6, 768]
    assert result.values["head_dim"] == 64
    assert result.values["parameters"] == 4 * 768 * 768 + 768
    assert result.values["max_abs_diff_steps_vs_forward"] == 0.0


def test_multi_head_with_odd_sizes():
    result = run_demo(
        "multi-head-shapes", {"batch": 1, "num_tokens": 1, "d_in": 3, "d_out": 6, "num_heads": 3}
    )
    assert result.values["shapes"]["view as heads"] == [1, 1, 3, 2]
    assert result.values["shapes"]["out_proj"] == [1, 1, 6]
