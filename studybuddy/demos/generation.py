"""Generating text with the shipped model (ch. 4-5): the next-token distribution, greedy
decoding step by step, and how temperature and top-k reshape what gets sampled."""

from __future__ import annotations

import math
from typing import Annotated, Any

from pydantic import Field

from studybuddy.demos import shipped
from studybuddy.demos.base import DemoParams, DemoResult, Series, Table, significant
from studybuddy.demos.registry import register

TOP_SHOWN = 5  # candidates listed per step
TOKENS_SHOWN = 8  # tokens listed in the sampling tables; the rest are summed as "all others"


def last_logits(prompt: str) -> tuple[Any, list[int]]:
    """The shipped model's logits for the token after `prompt` (cropped to its context)."""
    import torch

    model = shipped.model()
    ids = shipped.encode(prompt)[-model.cfg.context_length :]
    with torch.no_grad():
        return model(torch.tensor([ids]))[0, -1].float(), ids


def temperature_probabilities(logits: Any, temperature: float) -> Any:
    import torch

    return torch.softmax(logits / temperature, dim=-1)


def top_k_probabilities(logits: Any, k: int, temperature: float = 1.0) -> Any:
    """Softmax over the k largest logits only; every other token gets probability 0.

    Masking by index (not by `logits < kth value`) keeps exactly k tokens even when logits tie.
    """
    import torch

    kept = torch.topk(logits, k).indices
    masked = torch.full_like(logits, -torch.inf)
    masked[kept] = logits[kept]
    return torch.softmax(masked / temperature, dim=-1)


def _entropy(probs: Any) -> float:
    import torch

    nonzero = probs[probs > 0]
    return float(-(nonzero * torch.log(nonzero)).sum())


class NextTokenParams(DemoParams):
    prompt: str = Field(
        "Every effort moves you", min_length=1, max_length=200, description="Text to continue."
    )
    steps: int = Field(5, ge=1, le=20, description="Tokens to generate, one at a time.")


@register(
    "next-token",
    "Next-token prediction, step by step",
    "Logits -> softmax -> argmax on the shipped model, one token per step.",
    NextTokenParams,
)
def next_token(p: NextTokenParams) -> DemoResult:
    import torch

    model = shipped.model()
    context = model.cfg.context_length
    encoded = shipped.encode(p.prompt)
    # Keep room for the new tokens, so the cache never outgrows the model's context.
    prompt_ids = encoded[-(context - p.steps) :]
    ids = list(prompt_ids)
    steps = []
    # Keys and values of earlier tokens are cached, so each step runs the model on one token.
    cache = model.new_cache(1, len(prompt_ids) + p.steps)
    new = ids
    for _ in range(p.steps):
        with torch.no_grad():
            logits = model(torch.tensor([new]), cache)[0, -1].float()
        probs = torch.softmax(logits, dim=-1)
        top = torch.topk(probs, TOP_SHOWN)
        chosen = int(logits.argmax())
        steps.append(
            {
                "chosen": chosen,
                "top_ids": top.indices.tolist(),
                "top_probs": top.values.tolist(),
                "top_logits": logits[top.indices].tolist(),
                "prob_sum": float(probs.sum()),
            }
        )
        ids.append(chosen)
        new = [chosen]
    generated = ids[len(prompt_ids) :]
    text = shipped.decode(generated)
    rows = []
    for n, step in enumerate(steps):
        so_far = shipped.decode(ids[: len(prompt_ids) + n])
        rows.append(
            [
                "…" + so_far[-28:] if len(so_far) > 28 else so_far,
                shipped.label(step["chosen"]),
                significant(step["top_probs"][0]),
                round(step["top_logits"][0], 3),
                shipped.label(step["top_ids"][1]),
                significant(step["top_probs"][1]),
            ]
        )
    first = steps[0]
    unsure = min(range(len(steps)), key=lambda n: steps[n]["top_probs"][0])
    notes = [
        f"The model turns {model.cfg.vocab_size:,} logits into probabilities with softmax (they "
        f"sum to {first['prob_sum']:.4f}); after the prompt its favourite is "
        f"{shipped.label(first['chosen'])} with p = {first['top_probs'][0]:.3g} "
        f"(logit {first['top_logits'][0]:.2f}).",
        f"Greedy decoding appends the argmax and repeats: {p.prompt!r} + {text!r}. The same "
        "prompt always gives the same continuation.",
        f"It was least sure at step {unsure + 1} (top p = {steps[unsure]['top_probs'][0]:.3g}, "
        f"runner-up {shipped.label(steps[unsure]['top_ids'][1])} at "
        f"{steps[unsure]['top_probs'][1]:.3g}).",
        "This is the small model trained on our study notes, so it continues in their style "
        "and vocabulary.",
    ]
    if len(prompt_ids) < len(encoded):
        notes.append(
            f"The prompt has {len(encoded)} tokens; only its last {len(prompt_ids)} fit the "
            f"model's context of {context} together with {p.steps} new ones."
        )
    return DemoResult(
        "next-token",
        f"Next tokens after {p.prompt!r}",
        p.model_dump(),
        tables=[
            Table(
                "step by step (greedy)",
                ["text so far", "argmax token", "p", "logit", "runner-up", "p"],
                rows,
                row_labels=[str(n + 1) for n in range(len(rows))],
            ),
            Table(
                f"the {TOP_SHOWN} most likely first tokens",
                ["token", "id", "logit", "probability"],
                [
                    [shipped.label(i), i, round(lg, 3), significant(pr)]
                    for i, lg, pr in zip(
                        first["top_ids"], first["top_logits"], first["top_probs"], strict=True
                    )
                ],
                row_labels=[str(n + 1) for n in range(TOP_SHOWN)],
                heat=False,
            ),
        ],
        series=[
            Series(
                "probability of the chosen token",
                [float(n + 1) for n in range(len(steps))],
                {"p(argmax)": [s["top_probs"][0] for s in steps]},
                "step",
                "p",
                kind="bar",
                x_ticks=[shipped.label(s["chosen"]) for s in steps],
            )
        ],
        notes=notes,
        values={
            "prompt_ids": prompt_ids,
            "generated_ids": generated,
            "generated_text": text,
            "steps": steps,
        },
    )


