"""The GPT's building blocks (ch. 4) on the engine's own classes: LayerNorm, GELU, FeedForward,
shortcut connections, multi-head attention shapes, and parameter counts of the GPT-2 sizes."""

from __future__ import annotations

import functools
from typing import Any, Literal

from pydantic import Field, model_validator

from studybuddy.demos.base import DemoParams, DemoResult, Series, Table, rounded
from studybuddy.demos.common import format_shape, seeded
from studybuddy.demos.registry import register

SHOWN = 8  # columns of a wide matrix printed; the numbers keep everything


class LayerNormParams(DemoParams):
    emb_dim: int = Field(6, ge=2, le=1024, description="Features per token.")
    batch: int = Field(2, ge=1, le=8, description="How many token vectors to normalise.")


@register(
    "layer-norm",
    "Layer normalisation",
    "Rows to mean 0, variance 1; against nn.LayerNorm.",
    LayerNormParams,
    section="4.2",
)
def layer_norm(p: LayerNormParams) -> DemoResult:
    import torch

    from studybuddy.engine.model import LayerNorm

    with seeded(p.seed):
        # Shifted and stretched, so the effect of normalising is visible.
        inputs = torch.randn(p.batch, p.emb_dim) * 3 + 2
    ours = LayerNorm(p.emb_dim)
    reference = torch.nn.LayerNorm(p.emb_dim, eps=ours.eps)
    with torch.no_grad():
        out = ours(inputs)
        ref = reference(inputs)
    difference = float((out - ref).abs().max())
    mean_in, var_in = inputs.mean(dim=-1), inputs.var(dim=-1, unbiased=False)
    mean_out, var_out = out.mean(dim=-1), out.var(dim=-1, unbiased=False)
    unbiased_out = out.var(dim=-1, unbiased=True)
    labels = [f"row {i}" for i in range(p.batch)]
    dims = [f"d{j + 1}" for j in range(min(SHOWN, p.emb_dim))]
    cut = "" if p.emb_dim <= SHOWN else f" (first {SHOWN} of {p.emb_dim})"
    notes = [
        f"Before: row means {_list(mean_in, 2)}, variances {_list(var_in, 2)}. After: every "
        f"mean is within {float(mean_out.abs().max()):.1e} of 0 and every variance within "
        f"{float((var_out - 1).abs().max()):.1e} of 1.",
        f"The variance divides by n = {p.emb_dim}, not n - 1: measured with n - 1 the "
        f"normalised rows would show {float(unbiased_out.mean()):.4f} "
        f"(= {p.emb_dim}/{p.emb_dim - 1}).",
        f"The engine's LayerNorm matches torch.nn.LayerNorm to within {difference:.1e}; both "
        "start with scale = 1 and shift = 0, which training then adjusts.",
    ]
    return DemoResult(
        f"Layer normalisation over {p.emb_dim} features",
        tables=[
            Table(
                "statistics per row",
                ["mean before", "var before", "mean after", "var after"],
                [
                    list(r)
                    for r in zip(
                        rounded(mean_in),
                        rounded(var_in),
                        rounded(mean_out, 6),
                        rounded(var_out, 6),
                        strict=True,
                    )
                ],
                row_labels=labels,
            ),
            Table(f"input{cut}", dims, rounded(inputs[:, :SHOWN], 3), labels, heat=True),
            Table(f"normalised{cut}", dims, rounded(out[:, :SHOWN], 3), labels, heat=True),
        ],
        notes=notes,
        values={
            "inputs": inputs.tolist(),
            "outputs": out.tolist(),
            "torch_outputs": ref.tolist(),
            "means_after": mean_out.tolist(),
            "variances_after": var_out.tolist(),
            "max_abs_diff_vs_torch": difference,
        },
    )


class GeluParams(DemoParams):
    x_min: float = Field(-4.0, ge=-10.0, le=0.0, description="Left end of the x range.")
    x_max: float = Field(4.0, ge=0.0, le=10.0, description="Right end of the x range.")
    points: int = Field(81, ge=3, le=401, description="Points on the curves.")

    @model_validator(mode="after")
    def _range_not_empty(self) -> GeluParams:
        if self.x_max <= self.x_min:
            raise ValueError(f"x_max ({self.x_max}) must be larger than x_min ({self.x_min})")
        return self


