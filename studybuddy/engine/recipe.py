"""How the shipped model is made: corpus, split, hyperparameters, and the record kept beside it.

`studybuddy engine train` runs `train_study_model(TrainingRecipe())`, which is exactly how
data/model/gpt-study.pt was produced; data/model/training.json records the run.
"""

from __future__ import annotations

import hashlib
import json
import platform
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import torch
from torch.utils.data import DataLoader, Subset

from studybuddy.engine.checkpoint import load_checkpoint, save_checkpoint
from studybuddy.engine.config import GPTConfig, get_preset
from studybuddy.engine.data import GPTDataset, create_dataloader
from studybuddy.engine.errors import EngineError
from studybuddy.engine.generate import generate
from studybuddy.engine.model import GPTModel, count_parameters
from studybuddy.engine.pretrained import MODEL_FILE, RECORD_FILE
from studybuddy.engine.tokenizer import END_OF_TEXT_ID, decode, encode
from studybuddy.engine.train import EvalPoint, evaluate_model, train_model


@dataclass(frozen=True)
class TrainingRecipe:
    preset: str = "gpt-study"
    seed: int = 123
    # Small batches, many updates: with compute fixed by the 15-minute budget, trials reached
    # val loss 6.51 with 129 steps of 8 x 256 tokens, 6.05 with 200 of 4 x 256 and 5.86 with
    # 400 of 2 x 256 (about 0.5 s a step on one free core).
    epochs: int = 5
    batch_size: int = 2
    # Windows overlap by half: twice the (input, target) pairs from a small corpus.
    stride_fraction: float = 0.5
    # In 40-step trials 3e-3 reached val loss 6.58 and 1e-3 only 7.41; 1.5e-2 was worse again.
    peak_lr: float = 4e-3
    weight_decay: float = 0.1
    warmup_steps: int = 20
    eval_freq: int = 50
    # The training loss is measured on this many evenly spaced windows, not all ~175: a full
    # pass at every evaluation would cost a tenth of the training.
    train_eval_windows: int = 24
    val_fraction: float = 0.1  # the last 10% of every note file is held out
    # On the shared 2-core machine one thread ran a step as fast as two, or up to 3x faster
    # while other work held the cores (the two threads then mostly wait on each other).
    num_threads: int = 1
    # Safety net for a busy machine: the loop stops after 13 minutes whatever the step count
    # (training.json then says out_of_time). The shipped run took 11 minutes on a shared core.
    time_budget_s: float = 780.0
    max_steps: int | None = None  # stop early (for smoke tests); None trains every epoch
    save_dtype: str = "float16"  # halves the file; see GPTConfig.tie_weights for the other half

    @property
    def config(self) -> GPTConfig:
        return get_preset(self.preset)


@dataclass
class Corpus:
    files: list[Path]
    words: int
    train_ids: list[int]
    val_ids: list[int]
    sha256: str


def load_corpus(folder: Path, val_fraction: float) -> Corpus:
    """Every *.md under `folder`, in name order; each file split into its first part (train)
    and its last `val_fraction` (validation), with <|endoftext|> between files."""
    files = sorted(folder.glob("*.md")) if folder.is_dir() else []
    if not files:
        raise EngineError(f"{folder}: no corpus (expected a folder of *.md study notes)")
    digest = hashlib.sha256()
    train_ids: list[int] = []
    val_ids: list[int] = []
    words = 0
    for file in files:
        text = file.read_text(encoding="utf-8")
        digest.update(file.name.encode() + b"\0" + text.encode() + b"\0")
        words += len(text.split())
        ids = encode(text) + [END_OF_TEXT_ID]
        cut = int(len(ids) * (1 - val_fraction))
        train_ids += ids[:cut]
        val_ids += ids[cut:]
    return Corpus(files, words, train_ids, val_ids, digest.hexdigest())


def _dtype(name: str) -> torch.dtype:
    dtype = getattr(torch, name, None)
    if not isinstance(dtype, torch.dtype):
        raise EngineError(f"unknown dtype {name!r}; expected float32, float16 or bfloat16")
    return dtype


def sample_continuation(
    model: GPTModel, prompt: str, max_new_tokens: int = 30, **sampling: Any
) -> str:
    """`prompt` and what the model adds to it; greedy unless `sampling` says otherwise."""
    idx = torch.tensor([encode(prompt)])
    out = generate(model, idx, max_new_tokens=max_new_tokens, **sampling)
    return decode(out[0].tolist())


def train_study_model(
    recipe: TrainingRecipe,
    corpus_dir: Path,
    out_dir: Path,
    on_start: Callable[[int], None] | None = None,
    on_step: Callable[[int], None] | None = None,
    on_eval: Callable[[EvalPoint], None] | None = None,
) -> dict[str, Any]:
    """Train a model by `recipe` on the notes in `corpus_dir`; write gpt-study.pt and
    training.json to `out_dir`; return the record. `on_start` gets the total step count."""
    _dtype(recipe.save_dtype)  # a typo fails here, not after minutes of training
    corpus = load_corpus(corpus_dir, recipe.val_fraction)
    threads_before = torch.get_num_threads()
    torch.set_num_threads(recipe.num_threads)
    try:
        return _train(recipe, corpus, out_dir, on_start, on_step, on_eval)
    finally:
        torch.set_num_threads(threads_before)