Temperature = Annotated[float, Field(ge=0.01, le=5.0)]


class TemperatureParams(DemoParams):
    temperatures: list[Temperature] = Field(
        [0.1, 1.0, 5.0], min_length=1, max_length=6, description="Temperatures to compare."
    )
    draws: int = Field(1000, ge=1, le=10_000, description="Samples drawn at each temperature.")
    prompt: str = Field(
        "Every effort moves you", min_length=1, max_length=200, description="Text to continue."
    )


@register(
    "temperature",
    "Temperature scaling",
    "Sampling frequencies of the next token over many draws at several temperatures.",
    TemperatureParams,
)
def temperature(p: TemperatureParams) -> DemoResult:
    import torch

    logits, _ = last_logits(p.prompt)
    shown = torch.topk(logits, TOKENS_SHOWN).indices
    argmax = int(shown[0])
    generator = torch.Generator().manual_seed(p.seed)
    probs_rows: list[list[float]] = []
    freq_rows: list[list[float]] = []
    per_temperature = []
    for t in p.temperatures:
        probs = temperature_probabilities(logits, t)
        samples = torch.multinomial(probs, p.draws, replacement=True, generator=generator)
        counts = torch.bincount(samples, minlength=logits.shape[0])
        per_temperature.append(
            {
                "temperature": t,
                "probabilities": probs[shown].tolist(),
                "frequencies": (counts[shown] / p.draws).tolist(),
                "p_argmax": float(probs[argmax]),
                "freq_argmax": float(counts[argmax]) / p.draws,
                "p_others": 1 - float(probs[shown].sum()),
                "freq_others": 1 - float(counts[shown].sum()) / p.draws,
                "distinct_tokens_sampled": int((counts > 0).sum()),
                "entropy": _entropy(probs),
            }
        )
    labels = [shipped.label(int(i)) for i in shown] + ["all others"]
    for row in range(TOKENS_SHOWN + 1):
        if row < TOKENS_SHOWN:
            probs_rows.append([significant(pt["probabilities"][row]) for pt in per_temperature])
            freq_rows.append([round(pt["frequencies"][row], 4) for pt in per_temperature])
        else:
            probs_rows.append([significant(pt["p_others"]) for pt in per_temperature])
            freq_rows.append([round(pt["freq_others"], 4) for pt in per_temperature])
    columns = [f"T = {t:g}" for t in p.temperatures]
    coldest = min(per_temperature, key=lambda pt: pt["temperature"])
    hottest = max(per_temperature, key=lambda pt: pt["temperature"])
    notes = [
        f"Dividing the logits by T before the softmax: at T = {coldest['temperature']:g} the "
        f"top token {labels[0]} gets p = {coldest['p_argmax']:.3g} and was drawn "
        f"{coldest['freq_argmax']:.1%} of {p.draws:,} times; as T -> 0 this becomes the argmax "
        "(greedy decoding).",
        f"At T = {hottest['temperature']:g} the same token gets p = {hottest['p_argmax']:.3g}; "
        f"{hottest['distinct_tokens_sampled']:,} different tokens were drawn, and "
        f"{hottest['freq_others']:.1%} of draws fell outside the top {TOKENS_SHOWN}. High T "
        "flattens the distribution towards uniform, which gives more varied but less sensible "
        "text.",
        "Entropy of the next-token distribution: "
        + ", ".join(
            f"{pt['entropy']:.2f} nats at T = {pt['temperature']:g}" for pt in per_temperature
        )
        + f" (uniform over the vocabulary would be {math.log(logits.shape[0]):.2f}).",
        "T = 1 leaves the model's own probabilities unchanged; sampled frequencies approach "
        "the exact probabilities as draws grow.",
    ]
    return DemoResult(
        "temperature",
        f"Temperature after {p.prompt!r}",
        p.model_dump(),
        tables=[
            Table("exact probabilities", columns, probs_rows, labels, heat=True),
            Table(f"frequencies in {p.draws:,} draws", columns, freq_rows, labels, heat=True),
        ],
        series=[
            Series(
                "sampled frequency of the top tokens",
                [float(i) for i in range(TOKENS_SHOWN)],
                {f"T={pt['temperature']:g}": pt["frequencies"] for pt in per_temperature},
                "token",
                "frequency",
                kind="bar",
                x_ticks=labels[:TOKENS_SHOWN],
            )
        ],
        notes=notes,
        values={
            "token_ids": shown.tolist(),
            "argmax_id": argmax,
            "by_temperature": per_temperature,
        },
    )