@register(
    "gelu-vs-relu",
    "GELU against ReLU",
    "GELU and ReLU, their values and gradients.",
    GeluParams,
    random=False,
    section="4.3",
)
def gelu_vs_relu(p: GeluParams) -> DemoResult:
    import torch

    from studybuddy.engine.model import GELU

    x = torch.linspace(p.x_min, p.x_max, p.points, requires_grad=True)
    gelu = GELU()(x)
    (gelu_grad,) = torch.autograd.grad(gelu.sum(), x)
    relu = torch.relu(x)
    (relu_grad,) = torch.autograd.grad(relu.sum(), x)
    reference = torch.nn.GELU(approximate="tanh")(x)
    x, gelu, relu, reference = x.detach(), gelu.detach(), relu.detach(), reference.detach()
    lowest = int(gelu.argmin())
    marks = sorted({round(float(v), 2) for v in torch.linspace(p.x_min, p.x_max, 9)})
    picks = [int((x - m).abs().argmin()) for m in marks]
    # A clearly negative point for the gradient note: x = -1, or the left end if the range is short.
    probe = int((x - max(-1.0, p.x_min)).abs().argmin()) if p.x_min < -0.1 else None
    notes = []
    if float(gelu[lowest]) < 0:
        notes.append(
            f"GELU is smooth and dips below zero: its lowest value here is "
            f"{float(gelu[lowest]):.4f} at x = {float(x[lowest]):.2f}; ReLU is exactly 0 for "
            "every x < 0."
        )
    if probe is not None:
        notes.append(
            "ReLU's gradient jumps from 0 to 1 at x = 0, so a unit with negative input gets no "
            "gradient at all; GELU's gradient for negative x is small but not zero "
            f"(at x = {float(x[probe]):.2f} it is {float(gelu_grad[probe]):.3f})."
        )
    else:
        gap = (relu - gelu).abs()
        widest = int(gap.argmax())
        notes.append(
            f"This range has no clearly negative x, which is where the two differ most: here "
            f"the largest gap is {float(gap[widest]):.4f} at x = {float(x[widest]):.2f}. For "
            "x < 0 ReLU is flat at 0 with no gradient; try x_min = -4 to see GELU go below 0."
        )
    if float(x[-1]) >= 2.0:
        notes.append(
            f"For growing x the two converge (at x = {float(x[-1]):.2f}: GELU "
            f"{float(gelu[-1]):.4f}, ReLU {float(relu[-1]):.4f})."
        )
    notes.append(
        "The engine's GELU matches nn.GELU(approximate='tanh') to within "
        f"{float((gelu - reference).abs().max()):.1e}."
    )
    return DemoResult(
        "GELU vs ReLU",
        tables=[
            Table(
                "values and gradients",
                ["x", "GELU", "ReLU", "dGELU/dx", "dReLU/dx"],
                [
                    [
                        round(float(x[i]), 2) + 0.0,
                        round(float(gelu[i]), 4) + 0.0,
                        round(float(relu[i]), 4),
                        round(float(gelu_grad[i]), 4),
                        round(float(relu_grad[i]), 4),
                    ]
                    for i in picks
                ],
            )
        ],
        series=[
            Series(
                "activation",
                x.tolist(),
                {"GELU": gelu.tolist(), "ReLU": relu.tolist()},
                "x",
                "f(x)",
            ),
            Series(
                "gradient",
                x.tolist(),
                {"GELU'": gelu_grad.tolist(), "ReLU'": relu_grad.tolist()},
                "x",
                "f'(x)",
            ),
        ],
        notes=notes,
        values={
            "x": x.tolist(),
            "gelu": gelu.tolist(),
            "relu": relu.tolist(),
            "gelu_grad": gelu_grad.tolist(),
            "relu_grad": relu_grad.tolist(),
            "gelu_min": float(gelu[lowest]),
            "gelu_argmin": float(x[lowest]),
        },
    )


class FeedForwardParams(DemoParams):
    emb_dim: int = Field(768, ge=2, le=1024, description="Token width d; the hidden layer is 4d.")


