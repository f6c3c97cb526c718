"""`studybuddy engine …`: inspect model sizes, generate text, retrain the shipped model.

torch is imported inside each command so that `studybuddy --help` and the TUI start at once.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import Annotated, Any

import typer

from studybuddy.commands.errors import fail

# Sampling options shared by `generate` and `chat`: one set of bounds and help texts.
Temperature = Annotated[
    float,
    typer.Option(min=0.0, max=10.0, help="0 picks the likeliest token; higher is more random."),
]
TopK = Annotated[int | None, typer.Option(min=1, help="Sample only among the K likeliest tokens.")]
Seed = Annotated[int, typer.Option(help="Random seed for sampling.")]

app = typer.Typer(
    help="The from-scratch GPT engine: sizes, generation, training.", no_args_is_help=True
)


def _fail(message: str) -> typer.Exit:
    return fail(message, code=2)  # engine commands exit 2 on bad input, like a usage error


def machine_cores() -> int:
    """CPU cores this process may run on (a container or taskset may allow fewer than exist)."""
    if hasattr(os, "sched_getaffinity"):
        return len(os.sched_getaffinity(0))
    return os.cpu_count() or 1


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


def _describe_smollm2() -> list[str]:
    """SmolLM2's config and sizes, counted from the loaded tensors (not from the config)."""
    from studybuddy.engine import smollm2
    from studybuddy.engine.model import count_parameters

    model = smollm2.load_model()
    cfg = model.cfg
    parts = {
        "tok_emb (tied to out_head)": "tok_emb.",
        "attention (W_query, W_key, W_value, out_proj)": ".att.",
        "feed-forward (fc1, fc2, fc3)": ".ff.",
        "RMSNorm weights": "norm",
    }
    per_part = {
        part: sum(p.numel() for n, p in model.named_parameters() if key in n)
        for part, key in parts.items()
    }
    total = count_parameters(model)
    fields = ", ".join(f"{key}={value}" for key, value in cfg.to_dict().items())
    kv_per_token = 2 * cfg.n_layers * cfg.n_kv_heads * cfg.head_dim * 4
    lines = [
        f"smollm2: SmolLM2-135M-Instruct ({smollm2.GGUF_NAME}, Apache-2.0)",
        f"  {fields}",
        f"  head_dim={cfg.head_dim}, {cfg.group_size} query heads per key/value head",
        f"  parameters: {total:,} (out_head tied to tok_emb)",
    ]
    lines += [f"    {name}: {count:,}" for name, count in per_part.items()]
    lines += [
        f"  size in float32: {total * 4 / 2**20:,.2f} MB, bfloat16: {total * 2 / 2**20:,.2f} MB",
        f"  KV cache per token (float32): {kv_per_token / 1024:,.1f} KiB "
        f"({kv_per_token * cfg.context_length / 2**20:,.0f} MB for the full "
        f"{cfg.context_length:,}-token context)",
        f"  file: {smollm2.require_gguf()}",
    ]
    return lines


def _load_model(name: str | None, dtype: Any):
    """The model `--model` names; smollm2 when missing falls back to gpt-study with one line."""
    from studybuddy.engine import smollm2
    from studybuddy.engine.pretrained import load_pretrained

    if name == "smollm2" and not smollm2.is_installed():
        typer.echo(f"note: {smollm2.missing_message()}; using gpt-study", err=True)
        name = None
    return load_pretrained(name, dtype=dtype), name == "smollm2"


