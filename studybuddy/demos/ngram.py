"""A counting baseline (ch. 5's question "is the GPT any good?"): unigram and bigram models of
the study notes, scored on the same held-out tokens as the shipped GPT."""

from __future__ import annotations

import functools
import math
from collections import Counter
from typing import Any

from pydantic import Field

from studybuddy.demos import shipped
from studybuddy.demos.base import DemoParams, DemoResult, Table, plural
from studybuddy.demos.registry import DemoError, register

VOCAB_SIZE = 50257


class NgramParams(DemoParams):
    smoothing: float = Field(
        0.01,
        ge=1e-6,
        le=10.0,
        description="Add-k smoothing: k is added to every count, so unseen pairs keep some "
        "probability.",
    )
    bigram_weight: float = Field(
        0.6,
        ge=0.0,
        le=0.99,
        description="Interpolation: this share from the bigram counts, the rest from unigrams.",
    )


@functools.cache
def _counts() -> tuple[Counter[int], Counter[tuple[int, int]], tuple[int, ...], tuple[int, ...]]:
    corpus = shipped.corpus_split()
    train, val = tuple(corpus.train_ids), tuple(corpus.val_ids)
    return Counter(train), Counter(zip(train, train[1:], strict=False)), train, val


@functools.cache
def _pair_stats(split: str) -> tuple[Any, Any, Any]:
    """For each (previous, next) pair of a split: c(previous, next), c(previous), c(next), all
    counted on the training split, as float64 tensors. Every model below is a formula of these,
    so a run is a few vector operations however the smoothing is set."""
    import torch

    unigrams, bigrams, train, val = _counts()
    tokens = train if split == "train" else val
    pairs = list(zip(tokens, tokens[1:], strict=False))
    return (
        torch.tensor([bigrams[pair] for pair in pairs], dtype=torch.float64),
        torch.tensor([unigrams[a] for a, _ in pairs], dtype=torch.float64),
        torch.tensor([unigrams[b] for _, b in pairs], dtype=torch.float64),
    )


def _losses(split: str, k: float, weight: float, n: int) -> dict[str, float]:
    """Mean -ln p of the next token under each counting model (add-k unigram; add-k bigram
    (c(a, b) + k) / (c(a) + k V); weight * c(a, b) / c(a) + (1 - weight) * unigram)."""
    import torch

    pair, previous, following = _pair_stats(split)
    unigram = (following + k) / (n + k * VOCAB_SIZE)
    add_k = (pair + k) / (previous + k * VOCAB_SIZE)
    counted = torch.where(previous > 0, pair / previous.clamp_min(1), torch.zeros_like(pair))
    mixed = weight * counted + (1 - weight) * unigram
    return {
        "unigram": float(-unigram.log().mean()),
        "bigram (add-k)": float(-add_k.log().mean()),
        "bigram (mixed)": float(-mixed.log().mean()),
    }


@register(
    "ngram-baseline",
    "A bigram baseline against the shipped GPT",
    "Bigram counts vs the shipped GPT: perplexity.",
    NgramParams,
    random=False,
    section="1",
)
def ngram_baseline(p: NgramParams) -> DemoResult:
    unigrams, bigrams, train, val = _counts()
    if len(val) < 2 or len(train) < 2:
        raise DemoError("ngram-baseline: the study notes are too short to split and score")
    k, weight = p.smoothing, p.bigram_weight
    n = sum(unigrams.values())
    on_train, on_val = _losses("train", k, weight, n), _losses("val", k, weight, n)
    losses = {"uniform guess": (math.log(VOCAB_SIZE), math.log(VOCAB_SIZE))} | {
        name: (on_train[name], on_val[name]) for name in on_train
    }
    record = shipped.training_record()
    final: Any = record.get("final")
    gpt_val = final.get("val_loss") if isinstance(final, dict) else None
    gpt_train = final.get("train_loss") if isinstance(final, dict) else None
    has_gpt = isinstance(gpt_val, int | float) and isinstance(gpt_train, int | float)
    if isinstance(gpt_val, int | float) and isinstance(gpt_train, int | float):
        losses["shipped GPT"] = (float(gpt_train), float(gpt_val))
    val_pairs = list(zip(val, val[1:], strict=False))
    unseen = sum(1 for pair in val_pairs if pair not in bigrams) / len(val_pairs)
    rows = [
        [round(tr, 3), round(math.exp(tr), 1), round(va, 3), round(math.exp(va), 1)]
        for tr, va in losses.values()
    ]
    ppl = {name: math.exp(va) for name, (_, va) in losses.items()}
    train_ppl = {name: math.exp(tr) for name, (tr, _) in losses.items()}
    notes = [
        f"Counted on the {plural(len(train), 'training token')} of the notes and scored on the "
        f"same {plural(len(val), 'held-out token')} as the GPT. A bigram model predicts each "
        f"token from the one before it; 'add-k' adds k = {k:g} to every count, 'mixed' takes "
        f"{weight:g} of its probability from the bigram counts and the rest from the unigram.",
        f"{unseen:.0%} of the held-out token pairs never occur in the training text. Add-k "
        f"gives them all the same sliver, and its perplexity is {ppl['bigram (add-k)']:,.0f}"
        + (
            f"; mixing in the unigram's guess does better, {ppl['bigram (mixed)']:,.0f}."
            if ppl["bigram (mixed)"] < ppl["bigram (add-k)"]
            else f"; the mixed model does no better here ({ppl['bigram (mixed)']:,.0f})."
        ),
    ]
    if ppl["bigram (mixed)"] > 2 * train_ppl["bigram (mixed)"]:
        notes.append(
            f"The mixed bigram's perplexity is {train_ppl['bigram (mixed)']:,.0f} on its own "
            f"training text but {ppl['bigram (mixed)']:,.0f} on held-out text: counts memorise."
        )
    best_counting = min(("unigram", "bigram (add-k)", "bigram (mixed)"), key=ppl.__getitem__)
    if has_gpt:
        gpt = ppl["shipped GPT"]
        if gpt < ppl[best_counting]:
            notes.append(
                f"The shipped GPT (validation loss from its training record) reaches perplexity "
                f"{gpt:,.0f}, {ppl[best_counting] / gpt:.1f}x lower than the best counting model "
                f"here, the {best_counting} ({ppl[best_counting]:,.0f}): the GPT conditions on "
                "up to its whole context, a counting model here on one token at most."
            )
        else:
            notes.append(
                f"The shipped GPT (validation loss from its training record) reaches perplexity "
                f"{gpt:,.0f}: the {best_counting} beats it ({ppl[best_counting]:,.0f}). "
                f"{plural(len(train), 'training token')} are very little text for a GPT; a "
                "baseline like this is how to tell whether a small model has learned more than "
                "which token follows which."
            )
    if ppl["bigram (mixed)"] < ppl["unigram"]:
        notes.append(
            f"Even one token of context helps: the unigram model, which ignores context, has "
            f"perplexity {ppl['unigram']:,.0f}."
        )
    return DemoResult(
        "A counting baseline for next-token prediction",
        tables=[
            Table(
                "cross-entropy (nats per token) and perplexity",
                ["train loss", "train ppl", "val loss", "val ppl"],
                rows,
                row_labels=list(losses),
            )
        ],
        notes=notes,
        values={
            "losses": {name: {"train": tr, "val": va} for name, (tr, va) in losses.items()},
            "unseen_val_pairs": unseen,
            "train_tokens": len(train),
            "val_tokens": len(val),
        },
    )
