"""Remembering unfinished study sets so the learner can pick them up after quitting."""

from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path

from studybuddy.study.sets import StudySet

MAX_OPEN_SETS = 8  # the oldest unfinished set beyond these is dropped


class ResumeStore:
    """One small JSON file per (database, learner) in the user's data folder, holding the
    learner's unfinished sets, one per set key (a chapter section, the review, …), newest first.

    Kept beside, not inside, the progress database: it is a convenience that may be lost without
    harm, and writing it must never contend with attempts being committed.
    """

    def __init__(self, folder: Path, database: str) -> None:
        self.folder = folder
        self._db_tag = hashlib.sha1(database.encode()).hexdigest()[:10]

    def _path(self, learner: str) -> Path:
        learner_tag = hashlib.sha1(learner.encode()).hexdigest()[:10]
        return self.folder / "resume" / f"{self._db_tag}-{learner_tag}.json"

    def _read(self, learner: str) -> list[StudySet]:
        try:
            data = json.loads(self._path(learner).read_text())
            saved = data["sets"] if "sets" in data else [data["set"]]  # "set": one, as before
            sets = [StudySet.from_dict(item) for item in saved]
        except (OSError, ValueError, KeyError, TypeError):
            return []
        return [study for study in sets if not study.finished]

    def _write(self, learner: str, sets: list[StudySet]) -> None:
        path = self._path(learner)
        if not sets:
            path.unlink(missing_ok=True)
            return
        path.parent.mkdir(parents=True, exist_ok=True)
        temporary = path.with_suffix(".tmp")
        payload = {"learner": learner, "sets": [study.to_dict() for study in sets]}
        temporary.write_text(json.dumps(payload))
        os.replace(temporary, path)  # atomic: a crash leaves the old file or the new, never half

    def save(self, learner: str, study: StudySet) -> None:
        """Keep `study` (newest first), replacing the set of the same key; a finished set is
        removed."""
        others = [s for s in self._read(learner) if s.resume_key != study.resume_key]
        kept = others if study.finished else [study, *others]
        self._write(learner, kept[:MAX_OPEN_SETS])

    def load_all(self, learner: str) -> list[StudySet]:
        """The learner's unfinished sets, the one touched last first."""
        return self._read(learner)

    def load(self, learner: str) -> StudySet | None:
        """The unfinished set touched last."""
        sets = self._read(learner)
        return sets[0] if sets else None

    def clear(self, learner: str, key: str | None = None) -> None:
        """Forget the set of `key`, or every set of the learner."""
        if key is None:
            self._path(learner).unlink(missing_ok=True)
        else:
            self._write(learner, [s for s in self._read(learner) if s.resume_key != key])
