"""Tokens, windows and embeddings against tiktoken, the book's figures and hand arithmetic."""

from __future__ import annotations

import pytest

from studybuddy.demos import DemoError, run_demo


@pytest.fixture(scope="module")
def tiktoken_gpt2():
    """GPT-2's encoding made directly with tiktoken from the shipped ranks file."""
    import tiktoken
    import tiktoken.load
    from tiktoken_ext.openai_public import r50k_pat_str

    from studybuddy.locations import data_dir

    ranks = tiktoken.load.load_tiktoken_bpe(str(data_dir() / "gpt2.tiktoken"))
    return tiktoken.Encoding(
        name="gpt2-for-tests",
        pat_str=r50k_pat_str,
        mergeable_ranks=ranks,
        special_tokens={"<|endoftext|>": 50256},
    )


BOOK_TEXT = "Hello, do you like tea? <|endoftext|> In the sunlit terraces of someunknownPlace."
# The ids the book prints for this text (ch. 2).
BOOK_IDS = [
    15496,
    11,
    466,
    345,
    588,
    8887,
    30,
    220,
    50256,
    554,
    262,
    4252,
    18250,
    8812,
    2114,
    286,
    617,
    34680,
    27271,
    13,
]


def test_bpe_ids_match_the_book_and_tiktoken(tiktoken_gpt2):
    result = run_demo("bpe-tokens", {"text": BOOK_TEXT})
    assert result.values["ids"] == BOOK_IDS
    assert result.values["ids"] == tiktoken_gpt2.encode(BOOK_TEXT, allowed_special="all")
    assert result.values["roundtrip_equal"] is True
    assert any("50256" in note for note in result.notes)


@pytest.mark.parametrize(
    "text",
    [
        "Akwirw ier",
        "Tokenization splits unfamiliar words like Akwirw ier into pieces.",
        "  spaces\tand\nnewlines  ",
        "naïve café 東京 🙂",
        "x",
    ],
)
def test_per_word_pieces_add_up_to_the_whole_encoding(text, tiktoken_gpt2):
    result = run_demo("bpe-tokens", {"text": text})
    assert result.values["ids"] == tiktoken_gpt2.encode(text)
    pieces = [i for chunk in result.values["chunks"] for i in chunk["ids"]]
    assert pieces == result.values["ids"]
    assert "".join(chunk["chunk"] for chunk in result.values["chunks"]) == text


def test_unknown_words_become_sub_words():
    result = run_demo("bpe-tokens", {"text": "Akwirw ier"})
    assert result.values["ids"] == [33901, 86, 343, 86, 220, 959]  # the book's example
    assert "Akwirw" in result.values["split_words"]


@pytest.mark.parametrize(("max_length", "stride"), [(4, 1), (4, 4), (4, 6), (1, 1), (8, 3)])
def test_sliding_window_pairs(max_length, stride):
    text = "In the heart of the city stood the old library, a relic from a bygone era."
    result = run_demo("sliding-window", {"text": text, "max_length": max_length, "stride": stride})
    ids = result.values["token_ids"]
    n = len(ids)
    expected_windows = (n - max_length - 1) // stride + 1
    assert result.values["num_windows"] == expected_windows
    for k, (window, target) in enumerate(
        zip(result.values["inputs"], result.values["targets"], strict=True)
    ):
        start = k * stride
        assert window == ids[start : start + max_length]
        assert target == ids[start + 1 : start + max_length + 1]
    assert result.values["overlap"] == max(0, max_length - stride)


def test_sliding_window_refuses_too_short_text_in_one_line():
    with pytest.raises(DemoError, match="need at least max_length \\+ 1"):
        run_demo("sliding-window", {"text": "Hi", "max_length": 8})


def test_embeddings_shapes_parameters_and_repeated_tokens():
    result = run_demo("embeddings", {"num_tokens": 16, "output_dim": 768})
    shapes = result.values["shapes"]
    assert shapes["token_ids"] == [1, 16]
    assert shapes["token_embeddings"] == [1, 16, 768]
    assert shapes["positional_embeddings"] == [16, 768]
    assert shapes["input_embeddings"] == [1, 16, 768]
    assert result.values["token_table_parameters"] == 50257 * 768 == 38_597_376
    ids = result.values["token_ids"]
    tok, pos, total = (
        result.values[k] for k in ("token_embeddings", "positional_embeddings", "input_embeddings")
    )
    for i in range(16):
        assert total[i] == pytest.approx([a + b for a, b in zip(tok[i], pos[i], strict=True)])
    # the same token id looks up the same row, wherever it stands
    first, second = [i for i, t in enumerate(ids) if ids.count(t) > 1][:2]
    repeated = [i for i, t in enumerate(ids) if t == ids[first]]
    assert tok[repeated[0]] == tok[repeated[1]]
    assert total[repeated[0]] != total[repeated[1]]


def test_embeddings_refuses_more_tokens_than_the_text_has():
    with pytest.raises(DemoError, match="the text has 2 tokens"):
        run_demo("embeddings", {"num_tokens": 5, "text": "Hello world"})


def test_neighbours_are_the_highest_cosines(stand_in_model):
    import torch

    result = run_demo("embedding-neighbours", {"word": "model", "k": 5})
    table = stand_in_model.tok_emb.weight.detach()
    (query_id,) = result.values["query_ids"]
    cosines = torch.nn.functional.cosine_similarity(table, table[query_id].unsqueeze(0), dim=1)
    cosines[query_id] = -2  # the word itself is not its own neighbour
    best = torch.topk(cosines, 5)
    assert [n["id"] for n in result.values["neighbours"]] == best.indices.tolist()
    assert [n["cosine"] for n in result.values["neighbours"]] == pytest.approx(
        best.values.tolist(), abs=1e-5
    )


def test_a_word_of_several_tokens_uses_their_mean(stand_in_model):
    result = run_demo("embedding-neighbours", {"word": "Akwirw"})
    assert len(result.values["query_ids"]) > 1
    assert any("mean of" in note for note in result.notes)
