"""Each test gets its own data folder and database; the real user files are never touched."""

from __future__ import annotations

import pytest


@pytest.fixture(autouse=True)
def isolated_user_data(tmp_path_factory, monkeypatch):
    home = tmp_path_factory.mktemp("user-data")
    monkeypatch.setenv("STUDYBUDDY_DATA_DIR", str(home))
    monkeypatch.setenv("STUDYBUDDY_DB", str(home / "progress.sqlite3"))
    monkeypatch.setenv("TIKTOKEN_CACHE_DIR", str(home / "tiktoken-cache"))
    monkeypatch.delenv("STUDYBUDDY_BANKS", raising=False)
    return home
