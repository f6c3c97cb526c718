from __future__ import annotations

from pathlib import Path

import pytest

from studybuddy.tui.app import make_app

FIXTURE_BANKS = Path(__file__).parent / "fixtures" / "banks"


@pytest.fixture(autouse=True)
def no_model_preload(monkeypatch):
    """The app's half-gigabyte SmolLM2 load stays out of TUI tests (test_model_loading fakes
    it), so workers finish at once and snapshots do not depend on it."""
    from studybuddy.tui.app import StudyBuddyApp

    monkeypatch.setattr(StudyBuddyApp, "PRELOAD_MODEL", False)


@pytest.fixture
def database(tmp_path) -> str:
    return str(tmp_path / "tui.sqlite3")


@pytest.fixture
def app_factory(database):
    """Build the app the way the CLI does, on the fixture bank and a temporary database."""

    def build(profile: str = "ada", banks_dir: Path = FIXTURE_BANKS):
        return make_app(database=database, profile=profile, banks_dir=banks_dir)

    return build
