from __future__ import annotations

import math

import pytest

from studybuddy.demos import DemoError, run_demo


def _softmax(xs):
    top = max(xs)
    exps = [math.exp(x - top) for x in xs]
    return [e / sum(exps) for e in exps]


def test_weights_match_a_hand_computed_softmax():
    result = run_demo("softmax-scaling", {"d_k": 16, "n_keys": 5, "seed": 7})
    scores = result.values["scores"]
    assert len(scores) == 5
    expected_plain = _softmax(scores)
    expected_scaled = _softmax([s / math.sqrt(16) for s in scores])
    assert result.values["weights_unscaled"] == pytest.approx(expected_plain, abs=1e-5)
    assert result.values["weights_scaled"] == pytest.approx(expected_scaled, abs=1e-5)


def test_scaling_flattens_the_distribution_for_large_d_k():
    result = run_demo("softmax-scaling", {"d_k": 1024, "n_keys": 8})
    assert result.values["max_weight_unscaled"] > result.values["max_weight_scaled"]
    assert result.values["entropy_scaled"] > result.values["entropy_unscaled"]
    # var(q.k) of unit-variance vectors is d_k; the sample estimate is within 15 %
    for dim, variance in result.values["qk_variance_by_dim"].items():
        assert variance == pytest.approx(dim, rel=0.15)


def test_same_seed_same_numbers():
    assert (
        run_demo("softmax-scaling", {"seed": 3}).values
        == run_demo("softmax-scaling", {"seed": 3}).values
    )


def test_out_of_range_parameter_names_the_allowed_range():
    with pytest.raises(DemoError, match=r"d_k.*allowed: 1 to 4096"):
        run_demo("softmax-scaling", {"d_k": 10_000_000})
    with pytest.raises(DemoError, match="not a parameter"):
        run_demo("softmax-scaling", {"dk": 3})


def test_softmax_naive_matches_math_exp_by_hand():
    scores = [2.0, 1.0, 0.1]
    result = run_demo("softmax-naive", {"scores": scores})
    exps = [math.exp(s) for s in scores]
    by_hand = [e / sum(exps) for e in exps]
    assert result.values["hand_softmax"] == pytest.approx(by_hand, abs=1e-12)
    assert result.values["stable_softmax"] == pytest.approx(by_hand, abs=1e-6)
    assert result.values["torch_softmax"] == pytest.approx(by_hand, abs=1e-6)
    assert result.values["divide_by_sum"] == pytest.approx([s / 3.1 for s in scores])
    assert not result.values["naive_overflows"]
    # 2 vs 1: the softmax ratio is e^1, the divide-by-sum ratio is 2
    assert any("2.72 : 1" in note and "2.00 : 1" in note for note in result.notes)


def test_softmax_naive_overflows_on_large_scores_but_the_stable_one_does_not():
    result = run_demo("softmax-naive", {"scores": [1000.0, 999.0, 0.0]})
    assert result.values["naive_overflows"]
    assert math.isnan(result.values["naive_float32"][0])
    assert result.values["hand_softmax"] is None  # math.exp(1000) raises OverflowError
    # exp(x - max): e^0 / (e^0 + e^-1 + e^-1000)
    top = 1 / (1 + math.exp(-1))
    assert result.values["stable_softmax"] == pytest.approx([top, 1 - top, 0.0], abs=1e-6)
    assert any("OverflowError" in note for note in result.notes)
    # JSON output spells nan as a string rather than emitting invalid JSON
    assert result.to_json_dict()["values"]["naive_float32"][0] == "nan"


def test_softmax_naive_says_when_divide_by_sum_is_undefined():
    result = run_demo("softmax-naive", {"scores": [1.0, -1.0]})
    assert result.values["divide_by_sum"] is None
    assert any("sum to 0" in note for note in result.notes)


def test_softmax_gradient_norm_matches_autograd():
    import torch

    from studybuddy.demos.softmax import softmax_jacobian_norm

    for scores in ([2.0, 1.0, 0.1], [18.5, 0.8, -1.3, -5.5], [0.0, 0.0]):
        x = torch.tensor(scores, dtype=torch.float64)
        jacobian = torch.autograd.functional.jacobian(lambda s: torch.softmax(s, 0), x)
        expected = float(torch.linalg.matrix_norm(jacobian))  # Frobenius
        assert float(softmax_jacobian_norm(torch.softmax(x, 0))) == pytest.approx(
            expected, rel=1e-9
        )


def test_softmax_scaling_sweeps_1_to_1024_on_log_axes_and_rises_steadily():
    result = run_demo("softmax-scaling", {})
    v = result.values
    assert v["sweep_dims"] == [2**i for i in range(11)]
    assert all(s.log_x for s in result.series) and result.series[1].log_y
    rising = v["mean_max_weight_unscaled"]
    assert all(a < b for a, b in zip(rising, rising[1:], strict=False))
    flat = v["mean_max_weight_scaled"]
    assert max(flat) - min(flat) < 0.1  # scaled, the peak stays where it was
    # the book's reason: unscaled, the gradient through the softmax shrinks as d_k grows
    grads = v["mean_grad_norm_unscaled"]
    assert grads[-1] < grads[0] / 5
    assert min(v["mean_grad_norm_scaled"]) > 0.3


def test_softmax_naive_json_says_underflow_not_overflow():
    result = run_demo("softmax-naive", {"scores": [-1000.0, -1000.0, -1000.0]})
    values = result.to_json_dict()["values"]
    assert values["naive_overflows"] is False and values["naive_underflows"] is True
    assert values["naive_float32"] == ["nan", "nan", "nan"]
    assert values["hand_failure"] == "underflow"
    assert not any("overflow" in note.lower() for note in result.notes)
