"""Training (ch. 5): what the loss and perplexity measure, a few live optimisation steps, and
why small batches give noisy gradients."""

from __future__ import annotations

import functools
import math
from typing import Annotated, Any

from pydantic import Field

from studybuddy.demos import shipped
from studybuddy.demos.base import (
    DemoParams,
    DemoResult,
    ProgressFn,
    Series,
    Table,
    plural,
    significant,
)
from studybuddy.demos.common import seeded
from studybuddy.demos.registry import DemoError, register
from studybuddy.demos.shipped import MODEL_HELP, ModelChoice

ROWS_SHOWN = 24


class LossParams(DemoParams):
    text: str = Field(
        "Every effort moves you forward, one step at a time.",
        min_length=1,
        max_length=2000,
        description="Text to score, token by token.",
    )
    model: ModelChoice = Field("smollm2", description=MODEL_HELP)


def token_losses(model: Any, ids: list[int]) -> Any:
    """Cross-entropy of each next token given the ones before, in windows of the context."""
    import torch
    from torch.nn import functional as F

    context = model.cfg.context_length
    losses = []
    for start in range(0, len(ids) - 1, context):
        chunk = torch.tensor([ids[start : start + context + 1]])
        with torch.no_grad():
            logits = model(chunk[:, :-1])[0].float()
        losses.append(F.cross_entropy(logits, chunk[0, 1:], reduction="none"))
    return torch.cat(losses)


def texts_losses(model: Any, texts_ids: list[list[int]]) -> list[Any]:
    """`token_losses` of several texts; in one batched pass when they fit the context (right
    padding: causal attention never lets a position see the padding after it)."""
    import torch
    from torch.nn import functional as F

    longest = max(len(ids) for ids in texts_ids)
    if longest - 1 > model.cfg.context_length:
        return [token_losses(model, ids) for ids in texts_ids]
    batch = torch.tensor([ids[:-1] + [0] * (longest - len(ids)) for ids in texts_ids])
    with torch.no_grad():
        logits = model(batch).float()
    return [
        F.cross_entropy(logits[row, : len(ids) - 1], torch.tensor(ids[1:]), reduction="none")
        for row, ids in enumerate(texts_ids)
    ]


def scrambled(text: str, seed: int) -> str:
    """The same words in a shuffled order (never the original order when there are two or
    more different words)."""
    import random

    words = text.split()
    shuffled = list(words)
    random.Random(seed).shuffle(shuffled)
    if shuffled == words and len(set(words)) > 1:
        shuffled = shuffled[1:] + shuffled[:1]  # a rotation differs when two words differ
    return " ".join(shuffled)


