"""Demos for the questions that ask about ideas rather than one engine class: a single neuron,
counting a network's parameters, what published models' sizes mean in memory and compute,
why word-by-word translation fails, and where dropout sits in attention."""

from __future__ import annotations

import math
from typing import Annotated, Any, Literal

from pydantic import Field, model_validator

from studybuddy.demos.base import DemoParams, DemoResult, Series, Table, plural, rounded
from studybuddy.demos.common import seeded
from studybuddy.demos.registry import DemoError, register

Number = Annotated[float, Field(ge=-100.0, le=100.0)]


# --- one neuron --------------------------------------------------------------------------------


class NeuronParams(DemoParams):
    inputs: list[Number] = Field(
        [1.0, 0.5, 0.25], min_length=1, max_length=8, description="The inputs x_i."
    )
    weights: list[Number] = Field(
        [0.5, -1.2, 2.0], min_length=1, max_length=8, description="One weight w_i per input."
    )
    bias: float = Field(0.1, ge=-100.0, le=100.0, description="The bias b, added to the sum.")
    activation: Literal["sigmoid", "relu"] = Field("sigmoid", description="sigmoid or relu.")

    @model_validator(mode="after")
    def _one_weight_per_input(self) -> NeuronParams:
        if len(self.inputs) != len(self.weights):
            raise ValueError(
                f"weights: one per input ({len(self.inputs)} inputs, {len(self.weights)} weights)"
            )
        return self


def _sigmoid(z: float) -> float:
    # written out in float64 so that the note about (0, 1) is not undone by float32 rounding
    return 1.0 / (1.0 + math.exp(-z)) if z >= 0 else math.exp(z) / (1.0 + math.exp(z))


@register(
    "neuron",
    "One neuron: weighted sum, bias, activation",
    "w . x + b, then sigmoid or ReLU: one neuron.",
    NeuronParams,
    random=False,
    section="A",
)
def neuron(p: NeuronParams) -> DemoResult:
    import torch

    layer = torch.nn.Linear(len(p.inputs), 1, dtype=torch.float64)
    with torch.no_grad():
        layer.weight.copy_(torch.tensor([p.weights], dtype=torch.float64))
        layer.bias.fill_(p.bias)
        x = torch.tensor(p.inputs, dtype=torch.float64)
        z = float(layer(x)[0])
        out = float(
            torch.sigmoid(torch.tensor(z))
            if p.activation == "sigmoid"
            else torch.relu(torch.tensor(z))
        )
    products = [w * xi for w, xi in zip(p.weights, p.inputs, strict=True)]
    rows: list[list[object]] = [
        [xi, w, round(w * xi, 6)] for xi, w in zip(p.inputs, p.weights, strict=True)
    ]
    rows.append(["", "sum", round(sum(products), 6)])
    rows.append(["", "+ bias", round(p.bias, 6)])
    rows.append(["", "= z", round(z, 6)])
    rows.append(["", f"{p.activation}(z)", round(out, 6)])
    labels = [f"x{i + 1}" for i in range(len(p.inputs))] + ["", "", "", ""]
    # the activation's curve around z, wide enough to show where it flattens
    half = max(8.0, math.ceil(abs(z)) + 2.0)
    grid = [-half + 2 * half * i / 80 for i in range(81)]
    if p.activation == "sigmoid":
        curve = {
            "sigmoid(z)": [_sigmoid(g) for g in grid],
            "slope": [_sigmoid(g) * (1 - _sigmoid(g)) for g in grid],
        }
    else:
        curve = {"relu(z)": [max(0.0, g) for g in grid]}
    terms = " + ".join(f"{w:g} x {xi:g}" for w, xi in zip(p.weights, p.inputs, strict=True))
    notes = [
        f"z = w . x + b = {terms} + {p.bias:g} = {z:.4f}: the bias is added to the weighted "
        "sum, before the activation, so it shifts the point where the neuron switches on.",
    ]
    strongest = max(range(len(p.weights)), key=lambda i: abs(p.weights[i]))
    if len(p.weights) > 1:
        notes.append(
            f"Each weight is how strongly its input counts: raising x{strongest + 1} by 1 moves z "
            f"by w{strongest + 1} = {p.weights[strongest]:g}, the largest |w| here; a negative "
            "weight pulls z down."
        )
    elif p.weights[0] != 0:
        threshold = -p.bias / p.weights[0]
        side = "above" if p.weights[0] > 0 else "below"
        notes.append(
            f"With one input, z = {p.weights[0]:g} x + {p.bias:g} is positive for x {side} "
            f"-b / w = {threshold:.4g}"
            + (" (there the sigmoid passes 0.5)." if p.activation == "sigmoid" else ".")
        )
    if p.activation == "sigmoid":
        slope = _sigmoid(z) * (1 - _sigmoid(z))
        notes.append(
            f"sigmoid(z) = 1 / (1 + e^-z) = {_sigmoid(z):.4f}. It stays strictly between 0 and 1 "
            f"for every z (at z = {-half:g} it is {_sigmoid(-half):.2e}, at z = {half:g} "
            f"1 - {1 - _sigmoid(half):.2e}); sigmoid(0) = 0.5."
        )
        notes.append(
            f"Its slope sigmoid(z)(1 - sigmoid(z)) is {slope:.4f} here and largest at z = 0, "
            "where it is 0.5 x 0.5 = 0.25."
        )
    else:
        notes.append(
            f"ReLU(z) = max(0, z) = {out:.4f}: negative sums become exactly 0, positive ones pass "
            "unchanged, so the output is never negative but can be 0."
        )
    return DemoResult(
        "One neuron",
        tables=[Table("weighted sum", ["x_i", "w_i", "w_i x_i"], rows, row_labels=labels)],
        series=[Series(f"{p.activation} around z = {z:.3g}", grid, curve, "z", "output")],
        notes=notes,
        values={"z": z, "output": out, "products": products},
    )


