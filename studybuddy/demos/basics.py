"""Neural-network basics: a three-neuron sigmoid network (the study notes' exercise, A, B and C)
and one gradient step; gradient descent with learning rates too small and too big; and
nn.Linear against a bare nn.Parameter."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated, Any

from pydantic import Field

from studybuddy.demos.base import (
    DemoParams,
    DemoResult,
    Series,
    Table,
    plural,
    rounded,
    significant,
)
from studybuddy.demos.common import seeded
from studybuddy.demos.registry import register

if TYPE_CHECKING:  # torch is imported when a demo runs, never with the module
    import torch

# Two inputs feed hidden neurons A and B; C combines them with weights 2 and 1 and bias 1.
# The hidden weights are chosen so A's and B's weighted inputs are the exercise's 0.6 and -0.3.
INPUTS = [1.0, 0.5]
HIDDEN_WEIGHTS = [[0.4, 0.4], [0.2, -1.0]]
HIDDEN_BIAS = [0.0, 0.0]
OUTPUT_WEIGHTS = [2.0, 1.0]
OUTPUT_BIAS = 1.0


class SigmoidNetworkParams(DemoParams):
    # C is 0.938, so a target of 1 leaves almost nothing to learn; 0 makes the step visible.
    target: float = Field(0.0, ge=0.0, le=1.0, description="Desired output of C.")
    lr: float = Field(5.0, ge=0.01, le=10.0, description="Learning rate of the one step.")


def _grad(tensor: torch.Tensor) -> torch.Tensor:
    """The gradient backward() left on `tensor` (set for every leaf these demos differentiate)."""
    assert tensor.grad is not None, "backward() has not reached this tensor"
    return tensor.grad


def _forward(w1, b1, w2, b2, x):  # type: ignore[no-untyped-def]
    import torch

    z_hidden = w1 @ x + b1
    hidden = torch.sigmoid(z_hidden)
    z_out = w2 @ hidden + b2
    return z_hidden, hidden, z_out, torch.sigmoid(z_out)


@register(
    "sigmoid-network",
    "A small sigmoid network",
    "The notes' A, B, C network and one gradient step.",
    SigmoidNetworkParams,
    random=False,
    section="A",
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
        updated = {name: t - p.lr * _grad(t) for name, t in parameters.items()}
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
                round(float(_grad(tensor)[index]), 5),
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
        f"= {float(_grad(w2)[0]):.5f}.",
        f"Stepping every parameter by -lr x gradient (lr = {p.lr:g}) changes the cost from "
        f"{float(cost):.5f} to "
        f"{new_cost:.5f}"
        + (
            " (lower, as gradient descent intends)."
            if new_cost < float(cost)
            else " (not lower: the step overshot; try a smaller lr)."
            if float(cost) > 0
            else " (the output already equals the target: nothing to learn)."
        ),
    ]
    hidden_top, output_top = float(_grad(w1).abs().max()), float(_grad(w2).abs().max())
    if 0 < hidden_top < output_top:
        notes.insert(
            2,
            "Gradients reaching the hidden weights pass through one more sigmoid derivative (at "
            f"most 0.25), so they are smaller: the largest is {hidden_top:.5f}, against "
            f"{output_top:.5f} for the weights into C.",
        )
    if sigma_prime < 0.1 and float(cost) > 1e-6:
        notes.append(
            f"C sits where the sigmoid is flat: C(1 - C) = {sigma_prime:.4f} (at most 0.25), so "
            f"every gradient through it is small; a step of lr = {p.lr:g} changed the cost by "
            f"{abs(new_cost - float(cost)) / float(cost):.0%}. A saturated sigmoid learns slowly."
        )
    return DemoResult(
        "A sigmoid network: forward pass and one gradient step",
        tables=[forward, step],
        notes=notes,
        values={
            "inputs": INPUTS,
            "A": a,
            "B": b,
            "C": c,
            "cost": float(cost),
            "gradients": {name: _grad(t).tolist() for name, t in parameters.items()},
            "updated": {name: t.tolist() for name, t in updated.items()},
            "cost_after_step": new_cost,
        },
    )


LearningRate = Annotated[float, Field(ge=0.0001, le=2.0)]
RUNAWAY = 1e100  # a diverging run stops once |w| passes this, so its numbers stay finite
START = (-4.0, 2.0)  # where every run starts on the bowl


class GradientDescentParams(DemoParams):
    learning_rates: list[LearningRate] = Field(
        [0.02, 0.15, 0.21], min_length=1, max_length=4, description="Learning rates to compare."
    )
    steps: int = Field(30, ge=1, le=200, description="Gradient-descent steps for each rate.")
    steepness: float = Field(
        10.0, ge=1.0, le=50.0, description="Curvature of the steep direction (the flat one is 1)."
    )


def _bowl(w: Any, steepness: float) -> Any:
    """An elongated bowl: loss = (w1^2 + steepness w2^2) / 2, lowest (0) at w = (0, 0)."""
    return 0.5 * (w[0] ** 2 + steepness * w[1] ** 2)


@register(
    "gradient-descent",
    "Gradient descent and the learning rate",
    "Learning rates too small, about right, too big.",
    GradientDescentParams,
    random=False,
    section="A",
)
def gradient_descent(p: GradientDescentParams) -> DemoResult:
    import torch

    start_loss = float(_bowl(torch.tensor(START, dtype=torch.float64), p.steepness))
    # One row of w per learning rate, all stepped together. The bowl's gradient is
    # (w1, steepness * w2); written out, a step costs microseconds where autograd took a
    # millisecond on a busy machine.
    rates = torch.tensor(p.learning_rates, dtype=torch.float64).unsqueeze(1)
    curvature = torch.tensor([1.0, p.steepness], dtype=torch.float64)
    w = torch.tensor([START] * len(p.learning_rates), dtype=torch.float64)
    history = [[start_loss] * len(p.learning_rates)]
    for _ in range(p.steps):
        running = w.abs().amax(dim=1, keepdim=True) < RUNAWAY
        w = torch.where(running, w - rates * (curvature * w), w)
        history.append(_bowl(w.T, p.steepness).tolist())
    curves: dict[str, list[float]] = {}
    runs: list[dict[str, Any]] = []
    for index, lr in enumerate(p.learning_rates):
        losses = [float(step[index]) for step in history]
        # Per direction the step multiplies w by (1 - lr * curvature): beyond 2 / curvature
        # that factor is below -1 and the steps grow.
        factors = (1 - lr, 1 - lr * p.steepness)
        final = losses[-1]
        if max(abs(f) for f in factors) > 1:
            verdict = "diverges"
        elif final < start_loss * 1e-4:
            verdict = "converged"
        else:
            verdict = "still going"
        runs.append(
            {
                "lr": lr,
                "final_loss": final,
                "final_w": w[index].tolist(),
                "factors": factors,
                "verdict": verdict,
                "losses": losses,
            }
        )
        curves[f"lr={lr:g}"] = losses
    limit = 2 / p.steepness
    rows = [
        [
            significant(run["final_loss"], 4),
            f"({run['final_w'][0]:.3g}, {run['final_w'][1]:.3g})",
            f"{run['factors'][1]:.3g}",
            run["verdict"],
        ]
        for run in runs
    ]
    notes = [
        f"The loss (w1^2 + {p.steepness:g} w2^2) / 2 starts at {start_loss:g} at w = {START} "
        f"and is lowest, 0, at (0, 0). Each step moves w by -lr x gradient.",
        f"Along the steep direction a step multiplies w2 by 1 - lr x {p.steepness:g}: for lr above "
        f"2 / {p.steepness:g} = {limit:.3g} that factor is below -1, and every step overshoots "
        "further than the last.",
    ]
    for run in runs:
        lr = run["lr"]
        if run["verdict"] == "diverges":
            notes.append(
                f"lr = {lr:g} is too big: the loss grew to {run['final_loss']:.3g} in "
                f"{plural(p.steps, 'step')}, w bouncing from side to side of the valley"
                + (
                    f" (stopped once |w| passed {RUNAWAY:.0e})."
                    if max(abs(x) for x in run["final_w"]) >= RUNAWAY
                    else "."
                )
            )
        elif run["verdict"] == "still going":
            notes.append(
                f"lr = {lr:g} is too small for {plural(p.steps, 'step')}: the loss is still "
                f"{run['final_loss']:.3g}, creeping along the flat direction (w1 shrinks by "
                f"{run['factors'][0]:.3g} per step)."
            )
        else:
            notes.append(
                f"lr = {lr:g} works: the loss fell to {run['final_loss']:.2g} in "
                f"{plural(p.steps, 'step')}."
            )
    return DemoResult(
        "Gradient descent with different learning rates",
        tables=[
            Table(
                f"after {plural(p.steps, 'step')} from w = {START}",
                ["loss", "w", "w2 factor", "verdict"],
                rows,
                row_labels=[f"lr = {run['lr']:g}" for run in runs],
            )
        ],
        series=[
            Series(
                "loss per step",
                [float(i) for i in range(p.steps + 1)],
                curves,
                "step",
                "loss",
                log_y=True,
            )
        ],
        notes=notes,
        values={"start_loss": start_loss, "runs": runs, "stable_below": limit},
    )


class LinearParams(DemoParams):
    d_in: int = Field(3, ge=1, le=1024, description="Input width (3: the book's example).")
    d_out: int = Field(2, ge=1, le=64, description="Output width.")
    seed: int = Field(789, ge=0, le=2**31 - 1, description="Seed (789: the book's exercise).")


@register(
    "linear-vs-parameter",
    "nn.Linear against nn.Parameter(torch.rand(...))",
    "nn.Linear vs nn.Parameter(torch.rand(...)).",
    LinearParams,
    section="3.4",
)
def linear_vs_parameter(p: LinearParams) -> DemoResult:
    import math

    import torch

    from studybuddy.engine.attention import SelfAttentionV1, SelfAttentionV2

    with seeded(p.seed):
        v2 = SelfAttentionV2(p.d_in, p.d_out)  # nn.Linear layers, no bias
        v1 = SelfAttentionV1(p.d_in, p.d_out)  # nn.Parameter(torch.rand(d_in, d_out))
        x = torch.rand(6, p.d_in)
    if p.d_in == 3:
        from studybuddy.demos.attention import INPUTS

        x = torch.tensor(INPUTS)
    linear_w, param_w = v2.W_query.weight.detach(), v1.W_query.detach()
    bound = 1 / math.sqrt(p.d_in)
    with torch.no_grad():
        out_v1_before = v1(x)
        out_v2 = v2(x)
        moved = SelfAttentionV1(p.d_in, p.d_out)
        # A Linear layer computes x @ weight.T: its weight is stored (d_out, d_in), so V1's
        # (d_in, d_out) matrices are the transposes.
        moved.W_query.copy_(v2.W_query.weight.T)
        moved.W_key.copy_(v2.W_key.weight.T)
        moved.W_value.copy_(v2.W_value.weight.T)
        out_moved = moved(x)
        q_linear, q_param = v2.W_query(x), x @ v1.W_query
    difference = float((out_moved - out_v2).abs().max())
    stats = Table(
        "W_query of each kind",
        ["shape", "min", "max", "mean", "|x W| mean"],
        [
            [
                f"({', '.join(map(str, linear_w.shape))})",
                round(float(linear_w.min()), 4),
                round(float(linear_w.max()), 4),
                round(float(linear_w.mean()), 4),
                round(float(q_linear.abs().mean()), 4),
            ],
            [
                f"({', '.join(map(str, param_w.shape))})",
                round(float(param_w.min()), 4),
                round(float(param_w.max()), 4),
                round(float(param_w.mean()), 4),
                round(float(q_param.abs().mean()), 4),
            ],
        ],
        row_labels=["nn.Linear .weight", "nn.Parameter(rand)"],
    )
    scale = float(q_param.abs().mean()) / max(float(q_linear.abs().mean()), 1e-12)
    notes = [
        f"nn.Linear({p.d_in}, {p.d_out}) stores its weight as ({p.d_out}, {p.d_in}) and computes "
        f"x @ weight.T; nn.Parameter(torch.rand({p.d_in}, {p.d_out})) is used as x @ W. Same "
        "product, transposed storage.",
        f"torch.rand draws from [0, 1) (here {float(param_w.min()):.3f} to "
        f"{float(param_w.max()):.3f}, mean {float(param_w.mean()):.3f}); nn.Linear draws from "
        f"+-1/sqrt(d_in) = +-{bound:.3f} (here {float(linear_w.min()):.3f} to "
        f"{float(linear_w.max()):.3f}), centred on 0.",
        f"Copying each Linear weight's transpose into the Parameter version makes the two "
        f"attention layers agree to within {difference:.1e} (the book's exercise with "
        "SelfAttention_v1 and v2).",
    ]
    if scale > 2:
        notes.append(
            f"With all-positive weights the projections of these inputs are {scale:.1f}x larger "
            f"on average, and they grow with d_in = {p.d_in}; nn.Linear's scaling keeps them "
            "about the same size whatever d_in is, which is why training starts more easily."
        )
    return DemoResult(
        "nn.Linear vs nn.Parameter(torch.rand(...))",
        tables=[
            stats,
            Table(
                "context vectors: V2 (Linear), V1 with the moved weights",
                [f"V2 d{j + 1}" for j in range(min(p.d_out, 4))]
                + [f"V1 d{j + 1}" for j in range(min(p.d_out, 4))],
                [rounded(a[:4]) + rounded(b[:4]) for a, b in zip(out_v2, out_moved, strict=True)],
                row_labels=[str(i + 1) for i in range(x.shape[0])],
            ),
        ],
        notes=notes,
        values={
            "linear_weight_shape": list(linear_w.shape),
            "parameter_shape": list(param_w.shape),
            "linear_weight_range": [float(linear_w.min()), float(linear_w.max())],
            "parameter_range": [float(param_w.min()), float(param_w.max())],
            "init_bound": bound,
            "v2_output": out_v2.tolist(),
            "v1_moved_output": out_moved.tolist(),
            "v1_own_output": out_v1_before.tolist(),
            "max_abs_difference": difference,
            "projection_scale_ratio": scale,
        },
    )
