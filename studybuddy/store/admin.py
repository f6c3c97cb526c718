"""The Store's care of the database itself: integrity check, backup, JSON export and import."""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

from studybuddy.store import queries, transfer
from studybuddy.store.backup import backup_sqlite, integrity_check
from studybuddy.store.core import guarded
from studybuddy.store.db import (
    AdvisoryLock,
    hold_advisory_lock,
    sqlite_path,
)
from studybuddy.store.errors import StoreError
from studybuddy.store.learners import Learners
from studybuddy.store.migrations import database_version
from studybuddy.store.records import (
    DatabaseCheck,
    ImportSummary,
)


class Admin(Learners):
    @guarded
    def check(self) -> DatabaseCheck:
        """Integrity (SQLite's integrity_check), schema version and row counts."""
        path = sqlite_path(self.target)
        if path is not None:
            integrity = integrity_check(path)
        else:
            integrity = f"not checked ({self.backend} keeps its own consistency)"
        with self.engine.connect() as connection:
            version = database_version(connection)
            learners, attempts, review_states = queries.row_counts(connection)
        return DatabaseCheck(
            location=self.location,
            backend=self.backend,
            schema_version=version,
            integrity=integrity,
            learners=learners,
            attempts=attempts,
            review_states=review_states,
        )

    def backup(self, destination: Path, *, overwrite: bool = False) -> Path:
        """A copy of an SQLite database through SQLite's online backup (safe while in use)."""
        path = sqlite_path(self.target)
        if path is None:
            raise StoreError(
                f"`db backup` copies SQLite files; {self.location} is a {self.backend} "
                "database: use `studybuddy db export FILE.json` (or pg_dump) instead"
            )
        return backup_sqlite(path, destination, overwrite=overwrite)

    @guarded
    def export(self, learners: Iterable[str] | None = None) -> dict[str, Any]:
        """Every row of the named learners (all when None) as a JSON-ready export object."""
        names = None if learners is None else [self.learner(n).name for n in learners]
        with self.engine.connect() as connection:
            return transfer.export_learners(connection, names)

    def export_to(
        self, path: Path, learners: Iterable[str] | None = None, *, overwrite: bool = False
    ) -> dict[str, Any]:
        data = self.export(learners)
        transfer.write_json(data, path, overwrite=overwrite)
        return data

    @guarded
    def import_data(self, data: Mapping[str, Any] | transfer.ExportFile) -> ImportSummary:
        """Add the learners of an export; all or nothing, refused if a name is taken."""
        if not isinstance(data, transfer.ExportFile):
            data = transfer.parse_export(json.dumps(data), "import data")
        with self._writer.begin() as connection:
            # the learner name check and the inserts must not interleave with another import
            hold_advisory_lock(connection, AdvisoryLock.IMPORT)
            return transfer.import_learners(connection, data)

    def import_from(self, path: Path) -> ImportSummary:
        try:
            raw = path.read_bytes()
        except OSError as exc:
            raise StoreError(f"cannot read {path}: {exc.strerror}") from exc
        return self.import_data(transfer.parse_export(raw, str(path)))