@register(
    "loss-perplexity",
    "Cross-entropy loss and perplexity",
    "Loss and perplexity: a real sentence vs scrambled.",
    LossParams,
    section="5.1",
)
def loss_perplexity(p: LossParams) -> DemoResult:
    lm = shipped.language_model(p.model)
    ids = lm.encode(p.text)
    if len(ids) < 2:
        raise DemoError(
            f"loss-perplexity: the text is {len(ids)} token; at least 2 are needed (one to "
            "predict from, one to predict)"
        )
    shuffled_text = scrambled(p.text, p.seed)
    shuffled_ids = lm.encode(shuffled_text)
    ours, mixed = texts_losses(lm.model, [ids, shuffled_ids])
    # An untrained model of the same shape is cheap to build only for the small GPT.
    fresh = None if lm.is_smollm2 else token_losses(shipped.untrained_model(p.seed), ids)
    loss, loss_mixed = float(ours.mean()), float(mixed.mean())
    loss_fresh = None if fresh is None else float(fresh.mean())
    vocab = lm.vocab_size
    targets = ids[1:]
    best, worst = int(ours.argmin()), int(ours.argmax())
    columns = ["next token", "p", "loss"] + ([] if fresh is None else ["p untrained", "loss untr."])
    rows = [
        [lm.label(targets[i]), significant(math.exp(-float(ours[i]))), round(float(ours[i]), 3)]
        + (
            []
            if fresh is None
            else [significant(math.exp(-float(fresh[i]))), round(float(fresh[i]), 3)]
        )
        for i in range(min(len(targets), ROWS_SHOWN))
    ]
    notes = [
        *lm.notes,
        f"{lm.name} on the text: mean cross-entropy {loss:.3f} nats per token, perplexity "
        f"exp({loss:.3f}) = {math.exp(loss):,.1f}: on average as unsure as a choice among about "
        f"{math.exp(loss):,.0f} equally likely tokens.",
        f"The same words scrambled ({shuffled_text!r}): loss {loss_mixed:.3f}, perplexity "
        f"{math.exp(loss_mixed):,.1f}"
        + (
            ", higher: the model has learned which orders of words are language."
            if loss_mixed > loss
            else ", not higher: this model has not learned which orders are language."
        ),
    ]
    if loss_fresh is not None:
        notes.append(
            f"Untrained model: loss {loss_fresh:.3f}, perplexity {math.exp(loss_fresh):,.0f}, "
            f"close to guessing uniformly among all {vocab:,} tokens (ln {vocab:,} = "
            f"{math.log(vocab):.2f})."
        )
    else:
        notes.append(
            f"Guessing uniformly among all {vocab:,} tokens would give loss ln {vocab:,} = "
            f"{math.log(vocab):.2f} and perplexity {vocab:,}, about where an untrained model "
            "starts."
        )
    notes.append(
        f"Best predicted token: {lm.label(targets[best])} (p = "
        f"{math.exp(-float(ours[best])):.3g}); worst: {lm.label(targets[worst])} (p = "
        f"{math.exp(-float(ours[worst])):.2e}). The loss is -ln p of the token that actually "
        "came next, averaged over the text."
    )
    if len(ids) - 1 > lm.context_length:
        notes.append(
            f"The text has {len(ids)} tokens, more than the context of "
            f"{lm.context_length}; it is scored in windows, each starting afresh."
        )
    summary = [
        ["real text", round(loss, 4), round(math.exp(loss), 2)],
        ["scrambled", round(loss_mixed, 4), round(math.exp(loss_mixed), 2)],
    ]
    if loss_fresh is not None:
        summary.append(["untrained", round(loss_fresh, 4), round(math.exp(loss_fresh), 2)])
    summary.append(["uniform guess", round(math.log(vocab), 4), vocab])
    lines = {"real text": ours.tolist()}
    if fresh is not None:
        lines["untrained"] = fresh.tolist()
    return DemoResult(
        f"Loss and perplexity on {lm.name}",
        tables=[
            Table(
                f"per token ({len(targets)} predictions)"
                + (f", first {ROWS_SHOWN}" if len(targets) > ROWS_SHOWN else ""),
                columns,
                rows,
                row_labels=[str(i + 1) for i in range(len(rows))],
            ),
            Table(
                "summary",
                ["", "loss (nats/token)", "perplexity"],
                summary,
            ),
        ],
        series=[
            Series(
                "loss per token",
                [float(i + 1) for i in range(len(targets))],
                lines,
                "position",
                "-ln p",
            )
        ],
        notes=notes,
        values={
            "model": lm.name,
            "token_ids": ids,
            "scrambled_text": shuffled_text,
            "scrambled_ids": shuffled_ids,
            "losses": ours.tolist(),
            "losses_scrambled": mixed.tolist(),
            "losses_untrained": None if fresh is None else fresh.tolist(),
            "loss": loss,
            "loss_scrambled": loss_mixed,
            "loss_untrained": loss_fresh,
            "perplexity": math.exp(loss),
            "perplexity_scrambled": math.exp(loss_mixed),
            "perplexity_untrained": None if loss_fresh is None else math.exp(loss_fresh),
        },
    )


class TrainStepsParams(DemoParams):
    # 20 steps at 3e-3 take the loss from about 10.9 to about 8: learning the reader can see.
    steps: int = Field(20, ge=1, le=50, description="Optimisation steps to run.")
    lr: float = Field(3e-3, ge=1e-5, le=1e-1, description="AdamW learning rate.")


# A GPT with the engine's architecture, small enough that a step takes tens of milliseconds.
TINY: dict[str, Any] = {
    "context_length": 32,
    "emb_dim": 64,
    "n_heads": 4,
    "n_layers": 2,
    "drop_rate": 0.0,
    "tie_weights": True,
}
BATCH_SIZE = 4