# --- parameters of a fully connected network ---------------------------------------------------


class LayerParamsParams(DemoParams):
    sizes: list[Annotated[int, Field(ge=1, le=100_000)]] = Field(
        [784, 16, 16, 10],
        min_length=2,
        max_length=10,
        description="Neurons per layer, input first (784, 16, 16, 10: the MNIST example).",
    )
    bias: bool = Field(True, description="A bias on every neuron.")


@register(
    "layer-params",
    "Weights and biases of a fully connected network",
    "Weights and biases of a dense network, by layer.",
    LayerParamsParams,
    random=False,
    section="A",
)
def layer_params(p: LayerParamsParams) -> DemoResult:
    import torch

    # Built on the meta device: PyTorch counts the tensors' elements without allocating them.
    with torch.device("meta"):
        layers = [
            torch.nn.Linear(a, b, bias=p.bias) for a, b in zip(p.sizes, p.sizes[1:], strict=False)
        ]
    rows: list[list[object]] = []
    per_layer: list[int] = []
    weights_total = 0
    for layer in layers:
        weights = layer.weight.numel()
        biases = layer.bias.numel() if layer.bias is not None else 0
        rows.append(
            [f"{layer.in_features} -> {layer.out_features}", weights, biases, weights + biases]
        )
        per_layer.append(weights + biases)
        weights_total += weights
    total = sum(per_layer)
    rows.append(["all layers", weights_total, total - weights_total, total])
    notes = [
        "A fully connected layer from a to b neurons has a x b weights (one per connection) "
        + ("and b biases (one per neuron it feeds)." if p.bias else "and, here, no biases."),
        f"In all: {total:,} parameters, counted by PyTorch's nn.Linear layers "
        f"({weights_total:,} weights, {total - weights_total:,} biases). The input layer has no "
        "parameters of its own: it only holds the data.",
    ]
    return DemoResult(
        "Parameters of a fully connected network",
        tables=[
            Table(
                "parameters per layer",
                ["layer", "weights", "biases", "total"],
                rows,
                row_labels=[f"{i + 1}" for i in range(len(layers))] + [""],
            )
        ],
        notes=notes,
        values={"total": total, "weights": weights_total, "per_layer": per_layer},
    )


