"""Answers the database would not take when the app had to close, kept in a file until saved.

`Store.close()` writes any answers still unsaved (a full disk, a server that went away, a
replaced file) to a recovery file; the next Store opened on the same database saves them and
removes the file. The file sits beside an SQLite database (`progress.sqlite3.unsaved.json`), or
in the user's data folder for a server database; if that place cannot be written either (the
disk that was full), the temporary folder takes it. The file is read as untrusted input: each
entry is validated, and one that fails is kept in the file rather than guessed at.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import tempfile
from collections.abc import Sequence
from datetime import datetime
from pathlib import Path

from fsrs import Rating
from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, ValidationError

from studybuddy.locations import user_data_dir
from studybuddy.private_files import write_private
from studybuddy.store.db import display_name, sqlite_path
from studybuddy.store.recording import PendingAttempt

FORMAT = "studybuddy-unsaved/1"
MAX_BYTES = 50_000_000


class _Entry(BaseModel):
    model_config = ConfigDict(extra="forbid", allow_inf_nan=False)

    learner: str = Field(min_length=1, max_length=64)
    question_id: str = Field(min_length=1, max_length=200)
    bank_id: str = Field(max_length=200)
    bank_version: int
    answer: str = Field(max_length=100_000)
    correct: bool
    score: float = Field(ge=0, le=1)
    seconds: float = Field(ge=0)
    mode: str = Field(max_length=40)
    rating: int | None = Field(None, ge=1, le=4)
    at: AwareDatetime


def candidates(target: str) -> list[Path]:
    """Where a recovery file for `target` may be, in the order they are tried for writing."""
    key = hashlib.sha256(display_name(target).encode()).hexdigest()[:16]
    name = f"studybuddy-unsaved-{key}.json"
    places = [user_data_dir() / name, Path(tempfile.gettempdir()) / name]
    path = sqlite_path(target)
    if path is not None:
        places.insert(0, path.with_name(path.name + ".unsaved.json"))
    return places


def _entry(item: PendingAttempt) -> dict[str, object]:
    return {
        "learner": item.learner,
        "question_id": item.question_id,
        "bank_id": item.bank_id,
        "bank_version": item.bank_version,
        "answer": item.answer,
        "correct": item.correct,
        "score": item.score,
        "seconds": item.seconds,
        "mode": item.mode,
        "rating": None if item.rating is None else int(item.rating),
        "at": item.at.isoformat(),
    }


def _pending(entry: _Entry) -> PendingAttempt:
    return PendingAttempt(
        learner=entry.learner,
        question_id=entry.question_id,
        bank_id=entry.bank_id,
        bank_version=entry.bank_version,
        answer=entry.answer,
        correct=entry.correct,
        score=entry.score,
        seconds=entry.seconds,
        mode=entry.mode,
        rating=None if entry.rating is None else Rating(entry.rating),
        at=entry.at,
    )


def _read_entries(path: Path) -> list[object]:
    try:
        if path.stat().st_size > MAX_BYTES:
            return []
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return []
    if not isinstance(data, dict) or data.get("format") != FORMAT:
        return []
    entries = data.get("answers")
    return entries if isinstance(entries, list) else []


def load(target: str) -> tuple[list[PendingAttempt], list[Path], list[object]]:
    """The answers waiting in recovery files for `target`: (valid ones oldest first, the
    files they came from, entries that failed validation and must be kept)."""
    found: list[tuple[datetime, PendingAttempt]] = []
    files, invalid = [], []
    for path in candidates(target):
        # claimed by renaming first: two processes opening at once must not both save them
        claimed = path.with_name(f"{path.name}.claimed-{os.getpid()}")
        try:
            os.replace(path, claimed)
        except OSError:  # none there, or another process took it
            continue
        files.append(claimed)
        for raw in _read_entries(claimed):
            try:
                entry = _Entry.model_validate(raw)
            except ValidationError:
                invalid.append(raw)
                continue
            found.append((entry.at, _pending(entry)))
    found.sort(key=lambda pair: pair[0])
    return [item for _, item in found], files, invalid


def write(target: str, items: list[PendingAttempt], keep: Sequence[object] = ()) -> Path | None:
    """Write `items` (and entries kept as they were) to the first place that takes them;
    returns that file, or None if no place could be written."""
    payload = json.dumps(
        {"format": FORMAT, "answers": [*keep, *(_entry(item) for item in items)]}, indent=1
    )
    for path in candidates(target):
        try:
            write_private(path, payload)
        except OSError:  # a full disk or a read-only folder: try the next place
            continue
        for other in candidates(target):  # one file holds them all now
            if other != path:
                with contextlib.suppress(OSError):
                    other.unlink(missing_ok=True)
        return path
    return None


def remove(files: list[Path]) -> None:
    for path in files:
        with contextlib.suppress(OSError):
            path.unlink(missing_ok=True)


def release(files: list[Path]) -> None:
    """Give claimed files their names back (nothing better could be written)."""
    for claimed in files:
        original = claimed.with_name(claimed.name.rsplit(".claimed-", 1)[0])
        with contextlib.suppress(OSError):
            os.replace(claimed, original)


def _key(item: PendingAttempt) -> str:
    return json.dumps(_entry(item), sort_keys=True)


def keep(target: str, items: list[PendingAttempt]) -> Path | None:
    """Add `items` to the recovery file of `target` (merged with what is there already, each
    answer once); returns the file, or None when no place could be written."""
    older, files, invalid = load(target)
    ours = {_key(item) for item in items}
    merged = [item for item in older if _key(item) not in ours] + list(items)
    path = write(target, merged, keep=invalid)
    if path is None:
        release(files)
    else:
        remove(files)
    return path