@register(
    "feed-forward",
    "The feed-forward block",
    "d -> 4d -> GELU -> d: shapes and parameters.",
    FeedForwardParams,
    code=(
        "studybuddy.engine.model:FeedForward",
        "studybuddy.engine.model:GELU",
    ),
    section="4.3",
)
def feed_forward(p: FeedForwardParams) -> DemoResult:
    import torch

    from studybuddy.engine.config import GPTConfig
    from studybuddy.engine.model import FeedForward

    d = p.emb_dim
    with seeded(p.seed):
        block = FeedForward(GPTConfig(emb_dim=d, n_heads=1))
        x = torch.rand(2, 3, d)  # 2 texts of 3 tokens
    expand, act, project = block.layers
    with torch.no_grad():
        hidden = expand(x)
        activated = act(hidden)
        out = project(activated)
        whole = block(x)
    layer_rows = [
        ["input", format_shape(x.shape), ""],
        [
            "Linear(d, 4d)",
            format_shape(hidden.shape),
            f"{sum(t.numel() for t in expand.parameters()):,}",
        ],
        ["GELU", format_shape(activated.shape), "0"],
        [
            "Linear(4d, d)",
            format_shape(out.shape),
            f"{sum(t.numel() for t in project.parameters()):,}",
        ],
    ]
    params = sum(t.numel() for t in block.parameters())
    negative_share = float((hidden < 0).float().mean())
    notes = [
        f"Every token goes from {d} to {4 * d} features and back to {d}: the output shape equals "
        f"the input shape, {format_shape(out.shape)}, so blocks can be stacked.",
        f"Parameters: {d}x{4 * d} + {4 * d} (first layer) + {4 * d}x{d} + {d} (second) = "
        f"{params:,}, i.e. 8d^2 + 5d.",
        f"{negative_share:.0%} of the hidden values are negative going into GELU; it shrinks them "
        "towards 0 rather than cutting them off.",
        "The same weights act on each token separately: no information moves between tokens "
        "here (that is attention's job).",
    ]
    return DemoResult(
        f"Feed-forward block, emb_dim = {d}",
        tables=[Table("shapes", ["step", "shape", "parameters"], layer_rows)],
        notes=notes,
        values={
            "input_shape": list(x.shape),
            "hidden_shape": list(hidden.shape),
            "output_shape": list(out.shape),
            "parameters": params,
            "max_abs_diff_steps_vs_block": float((out - whole).abs().max()),
        },
    )


class ShortcutParams(DemoParams):
    n_layers: int = Field(5, ge=2, le=12, description="Layers in the small network.")


def _deep_network(n_layers: int, use_shortcut: bool) -> Any:
    from torch import nn

    from studybuddy.engine.model import GELU

    class DeepNetwork(nn.Module):
        """n_layers - 1 layers of width 3, then one down to a single output."""

        def __init__(self) -> None:
            super().__init__()
            sizes = [3] * n_layers + [1]
            self.layers = nn.ModuleList(
                nn.Sequential(nn.Linear(a, b), GELU())
                for a, b in zip(sizes, sizes[1:], strict=False)
            )

        def forward(self, x: Any) -> Any:
            for layer in self.layers:
                out = layer(x)
                x = x + out if use_shortcut and out.shape == x.shape else out
            return x

    return DeepNetwork()