# --- sizes of published models -------------------------------------------------------------------

ModelName = Literal["gpt-1", "gpt2-small", "gpt2-xl", "gpt3-175b", "bert-base", "bert-large"]

# Published architectures: layers, d_model, heads, context, vocabulary, and the parameter count
# the paper or model card gives. GPT-3: Brown et al. 2020, Table 2.1; BERT: Devlin et al. 2018.
ARCHITECTURES: dict[str, dict[str, int | str | float]] = {
    "gpt-1": {"kind": "decoder", "layers": 12, "d": 768, "heads": 12, "context": 512,
              "vocab": 40478, "published": 117e6},
    "gpt2-small": {"kind": "decoder", "layers": 12, "d": 768, "heads": 12, "context": 1024,
                   "vocab": 50257, "published": 124e6},
    "gpt2-xl": {"kind": "decoder", "layers": 48, "d": 1600, "heads": 25, "context": 1024,
                "vocab": 50257, "published": 1.5e9},
    "gpt3-175b": {"kind": "decoder", "layers": 96, "d": 12288, "heads": 96, "context": 2048,
                  "vocab": 50257, "published": 175e9},
    "bert-base": {"kind": "encoder", "layers": 12, "d": 768, "heads": 12, "context": 512,
                  "vocab": 30522, "published": 110e6},
    "bert-large": {"kind": "encoder", "layers": 24, "d": 1024, "heads": 16, "context": 512,
                   "vocab": 30522, "published": 340e6},
}  # fmt: skip


SHORT_NAMES = {"gpt-1": "GPT-1", "gpt2-small": "GPT-2 S", "gpt2-xl": "GPT-2 XL",
               "gpt3-175b": "GPT-3", "bert-base": "BERT-B", "bert-large": "BERT-L"}  # fmt: skip


def transformer_parameters(name: str) -> int:
    """Parameters of a published transformer from its shape, every linear layer with a bias.

    Per block: Q, K, V and output projections 4(d^2 + d), a 4d feed-forward 8d^2 + 5d, two
    LayerNorms 4d. GPT ties its output layer to the token embedding; GPT-2 and GPT-3 end with a
    LayerNorm, GPT-1 does not. BERT adds two segment embeddings, an embedding LayerNorm and a
    d x d pooler.
    """
    a = ARCHITECTURES[name]
    d, layers, context, vocab = int(a["d"]), int(a["layers"]), int(a["context"]), int(a["vocab"])
    blocks = layers * (12 * d * d + 13 * d)
    if a["kind"] == "encoder":
        return (vocab + context + 2) * d + 2 * d + blocks + d * d + d
    final_norm = 0 if name == "gpt-1" else 2 * d
    return (vocab + context) * d + blocks + final_norm


def _flops(value: float) -> str:
    return f"{value:.2e}".replace("e+", "e")  # 3.14e23: narrow enough for an 80-column table


class ModelScaleParams(DemoParams):
    models: list[ModelName] = Field(
        ["gpt-1", "gpt2-small", "gpt2-xl", "gpt3-175b", "bert-base", "bert-large"],
        min_length=1,
        max_length=6,
        description="Published models to compare.",
    )
    training_tokens_billion: float = Field(
        300.0, ge=0.001, le=100_000.0, description="Training tokens D for C = 6ND (300: GPT-3's)."
    )
    extra_billion: float | None = Field(
        None, ge=0.001, le=10_000.0, description="Add a model of this many billion parameters."
    )


