"""Self-attention step by step on the book's six-token example (ch. 3), on the engine's classes."""

from __future__ import annotations

import math
from typing import Any

from pydantic import Field

from studybuddy.demos.base import DemoParams, DemoResult, Series, Table, plural, rounded
from studybuddy.demos.common import seeded
from studybuddy.demos.registry import register
from studybuddy.demos.shipped import MODEL_HELP, ModelChoice

# "Your journey starts with one step" as six 3-dimensional embeddings, the book's running example.
WORDS = ["Your", "journey", "starts", "with", "one", "step"]
INPUTS = [
    [0.43, 0.15, 0.89],
    [0.55, 0.87, 0.66],
    [0.57, 0.85, 0.64],
    [0.22, 0.58, 0.33],
    [0.77, 0.25, 0.10],
    [0.05, 0.80, 0.55],
]


def _inputs() -> Any:
    import torch

    return torch.tensor(INPUTS)


def _labels() -> list[str]:
    return [f"x{i + 1} {word}" for i, word in enumerate(WORDS)]


def _inputs_table(inputs: Any, labels: list[str]) -> Table:
    """The embeddings the demo starts from, so a reader can redo the first product by hand."""
    rows, width = inputs.shape
    return _matrix(
        f"inputs x ({rows} tokens x {width} dims)",
        inputs,
        [f"d{j + 1}" for j in range(width)],
        labels,
    )


def _matrix(title: str, values: Any, columns: list[str], labels: list[str]) -> Table:
    return Table(title, columns, rounded(values), row_labels=labels, heat=True)


class QueryParams(DemoParams):
    query_index: int = Field(
        1, ge=0, le=5, description="Which token is the query (0 = 'Your', 1 = 'journey', ...)."
    )


@register(
    "dot-product-similarity",
    "Dot products as similarity",
    "Dot products and cosines of the six example words.",
    QueryParams,
    random=False,
    section="3.3",
)
def dot_product_similarity(p: QueryParams) -> DemoResult:
    import torch

    inputs = _inputs()
    query = inputs[p.query_index]
    dots = inputs @ query
    norms = inputs.norm(dim=1)
    cosines = dots / (norms * query.norm())
    labels = _labels()
    table = Table(
        f"similarity to the query x{p.query_index + 1} ({WORDS[p.query_index]!r})",
        ["x_i . q", "|x_i|", "cos(x_i, q)"],
        [list(r) for r in zip(rounded(dots), rounded(norms), rounded(cosines), strict=True)],
        row_labels=labels,
        heat=True,
    )
    others = [i for i in range(len(WORDS)) if i != p.query_index]
    closest = max(others, key=lambda i: float(dots[i]))
    farthest = min(others, key=lambda i: float(dots[i]))
    best_cos = max(others, key=lambda i: float(cosines[i]))
    notes = [
        f"x{p.query_index + 1} . x{closest + 1} = {float(dots[closest]):.4f} is the largest dot "
        f"product with another token ({WORDS[closest]!r}); {WORDS[farthest]!r} is the least "
        f"similar at {float(dots[farthest]):.4f}.",
        "A dot product is |a| |b| cos(angle): it grows with length as well as with alignment. "
        f"By angle alone the closest is {WORDS[best_cos]!r} "
        f"(cos = {float(cosines[best_cos]):.4f}).",
        "These dot products are exactly the unnormalised attention scores of the query "
        "(see self-attention-simple).",
    ]
    return DemoResult(
        f"Dot products with the query {WORDS[p.query_index]!r}",
        tables=[_matrix("embeddings", inputs, ["d1", "d2", "d3"], labels), table],
        series=[
            Series(
                "x_i . q",
                [float(i) for i in range(6)],
                {"dot product": dots.tolist()},
                "token",
                "score",
                kind="bar",
                x_ticks=WORDS,
            )
        ],
        notes=notes,
        values={
            "query": query.tolist(),
            "dot_products": dots.tolist(),
            "cosines": cosines.tolist(),
            "reference_dots": [float(torch.dot(row, query)) for row in inputs],
        },
    )


