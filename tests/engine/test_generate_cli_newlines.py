"""`engine generate` shows the newlines it generates as ↵ instead of blank lines; --raw keeps
them as they are."""

from __future__ import annotations

import pytest
from typer.testing import CliRunner

from studybuddy.engine.tokenizer import visible_newlines


def test_visible_newlines():
    assert visible_newlines("a\n\nb\r\nc") == "a↵↵b↵c"
    assert visible_newlines("no breaks") == "no breaks"


def test_generate_prints_one_line_with_visible_newlines():
    from studybuddy.cli import app
    from studybuddy.engine.pretrained import shipped_model_path

    if not shipped_model_path().is_file():
        pytest.skip("the trained model is not in data/model/ yet")
    args = ["engine", "generate", "Attention", "--max-new-tokens", "40"]
    raw = CliRunner().invoke(app, [*args, "--raw"])
    shown = CliRunner().invoke(app, args)
    assert raw.exit_code == 0 and shown.exit_code == 0, shown.output
    text = raw.output.removesuffix("\n")
    assert shown.output == text.replace("\n", "↵") + "\n"
    assert shown.output.count("\n") == 1