@register(
    "model-scale",
    "How large 'large' is: layers, width, parameters, memory, compute",
    "GPT-1 to GPT-3, BERT: parameters, GB, 6ND FLOPs.",
    ModelScaleParams,
    random=False,
    section="1",
)
def model_scale(p: ModelScaleParams) -> DemoResult:
    d_tokens = p.training_tokens_billion * 1e9
    rows = []
    counts: dict[str, int] = {}
    for name in p.models:
        a = ARCHITECTURES[name]
        n = transformer_parameters(name)
        counts[name] = n
        rows.append(
            [a["layers"], a["d"], f"{n / 1e9:.4g}", f"{float(a['published']) / 1e9:g}",
             f"{n * 4 / 1e9:.4g}", f"{n * 2 / 1e9:.4g}", _flops(6 * n * d_tokens)]
        )  # fmt: skip
    labels = [SHORT_NAMES[name] for name in p.models]
    if p.extra_billion is not None:
        extra = p.extra_billion * 1e9
        rows.append(
            ["", "", f"{p.extra_billion:g}", "", f"{extra * 4 / 1e9:.4g}", f"{extra * 2 / 1e9:.4g}",
             _flops(6 * extra * d_tokens)]
        )  # fmt: skip
        labels.append(f"{p.extra_billion:g}B")
    notes = [
        "Parameters counted from each model's shape (12 d^2 + 13 d per block, plus the "
        "embeddings); 'paper' is the figure the authors give. Memory is parameters x 4 bytes "
        "(float32) or x 2 bytes (float16/bfloat16), in GB of 10^9 bytes, weights only.",
        f"Compute uses the rule of thumb C = 6 N D with D = {p.training_tokens_billion:g} "
        "billion training tokens for every row.",
    ]
    if "gpt3-175b" in counts:
        n = counts["gpt3-175b"]
        notes.append(
            f"GPT-3: 96 layers of width 12,288 give {n / 1e9:.1f} billion parameters (the paper "
            f"says 175B); stored as float32 that is {n * 4 / 1e9:.0f} GB, "
            f"{math.ceil(n * 4 / 1e9 / 80)} GPUs of 80 GB just to hold the weights."
        )
    if {"gpt-1", "gpt2-xl", "gpt3-175b"} <= set(counts):
        notes.append(
            f"From GPT-1 to GPT-2 XL to GPT-3 the count grows "
            f"{counts['gpt2-xl'] / counts['gpt-1']:.0f}x and then "
            f"{counts['gpt3-175b'] / counts['gpt2-xl']:.0f}x: 'large' is mostly more "
            "layers and wider vectors, with the same block repeated."
        )
    if {"bert-base", "bert-large"} <= set(counts):
        notes.append(
            f"BERT-base {counts['bert-base'] / 1e6:.0f}M and BERT-large "
            f"{counts['bert-large'] / 1e6:.0f}M parameters (the paper rounds to 110M and 340M)."
        )
    return DemoResult(
        "How large is large",
        tables=[
            Table(
                "published models (params in billions, memory in GB, compute in FLOPs)",
                ["layers", "d", "params", "paper", "fp32 GB", "fp16 GB", "6ND"],
                rows,
                row_labels=labels,
            )  # fmt: skip
        ],
        notes=notes,
        values={"parameters": counts},
    )


# --- word-by-word translation --------------------------------------------------------------------

# Our own small dictionaries; each sentence with the translation a person would write.
SENTENCES: dict[str, tuple[list[tuple[str, str]], str]] = {
    "german": (
        [("Kannst", "Can"), ("du", "you"), ("mir", "me"), ("helfen", "help"),
         ("diesen", "this"), ("Satz", "sentence"), ("zu", "to"), ("übersetzen", "translate")],
        "Can you help me translate this sentence",
    ),
    "french": (
        [("Le", "The"), ("chat", "cat"), ("noir", "black"), ("dort", "sleeps")],
        "The black cat sleeps",
    ),
}  # fmt: skip


