"""Each test gets its own data folder and database; the real user files are never touched."""

from __future__ import annotations

import pytest


@pytest.fixture(scope="session")
def shared_cache_dir(tmp_path_factory):
    """One cache folder for the whole run: what lands there (SmolLM2's converted copy) is
    rebuilt from installed files, so tests may share it, and it takes 10 s to build."""
    return tmp_path_factory.mktemp("user-cache")


@pytest.fixture(autouse=True)
def isolated_user_data(tmp_path_factory, monkeypatch, shared_cache_dir):
    monkeypatch.setenv("STUDYBUDDY_CACHE_DIR", str(shared_cache_dir))
    home = tmp_path_factory.mktemp("user-data")
    monkeypatch.setenv("STUDYBUDDY_DATA_DIR", str(home))
    monkeypatch.setenv("STUDYBUDDY_DB", str(home / "progress.sqlite3"))
    monkeypatch.setenv("TIKTOKEN_CACHE_DIR", str(home / "tiktoken-cache"))
    monkeypatch.delenv("STUDYBUDDY_BANKS", raising=False)
    return home