class TopKParams(DemoParams):
    k: int = Field(3, ge=1, le=50, description="How many of the best tokens to keep.")
    temperature: float = Field(1.0, ge=0.01, le=5.0, description="Temperature after top-k.")
    draws: int = Field(1000, ge=1, le=10_000, description="Samples to draw from the result.")
    prompt: str = Field(
        "Every effort moves you", min_length=1, max_length=200, description="Text to continue."
    )


@register(
    "top-k",
    "Top-k sampling",
    "Keep the k most likely tokens, renormalise; exactly k probabilities stay non-zero.",
    TopKParams,
)
def top_k(p: TopKParams) -> DemoResult:
    import torch

    logits, _ = last_logits(p.prompt)
    vocab = logits.shape[0]
    full = temperature_probabilities(logits, p.temperature)
    restricted = top_k_probabilities(logits, p.k, p.temperature)
    nonzero = int((restricted > 0).sum())
    order = torch.topk(logits, min(p.k + 3, vocab)).indices  # the kept ones and a few dropped
    kept = order[: p.k]
    kept_mass = float(full[kept].sum())
    generator = torch.Generator().manual_seed(p.seed)
    samples = torch.multinomial(restricted, p.draws, replacement=True, generator=generator)
    counts = torch.bincount(samples, minlength=vocab)
    outside = int(p.draws - counts[kept].sum())
    rows = [
        [
            shipped.label(int(i)),
            round(float(logits[i]), 3),
            significant(float(full[i])),
            significant(float(restricted[i])),
            round(float(counts[i]) / p.draws, 4),
        ]
        for i in order
    ]
    notes = [
        f"Top-k keeps {p.k} of {vocab:,} tokens: exactly {nonzero} probabilities are non-zero "
        f"and {vocab - nonzero:,} are exactly 0, because their logits are set to -inf before "
        "the softmax.",
        f"The kept tokens held {kept_mass:.1%} of the probability before; renormalised they "
        f"hold all of it (sum {float(restricted[kept].sum()):.4f}).",
        f"In {p.draws:,} draws, {outside} fell outside the top {p.k}: rare, off-topic tokens "
        "can no longer be picked, while sampling still varies among the good ones.",
        "With k = 1 top-k is greedy decoding; combine a moderate k with temperature to trade "
        "variety for coherence.",
    ]
    return DemoResult(
        "top-k",
        f"Top-{p.k} after {p.prompt!r}",
        p.model_dump(),
        tables=[
            Table(
                f"the best {len(order)} tokens (rows after {p.k} are dropped)",
                ["token", "logit", "p (all tokens)", f"p (top {p.k})", "sampled"],
                rows,
                row_labels=[f"{n + 1}{'' if n < p.k else ' x'}" for n in range(len(order))],
            )
        ],
        notes=notes,
        values={
            "kept_ids": kept.tolist(),
            "kept_probabilities": restricted[kept].tolist(),
            "kept_mass_before": kept_mass,
            "nonzero_count": nonzero,
            "zero_count": vocab - nonzero,
            "draws_outside_top_k": outside,
        },
    )