class WordByWordParams(DemoParams):
    sentence: Literal["german", "french"] = Field(
        "german", description="german (the book's ch. 3 example) or french."
    )


@register(
    "word-by-word",
    "Translating word by word",
    "Dictionary words in source order: order breaks.",
    WordByWordParams,
    random=False,
    section="3.1",
)
def word_by_word(p: WordByWordParams) -> DemoResult:
    pairs, reference = SENTENCES[p.sentence]
    literal = [english for _, english in pairs]
    wanted = reference.split()
    rows = []
    for i, (source, english) in enumerate(pairs):
        where = wanted.index(english) + 1 if english in wanted else "-"
        rows.append([source, english, i + 1, where])
    in_place = sum(1 for a, b in zip(literal, wanted, strict=False) if a == b)
    moved = [w for i, w in enumerate(literal) if w in wanted and wanted.index(w) != i]
    unused = [w for w in literal if w not in wanted]
    notes = [
        f"Word by word: '{' '.join(literal)}'. A translator writes: '{reference}'.",
        f"Only {plural(in_place, 'word')} of {len(wanted)} land where English puts them; "
        f"{plural(len(moved), 'word')} must move ({', '.join(moved)})"
        + (f", and {', '.join(repr(w) for w in unused)} has no place at all." if unused else "."),
        "Each word's translation is right; the order and the grammar are not, and they depend on "
        "the whole sentence. A model must read the sentence as a whole before it writes, which is "
        "what an encoder-decoder (and later attention) provides.",
    ]
    return DemoResult(
        "Word-by-word translation",
        tables=[
            Table(
                "each word looked up alone",
                ["source", "dictionary", "position", "position in the translation"],
                rows,
            )
        ],
        notes=notes,
        values={"literal": " ".join(literal), "reference": reference, "in_place": in_place,
                "moved": moved, "unused": unused},
    )  # fmt: skip


# --- where dropout sits in attention -----------------------------------------------------------


class AttentionDropoutParams(DemoParams):
    p: float = Field(
        0.5, ge=0.0, le=0.9, description="Dropout rate (0.5: the book's ch. 3 example)."
    )


@register(
    "attention-dropout",
    "Dropout in attention: on the weights or on the context vectors",
    "Dropout on attention weights vs on contexts.",
    AttentionDropoutParams,
    section="3.5",
)
def attention_dropout(p: AttentionDropoutParams) -> DemoResult:
    import torch

    from studybuddy.demos.attention import INPUTS, WORDS
    from studybuddy.engine.attention import CausalAttention

    x = torch.tensor([INPUTS])
    with seeded(p.seed):
        layer = CausalAttention(3, 2, len(INPUTS), p.p)
    layer.train()
    with torch.no_grad():
        weights = layer.weights(x)[0]
        values = layer.W_value(x)[0]
        with seeded(p.seed):
            dropped = layer.dropout(weights)  # point 1: the weights, after the softmax
        context_1 = dropped @ values
        undropped = weights @ values
        with seeded(p.seed):
            context_2 = torch.nn.functional.dropout(undropped, p.p, training=True)  # point 2
        with seeded(p.seed):
            trained_forward = layer(x)[0]
        layer.eval()
        eval_out = layer(x)[0]
    eval_gap = float((eval_out - undropped).abs().max())
    allowed = int((weights > 0).sum())
    zeroed = int(((dropped == 0) & (weights > 0)).sum())
    sums = dropped.sum(dim=-1)
    scale = 1 / (1 - p.p)
    notes = [
        f"Point 1, the book's: dropout on the attention weights, after the softmax and before they "
        f"multiply the values. {zeroed} of the {allowed} weights a query may use were dropped; the "
        f"rest were scaled by 1/(1 - p) = {scale:.4g}, so rows now sum to "
        f"{float(sums.min()):.3f} to {float(sums.max()):.3f} instead of 1.",
        "Point 2: dropout on the context vectors, after the weights have been applied to the "
        "values; whole entries of the output are zeroed instead of links between tokens.",
        f"The engine's CausalAttention.forward in training mode gives point 1's context to within "
        f"{float((trained_forward - context_1).abs().max()):.1e}; in eval mode nothing is dropped "
        f"(difference from the plain weighted sum {eval_gap:.1e}).",
    ]
    if p.p == 0:
        notes[0] = "With p = 0 nothing is dropped: both points leave the attention unchanged."
    dims = ["d1", "d2"]
    return DemoResult(
        f"Dropout in attention, p = {p.p:g}",
        tables=[
            Table("attention weights (causal, rows sum to 1)", WORDS, rounded(weights), WORDS,
                  heat=True),
            Table("point 1: dropout on the weights", WORDS, rounded(dropped), WORDS, heat=True),
            Table("context from the dropped weights", dims, rounded(context_1), WORDS),
            Table("point 2: dropout on the context vectors", dims, rounded(context_2), WORDS),
            Table("eval mode: no dropout", dims, rounded(eval_out), WORDS),
        ],
        notes=notes,
        values={"weights": rounded(weights, 6), "dropped": rounded(dropped, 6),
                "context_weights_dropped": rounded(context_1, 6),
                "context_dropped": rounded(context_2, 6), "eval": rounded(eval_out, 6),
                "zeroed": zeroed, "allowed": allowed},
    )  # fmt: skip


