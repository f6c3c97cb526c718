"""SmolLM2-135M-Instruct on our Llama engine against transformers reading the same GGUF: logits,
token ids, the chat template; the KV cache on the real model; loading, caching and bad files.

transformers is an independent implementation (its own GGUF reader, dequantizer, un-permutation
and Llama code); it is a dev dependency only. Both models are loaded once per session.
"""

from __future__ import annotations

import shutil

import pytest
import torch
from typer.testing import CliRunner

from studybuddy.cli import app
from studybuddy.engine import smollm2
from studybuddy.engine.errors import EngineError
from studybuddy.engine.generate import generate

# slow: loading transformers' reference takes 15-20 s of CPU, converting the GGUF 10 s once
pytestmark = [
    pytest.mark.skipif(
        not smollm2.is_installed(), reason=f"SmolLM2 not installed ({smollm2.INSTALL_COMMAND})"
    ),
    pytest.mark.slow,
]

PROMPTS = [
    "The history of the printing press begins in the fifteenth century, when Johannes "
    "Gutenberg combined movable metal type with an oil-based ink and a screw press adapted "
    "from those used to make wine, and within fifty years presses were running in more than "
    "two hundred European cities.",
    "def moving_average(values, window):\n    total = sum(values[:window])\n    out = [total / "
    "window]\n    for i in range(window, len(values)):\n        total += values[i] - values[i - "
    "window]\n        out.append(total / window)\n    return out\n",
    None,  # the chat-template prompt, rendered by the tokenizer (needs the fixture)
]
CHAT = [{"role": "user", "content": "Explain in two sentences why the sky looks blue at noon."}]
TOKENIZER_TEXTS = [
    "Hello <|im_start|>user\nwhat is 2+2?<|im_end|>\n<|endoftext|>",
    "def f(x):\n    return x ** 2  # squares\n\n\tif a != b: pass",
    "café, naïve, Übergröße, 日本語のテキスト, emoji 🙂🚀, Ελληνικά, русский",
    "   leading spaces and trailing   \n\n\n  newlines\r\n",
    "<|im_start|>system\nYou are helpful.<|im_end|>\n<|im_start|>assistant\n",
]


@pytest.fixture(scope="session")
def ours(shared_cache_dir):
    return smollm2.load_model(cache_dir=shared_cache_dir)


@pytest.fixture(scope="session")
def tokenizer(shared_cache_dir):
    return smollm2.load_tokenizer(cache_dir=shared_cache_dir)


@pytest.fixture(scope="session")
def reference():
    transformers = pytest.importorskip("transformers")
    pytest.importorskip("accelerate")
    path = smollm2.require_gguf()
    model = transformers.AutoModelForCausalLM.from_pretrained(
        str(path.parent), gguf_file=path.name, dtype=torch.float32
    )
    tok = transformers.AutoTokenizer.from_pretrained(str(path.parent), gguf_file=path.name)
    return model.eval(), tok


def prompt_ids(tokenizer, index: int) -> list[int]:
    text = PROMPTS[index] if PROMPTS[index] is not None else tokenizer.render_chat(CHAT)
    return tokenizer.encode(text)


@pytest.mark.parametrize("index", range(len(PROMPTS)))
def test_logits_match_transformers_on_the_same_gguf(ours, tokenizer, reference, index):
    ids = prompt_ids(tokenizer, index)
    assert len(ids) >= 30
    with torch.no_grad():
        mine = ours(torch.tensor([ids]))
        theirs = reference[0](torch.tensor([ids])).logits
    assert mine.shape == theirs.shape == (1, len(ids), 49152)
    assert (mine - theirs).abs().max().item() < 1e-3