@register(
    "shortcut-gradients",
    "Shortcut connections and vanishing gradients",
    "Gradients per layer with and without shortcuts.",
    ShortcutParams,
    section="4.4",
)
def shortcut_gradients(p: ShortcutParams) -> DemoResult:
    import torch

    x = torch.tensor([[1.0, 0.0, -1.0]])
    target = torch.tensor([[0.0]])
    means: dict[str, list[float]] = {}
    for name, shortcut in (("without shortcuts", False), ("with shortcuts", True)):
        with seeded(p.seed):  # the same initial weights for both
            net = _deep_network(p.n_layers, shortcut)
        loss = torch.nn.functional.mse_loss(net(x), target)
        loss.backward()
        means[name] = [float(layer[0].weight.grad.abs().mean()) for layer in net.layers]
    plain, short = means["without shortcuts"], means["with shortcuts"]
    layers = [f"layer {i + 1}" for i in range(p.n_layers)]
    ratio_plain = plain[0] / plain[-1] if plain[-1] else float("inf")
    ratio_short = short[0] / short[-1] if short[-1] else float("inf")
    gain = short[0] / plain[0] if plain[0] else float("inf")
    notes = []
    if ratio_plain < 1:
        notes.append(
            f"Without shortcuts the first layer's mean gradient is {plain[0]:.2e}, "
            f"{ratio_plain:.3g} times the last layer's ({plain[-1]:.2e}): each layer's "
            "derivative multiplies in, and the product shrinks on its way back."
        )
    else:
        notes.append(
            f"Without shortcuts the first layer's mean gradient is {plain[0]:.2e}, "
            f"{ratio_plain:.3g} times the last layer's: with these weights it did not shrink on "
            "its way back (try another seed or more layers)."
        )
    if gain > 1:
        notes.append(
            f"With shortcuts (x + layer(x)) the first layer gets {short[0]:.2e}, "
            f"{_times(gain)} as much, and {ratio_short:.3g} times the last layer's: the "
            "identity path carries the gradient back past every layer, so early layers still "
            "learn."
        )
    else:
        notes.append(
            f"With shortcuts the first layer gets {short[0]:.2e}, not more than without "
            f"({plain[0]:.2e}) for these weights."
        )
    notes.append(
        "Same seed, same initial weights; only the + x differs. The chart's y axis is "
        "logarithmic: each grid step is a factor, not a difference."
    )
    return DemoResult(
        f"Gradients through {p.n_layers} layers",
        tables=[
            Table(
                "mean |gradient| of each layer's weights",
                ["without shortcuts", "with shortcuts"],
                [[f"{a:.3e}", f"{b:.3e}"] for a, b in zip(plain, short, strict=True)],
                row_labels=layers,
            )
        ],
        series=[
            Series(
                "mean |gradient| by layer",
                [float(i + 1) for i in range(p.n_layers)],
                means,
                "layer",
                "mean |grad|",
                log_y=True,
            )
        ],
        notes=notes,
        values={"without_shortcuts": plain, "with_shortcuts": short},
    )


Preset = Literal["gpt2-small", "gpt2-medium", "gpt2-large", "gpt2-xl", "gpt-study"]


class ParamCountParams(DemoParams):
    preset: Preset = Field("gpt2-small", description="Model size.")
    qkv_bias: bool = Field(
        False,
        description="Bias terms in the query, key and value projections (OpenAI's released "
        "GPT-2 weights have them; the book's config starts without).",
    )


@functools.cache
def _count(preset: str, qkv_bias: bool = False) -> dict[str, Any]:
    import torch

    from studybuddy.engine.config import get_preset
    from studybuddy.engine.model import GPTModel, count_parameters_tied, count_parameters_untied

    cfg = get_preset(preset).replace(tie_weights=False, qkv_bias=qkv_bias)
    # Shapes only, on the meta device: gpt2-xl would need 6.5 GB of real memory. (The first
    # meta build in a process imports torch._dynamo, 1-3 s; later ones take milliseconds.)
    with torch.device("meta"):
        model = GPTModel(cfg)
    block = model.trf_blocks[0]

    def size(module: Any) -> int:
        return sum(t.numel() for t in module.parameters())

    parts = {
        "token embedding (tok_emb)": size(model.tok_emb),
        "position embedding (pos_emb)": size(model.pos_emb),
        f"attention, {cfg.n_layers} blocks": size(block.att) * cfg.n_layers,
        f"feed-forward, {cfg.n_layers} blocks": size(block.ff) * cfg.n_layers,
        f"layer norms, {cfg.n_layers} blocks": (size(block.norm1) + size(block.norm2))
        * cfg.n_layers,
        "final layer norm": size(model.final_norm),
        "output head (out_head)": size(model.out_head),
    }
    return {
        "config": cfg.to_dict(),
        "parts": parts,
        "untied": count_parameters_untied(model),
        "tied": count_parameters_tied(model),
    }


def _megabytes(params: int, bytes_each: int) -> float:
    return params * bytes_each / 1024**2