def _train(
    recipe: TrainingRecipe,
    corpus: Corpus,
    out_dir: Path,
    on_start: Callable[[int], None] | None,
    on_step: Callable[[int], None] | None,
    on_eval: Callable[[EvalPoint], None] | None,
) -> dict[str, Any]:
    run_started = time.perf_counter()
    cfg = recipe.config
    torch.manual_seed(recipe.seed)

    length = cfg.context_length
    stride = max(1, int(length * recipe.stride_fraction))
    train_loader = create_dataloader(
        corpus.train_ids, recipe.batch_size, length, stride, shuffle=True, drop_last=True
    )
    windows = GPTDataset(corpus.train_ids, length, length)
    every = max(1, len(windows) // recipe.train_eval_windows)
    spread = Subset(windows, range(0, len(windows), every)[: recipe.train_eval_windows])
    train_eval_loader = DataLoader(spread, batch_size=recipe.batch_size)
    val_loader = create_dataloader(
        corpus.val_ids, recipe.batch_size, length, length, shuffle=False, drop_last=False
    )
    if len(train_loader) == 0:
        raise EngineError(
            f"corpus too small for one batch of {recipe.batch_size} x {length} tokens"
        )

    model = GPTModel(cfg)
    optimizer = torch.optim.AdamW(
        model.parameters(), lr=recipe.peak_lr, weight_decay=recipe.weight_decay
    )
    total_steps = recipe.epochs * len(train_loader)
    if recipe.max_steps is not None:
        total_steps = min(total_steps, recipe.max_steps)
    if on_start is not None:
        on_start(total_steps)

    initial_train, initial_val = evaluate_model(model, train_eval_loader, val_loader)
    loop_started = time.perf_counter()
    history = train_model(
        model,
        train_loader,
        val_loader,
        optimizer,
        num_epochs=recipe.epochs,
        max_steps=total_steps,
        eval_freq=recipe.eval_freq,
        train_eval_loader=train_eval_loader,
        lr_schedule=True,
        warmup_steps=recipe.warmup_steps,
        time_budget_s=recipe.time_budget_s,
        on_step=on_step,
        on_eval=on_eval,
    )
    loop_time = time.perf_counter() - loop_started
    model.eval()

    out_dir.mkdir(parents=True, exist_ok=True)
    model_path = save_checkpoint(
        model, out_dir / MODEL_FILE, dtype=_dtype(recipe.save_dtype), metadata={"seed": recipe.seed}
    )
    # What users get is the stored (rounded) weights; measure those.
    shipped = load_checkpoint(model_path)
    stored_train, stored_val = evaluate_model(shipped, train_eval_loader, val_loader)
    shipped.eval()

    record = {
        "model_file": MODEL_FILE,
        "model_bytes": model_path.stat().st_size,
        "recipe": asdict(recipe),
        "config": cfg.to_dict(),
        "parameters": count_parameters(model),
        "corpus": {
            "files": [f.name for f in corpus.files],
            "words": corpus.words,
            "train_tokens": len(corpus.train_ids),
            "val_tokens": len(corpus.val_ids),
            "sha256": corpus.sha256,
        },
        "steps": history.steps,
        "planned_steps": total_steps,
        "out_of_time": history.out_of_time,
        "tokens_seen": history.tokens_seen,
        "untrained": {"train_loss": initial_train, "val_loss": initial_val},
        "evals": [asdict(p) for p in history.points],
        "final": {
            "train_loss": history.points[-1].train_loss,
            "val_loss": history.points[-1].val_loss,
            f"train_loss_{recipe.save_dtype}": stored_train,
            f"val_loss_{recipe.save_dtype}": stored_val,
        },
        "wall_time_s": None,  # filled in below, once everything else is done
        "training_loop_s": round(loop_time, 1),
        "environment": {
            "torch": torch.__version__,
            "threads": recipe.num_threads,
            "machine": platform.machine(),
            "processor": platform.processor() or platform.machine(),
        },
        "sample": {
            "prompt": "Self-attention",
            "greedy": sample_continuation(shipped, "Self-attention"),
            "temperature_0.8_top_k_40_seed_123": sample_continuation(
                shipped,
                "Self-attention",
                temperature=0.8,
                top_k=40,
                generator=torch.Generator().manual_seed(123),
            ),
        },
    }
    record["wall_time_s"] = round(time.perf_counter() - run_started, 1)
    (out_dir / RECORD_FILE).write_text(json.dumps(record, indent=2) + "\n", encoding="utf-8")
    return record
