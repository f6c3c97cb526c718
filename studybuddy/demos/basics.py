"""Neural-network basics: a three-neuron sigmoid network, its forward pass and one step of
gradient descent, with the numbers of the study notes' exercise (A, B and C)."""

from __future__ import annotations

from pydantic import Field

from studybuddy.demos.base import DemoParams, DemoResult, Table
from studybuddy.demos.registry import register

# Two inputs feed hidden neurons A and B; C combines them with weights 2 and 1 and bias 1.
# The hidden weights are chosen so A's and B's weighted inputs are the exercise's 0.6 and -0.3.
INPUTS = [1.0, 0.5]
HIDDEN_WEIGHTS = [[0.4, 0.4], [0.2, -1.0]]
HIDDEN_BIAS = [0.0, 0.0]
OUTPUT_WEIGHTS = [2.0, 1.0]
OUTPUT_BIAS = 1.0


class SigmoidNetworkParams(DemoParams):
    target: float = Field(1.0, ge=0.0, le=1.0, description="Desired output of C.")
    lr: float = Field(1.0, ge=0.01, le=10.0, description="Learning rate of the one step.")


def _forward(w1, b1, w2, b2, x):  # type: ignore[no-untyped-def]
    import torch

    z_hidden = w1 @ x + b1
    hidden = torch.sigmoid(z_hidden)
    z_out = w2 @ hidden + b2
    return z_hidden, hidden, z_out, torch.sigmoid(z_out)


@register(
    "sigmoid-network",
    "A small sigmoid network",
    "Forward pass (the notes' A, B, C) and one gradient-descent step on the squared error.",
    SigmoidNetworkParams,
)
def sigmoid_network(p: SigmoidNetworkParams) -> DemoResult:
    import torch

    x = torch.tensor(INPUTS, dtype=torch.float64)
    w1 = torch.tensor(HIDDEN_WEIGHTS, dtype=torch.float64, requires_grad=True)
    b1 = torch.tensor(HIDDEN_BIAS, dtype=torch.float64, requires_grad=True)
    w2 = torch.tensor(OUTPUT_WEIGHTS, dtype=torch.float64, requires_grad=True)
    b2 = torch.tensor(OUTPUT_BIAS, dtype=torch.float64, requires_grad=True)
    z_hidden, hidden, z_out, out = _forward(w1, b1, w2, b2, x)
    cost = (out - p.target) ** 2
    cost.backward()
    cost = cost.detach()
    parameters = {"w1": w1, "b1": b1, "w2": w2, "b2": b2}
    with torch.no_grad():
        updated = {name: t - p.lr * t.grad for name, t in parameters.items()}
        *_, new_out = _forward(updated["w1"], updated["b1"], updated["w2"], updated["b2"], x)
        new_cost = float((new_out - p.target) ** 2)
    a, b, c = float(hidden[0].detach()), float(hidden[1].detach()), float(out.detach())
    sigma_prime = c * (1 - c)
    forward = Table(
        "forward pass",
        ["weighted input z", "sigmoid(z)"],
        [
            [round(float(z_hidden[0].detach()), 4), round(a, 4)],
            [round(float(z_hidden[1].detach()), 4), round(b, 4)],
            [round(float(z_out.detach()), 4), round(c, 4)],
        ],
        row_labels=["A", "B", "C"],
    )
    names = [
        ("input -> A, weight 1", ("w1", (0, 0))),
        ("input -> A, weight 2", ("w1", (0, 1))),
        ("input -> B, weight 1", ("w1", (1, 0))),
        ("input -> B, weight 2", ("w1", (1, 1))),
        ("bias of A", ("b1", (0,))),
        ("bias of B", ("b1", (1,))),
        ("A -> C", ("w2", (0,))),
        ("B -> C", ("w2", (1,))),
        ("bias of C", ("b2", ())),
    ]
    grads = []
    for label, (name, index) in names:
        tensor = parameters[name]
        grads.append(
            [
                label,
                round(float(tensor.detach()[index]), 4),
                round(float(tensor.grad[index]), 5),
                round(float(updated[name][index]), 4),
            ]
        )
    step = Table(
        f"one gradient-descent step (lr = {p.lr:g})",
        ["parameter", "value", "dCost/dparameter", "value after step"],
        grads,
    )
    notes = [
        f"A = sigmoid(0.6) = {a:.4f} and B = sigmoid(-0.3) = {b:.4f}; C = sigmoid(2A + B + 1) = "
        f"sigmoid({float(z_out.detach()):.4f}) = {c:.4f}. A sigmoid output always lies "
        "between 0 and 1.",
        f"Cost (C - {p.target:g})^2 = {float(cost):.5f}. By the chain rule dCost/d(weight A->C) "
        f"= 2(C - target) * C(1 - C) * A = 2 * {c - p.target:.4f} * {sigma_prime:.4f} * {a:.4f} "
        f"= {float(w2.grad[0]):.5f}.",
        f"Gradients reaching the hidden weights pass through one more sigmoid derivative (at "
        f"most 0.25), so they are smaller: the largest is {float(w1.grad.abs().max()):.5f}.",
        f"Stepping every parameter by -lr x gradient changes the cost from {float(cost):.5f} to "
        f"{new_cost:.5f}"
        + (
            " (lower, as gradient descent intends)."
            if new_cost < float(cost)
            else " (not lower: the step overshot; try a smaller lr)."
        ),
    ]
    return DemoResult(
        "sigmoid-network",
        "A sigmoid network: forward pass and one gradient step",
        p.model_dump(),
        tables=[forward, step],
        notes=notes,
        values={
            "inputs": INPUTS,
            "A": a,
            "B": b,
            "C": c,
            "cost": float(cost),
            "gradients": {name: t.grad.tolist() for name, t in parameters.items()},
            "updated": {name: t.tolist() for name, t in updated.items()},
            "cost_after_step": new_cost,
        },
    )
