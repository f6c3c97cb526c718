"""The TUI must open without waiting for torch (1.5 s) or SQLModel (0.4 s)."""

from __future__ import annotations

import subprocess
import sys


def _modules_after(code: str) -> set[str]:
    out = subprocess.run(
        [sys.executable, "-c", code + "\nimport sys\nprint('\\n'.join(sys.modules))"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    return set(out.split())


def test_tui_and_cli_import_without_torch_or_sqlmodel():
    loaded = _modules_after(
        "import studybuddy.cli, studybuddy.tui.app, studybuddy.tui.screens.home,"
        " studybuddy.tui.screens.quiz, studybuddy.tui.screens.show_me, studybuddy.demos.registry\n"
        "studybuddy.demos.registry.all_demos()"
    )
    assert "textual.app" in loaded  # the probe really imported the TUI
    assert "torch" not in loaded
    assert "sqlmodel" not in loaded


def test_first_frame_needs_neither_the_bank_models_nor_the_store():
    # what runs before the first frame: the console script, the app and its home screen
    loaded = _modules_after(
        "import studybuddy.cli, studybuddy.tui.app, studybuddy.tui.screens.home"
    )
    assert "textual.app" in loaded
    for heavy in ("studybuddy.banks.models", "sqlmodel", "torch", "studybuddy.store"):
        assert heavy not in loaded, f"{heavy} is imported before the first frame"


def test_version_flag():
    from typer.testing import CliRunner

    from studybuddy import __version__
    from studybuddy.cli import app

    result = CliRunner().invoke(app, ["--version"])
    assert result.exit_code == 0
    assert result.output.strip() == f"studybuddy {__version__}"
