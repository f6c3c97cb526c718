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

from studybuddy.engine.config import GPTConfig, get_preset
from studybuddy.engine.errors import EngineError
from studybuddy.engine.tokenizer import END_OF_TEXT_ID, decode, encode


@dataclass(frozen=True)
class TrainingRecipe:
    preset: str = "gpt-study"
    seed: int = 123
    epochs: int = 12
    batch_size: int = 8
    # Windows overlap by half: twice the (input, target) pairs from a small corpus.
    stride_fraction: float = 0.5
    peak_lr: float = 1e-3
    weight_decay: float = 0.1
    warmup_steps: int = 20
    eval_freq: int = 25
    val_fraction: float = 0.1  # the last 10% of every note file is held out
    num_threads: int = 2
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


def sample_continuation(model, prompt: str, max_new_tokens: int = 30) -> str:
    from studybuddy.engine.generate import generate

    idx = torch.tensor([encode(prompt)])
    out = generate(model, idx, max_new_tokens=max_new_tokens)
    return decode(out[0].tolist())


def train_study_model(
    recipe: TrainingRecipe,
    corpus_dir: Path,
    out_dir: Path,
    on_start: Callable[[int], None] | None = None,
    on_step: Callable[[int], None] | None = None,
    on_eval: Callable[[Any], None] | None = None,
) -> dict[str, Any]:
    """Train a model by `recipe` on the notes in `corpus_dir`; write gpt-study.pt and
    training.json to `out_dir`; return the record. `on_start` gets the total step count."""
    cfg = recipe.config
    _dtype(recipe.save_dtype)  # a typo fails here, not after minutes of training
    corpus = load_corpus(corpus_dir, recipe.val_fraction)
    threads_before = torch.get_num_threads()
    torch.set_num_threads(recipe.num_threads)
    try:
        return _train(recipe, cfg, corpus, out_dir, on_start, on_step, on_eval)
    finally:
        torch.set_num_threads(threads_before)


def _train(recipe, cfg, corpus, out_dir, on_start, on_step, on_eval) -> dict[str, Any]:
    from studybuddy.engine.checkpoint import load_checkpoint, save_checkpoint
    from studybuddy.engine.data import create_dataloader
    from studybuddy.engine.model import GPTModel, count_parameters
    from studybuddy.engine.pretrained import MODEL_FILE, RECORD_FILE
    from studybuddy.engine.train import evaluate_model, train_model

    torch.manual_seed(recipe.seed)

    length = cfg.context_length
    stride = max(1, int(length * recipe.stride_fraction))
    train_loader = create_dataloader(
        corpus.train_ids, recipe.batch_size, length, stride, shuffle=True, drop_last=True
    )
    train_eval_loader = create_dataloader(
        corpus.train_ids, recipe.batch_size, length, length, shuffle=False, drop_last=False
    )
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
    started = time.perf_counter()
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
        on_step=on_step,
        on_eval=on_eval,
    )
    wall_time = time.perf_counter() - started
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
        "tokens_seen": history.tokens_seen,
        "untrained": {"train_loss": initial_train, "val_loss": initial_val},
        "evals": [asdict(p) for p in history.points],
        "final": {
            "train_loss": history.points[-1].train_loss,
            "val_loss": history.points[-1].val_loss,
            f"train_loss_{recipe.save_dtype}": stored_train,
            f"val_loss_{recipe.save_dtype}": stored_val,
        },
        "wall_time_s": round(wall_time, 1),
        "environment": {
            "torch": torch.__version__,
            "threads": recipe.num_threads,
            "machine": platform.machine(),
            "processor": platform.processor() or platform.machine(),
        },
        "sample": {
            "prompt": "Self-attention",
            "greedy": sample_continuation(shipped, "Self-attention"),
        },
    }
    (out_dir / RECORD_FILE).write_text(json.dumps(record, indent=2) + "\n", encoding="utf-8")
    return record