@functools.cache
def _corpus_ids() -> tuple[tuple[int, ...], tuple[int, ...]]:
    """The study notes shipped in data/corpus as token ids: (training part, held-out part)."""
    from studybuddy.locations import data_dir

    files = sorted((data_dir() / "corpus").glob("*.md"))
    if not files:
        raise DemoError(f"train-steps: no study notes in {data_dir() / 'corpus'} to train on")
    ids = shipped.encode("\n\n".join(f.read_text(encoding="utf-8") for f in files))
    cut = int(len(ids) * 0.9)
    return tuple(ids[:cut]), tuple(ids[cut:])


@register(
    "train-steps",
    "A few training steps",
    "AdamW steps on a tiny GPT: the loss as it trains.",
    TrainStepsParams,
    streams_progress=True,
    section="5.2",
)
def train_steps(p: TrainStepsParams, on_progress: ProgressFn | None = None) -> DemoResult:
    import torch

    from studybuddy.engine.config import GPTConfig
    from studybuddy.engine.data import create_dataloader
    from studybuddy.engine.model import GPTModel, count_parameters
    from studybuddy.engine.train import calc_loss_batch

    train_ids, held_out_ids = _corpus_ids()
    cfg = GPTConfig(**TINY)
    length = cfg.context_length
    with seeded(p.seed):
        model = GPTModel(cfg)
        loader = create_dataloader(list(train_ids), BATCH_SIZE, length, length, shuffle=True)
        held_out = next(
            iter(create_dataloader(list(held_out_ids), 8, length, length, shuffle=False))
        )
        optimizer = torch.optim.AdamW(model.parameters(), lr=p.lr, weight_decay=0.1)

        def held_out_loss() -> float:
            model.eval()
            with torch.no_grad():
                inputs, targets = held_out
                value = float(calc_loss_batch(inputs, targets, model))
            model.train()
            return value

        before = held_out_loss()
        losses: list[float] = []
        batches = iter(loader)
        model.train()
        for step in range(p.steps):
            inputs, targets = next(batches)
            optimizer.zero_grad()
            loss = calc_loss_batch(inputs, targets, model)
            loss.backward()
            optimizer.step()
            losses.append(loss.item())
            if on_progress is not None:
                on_progress(step + 1, p.steps, f"step {step + 1}: loss {losses[-1]:.3f}")
        after = held_out_loss()
    uniform = math.log(cfg.vocab_size)
    change = losses[-1] - losses[0]
    notes = [
        f"A {count_parameters(model):,}-parameter GPT (the engine's GPTModel: {cfg.n_layers} "
        f"layers, emb_dim {cfg.emb_dim}) starts near the loss of a uniform guess, ln "
        f"{cfg.vocab_size:,} = {uniform:.2f}; its first batch scored {losses[0]:.3f}.",
        f"After {plural(p.steps, 'AdamW step')} at lr = {p.lr:g} the training loss is "
        f"{losses[-1]:.3f} "
        f"({change:+.3f}); on held-out notes it went from {before:.3f} to {after:.3f}.",
    ]
    if p.steps > 1 and max(losses[1:]) > losses[0] + 0.5:
        notes.append(
            "The loss went up along the way: steps this large overshoot. A smaller learning "
            "rate moves less per step but more reliably downhill."
        )
    elif p.steps > 1 and abs(change) < 0.05:
        notes.append(
            "The loss barely moved: with so small a learning rate each step changes the weights "
            "too little to matter in this many steps."
        )
    rises = sum(1 for a, b in zip(losses, losses[1:], strict=False) if b > a)
    if rises:
        notes.append(
            f"Each step sees {BATCH_SIZE} windows of {length} tokens, different text each time, "
            f"so the loss does not fall smoothly: it rose at {rises} of {len(losses) - 1} steps."
        )
    elif len(losses) > 1:
        notes.append(
            f"The loss fell at every one of the {len(losses) - 1} steps; each step sees "
            f"{BATCH_SIZE} new windows of {length} tokens."
        )
    if after < before - 0.5:
        notes.append(
            f"The held-out loss fell too ({before:.2f} -> {after:.2f}), so the model learned "
            "something about the notes in general, not only the batches it saw."
        )
    return DemoResult(
        f"{p.steps} training steps at lr = {p.lr:g}",
        tables=[
            Table(
                "training loss per step",
                ["loss", "perplexity"],
                [[round(v, 4), round(math.exp(v), 1)] for v in losses],
                row_labels=[str(i + 1) for i in range(len(losses))],
            ),
            Table(
                "held-out loss",
                ["loss"],
                [[round(before, 4)], [round(after, 4)]],
                row_labels=["before training", f"after {p.steps} steps"],
            ),
        ],
        series=[
            Series(
                "training loss",
                [float(i + 1) for i in range(len(losses))],
                {"loss": losses, "uniform guess": [uniform] * len(losses)},
                "step",
                "cross-entropy",
            )
        ]
        if len(losses) > 1
        else [],
        notes=notes,
        values={
            "losses": losses,
            "held_out_before": before,
            "held_out_after": after,
            "uniform_loss": uniform,
            "parameters": count_parameters(model),
        },
    )