@register(
    "param-count",
    "Counting a GPT's parameters",
    "GPT-2 sizes: parameters, tied head, qkv bias, MiB.",
    ParamCountParams,
    code=(
        "studybuddy.engine.model:count_parameters_untied",
        "studybuddy.engine.model:count_parameters_tied",
    ),
    random=False,
    section="4.6",
)
def param_count(p: ParamCountParams) -> DemoResult:
    counted = _count(p.preset, p.qkv_bias)
    other = _count(p.preset, not p.qkv_bias)
    cfg, parts = counted["config"], counted["parts"]
    untied, tied = counted["untied"], counted["tied"]
    presets = ("gpt2-small", "gpt2-medium", "gpt2-large", "gpt2-xl")
    every = {name: _count(name, p.qkv_bias) for name in presets}
    layers = cfg["n_layers"]
    feed_forward_share = parts[f"feed-forward, {layers} blocks"] / untied
    attention_share = parts[f"attention, {layers} blocks"] / untied
    bias_state = "with" if p.qkv_bias else "without"
    biases = abs(other["tied"] - tied)
    notes = [
        f"{p.preset} (emb_dim {cfg['emb_dim']}, {cfg['n_layers']} layers, {cfg['n_heads']} "
        f"heads, {bias_state} qkv bias) has {untied:,} parameters with its own output head, "
        f"{tied:,} when the head reuses the token embedding matrix (weight tying, as GPT-2 "
        "does).",
        f"Tying saves {untied - tied:,} parameters ({(untied - tied) / untied:.0%}): the "
        f"{cfg['vocab_size']:,} x {cfg['emb_dim']} matrix is stored once.",
        f"qkv_bias={not p.qkv_bias} gives {other['tied']:,} tied: {layers} layers x 3 "
        f"projections x {cfg['emb_dim']} biases = {biases:,} parameters "
        f"{'fewer' if p.qkv_bias else 'more'}."
        + (
            " OpenAI's released GPT-2 weights have these biases."
            if p.preset.startswith("gpt2")
            else ""
        ),
        f"At 4 bytes each (float32) the untied model needs {_megabytes(untied, 4):,.2f} MiB "
        f"for its weights alone; 16-bit weights halve that to {_megabytes(untied, 2):,.2f} MiB "
        "(1 MiB = 1024^2 bytes; the book prints the same figure as MB).",
        f"The feed-forward blocks hold {feed_forward_share:.0%} of the parameters, attention "
        f"{attention_share:.0%}.",
    ]
    return DemoResult(
        f"Parameters of {p.preset}",
        tables=[
            Table(
                f"{p.preset} by part (untied head)",
                ["parameters", "share"],
                [[f"{n:,}", f"{n / untied:.1%}"] for n in parts.values()],
                row_labels=list(parts),
            ),
            Table(
                f"the GPT-2 sizes, {bias_state} qkv bias (MiB: untied, float32)",
                ["d", "layers", "heads", "untied", "tied", "MiB"],
                [
                    [
                        c["config"]["emb_dim"],
                        c["config"]["n_layers"],
                        c["config"]["n_heads"],
                        f"{c['untied']:,}",
                        f"{c['tied']:,}",
                        round(_megabytes(c["untied"], 4)),
                    ]
                    for c in every.values()
                ],
                row_labels=[name.removeprefix("gpt2-") for name in presets],
            ),
        ],
        notes=notes,
        values={
            "config": cfg,
            "parts": parts,
            "parameters_untied": untied,
            "parameters_tied": tied,
            "parameters_tied_other_qkv_bias": other["tied"],
            "megabytes_fp32_untied": _megabytes(untied, 4),
            "megabytes_fp32_tied": _megabytes(tied, 4),
        },
    )


class MultiHeadParams(DemoParams):
    batch: int = Field(2, ge=1, le=8, description="Texts in the batch.")
    num_tokens: int = Field(6, ge=1, le=64, description="Tokens per text.")
    d_in: int = Field(768, ge=1, le=1024, description="Input width.")
    d_out: int = Field(768, ge=1, le=1024, description="Output width (all heads together).")
    num_heads: int = Field(12, ge=1, le=64, description="Attention heads.")

    @model_validator(mode="after")
    def _heads_divide_width(self) -> MultiHeadParams:
        if self.d_out % self.num_heads:
            raise ValueError(
                f"d_out ({self.d_out}) must be divisible by num_heads ({self.num_heads})"
            )
        return self


