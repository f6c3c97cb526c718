"""What a transformer block takes and does: any number of vectors, from text or from image
patches, with the same weights; and the order of its steps, traced on a real block."""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import Field, model_validator

from studybuddy.demos import shipped
from studybuddy.demos.base import DemoParams, DemoResult, Table, plural, rounded
from studybuddy.demos.common import format_shape, seeded
from studybuddy.demos.registry import DemoError, register

# --- any-sequence --------------------------------------------------------------------------------


class AnySequenceParams(DemoParams):
    lengths: list[Annotated[int, Field(ge=1, le=256)]] = Field(
        [3, 12, 40], min_length=1, max_length=5, description="Token counts to feed the model."
    )
    image_size: int = Field(32, ge=4, le=64, description="Side of the square test image.")
    patch: int = Field(8, ge=2, le=32, description="Side of one square patch.")

    @model_validator(mode="after")
    def _patches_tile_the_image(self) -> AnySequenceParams:
        if self.image_size % self.patch:
            raise ValueError(f"patch: must divide image_size {self.image_size}")
        return self


TEXT = (
    "Attention lets each token look back at the tokens before it and mix in what it finds "
    "there, and the same weights serve every position of every sequence. "
)


@register(
    "any-sequence",
    "One transformer for any length, and for image patches",
    "Same weights on 3, 12, 40 tokens and on patches.",
    AnySequenceParams,
    section="4.6",
)
def any_sequence(p: AnySequenceParams) -> DemoResult:
    import torch

    from studybuddy.engine.config import GPTConfig
    from studybuddy.engine.model import TransformerBlock, count_parameters

    model = shipped.model()
    limit = model.cfg.context_length
    ids = shipped.encode(TEXT * (1 + max(p.lengths) // 20))
    if max(p.lengths) > min(limit, len(ids)):
        raise DemoError(f"any-sequence: lengths up to {min(limit, len(ids))} tokens")
    rows = []
    with torch.no_grad():
        for n in p.lengths:
            logits = model(torch.tensor([ids[:n]]))
            rows.append(
                [n, format_shape(logits.shape), f"{n} x {n}", f"{count_parameters(model):,}"]
            )
    # An image as a sequence: cut into patches, each flattened and projected to a vector.
    channels, width = 3, 32
    with seeded(p.seed):
        image = torch.rand(1, channels, p.image_size, p.image_size)
        to_vector = torch.nn.Linear(channels * p.patch * p.patch, width)
        block = TransformerBlock(
            GPTConfig(context_length=(p.image_size // p.patch) ** 2, emb_dim=width, n_heads=4)
        ).eval()
    patches = torch.nn.functional.unfold(image, p.patch, stride=p.patch).transpose(1, 2)
    with torch.no_grad():
        tokens = to_vector(patches)
        out = block(tokens)
    n_patches = patches.shape[1]
    image_rows = [
        ["image", format_shape(image.shape)],
        [f"{p.patch} x {p.patch} patches, flattened", format_shape(patches.shape)],
        ["projected: one vector per patch", format_shape(tokens.shape)],
        ["after a transformer block", format_shape(out.shape)],
    ]
    vit = (224 // 16) ** 2
    notes = [
        f"gpt-study read {', '.join(str(n) for n in p.lengths)} tokens with the same "
        f"{count_parameters(model):,} parameters: every weight acts on one position at a time "
        "(or, in attention, on pairs of positions), so none depends on the length; only the "
        "attention matrix grows, n x n.",
        f"The one limit is the position table: gpt-study has {limit} learned positions, so "
        f"{limit} tokens is its longest input. Shorter inputs in a batch are padded to one length.",
        f"A {p.image_size} x {p.image_size} image cut into {p.patch} x {p.patch} patches is a "
        f"sequence of {plural(n_patches, 'token')}, each a vector of "
        f"{patches.shape[2]} numbers projected to {width}; a transformer block takes it like "
        f"text. (A vision transformer cuts a 224 x 224 image into 16 x 16 patches: {vit} tokens.)",
        "Audio works the same way (slices of a spectrogram become the tokens), which is how one "
        "architecture serves text, images and sound.",
    ]
    return DemoResult(
        "Sequences of any length, and image patches",
        tables=[
            Table(
                "gpt-study on texts of different lengths",
                ["tokens", "logits shape", "attention", "parameters"],
                rows,
            ),
            Table("an image as a sequence of patch vectors", ["", "shape"], image_rows),
        ],  # fmt: skip
        notes=notes,
        values={
            "logit_shapes": [r[1] for r in rows],
            "parameters": count_parameters(model),
            "patch_shape": list(patches.shape),
            "out_shape": list(out.shape),
        },
    )


# --- block-trace ---------------------------------------------------------------------------------


class BlockTraceParams(DemoParams):
    emb_dim: int = Field(8, ge=2, le=256, description="Width of the token vectors.")
    num_tokens: int = Field(4, ge=1, le=64, description="Tokens in the input.")


@register(
    "block-trace",
    "One transformer block, step by step",
    "Each step of a block traced: norm, attn, shortcut.",
    BlockTraceParams,
    section="4.6",
)
def block_trace(p: BlockTraceParams) -> DemoResult:
    import torch

    from studybuddy.engine.config import GPTConfig
    from studybuddy.engine.model import TransformerBlock

    heads = 2 if p.emb_dim % 2 == 0 else 1
    with seeded(p.seed):
        block = TransformerBlock(
            GPTConfig(context_length=p.num_tokens, emb_dim=p.emb_dim, n_heads=heads)
        ).eval()
        x = torch.randn(1, p.num_tokens, p.emb_dim) * 2 + 1
    trace: list[tuple[str, Any]] = []
    names = {
        block.norm1: "norm1 (LayerNorm)",
        block.att: "att (masked multi-head attention)",
        block.norm2: "norm2 (LayerNorm)",
        block.ff: "ff (feed-forward, GELU)",
    }
    hooks = [
        module.register_forward_hook(lambda m, _, out: trace.append((names[m], out)))
        for module in names
    ]
    try:
        with torch.no_grad():
            out = block(x)
    finally:
        for hook in hooks:
            hook.remove()
    after_att = x + trace[1][1]
    steps = [
        ("input x", x),
        trace[0],
        trace[1],
        ("x + att(...) (shortcut 1)", after_att),
        trace[2],
        trace[3],
        ("+ ff(...) (shortcut 2) = output", after_att + trace[3][1]),
    ]
    rows = [
        [i, name, format_shape(t.shape), *rounded([float(t.mean()), float(t.std())])]
        for i, (name, t) in enumerate(steps)
    ]
    gap = float((steps[-1][1] - out).abs().max())
    notes = [
        "The block runs: LayerNorm, attention, add the input back (shortcut); then LayerNorm, "
        "feed-forward, add back again. Each norm comes before its layer (pre-LayerNorm, as in "
        "GPT-2), and each shortcut adds the layer's output to what went into the norm.",
        f"The norms bring every token to mean 0 and spread 1 (rows 1 and 4: std "
        f"{rows[1][4]} and {rows[4][4]}), while the shortcuts keep the input's size "
        f"(input std {rows[0][4]}, output {rows[6][4]}).",
        f"Every step keeps the shape {format_shape(x.shape)}, so blocks stack. Rebuilding the "
        f"output from the traced steps gives the block's own output to within {gap:.1e}.",
    ]
    return DemoResult(
        f"One block on {p.num_tokens} tokens of width {p.emb_dim}",
        tables=[Table("the steps in order", ["#", "step", "shape", "mean", "std"], rows)],
        notes=notes,
        values={"steps": [r[1] for r in rows], "gap": gap},
    )


# --- layer-norm-eps ------------------------------------------------------------------------------


class LayerNormEpsParams(DemoParams):
    value: float = Field(3.0, ge=-100.0, le=100.0, description="Every feature of token 1.")
    emb_dim: int = Field(6, ge=2, le=64, description="Features per token.")
    eps: float = Field(1e-5, gt=0.0, le=1.0, description="Added to the variance.")


@register(
    "layer-norm-eps",
    "Why LayerNorm adds eps to the variance",
    "A constant token: 0 / 0 without eps, zeros with it.",
    LayerNormEpsParams,
    section="4.2",
)
def layer_norm_eps(p: LayerNormEpsParams) -> DemoResult:
    import torch

    from studybuddy.engine.model import LayerNorm

    with seeded(p.seed):
        ordinary = torch.randn(p.emb_dim)
    x = torch.stack([torch.full((p.emb_dim,), p.value), ordinary])
    with torch.no_grad():
        with_eps = LayerNorm(p.emb_dim, eps=p.eps)(x)
        without = LayerNorm(p.emb_dim, eps=0.0)(x)
    variance = x.var(dim=-1, unbiased=False)
    shown = min(p.emb_dim, 6)
    cols = [f"d{j + 1}" for j in range(shown)]
    table = [
        *rounded(x[:, :shown], 4),
        *rounded(without[:, :shown], 4),
        *rounded(with_eps[:, :shown], 4),
    ]
    labels = ["1 (constant)", "2", "eps 0: 1", "eps 0: 2", f"eps {p.eps:g}: 1", f"eps {p.eps:g}: 2"]
    change = float((with_eps[1] - without[1]).abs().max())
    notes = [
        f"Token 1 has every feature equal to {p.value:g}: its mean is {p.value:g} and its variance "
        f"{float(variance[0]):g}. Normalising divides (x - mean) = 0 by sqrt(variance) = 0.",
        "Without eps that is 0 / 0 = nan, and a single nan spreads to every later layer and "
        "to the loss.",
        f"With eps = {p.eps:g} the division is by sqrt({p.eps:g}) and token 1 comes out as "
        f"zeros. Token 2 (variance {float(variance[1]):.4f}) changes by only {change:.1e}: eps "
        "matters only where the variance is tiny.",
    ]
    return DemoResult(
        f"LayerNorm of a constant token, eps {p.eps:g}",
        tables=[Table("tokens 1 and 2 before and after LayerNorm", cols, table, labels)],
        notes=notes,
        values={
            "without_eps": [[float(v) for v in row] for row in without.tolist()],
            "with_eps": with_eps.tolist(),
            "change": change,
        },
    )
