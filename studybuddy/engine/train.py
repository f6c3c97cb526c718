"""Pretraining (ch. 5): next-token cross-entropy, evaluation on held-out text, an AdamW loop.

The loop is the book's `train_model_simple` with two additions from its appendix D that help a
small model learn in few steps: a linear warm-up then cosine decay of the learning rate, and
gradient-norm clipping. Everything random (init, shuffling, dropout) comes from torch's global
generator, so `torch.manual_seed` before building the model makes a run reproducible.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

import torch
from torch import nn
from torch.nn import functional as F


def calc_loss_batch(
    input_batch: torch.Tensor, target_batch: torch.Tensor, model: nn.Module, device: str = "cpu"
) -> torch.Tensor:
    """Mean cross-entropy of the model's next-token predictions over every position."""
    input_batch, target_batch = input_batch.to(device), target_batch.to(device)
    logits = model(input_batch)  # (batch, num_tokens, vocab)
    return F.cross_entropy(logits.flatten(0, 1), target_batch.flatten())


def calc_loss_loader(
    loader: Iterable, model: nn.Module, device: str = "cpu", num_batches: int | None = None
) -> float:
    """Average of `calc_loss_batch` over the first `num_batches` batches (all by default)."""
    total, count = 0.0, 0
    for i, (input_batch, target_batch) in enumerate(loader):
        if num_batches is not None and i >= num_batches:
            break
        total += calc_loss_batch(input_batch, target_batch, model, device).item()
        count += 1
    if count == 0:
        return float("nan")
    return total / count


def perplexity(loss: float) -> float:
    """exp(loss): how many tokens the model is, on average, choosing among."""
    return math.exp(loss)


@torch.no_grad()
def evaluate_model(
    model: nn.Module,
    train_loader: Iterable,
    val_loader: Iterable,
    device: str = "cpu",
    eval_iter: int | None = None,
) -> tuple[float, float]:
    """Train and validation loss with dropout off; leaves the model in training mode."""
    model.eval()
    train_loss = calc_loss_loader(train_loader, model, device, num_batches=eval_iter)
    val_loss = calc_loss_loader(val_loader, model, device, num_batches=eval_iter)
    model.train()
    return train_loss, val_loss


def learning_rate_at(step: int, total_steps: int, peak_lr: float, warmup_steps: int) -> float:
    """Linear warm-up to `peak_lr`, then cosine decay to a tenth of it at the last step."""
    if step < warmup_steps:
        return peak_lr * (step + 1) / warmup_steps
    progress = (step - warmup_steps) / max(1, total_steps - warmup_steps)
    min_lr = 0.1 * peak_lr
    return min_lr + 0.5 * (peak_lr - min_lr) * (1 + math.cos(math.pi * progress))


@dataclass
class EvalPoint:
    step: int
    tokens_seen: int
    train_loss: float
    val_loss: float


@dataclass
class TrainingHistory:
    points: list[EvalPoint] = field(default_factory=list)
    steps: int = 0
    tokens_seen: int = 0
    out_of_time: bool = False  # stopped by `time_budget_s` before the planned last step


def train_model(
    model: nn.Module,
    train_loader: Iterable,
    val_loader: Iterable,
    optimizer: torch.optim.Optimizer,
    num_epochs: int,
    eval_freq: int,
    eval_iter: int | None = None,
    device: str = "cpu",
    train_eval_loader: Iterable | None = None,
    lr_schedule: bool = False,
    warmup_steps: int = 0,
    max_grad_norm: float | None = 1.0,
    max_steps: int | None = None,
    time_budget_s: float | None = None,
    on_step: Callable[[int], None] | None = None,
    on_eval: Callable[[EvalPoint], None] | None = None,
) -> TrainingHistory:
    """Train for `num_epochs` passes over `train_loader`, evaluating every `eval_freq` steps
    and once more at the end.

    `train_eval_loader` (default: `train_loader`) is what the training loss is measured on; an
    unshuffled one keeps that measurement comparable from one evaluation to the next. With
    `lr_schedule`, each group's learning rate warms up over `warmup_steps` and then decays
    (`learning_rate_at`); otherwise it stays as the optimizer was given it. `max_steps` ends
    the run early (the schedule then spans `max_steps`). `time_budget_s` is a safety net for a
    busy machine: once that many seconds have passed the run ends after the current step.
    """
    history = TrainingHistory()
    total_steps = num_epochs * len(train_loader)  # type: ignore[arg-type]
    if max_steps is not None:
        total_steps = min(total_steps, max_steps)
    peak_lrs = [group["lr"] for group in optimizer.param_groups]

    def evaluate() -> None:
        train_loss, val_loss = evaluate_model(
            model, train_eval_loader or train_loader, val_loader, device, eval_iter
        )
        point = EvalPoint(history.steps, history.tokens_seen, train_loss, val_loss)
        history.points.append(point)
        if on_eval is not None:
            on_eval(point)

    started = time.perf_counter()
    model.train()
    for _ in range(num_epochs):
        if history.steps >= total_steps or history.out_of_time:
            break
        for input_batch, target_batch in train_loader:
            if history.steps >= total_steps:
                break
            if lr_schedule:
                for group, peak in zip(optimizer.param_groups, peak_lrs, strict=True):
                    group["lr"] = learning_rate_at(history.steps, total_steps, peak, warmup_steps)
            optimizer.zero_grad()
            loss = calc_loss_batch(input_batch, target_batch, model, device)
            loss.backward()
            if max_grad_norm is not None:
                torch.nn.utils.clip_grad_norm_(model.parameters(), max_grad_norm)
            optimizer.step()
            history.steps += 1
            history.tokens_seen += input_batch.numel()
            if on_step is not None:
                on_step(history.steps)
            if history.steps % eval_freq == 0:
                evaluate()
            elapsed = time.perf_counter() - started
            if (
                time_budget_s is not None
                and elapsed > time_budget_s
                and history.steps < total_steps
            ):
                history.out_of_time = True
                break
    if not history.points or history.points[-1].step != history.steps:
        evaluate()
    return history