# --- batches per epoch ---------------------------------------------------------------------------


class BatchesParams(DemoParams):
    pairs: int = Field(1003, ge=1, le=1_000_000, description="Input-target pairs in the loader.")
    batch_sizes: list[Annotated[int, Field(ge=1, le=100_000)]] = Field(
        [4, 8, 16], min_length=1, max_length=6, description="Batch sizes to compare."
    )
    drop_last: bool = Field(
        True, description="Drop the last, incomplete batch (the book's train loader)."
    )


@register(
    "batches-per-epoch",
    "Batches (optimizer steps) per epoch",
    "Pairs, batch size, drop_last: steps in one epoch.",
    BatchesParams,
    random=False,
    section="2.6",
)
def batches_per_epoch(p: BatchesParams) -> DemoResult:
    import torch
    from torch.utils.data import DataLoader, TensorDataset

    data = TensorDataset(torch.arange(p.pairs))
    rows = []
    counts = []
    for size in p.batch_sizes:
        loader = DataLoader(data, batch_size=size, shuffle=False, drop_last=p.drop_last)
        sizes = [len(batch) for (batch,) in loader]
        counts.append(len(sizes))
        used = sum(sizes)
        rows.append([size, len(sizes), used, p.pairs - used, sizes[-1] if sizes else 0])
    notes = [
        f"{p.pairs:,} pairs in batches of b: {'floor' if p.drop_last else 'ceil'}({p.pairs:,} / b) "
        "batches, one optimizer step each, counted by iterating a torch DataLoader."
    ]
    if p.drop_last and any(r[3] for r in rows):
        notes.append(
            "drop_last=True skips the last, smaller batch, so a few pairs wait for the next epoch "
            "(with shuffle=True, as in the book's training loader, different ones each epoch)."
        )
    halves = [(a, b) for a in p.batch_sizes for b in p.batch_sizes if b == 2 * a and p.pairs >= b]
    if halves:
        small, big = halves[0]
        notes.append(
            f"Halving the batch from {big} to {small} takes the steps from "
            f"{counts[p.batch_sizes.index(big)]} to {counts[p.batch_sizes.index(small)]}: about "
            "twice as many updates, each from a noisier gradient."
        )
    return DemoResult(
        "Batches per epoch",
        tables=[
            Table(
                "one epoch",
                ["batch size", "batches", "pairs used", "left out", "last batch"],
                rows,
            )
        ],
        notes=notes,
        values={"batches": counts},
    )


