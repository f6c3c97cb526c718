"""Where StudyBuddy keeps and finds things: the user's database, the bundled banks and data.

Every path the app touches is decided here, so tests can redirect all of them with environment
variables and nothing else needs to know whether we run from a checkout or an installed wheel.
"""

from __future__ import annotations

import os
from pathlib import Path

APP_NAME = "studybuddy"
DB_ENV = "STUDYBUDDY_DB"
DATA_DIR_ENV = "STUDYBUDDY_DATA_DIR"
BANKS_ENV = "STUDYBUDDY_BANKS"
CACHE_DIR_ENV = "STUDYBUDDY_CACHE_DIR"

_PACKAGE_DIR = Path(__file__).resolve().parent


def _bundled(name: str) -> Path:
    """A shared top-level folder: inside the package in a wheel, beside it in a checkout."""
    in_wheel = _PACKAGE_DIR / "_bundled" / name
    if in_wheel.is_dir():
        return in_wheel
    return _PACKAGE_DIR.parent / name


def question_banks_dir() -> Path:
    """The folder of bundled question banks (overridable for tests and bank authors)."""
    override = os.environ.get(BANKS_ENV)
    return Path(override) if override else _bundled("question_banks")


def data_dir() -> Path:
    """The shipped data: BPE ranks, training corpus, the trained checkpoint."""
    return _bundled("data")


def user_data_dir() -> Path:
    """Per-user writable folder (XDG_DATA_HOME/studybuddy by default)."""
    override = os.environ.get(DATA_DIR_ENV)
    if override:
        return Path(override)
    xdg = os.environ.get("XDG_DATA_HOME")
    base = Path(xdg) if xdg else Path.home() / ".local" / "share"
    return base / APP_NAME


def reports_dir() -> Path:
    """Where the TUI writes the reports it exports (the CLI writes where it is told)."""
    return user_data_dir() / "reports"


def default_database() -> str:
    """The database the app opens when no --db flag is given: $STUDYBUDDY_DB or the user's file.

    Returns a path or an SQLAlchemy URL, as the user wrote it; the store decides which it is.
    """
    return os.environ.get(DB_ENV) or str(user_data_dir() / "progress.sqlite3")


def tiktoken_cache_dir() -> Path:
    """tiktoken copies even local BPE files into a cache; keep it in our own folder, not /tmp."""
    return Path(os.environ.get("TIKTOKEN_CACHE_DIR") or user_data_dir() / "tiktoken-cache")


def user_cache_dir() -> Path:
    """Per-user folder for things rebuilt from other files on demand (XDG_CACHE_HOME/studybuddy):
    deleting it loses nothing but time."""
    override = os.environ.get(CACHE_DIR_ENV)
    if override:
        return Path(override)
    xdg = os.environ.get("XDG_CACHE_HOME")
    base = Path(xdg) if xdg else Path.home() / ".cache"
    return base / APP_NAME
