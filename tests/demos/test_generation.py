"""Next-token, temperature and top-k: on hand-made logits, on a stand-in model, and on the
shipped model once it exists."""

from __future__ import annotations

import math

import pytest

from studybuddy.demos import run_demo
from studybuddy.demos.generation import temperature_probabilities, top_k_probabilities


def _softmax(xs):
    top = max(xs)
    exps = [math.exp(x - top) for x in xs]
    return [e / sum(exps) for e in exps]


def test_temperature_towards_zero_approaches_argmax():
    import torch

    logits = torch.tensor([2.0, 1.0, 0.5, -1.0])
    p_top = []
    for t in (5.0, 1.0, 0.5, 0.1, 0.01):
        probs = temperature_probabilities(logits, t)
        assert probs.tolist() == pytest.approx(_softmax([x / t for x in logits.tolist()]))
        p_top.append(float(probs[0]))
    assert p_top == sorted(p_top)  # colder, more peaked
    assert p_top[-1] > 0.999999
    assert float(temperature_probabilities(logits, 1000.0).min()) > 0.24  # nearly uniform


@pytest.mark.parametrize("k", [1, 2, 3, 5])
def test_top_k_keeps_what_the_engine_can_sample_ties_included(k):
    import torch

    from studybuddy.engine.generate import next_token_from_logits

    logits = torch.tensor([1.0, 3.0, 3.0, 3.0, 0.5, -2.0])
    probs = top_k_probabilities(logits, k)
    assert float(probs.sum()) == pytest.approx(1.0)
    # The engine's sampler, many times: the ids it ever returns are the ones kept here.
    generator = torch.Generator().manual_seed(0)
    drawn = {int(next_token_from_logits(logits[None], 1.0, k, generator)) for _ in range(300)}
    assert drawn == {int(i) for i in torch.nonzero(probs > 0)}
    # By hand: the three 3.0s tie, so any k up to 3 keeps all three; k = 5 adds 1.0 and 0.5.
    expected = {1, 2, 3} if k <= 3 else {0, 1, 2, 3, 4}
    assert drawn == expected


def test_top_k_on_the_issue_example_keeps_four_of_five():
    import torch

    probs = top_k_probabilities(torch.tensor([3.0, 2.0, 2.0, 2.0, 1.0]), 2)
    assert int((probs > 0).sum()) == 4
    assert probs.tolist() == pytest.approx(_softmax([3.0, 2.0, 2.0, 2.0]) + [0.0])


def test_book_vocabulary_reproduces_the_books_figures():
    import torch

    from studybuddy.demos.generation import BOOK_LOGITS

    result = run_demo("temperature", {})  # book vocabulary, T = 1, 0.1, 5, seed 123
    t1, cold, hot = result.values["by_temperature"]
    # the book's loop: torch.manual_seed(123), then 1,000 single multinomial draws
    for row in (t1, cold, hot):
        probs = torch.softmax(torch.tensor(BOOK_LOGITS) / row["temperature"], dim=0)
        torch.manual_seed(123)
        loop = [int(torch.multinomial(probs, num_samples=1)) for _ in range(1000)]
        assert row["counts"] == torch.bincount(torch.tensor(loop), minlength=9).tolist()
        assert row["probabilities"] == pytest.approx(probs.tolist(), rel=1e-5)
    assert t1["counts"] == [73, 0, 0, 582, 2, 0, 0, 343, 0]  # the book's printout
    assert hot["counts"][6] > 0 == cold["counts"][6]  # "pizza" only when hot
    top = run_demo("top-k", {"k": 3})
    assert top.values["probabilities"] == pytest.approx(
        [0.0615, 0, 0, 0.5775, 0, 0, 0, 0.3610, 0], abs=1e-4
    )  # the book's top-3 probabilities


def test_a_prompt_needs_the_model_vocabulary():
    from studybuddy.demos import DemoError

    with pytest.raises(DemoError, match="a prompt needs vocab = 'model'"):
        run_demo("temperature", {"prompt": "Hello"})
    with pytest.raises(DemoError, match="give logits exactly when vocab is 'custom'"):
        run_demo("top-k", {"vocab": "custom"})