@register(
    "self-attention-simple",
    "Self-attention without trainable weights",
    "Scores, weights, context of 'Your journey...'",
    QueryParams,
    code=("studybuddy.engine.attention:SimplifiedSelfAttention",),
    random=False,
    section="3.3",
)
def self_attention_simple(p: QueryParams) -> DemoResult:
    from studybuddy.engine.attention import SimplifiedSelfAttention

    inputs = _inputs()
    attention = SimplifiedSelfAttention()
    scores = attention.scores(inputs)
    weights = attention.weights(inputs)
    context = attention(inputs)
    q = p.query_index
    labels = _labels()
    weighted = weights[q].unsqueeze(1) * inputs  # each input scaled by its weight for the query
    breakdown = Table(
        f"context vector of x{q + 1} as a weighted sum",
        ["score", "weight", "w*d1", "w*d2", "w*d3"],
        [
            [round(float(scores[q, i]), 4), round(float(weights[q, i]), 4), *rounded(weighted[i])]
            for i in range(6)
        ]
        + [["", round(float(weights[q].sum()), 4), *rounded(context[q])]],
        row_labels=[*labels, "sum"],
    )
    top = int(weights[q].argmax())
    lowest = int(weights[q].argmin())
    norms = inputs.norm(dim=1)
    notes = [
        f"The query {WORDS[q]!r} gives its largest weight, {float(weights[q, top]):.4f}, to "
        f"{WORDS[top]!r}; the smallest, {float(weights[q, lowest]):.4f}, to "
        f"{WORDS[lowest]!r}. Its weights sum to {float(weights[q].sum()):.4f}.",
        f"Context vector z{q + 1} = {_vector(context[q])}: the inputs averaged with those "
        "weights, so the tokens with the largest dot products contribute most.",
    ]
    if top == q:
        notes.append(
            f"Here the query wins its own attention: x{q + 1} . x{q + 1} = |x{q + 1}|^2 = "
            f"{float(scores[q, q]):.4f} is its largest score. No parameters are trained; "
            "the scores are plain dot products of the inputs."
        )
    else:
        notes.append(
            f"{WORDS[q]!r} attends more to {WORDS[top]!r} ({float(weights[q, top]):.4f}) than "
            f"to itself ({float(weights[q, q]):.4f}): a dot product is |a| |b| cos(angle), so it "
            f"favours long vectors (|x{top + 1}| = {float(norms[top]):.3f} against "
            f"|x{q + 1}| = {float(norms[q]):.3f}), not only similar ones. No parameters are "
            "trained here; trainable W_query and W_key are what let attention learn better."
        )
    return DemoResult(
        f"Simplified self-attention, query {WORDS[q]!r}",
        tables=[
            _inputs_table(inputs, labels),
            _matrix("attention scores x_i . x_j", scores, WORDS, labels),
            _matrix("attention weights (softmax of each row)", weights, WORDS, labels),
            breakdown,
            _matrix("context vectors", context, ["d1", "d2", "d3"], labels),
        ],
        notes=notes,
        values={
            "scores": scores[q].tolist(),
            "weights": weights[q].tolist(),
            "context": context[q].tolist(),
            "all_scores": scores.tolist(),
            "all_weights": weights.tolist(),
            "all_context": context.tolist(),
            "most_attended": top,
        },
    )


class TrainableParams(QueryParams):
    d_out: int = Field(2, ge=1, le=8, description="Width of queries, keys and values.")