@app.command()
def info(
    preset: Annotated[str | None, typer.Argument(help="Preset name; leave out for all.")] = None,
) -> None:
    """Config, parameter count (untied and tied) and float32 size of a preset."""
    from studybuddy.engine.config import PRESETS
    from studybuddy.engine.errors import EngineError

    if preset == "smollm2":
        try:
            typer.echo("\n".join(_describe_smollm2()))
        except EngineError as exc:
            raise _fail(str(exc)) from None
        return
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
    temperature: Temperature = 0.0,
    top_k: TopK = None,
    seed: Seed = 123,
    no_kv_cache: Annotated[
        bool, typer.Option("--no-kv-cache", help="Recompute every token at each step.")
    ] = False,
    model_path: Annotated[
        str | None,
        typer.Option(
            "--model",
            help="smollm2, gpt-study (default), our checkpoint or a Hugging Face GPT-2 folder.",
        ),
    ] = None,
    threads: Annotated[
        int | None,
        typer.Option(min=1, max=1024, help="CPU threads for torch (default: every core)."),
    ] = None,
    dtype: Annotated[
        str,
        typer.Option(
            help="Weights' number type: fp32, or bf16 (half the memory; faster only where the "
            "CPU has bf16 units, see benchmarks/engine.py)."
        ),
    ] = "fp32",
    raw: Annotated[
        bool, typer.Option("--raw", help="Print newlines as they are, not as a visible ↵.")
    ] = False,
) -> None:
    """Continue PROMPT with the shipped model (or --model)."""
    import torch

    from studybuddy.demos.common import torch_threads
    from studybuddy.engine.errors import EngineError
    from studybuddy.engine.generate import crop_to_context
    from studybuddy.engine.generate import generate as generate_ids
    from studybuddy.engine.pretrained import dtype_from_name
    from studybuddy.engine.tokenizer import (
        END_OF_TEXT_ID,
        decode,
        encode,
        get_tokenizer,
        visible_newlines,
    )

    try:
        model, is_smollm2 = _load_model(model_path, dtype_from_name(dtype))
        # The same three things for either model: its tokenizer's encode/decode and end of text.
        eos_id = END_OF_TEXT_ID
        if is_smollm2:
            tokenizer = get_tokenizer("smollm2")
            encode, decode = tokenizer.encode, tokenizer.decode
            eos_id = tokenizer.token_id("<|endoftext|>")
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
        with torch_threads(threads or machine_cores()):
            out = generate_ids(
                model,
                idx,
                max_new_tokens=max_new_tokens,
                temperature=temperature,
                top_k=top_k,
                eos_id=eos_id,
                use_cache=not no_kv_cache,
                generator=generator,
            )
    except KeyboardInterrupt:
        raise _fail("stopped: generation interrupted") from None
    text = decode(out[0].tolist())
    # A small model often emits runs of newlines: as ↵ they stay on screen, countable.
    typer.echo(text if raw else visible_newlines(text))


@app.command()
def chat(
    max_new_tokens: Annotated[
        int, typer.Option(min=1, max=1024, help="Most tokens per answer.")
    ] = 256,
    temperature: Temperature = 0.0,
    top_k: TopK = None,
    seed: Seed = 123,
    system: Annotated[
        str | None, typer.Option(help="System message (default: the model's own).")
    ] = None,
    dtype: Annotated[str, typer.Option(help="Weights' number type: fp32 or bf16.")] = "fp32",
) -> None:
    """Talk to SmolLM2-135M-Instruct: each turn goes through its chat template and the answer
    streams token by token. An empty line, Ctrl-D or Ctrl-C ends the chat."""
    import torch

    from studybuddy.engine import smollm2
    from studybuddy.engine.errors import EngineError
    from studybuddy.engine.pretrained import dtype_from_name, load_pretrained
    from studybuddy.engine.streaming import TextStream, stream_tokens

    try:
        model = load_pretrained("smollm2", dtype=dtype_from_name(dtype))
        tokenizer = smollm2.load_tokenizer()
    except EngineError as exc:
        raise _fail(str(exc)) from None
    generator = torch.Generator().manual_seed(seed)
    messages: list[dict[str, str]] = (
        [] if system is None else [{"role": "system", "content": system}]
    )
    context = model.cfg.context_length
    typer.echo("SmolLM2-135M-Instruct; an empty line, Ctrl-D or Ctrl-C ends the chat.")
    try:
        while True:
            try:
                question = input("you> ").strip()
            except EOFError:
                question = ""
            if not question:
                break
            if not sys.stdin.isatty():  # piped in: show the question, as a terminal would
                typer.echo(question)
            messages.append({"role": "user", "content": question})
            ids = tokenizer.encode(tokenizer.render_chat(messages))
            room = context - max_new_tokens  # keep space for the answer
            if len(ids) > room:
                typer.echo(
                    f"note: the conversation has {len(ids)} tokens; keeping the last {room} "
                    f"so the answer fits the {context}-token context",
                    err=True,
                )
                ids = ids[-room:]
            typer.echo("smollm2> ", nl=False)
            text = TextStream(tokenizer.decode)
            reply_ids: list[int] = []
            for token_id in stream_tokens(
                model, ids, max_new_tokens, temperature, top_k, tokenizer.stop_ids, generator
            ):
                if token_id in tokenizer.stop_ids:
                    break
                reply_ids.append(token_id)
                typer.echo(text.push(token_id), nl=False)
            typer.echo(text.flush())
            messages.append({"role": "assistant", "content": tokenizer.decode(reply_ids)})
    except KeyboardInterrupt:
        typer.echo("\nchat ended", err=True)


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