@register(
    "multi-head-shapes",
    "Multi-head attention, shape by shape",
    "Multi-head attention, every tensor shape.",
    MultiHeadParams,
    code=("studybuddy.engine.attention:MultiHeadAttention.forward",),
    section="3.6",
)
def multi_head_shapes(p: MultiHeadParams) -> DemoResult:
    import torch

    from studybuddy.engine.attention import MultiHeadAttention

    with seeded(p.seed):
        mha = MultiHeadAttention(p.d_in, p.d_out, p.num_tokens, 0.0, p.num_heads)
        x = torch.rand(p.batch, p.num_tokens, p.d_in)
    b, t, h, hd = p.batch, p.num_tokens, p.num_heads, p.d_out // p.num_heads
    with torch.no_grad():
        projected = mha.W_query(x)
        queries, keys, values, _ = mha.project(x)
        scores = queries @ keys.transpose(2, 3)
        weights = mha.attention_weights(queries, keys)
        context = weights @ values
        side_by_side = context.transpose(1, 2)
        merged = side_by_side.reshape(b, t, p.d_out)
        out = mha.out_proj(merged)
        whole = mha(x)
    # Dimensions as b = batch, T = num_tokens, h = num_heads, hd = head_dim, so rows fit 80
    # columns; the table's title spells them out.
    steps = [
        ("input x", x, "(b, T, d_in)"),
        ("W_query(x)", projected, "(b, T, d_out)"),
        ("view as heads", projected.view(b, t, h, hd), "(b, T, h, hd)"),
        ("queries (transpose 1, 2)", queries, "(b, h, T, hd)"),
        ("scores q @ k^T", scores, "(b, h, T, T)"),
        ("masked softmax weights", weights, "(b, h, T, T)"),
        ("context weights @ v", context, "(b, h, T, hd)"),
        ("transpose back", side_by_side, "(b, T, h, hd)"),
        ("reshape: heads side by side", merged, "(b, T, d_out)"),
        ("out_proj", out, "(b, T, d_out)"),
    ]
    params = sum(t_.numel() for t_ in mha.parameters())
    notes = [
        f"{h} heads of head_dim = d_out / num_heads = {p.d_out} / {h} = {hd}: one projection "
        f"of width {p.d_out} is split, not {h} separate projections, so the cost is the same "
        "as a single head of full width.",
        f"Each head computes its own {t} x {t} weights; the batch and head dimensions ride along "
        f"in front, so one matmul handles all {b * h} (text, head) pairs.",
        f"The output has the input's batch and token dimensions with d_out features: "
        f"{format_shape(out.shape)}. Running the engine's forward() gives the same numbers "
        f"(largest difference {float((out - whole).abs().max()):.1e}).",
        f"Parameters: 3 x {p.d_in} x {p.d_out} (W_query, W_key, W_value, no bias) + "
        f"{p.d_out} x {p.d_out} + {p.d_out} (out_proj) = {params:,}.",
    ]
    tables = [
        Table(
            "shapes (b = batch, T = num_tokens, h = num_heads, hd = head_dim)",
            ["shape", "dimensions"],
            [[format_shape(tensor.shape), meaning] for _, tensor, meaning in steps],
            row_labels=[name for name, _, _ in steps],
        )
    ]
    if t <= 12:
        labels = [str(i) for i in range(t)]
        tables.append(
            Table(
                "head 1's weights for text 1 (causal)",
                labels,
                rounded(weights[0, 0], 3),
                labels,
                heat=True,
            )
        )
    return DemoResult(
        f"Multi-head attention: {h} heads",
        tables=tables,
        notes=notes,
        values={
            "shapes": {name: list(tensor.shape) for name, tensor, _ in steps},
            "head_dim": hd,
            "parameters": params,
            "max_abs_diff_steps_vs_forward": float((out - whole).abs().max()),
        },
    )


def _times(ratio: float) -> str:
    if ratio >= 1e6:
        return f"{ratio:.2e} times"
    return f"{ratio:,.0f} times" if ratio >= 10 else f"{ratio:.2f} times"


def _list(values: Any, digits: int) -> str:
    return "[" + ", ".join(f"{float(v):.{digits}f}" for v in values) + "]"
