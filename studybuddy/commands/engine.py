"""`studybuddy engine …`: inspect model sizes, generate text, retrain the shipped model.

torch is imported inside each command so that `studybuddy --help` and the TUI start at once.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer

from studybuddy.commands.errors import fail

app = typer.Typer(
    help="The from-scratch GPT engine: sizes, generation, training.", no_args_is_help=True
)


def _fail(message: str) -> typer.Exit:
    return fail(message, code=2)  # engine commands exit 2 on bad input, like a usage error


def _describe(name: str, cfg) -> list[str]:
    import torch

    from studybuddy.engine.model import GPTModel, count_parameters_tied, count_parameters_untied

    # On the meta device the model has shapes but no storage: gpt2-xl costs no memory.
    with torch.device("meta"):
        model = GPTModel(cfg)
    untied = count_parameters_untied(model)
    tied = count_parameters_tied(model)
    mib = 1024 * 1024
    fields = ", ".join(f"{key}={value}" for key, value in cfg.to_dict().items())
    return [
        f"{name}: {fields}",
        f"  parameters: {untied:,} (out_head separate), {tied:,} (out_head tied to tok_emb)",
        f"  size in float32: {untied * 4 / mib:,.2f} MB untied, {tied * 4 / mib:,.2f} MB tied",
    ]


@app.command()
def info(
    preset: Annotated[str | None, typer.Argument(help="Preset name; leave out for all.")] = None,
) -> None:
    """Config, parameter count (untied and tied) and float32 size of a preset."""
    from studybuddy.engine.config import PRESETS
    from studybuddy.engine.errors import EngineError

    if preset is not None and preset not in PRESETS:
        raise _fail(f"unknown preset {preset!r}; expected one of: {', '.join(PRESETS)}")
    try:
        names = [preset] if preset else list(PRESETS)
        for name in names:
            typer.echo("\n".join(_describe(name, PRESETS[name])))
    except EngineError as exc:
        raise _fail(str(exc)) from None


@app.command()
def generate(
    prompt: Annotated[str, typer.Argument(help="Text to continue.")],
    # 1024 new tokens take ~30 s on two cores once the context is full; more is not a demo
    max_new_tokens: Annotated[int, typer.Option(min=0, max=1024, help="Tokens to add.")] = 40,
    temperature: Annotated[
        float,
        typer.Option(min=0.0, max=10.0, help="0 picks the likeliest token; higher is more random."),
    ] = 0.0,
    top_k: Annotated[
        int | None, typer.Option(min=1, help="Sample only among the K likeliest tokens.")
    ] = None,
    seed: Annotated[int, typer.Option(help="Random seed for sampling.")] = 123,
    no_kv_cache: Annotated[
        bool, typer.Option("--no-kv-cache", help="Recompute every token at each step.")
    ] = False,
    model_path: Annotated[
        Path | None,
        typer.Option("--model", help="Our checkpoint or a Hugging Face GPT-2 folder."),
    ] = None,
    raw: Annotated[
        bool, typer.Option("--raw", help="Print newlines as they are, not as a visible ↵.")
    ] = False,
) -> None:
    """Continue PROMPT with the shipped model (or --model)."""
    import torch

    from studybuddy.engine.errors import EngineError
    from studybuddy.engine.generate import crop_to_context
    from studybuddy.engine.generate import generate as generate_ids
    from studybuddy.engine.pretrained import load_pretrained
    from studybuddy.engine.tokenizer import END_OF_TEXT_ID, decode, encode, visible_newlines

    try:
        model = load_pretrained(model_path)
    except EngineError as exc:
        raise _fail(str(exc)) from None
    ids = encode(prompt)
    if not ids:
        raise _fail("empty prompt; expected some text to continue")
    idx, notice = crop_to_context(torch.tensor([ids]), model.cfg.context_length)
    if notice:
        typer.echo(f"note: {notice}", err=True)
    generator = torch.Generator().manual_seed(seed)
    try:
        out = generate_ids(
            model,
            idx,
            max_new_tokens=max_new_tokens,
            temperature=temperature,
            top_k=top_k,
            eos_id=END_OF_TEXT_ID,
            use_cache=not no_kv_cache,
            generator=generator,
        )
    except KeyboardInterrupt:
        raise _fail("stopped: generation interrupted") from None
    text = decode(out[0].tolist())
    # A small model often emits runs of newlines: as ↵ they stay on screen, countable.
    typer.echo(text if raw else visible_newlines(text))


@app.command()
def train(
    out: Annotated[
        Path | None,
        typer.Option(help="Folder for gpt-study.pt and training.json (default: user data dir)."),
    ] = None,
    epochs: Annotated[int | None, typer.Option(min=1, help="Passes over the corpus.")] = None,
    seed: Annotated[int | None, typer.Option(help="Random seed.")] = None,
    corpus: Annotated[
        Path | None, typer.Option(help="Folder of *.md notes (default: the shipped corpus).")
    ] = None,
    preset: Annotated[str | None, typer.Option(help="Model preset.")] = None,
    max_steps: Annotated[
        int | None, typer.Option(min=1, help="Stop after this many steps (quick trials).")
    ] = None,
    batch_size: Annotated[int | None, typer.Option(min=1, help="Sequences per step.")] = None,
    threads: Annotated[int | None, typer.Option(min=1, help="CPU threads for torch.")] = None,
) -> None:
    """Train the small study GPT; the defaults reproduce the shipped model."""
    from dataclasses import replace

    from rich.progress import (
        BarColumn,
        Progress,
        TextColumn,
        TimeElapsedColumn,
        TimeRemainingColumn,
    )

    from studybuddy.engine.config import PRESETS
    from studybuddy.engine.errors import EngineError
    from studybuddy.engine.recipe import TrainingRecipe, train_study_model
    from studybuddy.locations import data_dir, user_data_dir

    recipe = TrainingRecipe()
    changes: dict[str, Any] = {
        "epochs": epochs,
        "seed": seed,
        "preset": preset,
        "max_steps": max_steps,
        "batch_size": batch_size,
        "num_threads": threads,
    }
    recipe = replace(recipe, **{k: v for k, v in changes.items() if v is not None})
    if recipe.preset not in PRESETS:
        raise _fail(f"unknown preset {recipe.preset!r}; expected one of: {', '.join(PRESETS)}")
    out_dir = out if out is not None else user_data_dir() / "model"
    corpus_dir = corpus if corpus is not None else data_dir() / "corpus"
    if out_dir.exists() and not out_dir.is_dir():
        raise _fail(f"{out_dir} is a file; --out expects a folder")
    try:  # now, not after minutes of training
        out_dir.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise _fail(f"cannot write to {out_dir}: {exc.strerror or exc}") from None

    progress = Progress(
        TextColumn("training"),
        BarColumn(),
        TextColumn("step {task.completed}/{task.total}"),
        TextColumn("{task.fields[losses]}"),
        TimeElapsedColumn(),
        TimeRemainingColumn(),
    )
    task = progress.add_task("train", total=None, losses="")

    def start(total_steps: int) -> None:
        # Shown only once the corpus has loaded, so an error is not printed under a bar.
        progress.update(task, total=total_steps)
        progress.start()

    def show_eval(point) -> None:
        progress.update(task, losses=f"train {point.train_loss:.3f} val {point.val_loss:.3f}")

    try:
        record = train_study_model(
            recipe,
            corpus_dir,
            out_dir,
            on_start=start,
            on_step=lambda step: progress.update(task, completed=step),
            on_eval=show_eval,
        )
    except EngineError as exc:
        raise _fail(str(exc)) from None
    except KeyboardInterrupt:
        progress.stop()
        typer.echo(f"interrupted: training stopped, nothing saved to {out_dir}", err=True)
        raise typer.Exit(130) from None
    finally:
        progress.stop()
    final = record["final"]
    typer.echo(
        f"{record['steps']} steps, {record['tokens_seen']:,} tokens in {record['wall_time_s']} s; "
        f"val loss {record['untrained']['val_loss']:.3f} -> {final['val_loss']:.3f}"
    )
    typer.echo(f"wrote {out_dir / record['model_file']} and {out_dir / 'training.json'}")
    typer.echo(f"sample: {record['sample']['greedy']!r}")