# --- optimizer state: zero_grad, AdamW's moments, resuming -------------------------------------


class OptimizerStateParams(DemoParams):
    parameters: int = Field(
        124_412_160, ge=1, le=1_000_000_000_000, description="Model size for the memory figure."
    )


def _tiny_training(seed: int) -> tuple[Any, Any, Any, Any]:
    import torch

    with seeded(seed):
        model = torch.nn.Linear(3, 2)
        x, y = torch.randn(8, 3), torch.randn(8, 2)
    optimizer = torch.optim.AdamW(model.parameters(), lr=0.1, weight_decay=0.1)
    return model, optimizer, x, y


@register(
    "optimizer-state",
    "zero_grad, AdamW's state, saving and resuming",
    "zero_grad, AdamW moments, saving and resuming.",
    OptimizerStateParams,
    section="5.2",
)
def optimizer_state(p: OptimizerStateParams) -> DemoResult:
    import io

    import torch

    def loss_of(model: torch.nn.Module, x: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
        return torch.nn.functional.mse_loss(model(x), y)

    # 1. gradients add up until zero_grad
    model, optimizer, x, y = _tiny_training(p.seed)
    loss_of(model, x, y).backward()
    once = model.weight.grad.clone()
    loss_of(model, x, y).backward()  # no zero_grad in between
    twice = model.weight.grad.clone()
    optimizer.zero_grad()
    loss_of(model, x, y).backward()
    fresh = model.weight.grad.clone()
    # 2. what AdamW keeps per parameter
    optimizer.zero_grad()
    loss_of(model, x, y).backward()
    optimizer.step()
    state = optimizer.state_dict()["state"]
    moment_values = sum(
        s[name].numel() for s in state.values() for name in ("exp_avg", "exp_avg_sq")
    )
    model_values = sum(t.numel() for t in model.parameters())

    # 3. four steps straight, against two + save + two
    def steps(m: torch.nn.Module, opt: torch.optim.Optimizer, n: int) -> None:
        for _ in range(n):
            opt.zero_grad()
            loss_of(m, x, y).backward()
            opt.step()

    straight, opt_s, x, y = _tiny_training(p.seed)
    steps(straight, opt_s, 4)
    first, opt_f, _, _ = _tiny_training(p.seed)
    steps(first, opt_f, 2)
    buffer = io.BytesIO()
    torch.save({"model": first.state_dict(), "optimizer": opt_f.state_dict()}, buffer)
    buffer.seek(0)
    saved = torch.load(buffer, weights_only=True)
    resumed, opt_r, _, _ = _tiny_training(p.seed + 1)  # other weights: the load must set them
    resumed.load_state_dict(saved["model"])
    opt_r.load_state_dict(saved["optimizer"])
    steps(resumed, opt_r, 2)
    model_only, opt_m, _, _ = _tiny_training(p.seed + 1)
    model_only.load_state_dict(saved["model"])  # a fresh optimizer: its moments start at 0
    steps(model_only, opt_m, 2)
    gap_resumed = float((resumed.weight - straight.weight).detach().abs().max())
    gap_model_only = float((model_only.weight - straight.weight).detach().abs().max())
    mib = 2 * 4 * p.parameters / 1024**2
    notes = [
        f"Without zero_grad the second backward() adds to .grad: it holds "
        f"{float(twice.abs().sum() / once.abs().sum()):.2f}x the first gradient; after "
        f"zero_grad it is the single gradient again (difference "
        f"{float((fresh - once).abs().max()):.1e}).",
        f"After one step AdamW keeps exp_avg and exp_avg_sq for every parameter: "
        f"{moment_values} values for this layer's {model_values}, twice the model. For "
        f"{p.parameters:,} parameters in float32 that is 2 x 4 x {p.parameters:,} bytes = "
        f"{mib:,.1f} MiB on top of the weights.",
        f"Saving model and optimizer state_dicts and resuming gives the weights of an unbroken "
        f"run to within {gap_resumed:.1e}; restoring the model alone, with a fresh optimizer, "
        f"ends {gap_model_only:.1e} away, because the moments restart from 0.",
    ]
    return DemoResult(
        "Optimizer state",
        tables=[
            Table(
                "weight.grad (first row)",
                [f"w{j + 1}" for j in range(3)],
                [rounded(once[0]), rounded(twice[0]), rounded(fresh[0])],
                row_labels=["one backward", "two, no zero_grad", "zero_grad, one"],
            ),
            Table(
                "after 4 steps (weight, first row)",
                [f"w{j + 1}" for j in range(3)],
                [
                    rounded(straight.weight[0]),
                    rounded(resumed.weight[0]),
                    rounded(model_only.weight[0]),
                ],
                row_labels=["unbroken", "resumed: model + optimizer", "resumed: model only"],
            ),  # fmt: skip
        ],
        notes=notes,
        values={
            "grad_once": rounded(once, 6),
            "grad_twice": rounded(twice, 6),
            "moment_values": moment_values,
            "model_values": model_values,
            "adam_mib": mib,
            "gap_resumed": gap_resumed,
            "gap_model_only": gap_model_only,
        },
    )


# --- shapes from token ids to the loss -----------------------------------------------------------


class LogitShapesParams(DemoParams):
    texts: list[Annotated[str, Field(min_length=1, max_length=200)]] = Field(
        ["Every effort moves you forward", "I really like chocolate cake"],
        min_length=1,
        max_length=4,
        description="One text per batch row (cut to the shortest).",
    )


@register(
    "logit-shapes",
    "Shapes from token ids to the loss",
    "Ids (b, n) -> logits (b, n, V) -> flatten -> loss.",
    LogitShapesParams,
    random=False,
    section="5.1",
)
def logit_shapes(p: LogitShapesParams) -> DemoResult:
    import torch

    from studybuddy.demos import shipped

    encoded = [shipped.encode(t) for t in p.texts]
    n = min(len(e) for e in encoded) - 1  # inputs and the targets one token later
    if n < 1:
        raise DemoError("logit-shapes: every text needs at least two tokens")
    model = shipped.model()
    n = min(n, model.cfg.context_length)
    inputs = torch.tensor([e[:n] for e in encoded])
    targets = torch.tensor([e[1 : n + 1] for e in encoded])
    with torch.no_grad():
        logits = model(inputs)
    flat_logits, flat_targets = logits.flatten(0, 1), targets.flatten()
    loss = float(torch.nn.functional.cross_entropy(flat_logits, flat_targets))

    def shape(t: Any) -> str:
        return str(tuple(t.shape))

    b, v = inputs.shape[0], logits.shape[-1]
    rows = [
        ["inputs (token ids)", shape(inputs)],
        ["targets (inputs shifted by one)", shape(targets)],
        ["logits = model(inputs)", shape(logits)],
        ["logits.flatten(0, 1)", shape(flat_logits)],
        ["targets.flatten()", shape(flat_targets)],
        ["cross_entropy(...)", f"() = {loss:.4f}"],
    ]
    notes = [
        f"A batch of {b} x {n} token ids gives logits of {shape(logits)}: one score for each of "
        f"the {v:,} vocabulary entries at every position.",
        f"cross_entropy wants (N, classes) and (N,): flattening batch and positions gives "
        f"{shape(flat_logits)} and {shape(flat_targets)}, one row per next-token prediction; "
        f"the loss is their mean, {loss:.4f}.",
    ]
    return DemoResult(
        "Shapes from ids to the loss",
        tables=[Table("tensor shapes", ["tensor", "shape"], rows)],
        notes=notes,
        values={
            "logits_shape": list(logits.shape),
            "flat_shape": list(flat_logits.shape),
            "loss": loss,
            "inputs": inputs.tolist(),
            "targets": targets.tolist(),
        },
    )
