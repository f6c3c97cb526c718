"""Dropout and module buffers: what nn.Dropout does to a tensor, and what register_buffer buys."""

from __future__ import annotations

import typing
from typing import Any

from pydantic import Field

from studybuddy.demos.base import DemoParams, DemoResult, Series, Table, rounded
from studybuddy.demos.common import seeded
from studybuddy.demos.registry import register

SHOWN = 10  # rows and columns of a matrix printed in full; the numbers keep every entry
CHUNK_ELEMENTS = 1_000_000  # dropout draws are made in chunks this size, so memory stays small
# At most this many random entries in all: 100,000 draws of a 64 x 64 matrix would be 409M and
# take seconds; the mean is steady to about 3 decimals well before the cap.
DRAW_BUDGET = 2_000_000


class DropoutParams(DemoParams):
    # Not 0.5: there 1/(1-p) and 1/p are both 2, and the classic mix-up cannot show.
    p: float = Field(0.2, ge=0.0, le=0.95, description="Probability of dropping each entry.")
    size: int = Field(6, ge=2, le=64, description="The input is a size x size matrix.")
    draws: int = Field(10_000, ge=1, le=100_000, description="Dropout draws to average over.")


def _corner(values: Any) -> list[list[Any]]:
    return [row[:SHOWN] for row in rounded(values[:SHOWN])]


