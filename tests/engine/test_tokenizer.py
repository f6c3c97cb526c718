"""GPT-2's tokenizer, built offline from data/gpt2.tiktoken."""

from __future__ import annotations

import subprocess
import sys

import pytest

from studybuddy.engine.errors import EngineError
from studybuddy.engine.tokenizer import _check_bpe_file, bpe_path, decode, encode, get_tokenizer

BOOK_TEXT = "Hello, do you like tea? <|endoftext|> In the sunlit terraces of someunknownPlace."
# The ids the book prints for this text (ch. 2, with allowed_special={"<|endoftext|>"}).
BOOK_IDS = [15496, 11, 466, 345, 588, 8887, 30, 220, 50256, 554, 262, 4252, 18250, 8812, 2114,
            286, 617, 34680, 27271, 13]  # fmt: skip


def test_book_example_ids():
    assert get_tokenizer().encode(BOOK_TEXT, allowed_special={"<|endoftext|>"}) == BOOK_IDS
    assert encode(BOOK_TEXT) == BOOK_IDS


def test_decode_round_trips_and_vocabulary_size():
    assert decode(BOOK_IDS) == BOOK_TEXT
    assert get_tokenizer().n_vocab == 50257
    assert get_tokenizer().eot_token == 50256


def test_unknown_word_splits_into_known_pieces():
    # BPE never fails on a new word: "Akwirw ier" is the book's example of subword pieces.
    ids = encode("Akwirw ier")
    assert len(ids) > 2
    assert decode(ids) == "Akwirw ier"


def test_shipped_ranks_pass_the_hash_check():
    _check_bpe_file(bpe_path())  # raises if the shipped file differs from r50k_base


def test_damaged_ranks_are_refused(tmp_path):
    damaged = tmp_path / "gpt2.tiktoken"
    damaged.write_bytes(bpe_path().read_bytes()[:-10])
    with pytest.raises(EngineError, match="sha256 is .* expected 306cd27f"):
        _check_bpe_file(damaged)
    with pytest.raises(EngineError, match="not found"):
        _check_bpe_file(tmp_path / "missing.tiktoken")


def test_tokenizer_works_without_building_a_model():
    code = (
        "import gc, torch\nfrom studybuddy.engine import get_tokenizer\n"
        "assert get_tokenizer().encode('hi') == [5303]\n"
        "print(sum(isinstance(o, torch.nn.Module) for o in gc.get_objects()))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "0"
