"""Remembering an unfinished study set so the learner can pick it up after quitting."""

from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path

from studybuddy.study.sets import StudySet


class ResumeStore:
    """One small JSON file per (database, learner) in the user's data folder.

    Kept beside, not inside, the progress database: it is a convenience that may be lost without
    harm, and writing it must never contend with attempts being committed.
    """

    def __init__(self, folder: Path, database: str) -> None:
        self.folder = folder
        self._db_tag = hashlib.sha1(database.encode()).hexdigest()[:10]

    def _path(self, learner: str) -> Path:
        learner_tag = hashlib.sha1(learner.encode()).hexdigest()[:10]
        return self.folder / "resume" / f"{self._db_tag}-{learner_tag}.json"

    def save(self, learner: str, study: StudySet) -> None:
        path = self._path(learner)
        path.parent.mkdir(parents=True, exist_ok=True)
        temporary = path.with_suffix(".tmp")
        temporary.write_text(json.dumps({"learner": learner, "set": study.to_dict()}))
        os.replace(temporary, path)  # atomic: a crash leaves the old file or the new, never half

    def load(self, learner: str) -> StudySet | None:
        path = self._path(learner)
        try:
            data = json.loads(path.read_text())
            study = StudySet.from_dict(data["set"])
        except (OSError, ValueError, KeyError, TypeError):
            return None
        return None if study.finished else study

    def clear(self, learner: str) -> None:
        self._path(learner).unlink(missing_ok=True)
