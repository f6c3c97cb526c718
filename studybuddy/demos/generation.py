"""Generating text (ch. 4-5): the next-token distribution, greedy decoding step by step, and
how temperature and top-k reshape what gets sampled; on SmolLM2 (a real pretrained model) where
it is installed, else on the shipped gpt-study."""

from __future__ import annotations

import math
from typing import Annotated, Any, Literal

from pydantic import Field, model_validator

from studybuddy.demos import shipped
from studybuddy.demos.base import DemoParams, DemoResult, Series, Table, plural, significant
from studybuddy.demos.registry import register
from studybuddy.demos.shipped import MODEL_HELP, LanguageModel, ModelChoice

TOP_SHOWN = 5  # candidates listed per step
TOKENS_SHOWN = 8  # tokens listed in the sampling tables; the rest are summed as "all others"


def last_logits(prompt: str, lm: LanguageModel | None = None) -> tuple[Any, list[int]]:
    """The model's logits for the token after `prompt` (cropped to its context); gpt-study's
    unless another model is given."""
    import torch

    lm = lm or shipped.language_model(shipped.GPT_STUDY)
    ids = lm.encode(prompt)[-lm.context_length :]
    with torch.no_grad():
        return lm.model(torch.tensor([ids]), last_only=True)[0, -1].float(), ids


def temperature_probabilities(logits: Any, temperature: float) -> Any:
    import torch

    return torch.softmax(logits / temperature, dim=-1)


def top_k_probabilities(logits: Any, k: int, temperature: float = 1.0) -> Any:
    """Softmax over the k largest logits; every logit below the k-th largest gets -inf.

    The rule of the engine's `next_token_from_logits` and of the book: a logit that ties with
    the k-th best is kept, so ties can leave more than k tokens in play.
    """
    import torch

    kth_best = torch.topk(logits, min(k, logits.shape[-1])).values[..., -1:]
    masked = logits.masked_fill(logits < kth_best, -torch.inf)
    return torch.softmax(masked / temperature, dim=-1)


def _short(label: str, width: int = 10) -> str:
    """A token label cut to fit a table column (the numbers keep the whole token)."""
    return label if len(label) <= width else label[: width - 1] + "…"


def _entropy(probs: Any) -> float:
    import torch

    nonzero = probs[probs > 0]
    return float(-(nonzero * torch.log(nonzero)).sum())


class NextTokenParams(DemoParams):
    prompt: str = Field(
        "Every effort moves you", min_length=1, max_length=200, description="Text to continue."
    )
    steps: int = Field(3, ge=1, le=20, description="Tokens to generate, one at a time.")
    model: ModelChoice = Field("smollm2", description=MODEL_HELP)