@register(
    "self-attention-trainable",
    "Self-attention with trainable weights",
    "W_query, W_key, W_value from torch.rand; context.",
    TrainableParams,
    code=("studybuddy.engine.attention:SelfAttentionV1",),
    section="3.4",
)
def self_attention_trainable(p: TrainableParams) -> DemoResult:
    import torch

    from studybuddy.engine.attention import SelfAttentionV1

    inputs = _inputs()
    with seeded(p.seed):
        attention = SelfAttentionV1(3, p.d_out)  # draws W_query, W_key, W_value in that order
    with torch.no_grad():
        w_query, w_key, w_value = attention.W_query, attention.W_key, attention.W_value
        queries, keys, values = inputs @ w_query, inputs @ w_key, inputs @ w_value
        q = p.query_index
        scores = keys @ queries[q]
        scaled = scores / math.sqrt(p.d_out)
        weights = torch.softmax(scaled, dim=0)
        context = weights @ values
        engine_context = attention(inputs)[q]
    dims = [f"d{j + 1}" for j in range(p.d_out)]
    labels = _labels()
    steps = Table(
        f"query x{q + 1} against every key",
        ["q . k_i", "/ sqrt(d_out)", "softmax"],
        [list(r) for r in zip(rounded(scores), rounded(scaled), rounded(weights), strict=True)],
        row_labels=labels,
        heat=True,
    )
    notes = [
        f"With seed {p.seed}, query q{q + 1} = x{q + 1} @ W_query = {_vector(queries[q])}.",
        f"Scores are divided by sqrt(d_out) = {math.sqrt(p.d_out):.4f} before the softmax; the "
        f"largest weight goes to {WORDS[int(weights.argmax())]!r} ({float(weights.max()):.4f}).",
        f"Context z{q + 1} = weights @ values = {_vector(context)}; the engine's "
        f"SelfAttentionV1 gives the same to within "
        f"{float((context - engine_context).abs().max()):.1e}.",
        "Unlike the simplified version, W_query and W_key let a token attend to tokens that are "
        "not simply similar to it; training sets these matrices.",
    ]
    return DemoResult(
        f"Trainable self-attention, query {WORDS[q]!r}, d_out = {p.d_out}",
        tables=[
            _inputs_table(inputs, labels),
            _matrix("W_query", w_query, dims, ["in d1", "in d2", "in d3"]),
            _matrix("W_key", w_key, dims, ["in d1", "in d2", "in d3"]),
            _matrix("W_value", w_value, dims, ["in d1", "in d2", "in d3"]),
            _matrix("keys (x @ W_key)", keys, dims, labels),
            steps,
            _matrix(f"context vector z{q + 1}", context.unsqueeze(0), dims, [f"z{q + 1}"]),
        ],
        notes=notes,
        values={
            "W_query": w_query.tolist(),
            "W_key": w_key.tolist(),
            "W_value": w_value.tolist(),
            "query": queries[q].tolist(),
            "keys": keys.tolist(),
            "values": values.tolist(),
            "scores": scores.tolist(),
            "weights": weights.tolist(),
            "context": context.tolist(),
            "engine_context": engine_context.tolist(),
        },
    )


BOOK_MASK_SEED = 789  # the seed of the book's causal-attention example (ch. 3)


REAL_SENTENCE = " ".join(WORDS)
REAL_TOKENS_SHOWN = 16  # a real head's weights are shown for at most this many tokens


class CausalMaskParams(DemoParams):
    n_tokens: int = Field(6, ge=2, le=12, description="Sequence length.")
    seed: int = Field(
        BOOK_MASK_SEED,
        ge=0,
        le=2**31 - 1,
        description="Seed of the projections; 789 gives the book's example.",
    )
    model: ModelChoice = Field("smollm2", description="The real head's model: " + MODEL_HELP)
    sentence: str = Field(
        REAL_SENTENCE, min_length=1, max_length=120, description="Text for the real head."
    )
    # Layer 1, head 2 of SmolLM2 mostly looks at the previous token; both exist in gpt-study.
    layer: int = Field(1, ge=0, le=255, description="Block of the real head (0 = first).")
    head: int = Field(2, ge=0, le=255, description="Query head of the real head (0 = first).")


