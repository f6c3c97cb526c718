"""The sigmoid network against a hand computation with math.exp."""

from __future__ import annotations

import math

import pytest

from studybuddy.demos import run_demo


def sigmoid(z: float) -> float:
    return 1 / (1 + math.exp(-z))


def test_forward_pass_gives_the_exercise_values():
    result = run_demo("sigmoid-network", {})
    a, b = sigmoid(0.6), sigmoid(-0.3)
    c = sigmoid(2 * a + 1 * b + 1)
    assert result.values["A"] == pytest.approx(a, abs=1e-12)
    assert result.values["B"] == pytest.approx(b, abs=1e-12)
    assert result.values["C"] == pytest.approx(c, abs=1e-12)
    assert (round(a, 3), round(b, 3), round(c, 3)) == (0.646, 0.426, 0.938)


@pytest.mark.parametrize(("target", "lr"), [(1.0, 1.0), (0.0, 0.5)])
def test_one_gradient_step_by_the_chain_rule(target, lr):
    result = run_demo("sigmoid-network", {"target": target, "lr": lr})
    x = [1.0, 0.5]
    a, b = sigmoid(0.6), sigmoid(-0.3)
    c = sigmoid(2 * a + b + 1)
    d_out = 2 * (c - target) * c * (1 - c)  # dCost/dz_C
    grads = result.values["gradients"]
    assert grads["w2"] == pytest.approx([d_out * a, d_out * b], abs=1e-12)
    assert grads["b2"] == pytest.approx(d_out, abs=1e-12)
    d_a, d_b = d_out * 2 * a * (1 - a), d_out * 1 * b * (1 - b)
    assert grads["w1"][0] == pytest.approx([d_a * x[0], d_a * x[1]], abs=1e-12)
    assert grads["w1"][1] == pytest.approx([d_b * x[0], d_b * x[1]], abs=1e-12)
    assert result.values["updated"]["w2"] == pytest.approx([2 - lr * d_out * a, 1 - lr * d_out * b])
    assert result.values["cost"] == pytest.approx((c - target) ** 2)
    assert result.values["cost_after_step"] < result.values["cost"]
