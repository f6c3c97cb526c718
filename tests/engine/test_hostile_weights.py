"""Model files are hostile until checked: each bad one is one EngineError line naming the file,
and a config is bounded before any tensor is allocated."""

from __future__ import annotations

import json
import pickle
import resource

import pytest
import torch

from studybuddy.engine.checkpoint import (
    FORMAT,
    MAX_LAYERS,
    MAX_MODEL_NUMBERS,
    load_checkpoint,
    load_hf_gpt2,
)
from studybuddy.engine.config import GPTConfig
from studybuddy.engine.errors import EngineError

SMALL = GPTConfig(vocab_size=40, context_length=10, emb_dim=8, n_heads=2, n_layers=2)
HF_SMALL = {"n_embd": 8, "n_layer": 2, "n_head": 2, "n_positions": 10, "vocab_size": 40}


def _checkpoint(tmp_path, config):
    path = tmp_path / "m.pt"
    torch.save({"format": FORMAT, "config": config, "state_dict": {}, "metadata": {}}, path)
    return path


def _peak_kib() -> int:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss


@pytest.mark.parametrize(
    ("changes", "expected"),
    [
        ({"n_layers": 10_000}, f"10000 layers; at most {MAX_LAYERS}"),
        # 256 GB of token embeddings in fp32, asked for by a file of one kilobyte
        ({"vocab_size": 8_000_000, "emb_dim": 8192, "n_heads": 8}, "the config asks for"),
        ({"context_length": 1_000_000}, "the config asks for"),  # a million-squared mask
    ],
)
def test_an_oversized_config_is_refused_before_allocating(tmp_path, changes, expected):
    path = _checkpoint(tmp_path, {**SMALL.to_dict(), **changes})
    assert path.stat().st_size < 2048
    before = _peak_kib()
    with pytest.raises(EngineError, match=expected) as caught:
        load_checkpoint(path)
    assert str(caught.value).startswith(str(path))
    assert _peak_kib() - before < 200_000  # nothing near the size asked for was allocated


def test_the_largest_gpt2_fits_under_the_bound():
    from studybuddy.engine.checkpoint import check_size
    from studybuddy.engine.config import get_preset

    check_size(get_preset("gpt2-xl"), "gpt2-xl")  # 1.6 billion numbers: allowed
    assert MAX_MODEL_NUMBERS > 1_600_000_000


@pytest.mark.parametrize(
    "config",
    [
        {**SMALL.to_dict(), "n_layers": "2"},
        {**SMALL.to_dict(), "n_layers": 2.5},
        {**SMALL.to_dict(), "drop_rate": "high"},
        ["not", "a", "mapping"],
    ],
    ids=["string", "float", "bad-rate", "list"],
)
def test_a_config_of_the_wrong_types_is_one_line(tmp_path, config):
    path = _checkpoint(tmp_path, config)
    with pytest.raises(EngineError) as caught:
        load_checkpoint(path)
    assert str(caught.value).startswith(f"{path}: ")
    assert "\n" not in str(caught.value)


def test_a_checkpoint_without_tensors_is_refused(tmp_path):
    path = tmp_path / "m.pt"
    torch.save({"format": FORMAT, "config": SMALL.to_dict(), "state_dict": [1, 2]}, path)
    with pytest.raises(EngineError, match="not a mapping of tensors"):
        load_checkpoint(path)


class _RunsCode:
    def __reduce__(self):
        return (print, ("this must never run",))


def _hf_folder(tmp_path, config=HF_SMALL):
    folder = tmp_path / "gpt2"
    folder.mkdir()
    (folder / "config.json").write_text(json.dumps(config))
    return folder


def test_a_code_carrying_pickle_is_refused_not_run(tmp_path, capsys):
    folder = _hf_folder(tmp_path)
    (folder / "pytorch_model.bin").write_bytes(pickle.dumps({"wte.weight": _RunsCode()}))
    with pytest.raises(EngineError, match=r"pytorch_model\.bin: not readable weights"):
        load_hf_gpt2(folder)
    assert "must never run" not in capsys.readouterr().out


@pytest.mark.parametrize(
    "header",
    [
        b"\xff" * 8 + b"{}",
        (10**12).to_bytes(8, "little") + b"{}",
        b"\x04\x00\x00\x00\x00\x00\x00\x00[1]x",
    ],
    ids=["huge-length", "length-past-end", "not-an-object"],
)
def test_a_broken_safetensors_header_is_one_line(tmp_path, header):
    folder = _hf_folder(tmp_path)
    (folder / "model.safetensors").write_bytes(header)
    with pytest.raises(EngineError, match=r"model\.safetensors: not readable weights"):
        load_hf_gpt2(folder)


@pytest.mark.parametrize(
    "config_text",
    ["{not json", "[1, 2]", json.dumps({**HF_SMALL, "n_layer": "many"})],
    ids=["syntax", "list", "words"],
)
def test_a_bad_config_json_is_one_line(tmp_path, config_text):
    folder = tmp_path / "gpt2"
    folder.mkdir()
    (folder / "config.json").write_text(config_text)
    with pytest.raises(EngineError) as caught:
        load_hf_gpt2(folder)
    assert "config.json" in str(caught.value)


def test_an_oversized_hf_config_is_refused_before_reading_weights(tmp_path):
    folder = _hf_folder(tmp_path, {**HF_SMALL, "n_layer": 10_000})
    with pytest.raises(EngineError, match="10000 layers"):
        load_hf_gpt2(folder)