@register(
    "causal-mask",
    "Causal mask: renormalise vs -inf",
    "Masking with -inf = zeroing and renormalising.",
    CausalMaskParams,
    code=(
        "studybuddy.engine.attention:causal_mask",
        "studybuddy.engine.attention:CausalAttention.weights",
        "studybuddy.engine.attention:scaled_softmax",
    ),
    section="3.5",
)
def causal_mask_demo(p: CausalMaskParams) -> DemoResult:
    import torch

    from studybuddy.engine.attention import CausalAttention, scaled_softmax

    n = p.n_tokens
    with seeded(p.seed):
        # The projections first, as the book draws them; the extra inputs after, so that
        # n_tokens never changes the weights of the first six tokens.
        attention = CausalAttention(3, 2, context_length=n, dropout=0.0)
        extra = torch.rand(max(0, n - 6), 3)  # beyond the six example tokens
    inputs = torch.cat([_inputs()[:n], extra])
    words = (WORDS + [f"tok{i + 1}" for i in range(6, n)])[:n]
    with torch.no_grad():
        queries, keys = attention.W_query(inputs), attention.W_key(inputs)
        plain = scaled_softmax(queries @ keys.T, keys.shape[-1])
        below = torch.tril(torch.ones(n, n))
        zeroed = plain * below
        renormalised = zeroed / zeroed.sum(dim=-1, keepdim=True)
        minus_inf = attention.weights(inputs)  # the engine: scores above the diagonal -> -inf
        # What the engine feeds its softmax: the same masked_fill, shown before it.
        masked = (queries @ keys.T).masked_fill(attention.mask[:n, :n], -torch.inf)
    difference = float((renormalised - minus_inf).abs().max())
    above = float(minus_inf.triu(diagonal=1).abs().max())
    row_sums = minus_inf.sum(dim=-1)
    lost = 1 - zeroed.sum(dim=-1)
    worst = int(lost.argmax())
    labels = [f"{i + 1} {w}" for i, w in enumerate(words)]
    notes = [
        f"Renormalising the zeroed weights and masking the scores with -inf agree to within "
        f"{difference:.1e}: exp(-inf) = 0 drops the future keys, and the softmax's own division "
        "does the renormalising.",
        f"Every row sums to 1 (largest error {float((row_sums - 1).abs().max()):.1e}) and every "
        f"weight above the diagonal is {above:g}.",
    ]
    if float(lost[worst]) > 1e-4:
        notes.append(
            f"Zeroing alone leaves row {worst + 1} ({words[worst]!r}) summing to "
            f"{float(zeroed[worst].sum()):.4f}; that is why the first way must renormalise."
        )
    notes.append(
        f"Token 1 ({words[0]!r}) may only look at itself, so its weight is "
        f"{float(minus_inf[0, 0]):.4f}; token 2 splits its attention "
        f"{_vector(minus_inf[1, :2])} between token 1 and itself."
        + (
            " Seed 789 with these inputs is the book's ch. 3 example."
            if p.seed == BOOK_MASK_SEED
            else ""
        )
    )
    if n > 6:
        notes.append(f"Tokens 7 to {n} are random inputs added to the six-token example.")
    real, real_labels, real_title, real_notes = _real_head(p)
    notes += real_notes
    return DemoResult(
        f"Causal attention over {n} tokens",
        tables=[
            _inputs_table(inputs, labels),
            Table(
                "scores q . k, future keys masked with -inf (before the softmax)",
                words,
                rounded(masked),
                labels,
                heat=True,
            ),
            Table("weights without a mask", words, rounded(plain), labels, heat=True),
            Table(
                "future weights zeroed (rows no longer sum to 1)",
                words,
                rounded(zeroed),
                labels,
                heat=True,
            ),
            Table("zeroed, then renormalised", words, rounded(renormalised), labels, heat=True),
            Table(
                "scores masked with -inf, then softmax",
                words,
                rounded(minus_inf),
                labels,
                heat=True,
            ),
            Table(
                real_title,
                [label.split(" ", 1)[1] for label in real_labels],
                rounded(real, 3),
                real_labels,
                heat=True,
            ),
        ],
        notes=notes,
        values={
            "inputs": inputs.tolist(),
            "masked_scores": masked.tolist(),
            "unmasked": plain.tolist(),
            "renormalised": renormalised.tolist(),
            "minus_inf": minus_inf.tolist(),
            "row_sums": row_sums.tolist(),
            "max_abs_difference": difference,
            "max_above_diagonal": above,
            "real_head_weights": real.tolist(),
        },
    )


