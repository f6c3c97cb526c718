"""Why a transformer needs positions (ch. 2-3): attention alone does not see order. Shuffle the
tokens and its outputs shuffle the same way; add positional embeddings, learned (GPT-2) or
sinusoidal (the original transformer), and order starts to matter."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import Field

from studybuddy.demos.base import DemoParams, DemoResult, Series, Table, rounded
from studybuddy.demos.common import seeded
from studybuddy.demos.registry import register

SHOWN_DIMS = 8


class PositionsParams(DemoParams):
    n_tokens: int = Field(6, ge=2, le=12, description="Tokens (the book's six, then random).")
    d_model: int = Field(16, ge=2, le=64, description="Width of the sinusoidal table shown.")
    kind: Literal["learned", "sinusoidal"] = Field(
        "learned", description="Positional embeddings added in the second run."
    )


def sinusoidal_table(positions: int, width: int) -> Any:
    """PE[pos, 2i] = sin(pos / 10000^(2i / width)), PE[pos, 2i + 1] = cos(the same angle)."""
    import torch

    pos = torch.arange(positions, dtype=torch.float64).unsqueeze(1)
    pair = torch.arange(width, dtype=torch.float64) // 2
    angle = pos / 10000 ** (2 * pair / width)
    table = torch.where(torch.arange(width) % 2 == 0, torch.sin(angle), torch.cos(angle))
    return table.float()


@register(
    "positional-encoding",
    "Positional encodings: attention alone ignores order",
    "Shuffle tokens: attention alone ignores order.",
    PositionsParams,
    section="2.8",
)
def positional_encoding(p: PositionsParams) -> DemoResult:
    import torch

    from studybuddy.demos.attention import WORDS, _inputs_of
    from studybuddy.engine.attention import SelfAttentionV2

    n = p.n_tokens
    with seeded(p.seed):
        attention = SelfAttentionV2(3, 3)  # no mask: a causal one breaks the symmetry by itself
        inputs = _inputs_of(n)
        learned = torch.nn.Embedding(n, 3)  # as GPT-2's pos_emb, freshly initialised
        order = torch.randperm(n)
    if torch.equal(order, torch.arange(n)):  # a "shuffle" that moves nothing shows nothing
        order = torch.roll(order, 1)
    positions = learned.weight.detach() if p.kind == "learned" else sinusoidal_table(n, 3)
    with torch.no_grad():
        plain = attention(inputs)
        plain_shuffled = attention(inputs[order])
        placed = attention(inputs + positions)
        placed_shuffled = attention(inputs[order] + positions)  # positions stay put
    gap_plain = float((plain_shuffled - plain[order]).abs().max())
    gap_placed = float((placed_shuffled - placed[order]).abs().max())
    words = (WORDS + [f"tok{i + 1}" for i in range(6, n)])[:n]
    shuffled_words = [words[int(i)] for i in order]
    sinusoid = sinusoidal_table(n, p.d_model)
    gram = sinusoid @ sinusoid.T
    # The sinusoidal dot product depends only on the distance between positions.
    by_distance = {d: [float(gram[i, i + d]) for i in range(n - d)] for d in range(1, min(n, 4))}
    spread = max(max(v) - min(v) for v in by_distance.values())
    notes = [
        f"Shuffled order: {' '.join(shuffled_words)}. Without positions each output is the "
        f"same as before, only moved with its token (largest difference {gap_plain:.1e}): "
        "attention is permutation-equivariant, it sees a set of tokens, not a sequence.",
    ]
    if gap_placed > 1e-4:
        notes.append(
            f"With {p.kind} positional embeddings added (position i gets the same vector "
            f"whatever token stands there), the shuffled outputs are no longer the old ones "
            f"moved: they differ by up to {gap_placed:.3f}, because a token now carries where it "
            "is."
        )
    notes.append(
        "Learned positions (GPT-2, the book) are a trainable table of context_length rows, "
        "here freshly random; sinusoidal ones (the original transformer) are fixed waves of "
        "different frequencies and need no training."
    )
    if spread < 1e-4:
        notes.append(
            f"In the sinusoidal table ({p.d_model} wide) the dot product of two positions "
            f"depends only on their distance: at distance 1 it is {by_distance[1][0]:.4f} for "
            "every pair, so relative offsets are easy to read off."
        )
    dims = [f"d{j + 1}" for j in range(min(SHOWN_DIMS, p.d_model))]
    return DemoResult(
        "Attention without and with positions",
        tables=[
            Table(
                f"output d1 of each token, without and with {p.kind} positions (+pos)",
                ["before", "shuffled", "+pos before", "+pos shuffled"],
                [
                    [
                        round(float(plain[int(j), 0]), 4),
                        round(float(plain_shuffled[i, 0]), 4),
                        round(float(placed[int(j), 0]), 4),
                        round(float(placed_shuffled[i, 0]), 4),
                    ]
                    for i, j in enumerate(order)
                ],
                row_labels=shuffled_words,
            ),
            Table(
                f"sinusoidal table, {p.d_model} wide"
                + (f" (first {SHOWN_DIMS} dims)" if p.d_model > SHOWN_DIMS else ""),
                dims,
                rounded(sinusoid[:, :SHOWN_DIMS], 3),
                [f"pos {i}" for i in range(n)],
                heat=True,
            ),
        ],
        series=[
            Series(
                "sinusoidal encoding: one wave per dimension",
                [float(i) for i in range(n)],
                {f"d{j + 1}": sinusoid[:, j].tolist() for j in range(min(4, p.d_model))},
                "position",
                "value",
            )
        ],
        notes=notes,
        values={
            "order": order.tolist(),
            "max_diff_without_positions": gap_plain,
            "max_diff_with_positions": gap_placed,
            "outputs": plain.tolist(),
            "outputs_shuffled": plain_shuffled.tolist(),
            "sinusoidal": sinusoid.tolist(),
            "sinusoidal_dot_by_distance": by_distance,
            "positions_added": positions.tolist(),
        },
    )
