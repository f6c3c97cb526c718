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