def _real_head(p: CausalMaskParams) -> tuple[Any, list[str], str, list[str]]:
    """One trained head's causal weights on a real sentence: (weights, row labels, title,
    notes)."""
    import torch

    from studybuddy.demos import shipped

    lm = shipped.language_model(p.model)
    cfg = lm.model.cfg
    notes = list(lm.notes)
    # The bounds are the largest model's; a smaller one shows its last layer or head instead.
    layer, head = min(p.layer, cfg.n_layers - 1), min(p.head, cfg.n_heads - 1)
    if (layer, head) != (p.layer, p.head):
        notes.append(
            f"{lm.name} has layers 0 to {cfg.n_layers - 1} and heads 0 to {cfg.n_heads - 1}: "
            f"showing layer {layer}, head {head}."
        )
    encoded = lm.encode(p.sentence)
    ids = encoded[:REAL_TOKENS_SHOWN]
    with torch.no_grad():
        weights = lm.model.attention_weights(torch.tensor([ids]), layer)[0, head].float()
    labels = [f"{i + 1} {lm.label(t)}" for i, t in enumerate(ids)]
    t = len(ids)
    above = float(weights.triu(diagonal=1).abs().max()) if t > 1 else 0.0
    row_error = float((weights.sum(dim=-1) - 1).abs().max())
    notes.append(
        f"A real head ({lm.name}, layer {layer}, head {head}) on {p.sentence!r}: the same "
        f"mask, so every weight above the diagonal is {above:g}, and rows sum to 1 (largest "
        f"error {row_error:.1e})."
    )
    if t > 2:
        previous = float(torch.stack([weights[i, i - 1] for i in range(2, t)]).mean())
        first = float(weights[2:, 0].mean())
        own = float(torch.stack([weights[i, i] for i in range(2, t)]).mean())
        favourite = max(
            (("the previous token", previous), ("the first token", first), ("itself", own)),
            key=lambda pair: pair[1],
        )
        notes.append(
            f"From token 3 on, this head gives on average {previous:.2f} of its weight to the "
            f"previous token, {first:.2f} to the first and {own:.2f} to itself: it mostly "
            f"looks at {favourite[0]}. Trained heads specialise: other layers and heads look "
            "elsewhere."
        )
    if len(encoded) > len(ids):
        notes.append(
            f"The sentence has {plural(len(encoded), 'token')}; the real head is shown on the "
            f"first {REAL_TOKENS_SHOWN}."
        )
    return weights, labels, f"a real head: {lm.name} layer {layer}, head {head}", notes


def _vector(values: Any) -> str:
    return "[" + ", ".join(f"{float(v):.4f}" for v in values) + "]"


class BidirectionalParams(DemoParams):
    n_tokens: int = Field(6, ge=2, le=12, description="Sequence length.")
    seed: int = Field(
        BOOK_MASK_SEED,
        ge=0,
        le=2**31 - 1,
        description="Seed of the projections (and of the replacement token).",
    )


def _inputs_of(n: int) -> Any:
    """The book's six tokens, then random ones drawn from torch's global generator."""
    import torch

    return torch.cat([_inputs()[:n], torch.rand(max(0, n - 6), 3)])