def test_rotary_rows_permuted_as_stored_change_the_logits(ours, tokenizer, reference):
    """The trap: with llama.cpp's row order left in place the logits drift far apart (the first
    position, which rotary does not move, still agrees)."""
    ids = torch.tensor([prompt_ids(tokenizer, 0)])
    blocks = ours.trf_blocks
    saved = [(b.att.W_query.weight.clone(), b.att.W_key.weight.clone()) for b in blocks]

    def permute(w: torch.Tensor, n_heads: int) -> torch.Tensor:  # llama.cpp's converter
        rows, cols = w.shape
        return w.reshape(n_heads, 2, rows // n_heads // 2, cols).transpose(1, 2).reshape(rows, cols)

    try:
        with torch.no_grad():
            for b in blocks:
                b.att.W_query.weight.copy_(permute(b.att.W_query.weight, ours.cfg.n_heads))
                b.att.W_key.weight.copy_(permute(b.att.W_key.weight, ours.cfg.n_kv_heads))
            wrong = ours(ids)
    finally:
        with torch.no_grad():
            for b, (q, k) in zip(blocks, saved, strict=True):
                b.att.W_query.weight.copy_(q)
                b.att.W_key.weight.copy_(k)
    with torch.no_grad():
        theirs = reference[0](ids).logits
    assert (wrong[0, 0] - theirs[0, 0]).abs().max().item() < 1e-3
    assert (wrong - theirs).abs().max().item() > 1.0


@pytest.mark.parametrize("text", TOKENIZER_TEXTS)
def test_token_ids_match_transformers_and_round_trip(tokenizer, reference, text):
    ids = tokenizer.encode(text)
    assert ids == reference[1](text, add_special_tokens=False)["input_ids"]
    assert tokenizer.decode(ids) == text


def test_special_tokens_are_single_ids(tokenizer):
    assert tokenizer.encode("<|endoftext|><|im_start|><|im_end|>") == [0, 1, 2]
    assert tokenizer.stop_ids == {0, 2}


def test_digits_are_split_one_by_one_like_llama_cpp(tokenizer):
    """The GGUF names the pre-tokenizer "smollm": llama.cpp splits every digit off first.
    (transformers' GGUF reader does not know that name and keeps "2024" whole, so numbers are
    left out of the comparison above.)"""
    ids = tokenizer.encode("in 2024")
    assert [tokenizer.decode([i]) for i in ids] == ["in", " ", "2", "0", "2", "4"]


def test_chat_template_renders_like_transformers(tokenizer, reference):
    messages = [*CHAT, {"role": "assistant", "content": "Rayleigh."}, CHAT[0]]
    expected = reference[1].apply_chat_template(
        messages, tokenize=False, add_generation_prompt=True
    )
    assert tokenizer.render_chat(messages) == expected


def test_kv_cache_gives_the_uncached_tokens_on_the_real_model(ours, tokenizer):
    idx = torch.tensor([prompt_ids(tokenizer, 2)])
    cached = generate(ours, idx, 12, use_cache=True)
    uncached = generate(ours, idx, 12, use_cache=False)
    assert torch.equal(cached, uncached)


def test_greedy_tokens_match_transformers(ours, tokenizer, reference):
    idx = torch.tensor([prompt_ids(tokenizer, 2)])
    mine = generate(ours, idx, 8)
    theirs = reference[0].generate(idx, max_new_tokens=8, do_sample=False)
    assert torch.equal(mine, theirs)


def test_bfloat16_on_request(shared_cache_dir, ours, tokenizer):
    half = smollm2.load_model(dtype="bfloat16", cache_dir=shared_cache_dir)
    assert half.tok_emb.weight.dtype == torch.bfloat16
    ids = torch.tensor([prompt_ids(tokenizer, 0)])
    with torch.no_grad():
        agree = (half(ids).argmax(-1) == ours(ids).argmax(-1)).float().mean().item()
    assert agree > 0.8  # bfloat16 keeps 8 bits of mantissa: close, not equal


def test_public_surface_keeps_gpt_study_as_default(shared_cache_dir):
    from studybuddy.engine import get_tokenizer, load_pretrained
    from studybuddy.engine.llama import LlamaModel
    from studybuddy.engine.model import GPTModel

    assert isinstance(load_pretrained("smollm2"), LlamaModel)
    assert isinstance(load_pretrained(), GPTModel)
    assert get_tokenizer("smollm2").encode("Hello world") == [19556, 905]
    assert get_tokenizer().encode("Hello world") == [15496, 995]  # GPT-2's BPE


def test_second_load_reads_only_the_converted_copy(shared_cache_dir, ours, monkeypatch):
    import studybuddy.engine.gguf_file as gguf_file

    def refuse(path):
        raise AssertionError("the GGUF was read again")

    monkeypatch.setattr(gguf_file, "read_gguf", refuse)
    monkeypatch.setattr(smollm2, "sha256_of", refuse)  # remembered by size and mtime
    again = smollm2.load_model(cache_dir=shared_cache_dir)
    assert torch.equal(again.trf_blocks[3].ff.fc2.weight, ours.trf_blocks[3].ff.fc2.weight)


def test_altered_gguf_is_one_line_naming_the_file(tmp_path):
    copy = tmp_path / smollm2.GGUF_NAME
    shutil.copyfile(smollm2.require_gguf(), copy)
    with copy.open("r+b") as handle:
        handle.seek(50_000_000)
        handle.write(b"\x00\x01\x02\x03")
    with pytest.raises(EngineError) as err:
        smollm2.verified_sha256(copy, smollm2.GGUF_SHA256, tmp_path / "cache")
    assert str(copy) in str(err.value) and "sha256" in str(err.value)
    assert "\n" not in str(err.value)


def test_truncated_gguf_is_one_line_naming_the_file(tmp_path):
    from studybuddy.engine.gguf_file import read_gguf

    short = tmp_path / "short.gguf"
    with smollm2.require_gguf().open("rb") as source:
        short.write_bytes(source.read(3_000_000))
    with pytest.raises(EngineError) as err:
        read_gguf(short)
    assert str(err.value).startswith(f"{short}: ")
    assert "\n" not in str(err.value)


runner = CliRunner()


def test_cli_info_counts_the_loaded_tensors(reference):
    result = runner.invoke(app, ["engine", "info", "smollm2"])
    assert result.exit_code == 0, result.output
    total = sum(p.numel() for p in reference[0].parameters())  # transformers' own count
    assert f"parameters: {total:,} (out_head tied" in result.output
    assert "n_heads=9, n_kv_heads=3, n_layers=30" in result.output


def test_cli_generate_equals_the_library(ours, tokenizer):
    prompt = "The three primary colours are"
    expected = generate(ours, torch.tensor([tokenizer.encode(prompt)]), 10, eos_id=0)
    result = runner.invoke(
        app, ["engine", "generate", "--model", "smollm2", prompt, "--max-new-tokens", "10"]
    )
    assert result.exit_code == 0, result.output
    assert result.output.rstrip("\n") == tokenizer.decode(expected[0].tolist())


def test_cli_chat_streams_an_answer_through_the_template(ours, tokenizer):
    question = "Name one planet."
    ids = tokenizer.encode(tokenizer.render_chat([{"role": "user", "content": question}]))
    out = generate(ours, torch.tensor([ids]), 12, eos_id=2)[0, len(ids) :].tolist()
    answer = tokenizer.decode([i for i in out if i not in tokenizer.stop_ids])
    result = runner.invoke(app, ["engine", "chat", "--max-new-tokens", "12"], input=question + "\n")
    assert result.exit_code == 0, result.output
    assert f"smollm2> {answer}\n" in result.output


def test_missing_wheel_falls_back_with_one_line(monkeypatch):
    monkeypatch.setattr(smollm2, "find_gguf", lambda: None)
    result = runner.invoke(
        app, ["engine", "generate", "--model", "smollm2", "Attention", "--max-new-tokens", "2"]
    )
    assert result.exit_code == 0, result.output
    note = f"note: SmolLM2 is not installed; install it with: {smollm2.INSTALL_COMMAND}; "
    assert note + "using gpt-study" in result.output
    info = runner.invoke(app, ["engine", "info", "smollm2"])
    assert info.exit_code == 2
    assert info.output.strip() == f"error: {smollm2.missing_message()}"
