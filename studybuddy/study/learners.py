"""Who is studying: the learner last chosen for a database, remembered between runs (no UI).

Every command that acts for a learner (the TUI, reports, quiz night) starts from
`default_learner`, so none of them invents a name: it is the learner last chosen on this
database, else the only learner it holds, else nobody (the TUI then asks for a name, the CLI
asks for --profile).
"""

from __future__ import annotations

import json
import os
from collections.abc import Sequence
from pathlib import Path

from studybuddy.locations import user_data_dir

LAST_LEARNER_FILE = "last-learner.json"


class LastLearner:
    """The learner last chosen on each database, in one small JSON file in the data folder.

    Kept beside the databases rather than inside one: the choice is a convenience of this
    user's account, and it may be lost without harm.
    """

    def __init__(self, folder: Path | None = None) -> None:
        self.path = (folder or user_data_dir()) / LAST_LEARNER_FILE

    @staticmethod
    def _key(database: str) -> str:
        """The same database however it was written: a path made absolute, a URL as it is."""
        return database if "://" in database else str(Path(database).expanduser().resolve())

    def _read(self) -> dict[str, str]:
        try:
            data = json.loads(self.path.read_text())
        except (OSError, ValueError):
            return {}
        if not isinstance(data, dict):
            return {}
        return {str(k): v for k, v in data.items() if isinstance(v, str)}

    def get(self, database: str) -> str | None:
        return self._read().get(self._key(database))

    def remember(self, database: str, name: str) -> None:
        """Best effort: a read-only data folder costs the learner nothing but this memory."""
        data, key = self._read(), self._key(database)
        if data.get(key) == name:
            return
        data[key] = name
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            temporary = self.path.with_suffix(".tmp")
            temporary.write_text(json.dumps(data, indent=1, sort_keys=True))
            os.replace(temporary, self.path)
        except OSError:
            pass

    def renamed(self, database: str, old: str, new: str) -> None:
        if self.get(database) == old:
            self.remember(database, new)


def default_learner(names: Sequence[str], remembered: str | None) -> str | None:
    """The remembered learner if it still exists, else the only learner, else None."""
    if remembered is not None and remembered in names:
        return remembered
    if len(names) == 1:
        return names[0]
    return None