@register(
    "bidirectional-attention",
    "Bidirectional (BERT) vs causal (GPT) attention",
    "BERT-style vs GPT-style: who can see whom.",
    BidirectionalParams,
    code=(
        "studybuddy.engine.attention:SelfAttentionV2.weights",
        "studybuddy.engine.attention:CausalAttention.weights",
    ),
    section="3.5",
)
def bidirectional_attention(p: BidirectionalParams) -> DemoResult:
    import torch

    from studybuddy.engine.attention import CausalAttention, SelfAttentionV2

    n = p.n_tokens
    # Both layers draw W_query, W_key, W_value in the same order, so one seed gives both the
    # same weights: the mask is the only difference.
    with seeded(p.seed):
        encoder = SelfAttentionV2(3, 2)
    with seeded(p.seed):
        decoder = CausalAttention(3, 2, context_length=n, dropout=0.0)
        inputs = _inputs_of(n)
        replacement = torch.rand(3)  # a different last word
    changed_inputs = inputs.clone()
    changed_inputs[-1] = replacement
    with torch.no_grad():
        both = torch.stack([inputs, changed_inputs])
        bert_weights = encoder.weights(inputs)
        gpt_weights = decoder.weights(inputs.unsqueeze(0))[0]
        bert_out, gpt_out = encoder(both), decoder(both)
    tolerance = 1e-6
    bert_moved = (bert_out[0] - bert_out[1]).abs().amax(dim=-1) > tolerance
    gpt_moved = (gpt_out[0] - gpt_out[1]).abs().amax(dim=-1) > tolerance
    words = (WORDS + [f"tok{i + 1}" for i in range(6, n)])[:n]
    labels = [f"{i + 1} {w}" for i, w in enumerate(words)]
    bert_sees = [int((row > 0).sum()) for row in bert_weights]
    gpt_sees = [int((row > 0).sum()) for row in gpt_weights]
    visibility = Table(
        f"keys each position can see, and whether its output moves when {words[-1]!r} changes",
        ["BERT sees", "moves", "GPT sees", "moves"],
        [
            [bert_sees[i], _yes_no(bool(bert_moved[i])), gpt_sees[i], _yes_no(bool(gpt_moved[i]))]
            for i in range(n)
        ],
        row_labels=labels,
    )
    notes = [
        f"Without the mask (an encoder, as in BERT) every position sees all {n} tokens, the later "
        f"ones too; with it (a decoder, as in GPT) position i sees tokens 1 to i: "
        f"{', '.join(str(k) for k in gpt_sees[: min(n, 6)])}{', ...' if n > 6 else ''}.",
        f"Replacing the last token {words[-1]!r} with another vector moved the outputs of "
        f"{int(bert_moved.sum())} of {n} positions without the mask and of "
        f"{int(gpt_moved.sum())} with it: under the causal mask no token's context vector "
        "depends on a token after it.",
        f"The first token shows the difference best: unmasked it spreads its attention over "
        f"all {n} tokens (largest weight {float(bert_weights[0].max()):.4f}), masked it can "
        f"only attend to itself ({float(gpt_weights[0, 0]):.4f}).",
        "That is why a GPT can be trained to predict every next token of a text at once, and "
        "why BERT suits tasks that read a whole text (classification, filling in masked words) "
        "rather than generating it.",
    ]
    if int(gpt_moved.sum()) != 1 or int(bert_moved.sum()) != n:
        notes.pop(1)  # only said when the outputs moved as the masks predict
    return DemoResult(
        f"Bidirectional vs causal attention over {n} tokens",
        tables=[
            Table(
                "bidirectional weights (no mask)",
                words,
                rounded(bert_weights),
                labels,
                heat=True,
            ),
            Table(
                "causal weights (future masked)",
                words,
                rounded(gpt_weights),
                labels,
                heat=True,
            ),
            visibility,
        ],
        notes=notes,
        values={
            "inputs": inputs.tolist(),
            "bidirectional_weights": bert_weights.tolist(),
            "causal_weights": gpt_weights.tolist(),
            "bidirectional_context": bert_out[0].tolist(),
            "causal_context": gpt_out[0].tolist(),
            "bidirectional_moved": bert_moved.tolist(),
            "causal_moved": gpt_moved.tolist(),
            "visible_bidirectional": bert_sees,
            "visible_causal": gpt_sees,
        },
    )


class WrapperParams(DemoParams):
    d_in: int = Field(3, ge=1, le=1024, description="Input width (3: the book's example).")
    d_out: int = Field(2, ge=1, le=256, description="d_out given to both classes.")
    num_heads: int = Field(2, ge=1, le=16, description="Attention heads.")
    num_tokens: int = Field(6, ge=1, le=12, description="Tokens per text (batch of 2 texts).")


def _param_count(module: Any) -> int:
    return sum(t.numel() for t in module.parameters())