def test_next_token_is_greedy_generation_on_the_engine(stand_in_model):
    import torch

    from studybuddy.engine.generate import generate
    from studybuddy.engine.tokenizer import encode

    result = run_demo("next-token", {"prompt": "Every effort moves you", "steps": 6})
    prompt = encode("Every effort moves you")
    out = generate(stand_in_model, torch.tensor([prompt]), max_new_tokens=6)
    assert result.values["generated_ids"] == out[0, len(prompt) :].tolist()
    first = result.values["steps"][0]
    with torch.no_grad():
        logits = stand_in_model(torch.tensor([prompt]))[0, -1]
    expected = torch.topk(torch.softmax(logits, dim=-1), 5)
    assert first["top_ids"] == expected.indices.tolist()
    assert first["top_probs"] == pytest.approx(expected.values.tolist(), rel=1e-5)
    for step in result.values["steps"]:
        assert step["chosen"] == step["top_ids"][0]
        assert step["prob_sum"] == pytest.approx(1.0, abs=1e-5)


def test_sampled_frequencies_approach_the_probabilities(stand_in_model):
    result = run_demo(
        "temperature", {"vocab": "model", "temperatures": [0.01, 1.0], "draws": 10_000}
    )
    cold, warm = result.values["by_temperature"]
    assert cold["p_argmax"] > warm["p_argmax"]
    for t in (cold, warm):
        assert t["frequencies"] == pytest.approx(t["probabilities"], abs=0.02)
        assert t["freq_others"] == pytest.approx(t["p_others"], abs=0.03)


def test_top_k_demo_keeps_the_k_best_tokens_of_the_model(stand_in_model):
    import torch

    from studybuddy.engine.tokenizer import encode

    result = run_demo("top-k", {"vocab": "model", "k": 4, "prompt": "Every effort moves you"})
    assert result.values["nonzero_count"] == 4
    assert result.values["zero_count"] == 50257 - 4
    assert result.values["draws_outside_top_k"] == 0
    with torch.no_grad():
        logits = stand_in_model(torch.tensor([encode("Every effort moves you")]))[0, -1]
    best = torch.topk(logits, 4)
    assert result.values["kept_ids"] == best.indices.tolist()
    assert result.values["kept_probabilities"] == pytest.approx(
        _softmax(best.values.tolist()), rel=1e-5
    )


def test_on_the_shipped_model_greedy_matches_generate(shipped_model):
    import torch

    from studybuddy.engine.generate import generate
    from studybuddy.engine.tokenizer import encode

    result = run_demo(
        "next-token", {"prompt": "The transformer is", "steps": 5, "model": "gpt-study"}
    )
    prompt = encode("The transformer is")
    out = generate(shipped_model, torch.tensor([prompt]), max_new_tokens=5)
    assert result.values["generated_ids"] == out[0, len(prompt) :].tolist()


def test_on_the_shipped_model_cold_sampling_is_nearly_greedy(shipped_model):
    result = run_demo(
        "temperature",
        {"vocab": "model", "temperatures": [0.01, 1.0, 5.0], "draws": 2000, "model": "gpt-study"},
    )
    cold, normal, hot = result.values["by_temperature"]
    assert cold["p_argmax"] > normal["p_argmax"] > hot["p_argmax"]
    assert cold["entropy"] < normal["entropy"] < hot["entropy"]
    import torch

    from studybuddy.engine.tokenizer import encode

    with torch.no_grad():
        logits = shipped_model(torch.tensor([encode("Every effort moves you")]))[0, -1].double()
    shown = result.values["token_ids"]
    for t in (cold, normal, hot):
        expected = torch.softmax(logits / t["temperature"], dim=0)[shown]
        assert t["probabilities"] == pytest.approx(expected.tolist(), rel=1e-3, abs=1e-7)
    # at T = 0.01 a token 0.2 below the top logit is e^-20 times less likely than the top one
    assert float(torch.softmax(logits / 0.01, dim=0)[logits < logits.max() - 0.2].sum()) < 1e-3
    assert cold["freq_argmax"] == pytest.approx(cold["p_argmax"], abs=0.05)
    assert hot["distinct_tokens_sampled"] > normal["distinct_tokens_sampled"]
    top = run_demo("top-k", {"vocab": "model", "k": 7, "model": "gpt-study"})
    assert top.values["nonzero_count"] == 7


def test_a_prompt_longer_than_the_context_is_cropped_from_the_left(stand_in_model):
    result = run_demo("next-token", {"prompt": "🙂" * 100, "steps": 20})
    context = stand_in_model.cfg.context_length
    assert len(result.values["prompt_ids"]) == context - 20
    assert len(result.values["generated_ids"]) == 20
    assert any("only its last" in note for note in result.notes)