BatchSize = Annotated[int, Field(ge=1, le=512)]
EXAMPLES = 4096  # size of the synthetic training set
FEATURES = 8
TRIALS = 2000  # minibatches drawn per batch size to measure the spread, fewer for big ones
DRAWN = 131_072  # at most this many examples drawn per batch size, to bound the time


class BatchNoiseParams(DemoParams):
    batch_sizes: list[BatchSize] = Field(
        [1, 8, 64, 256], min_length=1, max_length=6, description="Batch sizes to compare."
    )


@register(
    "batch-noise",
    "Batch size and gradient noise",
    "Gradient noise against batch size (1/B).",
    BatchNoiseParams,
    section="5.2",
)
def batch_noise(p: BatchNoiseParams) -> DemoResult:
    import torch

    generator = torch.Generator().manual_seed(p.seed)
    # Linear regression: each example's gradient is known exactly, so the spread can be
    # compared with what theory predicts for averaging B of them.
    x = torch.randn(EXAMPLES, FEATURES, generator=generator, dtype=torch.float64)
    true_w = torch.randn(FEATURES, generator=generator, dtype=torch.float64)
    y = x @ true_w + 0.5 * torch.randn(EXAMPLES, generator=generator, dtype=torch.float64)
    w = torch.zeros(FEATURES, dtype=torch.float64)  # where training starts
    per_example = (x @ w - y).unsqueeze(1) * x  # gradient of (x.w - y)^2 / 2 for each example
    full = per_example.mean(dim=0)
    spread = float(((per_example - full) ** 2).sum(dim=1).mean())  # trace of the covariance
    rows, measured, predicted, cosines = [], [], [], []
    sizes = sorted(set(p.batch_sizes))
    for b in sizes:
        # Examples drawn independently (with replacement), so theory says exactly spread / B.
        trials = max(200, min(TRIALS, DRAWN // b))
        picks = torch.randint(0, EXAMPLES, (trials, b), generator=generator)
        grads = per_example[picks].mean(dim=1)  # (trials, FEATURES)
        variance = float(((grads - full) ** 2).sum(dim=1).mean())
        theory = spread / b
        cosine = float(torch.nn.functional.cosine_similarity(grads, full.unsqueeze(0)).mean())
        measured.append(variance)
        predicted.append(theory)
        cosines.append(cosine)
        rows.append([b, round(variance, 4), round(theory, 4), round(cosine, 3)])
    notes = [
        f"Each example's gradient differs from the full-data gradient by {spread:.2f} on average "
        "(squared length); a batch averages B of them, so the variance falls like 1/B.",
    ]
    deviation = max(abs(m / t - 1) for m, t in zip(measured, predicted, strict=True))
    if len(sizes) > 1:
        first, last = sizes[0], sizes[-1]
        notes.append(
            f"From B = {first} to B = {last} the measured variance fell from "
            f"{measured[0]:.3f} to {measured[-1]:.3f}, {measured[0] / measured[-1]:.0f}x less; "
            f"1/B predicts {last / first:.0f}x. Every measurement is within {deviation:.0%} of "
            f"spread / B (each comes from {min(TRIALS, max(200, DRAWN // last)):,} or more random "
            "batches)."
        )
    if len(sizes) > 1:
        notes.append(
            f"Direction: a batch of {sizes[0]} points on average at cosine {cosines[0]:.2f} to "
            f"the true gradient, a batch of {sizes[-1]} at {cosines[-1]:.2f}. Bigger batches "
            "give steadier steps but cost more per step; small ones are noisy but cheap."
        )
    else:
        notes.append(
            f"A batch of {sizes[0]} points on average at cosine {cosines[0]:.2f} to the true "
            f"gradient; its variance is {measured[0]:.3f} against {predicted[0]:.3f} from "
            f"spread / B. Give several batch sizes to compare them."
        )
    notes.append(
        f"Model: linear regression on {EXAMPLES:,} synthetic examples with {FEATURES} features, "
        f"at its starting point w = 0."
    )
    return DemoResult(
        "Gradient noise by batch size",
        tables=[
            Table(
                "minibatch gradient vs the full gradient",
                ["batch size", "variance (measured)", "variance (theory)", "mean cosine"],
                rows,
            )
        ],
        series=[
            Series(
                "variance of the gradient estimate",
                [float(b) for b in sizes],
                {"measured": measured, "theory": predicted},
                "batch size",
                "variance",
                log_x=True,
                log_y=True,
            )
        ]
        if len(sizes) > 1
        else [],
        notes=notes,
        values={
            "batch_sizes": sizes,
            "variance_measured": measured,
            "variance_theory": predicted,
            "per_example_spread": spread,
            "mean_cosine": cosines,
        },
    )


MAX_EVALS = 10_000  # a training record with more evaluation points than this is refused


class CurvesParams(DemoParams):
    from_step: int = Field(
        0, ge=0, le=1_000_000, description="Leave out evaluations before this step (0: all)."
    )


def _evals(record: dict[str, Any]) -> list[dict[str, float]]:
    """The record's evaluation points, checked: numbers where numbers belong, and bounded."""
    evals = record.get("evals")
    if not isinstance(evals, list) or not evals:
        raise DemoError("train-val-curves: the training record has no evaluations")
    if len(evals) > MAX_EVALS:
        raise DemoError(f"train-val-curves: {len(evals):,} evaluations; at most {MAX_EVALS:,}")
    points = []
    for point in evals:
        try:
            points.append(
                {
                    key: float(point[key])
                    for key in ("step", "tokens_seen", "train_loss", "val_loss")
                }
            )
        except (TypeError, KeyError, ValueError):
            raise DemoError(
                "train-val-curves: an evaluation lacks step, tokens_seen, train_loss or val_loss"
            ) from None
    return points


@register(
    "train-val-curves",
    "Training vs validation loss of the shipped model",
    "The shipped model's train and validation loss.",
    CurvesParams,
    random=False,
    section="5.2",
)
def train_val_curves(p: CurvesParams) -> DemoResult:
    record = shipped.training_record()
    points = _evals(record)
    shown = [pt for pt in points if pt["step"] >= p.from_step]
    if len(shown) < 2:
        raise DemoError(
            f"train-val-curves: fewer than 2 evaluations from step {p.from_step}; the last is "
            f"at step {points[-1]['step']:.0f}"
        )
    corpus = record.get("corpus", {}) if isinstance(record.get("corpus"), dict) else {}
    recipe = record.get("recipe", {}) if isinstance(record.get("recipe"), dict) else {}
    train_tokens, val_tokens = corpus.get("train_tokens"), corpus.get("val_tokens")
    first, last = points[0], points[-1]
    gaps = [pt["val_loss"] - pt["train_loss"] for pt in points]
    best = min(points, key=lambda pt: pt["val_loss"])
    # Compare the last third of training with the rest: how much each loss still falls.
    third = points[len(points) * 2 // 3]
    train_drop = third["train_loss"] - last["train_loss"]
    val_drop = third["val_loss"] - last["val_loss"]
    notes = []
    if isinstance(train_tokens, int) and isinstance(val_tokens, int):
        share = val_tokens / (train_tokens + val_tokens)
        notes.append(
            f"The study notes were split {train_tokens:,} tokens for training and "
            f"{val_tokens:,} held out for validation ({share:.0%}, the last part of each note); "
            f"the model trained {last['step']:.0f} steps and saw {last['tokens_seen']:,.0f} "
            f"tokens, so it read each training token about "
            f"{last['tokens_seen'] / train_tokens:.1f} times"
            + (
                f" ({recipe['epochs']} epochs of windows that start every "
                f"{recipe['stride_fraction']:g} of a context, so they overlap)."
                if isinstance(recipe.get("epochs"), int)
                and isinstance(recipe.get("stride_fraction"), int | float)
                and recipe["stride_fraction"] < 1
                else "."
            )
        )
    untrained = record.get("untrained") if isinstance(record.get("untrained"), dict) else None
    start = (
        f" (untrained: {float(untrained['val_loss']):.2f})"
        if untrained and isinstance(untrained.get("val_loss"), int | float)
        else ""
    )
    notes.append(
        f"From step {first['step']:.0f} to {last['step']:.0f} the training loss fell from "
        f"{first['train_loss']:.2f} to {last['train_loss']:.2f} and the validation loss from "
        f"{first['val_loss']:.2f} to {last['val_loss']:.2f}{start}; validation perplexity "
        f"ends at {math.exp(last['val_loss']):.0f}."
    )
    if gaps[-1] > gaps[0]:
        notes.append(
            f"The gap between them grew from {gaps[0]:.2f} to {gaps[-1]:.2f}: the model does "
            "better and better on text it trained on than on text it has not seen."
        )
    if train_drop > 0 and val_drop < train_drop / 2:
        notes.append(
            f"Over the last third (from step {third['step']:.0f}) training loss fell "
            f"{train_drop:.2f} but validation only {val_drop:.2f}: validation is stalling while "
            "training keeps improving, the first sign of overfitting, memorising the training "
            "text rather than learning what carries over."
        )
    if best is last:
        notes.append(
            f"Validation is still at its lowest at the last evaluation ({best['val_loss']:.3f}), "
            "so training has not yet gone past the point where it starts to get worse."
        )
    else:
        notes.append(
            f"Validation was lowest at step {best['step']:.0f} ({best['val_loss']:.3f}) and "
            f"ended at {last['val_loss']:.3f}: past that point more training made the model "
            "worse on unseen text, which is overfitting outright."
        )
    if isinstance(recipe.get("epochs"), int):
        notes.append(
            f"A small corpus read for {recipe['epochs']} epochs is where overfitting comes "
            "quickly; more text, or stopping at the lowest validation loss, are the usual cures."
        )
    steps = [pt["step"] for pt in shown]
    return DemoResult(
        "The shipped model's training and validation loss",
        tables=[
            Table(
                "evaluations" + (f" from step {p.from_step}" if p.from_step else ""),
                ["tokens seen", "train loss", "val loss", "gap"],
                [
                    [
                        f"{pt['tokens_seen']:,.0f}",
                        round(pt["train_loss"], 3),
                        round(pt["val_loss"], 3),
                        round(pt["val_loss"] - pt["train_loss"], 3),
                    ]
                    for pt in shown
                ],
                row_labels=[f"step {pt['step']:.0f}" for pt in shown],
            )
        ],
        series=[
            Series(
                "loss while the shipped model trained",
                steps,
                {
                    "training": [pt["train_loss"] for pt in shown],
                    "validation": [pt["val_loss"] for pt in shown],
                },
                "step",
                "cross-entropy",
            )
        ],
        notes=notes,
        values={
            "steps": steps,
            "train_loss": [pt["train_loss"] for pt in shown],
            "val_loss": [pt["val_loss"] for pt in shown],
            "gap_first": gaps[0],
            "gap_last": gaps[-1],
            "train_drop_last_third": train_drop,
            "val_drop_last_third": val_drop,
            "best_val_step": best["step"],
            "train_tokens": train_tokens,
            "val_tokens": val_tokens,
        },
    )