@register(
    "multi-head-wrapper",
    "MultiHeadAttentionWrapper vs MultiHeadAttention",
    "Stacked heads vs split heads: widths, parameters.",
    WrapperParams,
    code=(
        "studybuddy.engine.attention:MultiHeadAttentionWrapper",
        "studybuddy.engine.attention:MultiHeadAttention.forward",
    ),
    section="3.6",
)
def multi_head_wrapper(p: WrapperParams) -> DemoResult:
    import torch

    from studybuddy.engine.attention import MultiHeadAttention, MultiHeadAttentionWrapper

    h, d_in, d_out, t = p.num_heads, p.d_in, p.d_out, p.num_tokens
    with seeded(p.seed):
        wrapper = MultiHeadAttentionWrapper(d_in, d_out, t, 0.0, h)
    split = None
    if d_out % h == 0:
        with seeded(p.seed):
            split = MultiHeadAttention(d_in, d_out, t, 0.0, h)
    with seeded(p.seed):
        same_width = MultiHeadAttention(d_in, h * d_out, t, 0.0, h)
    with seeded(p.seed):
        if d_in == 3:  # the book's six tokens, twice, as its batch
            text = _inputs_of(t)
        else:
            text = torch.rand(t, d_in)
    batch = torch.stack([text, text])
    with torch.no_grad():
        out_wrapper = wrapper(batch)
        out_split = split(batch) if split is not None else None
        out_same = same_width(batch)
    rows = [
        [
            f"wrapper, d_out={d_out}",
            f"{h} x {d_out}",
            out_wrapper.shape[-1],
            f"{_param_count(wrapper):,}",
        ]
    ]
    if split is not None and out_split is not None:
        rows.append(
            [
                f"MHA, d_out={d_out}",
                f"{h} x {d_out // h}",
                out_split.shape[-1],
                f"{_param_count(split):,}",
            ]
        )
    rows.append(
        [
            f"MHA, d_out={h * d_out}",
            f"{h} x {d_out}",
            out_same.shape[-1],
            f"{_param_count(same_width):,}",
        ]
    )
    wrapper_formula = h * 3 * d_in * d_out
    notes = [
        f"The wrapper stacks {h} separate CausalAttention heads, each of width d_out = {d_out}, "
        f"and concatenates them: its output has {h} x {d_out} = {out_wrapper.shape[-1]} "
        f"features and its parameters are {h} x 3 x {d_in} x {d_out} = {wrapper_formula:,}.",
    ]
    if split is not None and out_split is not None:
        notes.append(
            f"MultiHeadAttention reads d_out as the total: {h} heads of d_out / num_heads = "
            f"{d_out // h} feature{'s' if d_out // h > 1 else ''}, output width "
            f"{out_split.shape[-1]}, "
            f"{_param_count(split):,} parameters (3 x {d_in} x {d_out} + the {d_out} x {d_out} "
            f"out_proj and its {d_out} biases)."
        )
    else:
        notes.append(
            f"MultiHeadAttention(d_out={d_out}) cannot be built with {h} heads: it splits d_out "
            f"into equal heads, and {d_out} is not divisible by {h}."
        )
    notes.append(
        f"For the same output width, MultiHeadAttention(d_out={h * d_out}) has "
        f"{_param_count(same_width):,} parameters against the wrapper's "
        f"{_param_count(wrapper):,}: the same {h} x 3 projections as one matmul each, plus "
        f"out_proj ({h * d_out} x {h * d_out} + {h * d_out}) that mixes the heads."
    )
    if h > 1 and d_out % h == 0:
        notes.append(
            f"To make the wrapper's output {d_out} wide with {h} heads (the book's exercise), "
            f"give it d_out = {d_out} / {h} = {d_out // h}."
        )
    return DemoResult(
        f"{h} heads: wrapper vs split",
        tables=[
            Table(
                "MultiHeadAttentionWrapper vs MultiHeadAttention (MHA)",
                ["heads x width", "output width", "parameters"],
                [row[1:] for row in rows],
                row_labels=[row[0] for row in rows],
            ),
            Table(
                "wrapper output for text 1"
                + (f" (first 8 of {out_wrapper.shape[-1]} features)" if h * d_out > 8 else ""),
                [f"f{j + 1}" for j in range(min(8, out_wrapper.shape[-1]))],
                rounded(out_wrapper[0, :, :8]),
                [str(i + 1) for i in range(t)],
                heat=True,
            ),
        ],
        notes=notes,
        values={
            "wrapper_output": out_wrapper.tolist(),
            "split_output": out_split.tolist() if out_split is not None else None,
            "wrapper_width": int(out_wrapper.shape[-1]),
            "split_width": int(out_split.shape[-1]) if out_split is not None else None,
            "same_width_width": int(out_same.shape[-1]),
            "wrapper_parameters": _param_count(wrapper),
            "split_parameters": _param_count(split) if split is not None else None,
            "same_width_parameters": _param_count(same_width),
        },
    )


def _yes_no(value: bool) -> str:
    return "yes" if value else "no"