@register(
    "next-token",
    "Next-token prediction, step by step",
    "Logits -> softmax -> argmax, one token per step.",
    NextTokenParams,
    code=(
        "studybuddy.engine.model:GPTModel.forward",
        "studybuddy.engine.kv_cache:KVCache",
    ),
    random=False,
    section="4.7",
)
def next_token(p: NextTokenParams) -> DemoResult:
    import torch

    from studybuddy.engine.tokenizer import visible_newlines

    lm = shipped.language_model(p.model)
    model, context = lm.model, lm.context_length
    encoded = lm.encode(p.prompt)
    # Keep room for the new tokens, so the cache never outgrows the model's context.
    prompt_ids = encoded[-(context - p.steps) :]
    ids = list(prompt_ids)
    steps = []
    # Keys and values of earlier tokens are cached, so each step runs the model on one token.
    cache = model.new_cache(1, len(prompt_ids) + p.steps)
    new = ids
    for _ in range(p.steps):
        with torch.no_grad():
            logits = model(torch.tensor([new]), cache, last_only=True)[0, -1].float()
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
    text = lm.decode(generated)
    rows = []
    for n, step in enumerate(steps):
        so_far = visible_newlines(lm.decode(ids[: len(prompt_ids) + n]))
        rows.append(
            [
                "…" + so_far[-13:] if len(so_far) > 13 else so_far,
                _short(lm.label(step["chosen"])),
                significant(step["top_probs"][0]),
                round(step["top_logits"][0], 3),
                _short(lm.label(step["top_ids"][1])),
                significant(step["top_probs"][1]),
            ]
        )
    first = steps[0]
    notes = [
        *lm.notes,
        f"The model turns {model.cfg.vocab_size:,} logits into probabilities with softmax (they "
        f"sum to {first['prob_sum']:.4f}); after the prompt its favourite is "
        f"{lm.label(first['chosen'])} with p = {first['top_probs'][0]:.3g} "
        f"(logit {first['top_logits'][0]:.2f}).",
        f"Greedy decoding appends the argmax and repeats: {p.prompt!r} + {text!r}. The same "
        "prompt always gives the same continuation.",
    ]
    if len(steps) > 1:
        unsure = min(range(len(steps)), key=lambda n: steps[n]["top_probs"][0])
        notes.append(
            f"It was least sure at step {unsure + 1} (top p = "
            f"{steps[unsure]['top_probs'][0]:.3g}, runner-up "
            f"{lm.label(steps[unsure]['top_ids'][1])} at {steps[unsure]['top_probs'][1]:.3g})."
        )
    repeated = [t for t in dict.fromkeys(generated) if generated.count(t) > 1]
    if repeated:
        notes.append(
            f"Greedy decoding repeats itself here ({lm.label(repeated[0])} "
            f"{generated.count(repeated[0])} times in {plural(len(generated), 'new token')}): "
            "always taking the argmax easily falls into a loop, one reason to sample with "
            "temperature and top-k instead."
        )
    notes.append(
        f"This is {lm.describe()}"
        + (
            ", so its words come from them; do not expect fluent text."
            if not lm.is_smollm2
            else ": its candidates are what a real pretrained model expects."
        )
    )
    if len(prompt_ids) < len(encoded):
        notes.append(
            f"The prompt has {plural(len(encoded), 'token')}; only its last {len(prompt_ids)} fit "
            "the "
            f"model's context of {context} together with {p.steps} new ones."
        )
    return DemoResult(
        f"Next tokens after {p.prompt!r} on {lm.name}",
        tables=[
            Table(
                "step by step (greedy)",
                ["text so far", "argmax", "p", "logit", "runner-up", "p"],
                rows,
                row_labels=[str(n + 1) for n in range(len(rows))],
            ),
            Table(
                f"the {TOP_SHOWN} most likely first tokens",
                ["token", "id", "logit", "probability"],
                [
                    [lm.label(i), i, round(lg, 3), significant(pr)]
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
                x_ticks=[lm.label(s["chosen"]) for s in steps],
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


# The book's toy example (ch. 5): a nine-word vocabulary and the logits a model gave for the
# word after "every effort moves you".
BOOK_VOCAB = ("closer", "every", "effort", "forward", "inches", "moves", "pizza", "toward", "you")
BOOK_LOGITS = (4.51, 0.89, -1.90, 6.75, 1.63, -1.62, -1.89, 6.28, 1.79)
BOOK_PROMPT = "every effort moves you"
Vocab = Literal["book", "model", "custom"]
Temperature = Annotated[float, Field(ge=0.01, le=5.0)]
Logit = Annotated[float, Field(ge=-100.0, le=100.0)]


class _SamplingParams(DemoParams):
    vocab: Vocab = Field(
        "book",
        description="book: the book's nine words and logits; model: every token of the "
        "model after the prompt; custom: your own logits.",
    )
    model: ModelChoice = Field("smollm2", description="With vocab=model: " + MODEL_HELP)
    logits: list[Logit] | None = Field(
        None,
        min_length=2,
        max_length=16,
        description="Logits of a made-up vocabulary t0, t1, ... (vocab=custom only).",
    )
    prompt: str | None = Field(
        None,
        min_length=1,
        max_length=200,
        description="Text to continue (vocab=model only; default 'Every effort moves you').",
    )

    @model_validator(mode="after")
    def _prompt_needs_the_model(self) -> _SamplingParams:
        if self.vocab != "model" and self.prompt is not None:
            raise ValueError(
                f"the {self.vocab} vocabulary comes with its logits, so a prompt needs "
                "vocab = 'model'"
            )
        if (self.vocab == "custom") != (self.logits is not None):
            raise ValueError("give logits exactly when vocab is 'custom'")
        return self


def _logits_and_labels(p: _SamplingParams) -> tuple[Any, Any, str, list[str]]:
    """(logits, a function from token id to its label, where they come from, notes about the
    model) for each vocab."""
    import torch

    if p.vocab == "book":
        return (
            torch.tensor(BOOK_LOGITS),
            lambda i: repr(BOOK_VOCAB[int(i)]),
            f"after {BOOK_PROMPT!r}",
            [],
        )
    if p.vocab == "custom" and p.logits is not None:
        return torch.tensor(p.logits), lambda i: f"t{int(i)}", "on your logits", []
    prompt = p.prompt or "Every effort moves you"
    lm = shipped.language_model(p.model)
    logits, _ = last_logits(prompt, lm)
    return logits, lm.label, f"after {prompt!r} on {lm.name}", list(lm.notes)


def sample_ids(probs: Any, draws: int, seed: int) -> Any:
    """`draws` samples from `probs`.

    For a small vocabulary each draw is an exponential race (the token with the largest
    p_i / E_i, E_i ~ Exp(1), wins with probability p_i), which reproduces the book's loop of
    single torch.multinomial calls after torch.manual_seed(seed) draw for draw. Over 50,257
    tokens that would need draws x 50,257 random numbers, so there multinomial samples them.
    """
    import torch

    generator = torch.Generator().manual_seed(seed)
    if probs.shape[-1] <= 64:
        race = torch.empty(draws, probs.shape[-1]).exponential_(1, generator=generator)
        return (probs / race).argmax(dim=-1)
    return torch.multinomial(probs, draws, replacement=True, generator=generator)


class TemperatureParams(_SamplingParams):
    temperatures: list[Temperature] = Field(
        [1.0, 0.1, 5.0], min_length=1, max_length=6, description="Temperatures to compare."
    )
    draws: int = Field(1000, ge=1, le=10_000, description="Samples drawn at each temperature.")


@register(
    "temperature",
    "Temperature scaling",
    "Sampling at several temperatures (book's 9 words).",
    TemperatureParams,
    code=(
        "studybuddy.demos.generation:temperature_probabilities",
        "studybuddy.engine.generate:next_token_from_logits",
    ),
    section="5.3",
)
def temperature(p: TemperatureParams) -> DemoResult:
    import torch

    logits, label_of, prompt, model_notes = _logits_and_labels(p)
    vocab = logits.shape[0]
    shown_count = min(TOKENS_SHOWN, vocab) if p.vocab == "model" else vocab
    shown = torch.topk(logits, shown_count).indices if p.vocab == "model" else torch.arange(vocab)
    argmax = int(logits.argmax())
    # The book's point about "pizza": a word the model all but rules out comes up at high T.
    least = BOOK_VOCAB.index("pizza") if p.vocab == "book" else int(logits.argmin())
    per_temperature = []
    for t in p.temperatures:
        probs = temperature_probabilities(logits, t)
        # Each temperature samples from the seed afresh, as the book's print_sampled_tokens does.
        counts = torch.bincount(sample_ids(probs, p.draws, p.seed), minlength=vocab)
        per_temperature.append(
            {
                "temperature": t,
                "probabilities": probs[shown].tolist(),
                "frequencies": (counts[shown] / p.draws).tolist(),
                "counts": counts[shown].tolist(),
                "p_argmax": float(probs[argmax]),
                "freq_argmax": float(counts[argmax]) / p.draws,
                "p_least": float(probs[least]),
                "count_least": int(counts[least]),
                "p_others": max(0.0, 1 - float(probs[shown].sum())),
                "freq_others": 1 - float(counts[shown].sum()) / p.draws,
                "distinct_tokens_sampled": int((counts > 0).sum()),
                "entropy": _entropy(probs),
            }
        )
    others = shown_count < vocab
    labels = [label_of(int(i)) for i in shown] + (["all others"] if others else [])
    probs_rows: list[list[float]] = []
    freq_rows: list[list[float]] = []
    for row in range(len(shown)):
        probs_rows.append([significant(pt["probabilities"][row]) for pt in per_temperature])
        freq_rows.append([pt["counts"][row] for pt in per_temperature])
    if others:
        probs_rows.append([significant(pt["p_others"]) for pt in per_temperature])
        freq_rows.append([round(pt["freq_others"] * p.draws) for pt in per_temperature])
    columns = [f"T = {t:g}" for t in p.temperatures]
    coldest = min(per_temperature, key=lambda pt: pt["temperature"])
    hottest = max(per_temperature, key=lambda pt: pt["temperature"])
    top_label = label_of(argmax)
    notes = [
        *model_notes,
        f"Dividing the logits by T before the softmax: at T = {coldest['temperature']:g} the "
        f"top token {top_label} gets p = {coldest['p_argmax']:.3g} and was drawn "
        f"{coldest['freq_argmax']:.1%} of {p.draws:,} times"
        + (
            "; as T -> 0 this becomes the argmax (greedy decoding)."
            if coldest["temperature"] < 1
            else "."
        ),
    ]
    if len(per_temperature) > 1 and hottest["temperature"] > coldest["temperature"]:
        spread = (
            f"{hottest['freq_others']:.1%} of draws fell outside the top {shown_count}"
            if others
            else f"{hottest['distinct_tokens_sampled']} of the {vocab} words were drawn"
        )
        notes.append(
            f"At T = {hottest['temperature']:g} the same token gets p = "
            f"{hottest['p_argmax']:.3g}; {spread}. A higher T flattens the distribution towards "
            "uniform: more varied text, and more nonsense."
        )
        if p.vocab == "book":
            hot, cold = hottest, coldest
            notes.append(
                f"{label_of(least)}, nearly the least likely word, was drawn "
                f"{plural(hot['count_least'], 'time')} "
                f"at T = {hot['temperature']:g} (p = {hot['p_least']:.3g}) and "
                f"{plural(cold['count_least'], 'time')} at T = {cold['temperature']:g} (p = "
                f"{cold['p_least']:.2g}): 'every effort moves you {BOOK_VOCAB[least]}'."
                if hot["count_least"] > cold["count_least"]
                else f"{label_of(least)}, nearly the least likely word, has p = "
                f"{hot['p_least']:.3g} at T = {hot['temperature']:g}; it was drawn "
                f"{plural(hot['count_least'], 'time')}."
            )
    notes.append(
        "Entropy of the next-token distribution: "
        + ", ".join(
            f"{pt['entropy']:.2f} nats at T = {pt['temperature']:g}" for pt in per_temperature
        )
        + f" (uniform over {vocab:,} tokens would be {math.log(vocab):.2f})."
    )
    if any(pt["temperature"] == 1.0 for pt in per_temperature):
        notes.append(
            "T = 1 leaves the model's own probabilities unchanged; sampled frequencies approach "
            "the exact probabilities as draws grow."
        )
    at_one = [pt for pt in per_temperature if pt["temperature"] == 1.0]
    if p.vocab == "book" and p.seed == 123 and p.draws == 1000 and at_one:
        counts_at_one = dict(zip(BOOK_VOCAB, at_one[0]["counts"], strict=True))
        notes.append(
            "Seed 123 and 1,000 draws, drawn like the book's sampling loop, give its counts: at "
            f"T = 1 forward {counts_at_one['forward']}, toward {counts_at_one['toward']}, "
            f"closer {counts_at_one['closer']}, inches {counts_at_one['inches']}."
        )
    return DemoResult(
        f"Temperature {prompt}",
        tables=[
            Table("exact probabilities", columns, probs_rows, labels, heat=True),
            Table(f"counts in {p.draws:,} draws", columns, freq_rows, labels, heat=True),
        ],
        series=[
            Series(
                "sampled frequency",
                [float(i) for i in range(len(shown))],
                {f"T={pt['temperature']:g}": pt["frequencies"] for pt in per_temperature},
                "token",
                "frequency",
                kind="bar",
                x_ticks=labels[: len(shown)],
            )
        ],
        notes=notes,
        values={
            "vocab": p.vocab,
            "token_ids": shown.tolist(),
            "argmax_id": argmax,
            "by_temperature": per_temperature,
        },
    )


class TopKParams(_SamplingParams):
    k: int = Field(3, ge=1, le=50, description="How many of the best tokens to keep.")
    temperature: float = Field(1.0, ge=0.01, le=5.0, description="Temperature after top-k.")
    draws: int = Field(1000, ge=1, le=10_000, description="Samples to draw from the result.")


@register(
    "top-k",
    "Top-k sampling",
    "Keep the k best logits (ties too), renormalise.",
    TopKParams,
    code=(
        "studybuddy.demos.generation:top_k_probabilities",
        "studybuddy.engine.generate:next_token_from_logits",
    ),
    section="5.3",
)
def top_k(p: TopKParams) -> DemoResult:
    import torch

    logits, label_of, prompt, model_notes = _logits_and_labels(p)
    vocab = logits.shape[0]
    k = min(p.k, vocab)
    full = temperature_probabilities(logits, p.temperature)
    restricted = top_k_probabilities(logits, k, p.temperature)
    kept_mask = restricted > 0
    nonzero = int(kept_mask.sum())
    kth_value = float(torch.topk(logits, k).values[-1])
    order = torch.argsort(logits, descending=True, stable=True)
    shown = order if vocab <= 16 else order[: min(nonzero + 3, vocab)]
    kept = order[:nonzero]
    kept_mass = float(full[kept].sum())
    counts = torch.bincount(sample_ids(restricted, p.draws, p.seed), minlength=vocab)
    outside = int(p.draws - counts[kept].sum())
    rows = [
        [
            label_of(int(i)),
            round(float(logits[i]), 3),
            significant(float(full[i])),
            significant(float(restricted[i])),
            int(counts[i]),
        ]
        for i in shown
    ]
    notes = [
        *model_notes,
        f"Top-k with k = {k}: logits below the k-th best ({kth_value:.4g}) become -inf before "
        f"the softmax, so {vocab - nonzero:,} of {vocab:,} "
        f"{'gets' if vocab - nonzero == 1 else 'get'} probability exactly 0 and "
        f"{plural(nonzero, 'token')} {'stays' if nonzero == 1 else 'stay'} in play.",
    ]
    if nonzero > k:
        tied = [label_of(int(i)) for i in kept if float(logits[i]) == kth_value]
        notes.append(
            f"That is {nonzero - k} more than k: {', '.join(tied[:5])} tie at the k-th best "
            "logit, and a tie is not below it. The engine's generate (like the book's) keeps "
            "ties rather than choosing among them by position."
        )
    notes += [
        f"The kept tokens held {kept_mass:.1%} of the probability before; renormalised they "
        f"hold all of it (sum {float(restricted[kept].sum()):.4f}).",
        f"In {p.draws:,} draws, {outside} fell outside the kept tokens"
        + (
            ": rare, off-topic tokens can no longer be picked"
            + (", while sampling still varies among the good ones." if nonzero > 1 else ".")
            if outside == 0
            else "."
        ),
    ]
    if nonzero == 1:
        notes.append("Only one token is left, so top-k here is greedy decoding.")
    if p.vocab == "book" and k == 3 and p.temperature == 1.0:
        notes.append(
            "k = 3 on the book's logits: 'forward', 'toward' and 'closer' survive, as in the "
            "book's top-k example."
        )
    return DemoResult(
        f"Top-{k} {prompt}",
        tables=[
            Table(
                f"tokens by logit (x = masked; T = {p.temperature:g})",
                ["token", "logit", "p (all)", f"p (top {k})", "drawn"],
                rows,
                row_labels=[
                    f"{n + 1}{'' if bool(kept_mask[i]) else ' x'}" for n, i in enumerate(shown)
                ],
            )
        ],
        notes=notes,
        values={
            "vocab": p.vocab,
            "kept_ids": kept.tolist(),
            "kept_probabilities": restricted[kept].tolist(),
            "probabilities": restricted.tolist() if vocab <= 64 else None,
            "kept_mass_before": kept_mass,
            "nonzero_count": nonzero,
            "zero_count": vocab - nonzero,
            "kth_logit": kth_value,
            "draws_outside_top_k": outside,
        },
    )
