"""Generation: greedy, sampling, top-k, eos, cropping; the KV cache changes no token."""

from __future__ import annotations

import pytest
import torch

from studybuddy.engine.config import GPTConfig
from studybuddy.engine.generate import crop_to_context, generate, next_token_from_logits
from studybuddy.engine.model import GPTModel

CFG = GPTConfig(vocab_size=53, context_length=12, emb_dim=16, n_heads=4, n_layers=2, drop_rate=0.1)


@pytest.fixture(scope="module")
def model():
    torch.manual_seed(0)
    m = GPTModel(CFG)
    with torch.no_grad():  # sharper logits than the init, so greedy and sampling differ
        for p in m.parameters():
            p.mul_(3)
    return m.eval()


def test_greedy_equals_a_plain_argmax_loop(model):
    idx = torch.tensor([[1, 2, 3]])
    expected = idx.clone()
    with torch.no_grad():
        for _ in range(5):
            logits = model(expected)[:, -1, :]
            expected = torch.cat([expected, logits.argmax(-1, keepdim=True)], dim=1)
    assert torch.equal(generate(model, idx, 5, use_cache=False), expected)


@pytest.mark.parametrize(
    "settings",
    [
        {"temperature": 0.0},
        {"temperature": 1.0},
        {"temperature": 1.5, "top_k": 5},
        {"temperature": 0.7, "top_k": 1},
    ],
)
@pytest.mark.parametrize("prompt_length", [1, 4, 15])  # 15 > context 12: cropped, window slides
def test_kv_cache_gives_the_same_tokens(model, settings, prompt_length):
    torch.manual_seed(1)
    idx = torch.randint(0, 53, (2, prompt_length))
    runs = []
    for use_cache in (False, True):
        generator = torch.Generator().manual_seed(7)
        runs.append(generate(model, idx, 20, use_cache=use_cache, generator=generator, **settings))
    assert runs[0].shape == (2, prompt_length + 20)
    assert torch.equal(runs[0], runs[1])


def test_top_k_one_equals_greedy(model):
    idx = torch.tensor([[5, 6]])
    sampled = generate(model, idx, 10, temperature=2.0, top_k=1, generator=torch.Generator())
    assert torch.equal(sampled, generate(model, idx, 10))


def test_sampling_follows_softmax_of_scaled_logits():
    logits = torch.tensor([[2.0, 1.0, 0.0, -1.0]])
    generator = torch.Generator().manual_seed(0)
    draws = torch.cat(
        [next_token_from_logits(logits, 0.5, generator=generator) for _ in range(20000)]
    )
    freq = torch.bincount(draws.flatten(), minlength=4).float() / 20000
    exact = torch.exp(logits[0] / 0.5) / torch.exp(logits[0] / 0.5).sum()
    assert torch.allclose(freq, exact, atol=0.015)


def test_top_k_never_leaves_the_k_best():
    logits = torch.tensor([[0.0, 3.0, 1.0, 2.5, -1.0]])
    generator = torch.Generator().manual_seed(0)
    draws = {int(next_token_from_logits(logits, 5.0, 2, generator)) for _ in range(500)}
    assert draws == {1, 3}


def test_stops_at_eos(model):
    idx = torch.tensor([[1, 2]])
    free = generate(model, idx, 8)
    eos = int(free[0, 4])  # make the third generated token the end-of-text id
    stopped = generate(model, idx, 8, eos_id=eos)
    first = (free[0, 2:] == eos).nonzero()[0].item() + 2
    assert torch.equal(stopped, free[:, : first + 1])


def test_long_prompt_is_cropped_from_the_left_with_one_notice():
    idx = torch.arange(20).unsqueeze(0)
    cropped, notice = crop_to_context(idx, 12)
    assert cropped.tolist() == [list(range(8, 20))]
    assert notice == "prompt has 20 tokens but the model's context is 12; keeping the last 12"
    short, notice = crop_to_context(idx[:, :5], 12)
    assert torch.equal(short, idx[:, :5]) and notice is None


def test_bad_settings_are_refused(model):
    with pytest.raises(ValueError, match="temperature must be >= 0"):
        generate(model, torch.tensor([[1]]), 1, temperature=-1)
    with pytest.raises(ValueError, match="top_k must be >= 1"):
        generate(model, torch.tensor([[1]]), 1, top_k=0)


def test_public_generate_is_the_function_whatever_was_imported_first():
    import subprocess
    import sys

    code = (
        "from studybuddy.engine.generate import KVCache\n"
        "from studybuddy.engine import generate\n"
        "import sys\n"
        "print(callable(generate), generate is sys.modules['studybuddy.engine.generate'].generate)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.split() == ["True", "True"]