@register(
    "dropout-scaling",
    "Dropout: drop at p, scale the rest by 1/(1-p)",
    "Survivors scaled by 1/(1-p), not 1/p; eval: as is.",
    DropoutParams,
    section="3.5",
)
def dropout_scaling(p: DropoutParams) -> DemoResult:
    import torch

    with seeded(p.seed):
        # Small integers make the scaling easy to read: a kept 3 becomes 3 / (1 - p).
        inputs = torch.randint(1, 10, (p.size, p.size)).float()
        dropout = torch.nn.Dropout(p.p)
        dropout.train()
        once = dropout(inputs)
        draw_means = []
        dropped = 0
        draws = min(p.draws, max(1, DRAW_BUDGET // (p.size * p.size)))
        per_chunk = max(1, CHUNK_ELEMENTS // (p.size * p.size))
        total = torch.zeros_like(inputs)
        for start in range(0, draws, per_chunk):
            count = min(per_chunk, draws - start)
            out = dropout(inputs.expand(count, p.size, p.size))
            total += out.sum(dim=0)
            draw_means.append(out.mean(dim=(1, 2)))
            dropped += int((out == 0).sum())
        means = torch.cat(draw_means)
    dropout.eval()
    identity = bool(torch.equal(dropout(inputs), inputs))

    kept = once != 0
    scale = 1 / (1 - p.p)
    ratios = (once[kept] / inputs[kept]).unique()
    input_mean = float(inputs.mean())
    mean_over_draws = float(means.mean())
    dropped_share = dropped / (draws * p.size * p.size)
    running = means.cumsum(0) / torch.arange(1, draws + 1)
    checkpoints = sorted({min(draws, 10**k) for k in range(6)} | {draws})

    shown = "" if p.size <= SHOWN else f" (first {SHOWN} x {SHOWN} of {p.size} x {p.size})"
    survivors = int(kept.sum())
    notes = [
        f"This draw dropped {int((~kept).sum())} of {p.size * p.size} entries "
        f"({1 - float(kept.float().mean()):.0%}; p = {p.p:g})."
        + (
            f" Every survivor was multiplied by 1 / (1 - p) = {scale:.4g}: the ratios output / "
            f"input are {_ratio_text(ratios)}."
            if survivors
            else " Nothing survived, so this draw is all zeros."
        ),
    ]
    if 0 < p.p < 1 and abs(p.p - 0.5) > 1e-9:
        wrong_mean = input_mean * (1 - p.p) / p.p
        notes.append(
            f"Not 1 / p = {1 / p.p:.4g}: the scale makes up for the share that is kept, "
            f"1 - p = {1 - p.p:g}. Scaled by 1 / p the expected mean would be "
            f"{input_mean:.4f} x {1 - p.p:g} / {p.p:g} = {wrong_mean:.4f} instead of "
            f"{input_mean:.4f}."
        )
    elif abs(p.p - 0.5) <= 1e-9:
        notes.append(
            "At p = 0.5, 1 / (1 - p) and 1 / p are both 2, so this rate cannot tell the right "
            "rule from the wrong one; try p = 0.2 (x1.25, not x5)."
        )
    off = abs(mean_over_draws - input_mean) / input_mean
    if off < 0.02:
        notes.append(
            f"Over {draws:,} draws {dropped_share:.2%} of entries were dropped, and the output's "
            f"mean was {mean_over_draws:.4f} against the input's {input_mean:.4f}: scaling the "
            "survivors keeps the expected value unchanged, so later layers see the same size of "
            "signal in training and at inference."
        )
    else:
        notes.append(
            f"Over {draws:,} draws the output's mean was {mean_over_draws:.4f} against the "
            f"input's {input_mean:.4f} ({off:.0%} off): the expected value is unchanged, but so "
            "few draws are still noisy; more bring the average to the input's."
        )
    notes.append(
        "In eval mode the layer returns its input unchanged "
        f"({'identical' if identity else 'NOT identical'}); dropout only acts while training."
    )
    if draws < p.draws:
        notes.append(
            f"Averaged over {draws:,} draws, not {p.draws:,}: the demo draws at most "
            f"{DRAW_BUDGET:,} random entries ({p.size} x {p.size} each draw)."
        )
    return DemoResult(
        f"Dropout with p = {p.p:g}",
        tables=[
            Table(
                f"input{shown}",
                [str(j) for j in range(min(SHOWN, p.size))],
                _corner(inputs),
                heat=True,
            ),
            Table(
                f"one draw in training mode{shown}",
                [str(j) for j in range(min(SHOWN, p.size))],
                _corner(once),
                heat=True,
            ),
            _scale_table(p.p, input_mean),
            Table(
                "mean of the output over draws",
                ["draws", "running mean", "input mean"],
                [[n, round(float(running[n - 1]), 4), round(input_mean, 4)] for n in checkpoints],
            ),
        ],
        series=[
            Series(
                "mean of the output as draws accumulate",
                [float(n) for n in checkpoints],
                {
                    "running mean": [float(running[n - 1]) for n in checkpoints],
                    "input mean": [input_mean] * len(checkpoints),
                },
                "draws",
                "mean",
                log_x=True,
            )
        ]
        if len(checkpoints) > 1
        else [],
        notes=notes,
        values={
            "input": inputs.tolist(),
            "output": once.tolist(),
            "kept": kept.tolist(),
            "scale": scale,
            "wrong_scale_one_over_p": 1 / p.p if p.p > 0 else None,
            "dropped_share_one_draw": 1 - float(kept.float().mean()),
            "dropped_share_all_draws": dropped_share,
            "input_mean": input_mean,
            "mean_over_draws": mean_over_draws,
            "draws_used": draws,
            "mean_per_entry": (total / draws).tolist(),
            "eval_is_identity": identity,
        },
    )


def _scale_table(p: float, input_mean: float) -> Table:
    readings = [("1/(1-p) (right)", 1 / (1 - p))] + ([("1/p (wrong)", 1 / p)] if p > 0 else [])
    return Table(
        "the scale: 1/(1-p) against the 1/p mix-up",
        ["scale", "a kept 5 becomes", "expected mean"],
        # A kept share of (1 - p), each multiplied by the scale, sets the expected mean.
        [[round(k, 4), round(5 * k, 4), round(input_mean * (1 - p) * k, 4)] for _, k in readings],
        row_labels=[name for name, _ in readings],
    )


def _ratio_text(ratios: Any) -> str:
    if ratios.numel() == 0:
        return "none (nothing survived)"
    return ", ".join(f"{float(r):.6g}" for r in ratios[:3])


class BufferParams(DemoParams):
    context_length: int = Field(6, ge=2, le=16, description="Size of the causal mask.")


@register(
    "register-buffer",
    "register_buffer: state that is not trained",
    "Buffers: moved by .to(), saved, never trained.",
    BufferParams,
    code=(
        "studybuddy.engine.attention:causal_mask",
        "studybuddy.engine.attention:CausalAttention.__init__",
    ),
    random=False,
    section="3.5",
)
def register_buffer_demo(p: BufferParams) -> DemoResult:
    import torch
    from torch import nn

    from studybuddy.engine.attention import CausalAttention, causal_mask

    class MaskHolder(nn.Module):
        def __init__(self, length: int) -> None:
            super().__init__()
            self.register_buffer("mask", causal_mask(length))  # persistent, the default
            self.plain_mask = causal_mask(length)  # an ordinary attribute, for contrast

    with seeded(p.seed):
        engine = CausalAttention(3, 2, context_length=p.context_length, dropout=0.0)
    holder = MaskHolder(p.context_length)

    def facts(module: nn.Module, name: str, tensor_of: Any) -> dict[str, Any]:
        return {
            "in parameters()": any(t is tensor_of(module) for t in module.parameters()),
            "in buffers()": any(t is tensor_of(module) for t in module.buffers()),
            "in state_dict()": name in module.state_dict(),
            "device after .to('meta')": str(tensor_of(module.to("meta")).device),
            "trained by an optimizer": tensor_of(module).requires_grad,
        }

    # .to() changes modules in place, so each row gets a module of its own.
    rows = {
        "register_buffer('mask', ...)": facts(
            MaskHolder(p.context_length), "mask", lambda m: m.mask
        ),
        "engine CausalAttention.mask (persistent=False)": facts(
            CausalAttention(3, 2, p.context_length, 0.0), "mask", lambda m: m.mask
        ),
        "plain attribute self.plain_mask": facts(
            MaskHolder(p.context_length), "plain_mask", lambda m: m.plain_mask
        ),
        "parameter W_query.weight": facts(
            CausalAttention(3, 2, p.context_length, 0.0),
            "W_query.weight",
            lambda m: m.W_query.weight,
        ),
    }
    # One column per kind of tensor (short names, explained in the notes), so the table fits
    # 80 columns; the facts are the rows.
    short = ["buffer", "buffer, not saved", "attribute", "parameter"]
    facts_names = list(next(iter(rows.values())))
    table = Table(
        "what nn.Module does with each kind of tensor",
        short,
        [[_yes_no(kind[fact]) for kind in rows.values()] for fact in facts_names],
        row_labels=[_FACT_LABELS.get(f, f) for f in facts_names],
    )
    mask = typing.cast(torch.Tensor, holder.mask).int()  # a buffer: nn.Module types it loosely
    n_params = sum(t.numel() for t in engine.parameters())
    notes = [
        "Columns: buffer = self.register_buffer('mask', ...); buffer, not saved = the engine's "
        "CausalAttention mask (persistent=False); attribute = a plain self.plain_mask; "
        "parameter = W_query.weight.",
        "A buffer is listed by buffers(), not parameters(): the optimizer never sees it, so the "
        f"causal mask stays fixed while the {n_params} weights of this attention layer train.",
        "Moving the module moves its buffers with it (the 'meta' device stands in for a GPU here), "
        "while a plain tensor attribute stays behind on the CPU, and attention would then mix "
        "devices.",
        "A buffer registered as usual is saved in state_dict(); the engine registers its mask with "
        "persistent=False because the mask is rebuilt from context_length, so checkpoints need "
        "not store it.",
        f"The mask is True above the diagonal: {int(mask.sum())} of {p.context_length**2} "
        "(query, key) pairs are hidden.",
    ]
    labels = [str(i) for i in range(p.context_length)]
    return DemoResult(
        "register_buffer",
        tables=[
            table,
            Table(
                "the causal mask (1 = future token, hidden)",
                labels,
                mask.tolist(),
                row_labels=labels,
                heat=True,
            ),
        ],
        notes=notes,
        values={
            "facts": rows,
            "mask": mask.tolist(),
            "parameter_count": n_params,
            "plain_tensor_device": str(torch.device("cpu")),
        },
    )


_FACT_LABELS = {
    "device after .to('meta')": "device after .to(meta)",
    "trained by an optimizer": "trained",
}


def _yes_no(value: Any) -> str:
    if isinstance(value, bool):
        return "yes" if value else "no"
    return str(value)
