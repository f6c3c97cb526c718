"""The Store's learners: profiles, their names and settings."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy.exc import IntegrityError

from studybuddy.store import queries, scheduling, transfer
from studybuddy.store.core import StoreCore, clean_name, guarded
from studybuddy.store.errors import StoreError
from studybuddy.store.records import (
    LearnerRecord,
    LearnerSettings,
)
from studybuddy.store.tables import Attempt, Learner, ReviewState, table

_A = table(Attempt).c
_C = table(ReviewState).c
_L = table(Learner).c


class Learners(StoreCore):
    @guarded
    def learners(self) -> list[LearnerRecord]:
        """Every profile in the database, by name."""
        with self.engine.connect() as connection:
            return queries.learner_records(connection)

    @guarded
    def learner(self, name: str) -> LearnerRecord:
        """One profile; a missing one is a StoreError listing those that exist."""
        with self.engine.connect() as connection:
            found = queries.learner_records(connection, clean_name(name))
            if found:
                return found[0]
            names = [r.name for r in queries.learner_records(connection)]
        listed = ", ".join(names) if names else "none yet"
        raise StoreError(f"no profile named {name!r} in {self.location} (profiles: {listed})")

    @guarded
    def add_learner(self, name: str) -> LearnerRecord:
        name = clean_name(name)
        try:
            with self._writer.begin() as connection:
                connection.execute(table(Learner).insert(), [{"name": name}])
        except IntegrityError as exc:
            raise StoreError(f"a profile named {name!r} already exists") from exc
        return self.learner(name)

    @guarded
    def rename_learner(self, old: str, new: str) -> LearnerRecord:
        self.learner(old)
        new = clean_name(new)
        try:
            with self._writer.begin() as connection:
                connection.execute(
                    table(Learner).update().where(_L.name == clean_name(old)).values(name=new)
                )
        except IntegrityError as exc:
            raise StoreError(f"a profile named {new!r} already exists") from exc
        self._forget(clean_name(old))
        return self.learner(new)

    @guarded
    def remove_learner(self, name: str, backup_dir: Path) -> Path:
        """Delete a profile and its history, after writing them to a JSON file in `backup_dir`.

        The backup is a `db import` file; it is written inside the deleting transaction, so
        nothing recorded in between can escape it. Returns the backup's path.
        """
        name = self.learner(name).name
        stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
        safe = "".join(ch if ch.isalnum() or ch in "-_." else "_" for ch in name)
        backup = backup_dir / f"profile-{safe}-{stamp}.json"
        with self._writer.begin() as connection:
            data = transfer.export_learners(connection, [name])
            transfer.write_json(data, backup, overwrite=False)
            learner_id = queries.learner_id(connection, name)
            if learner_id is None:
                raise StoreError(f"profile {name!r} was removed while in use")
            connection.execute(table(ReviewState).delete().where(_C.learner_id == learner_id))
            connection.execute(table(Attempt).delete().where(_A.learner_id == learner_id))
            connection.execute(table(Learner).delete().where(_L.id == learner_id))
        self._forget(name)
        return backup

    @guarded
    def settings(self, learner: str) -> LearnerSettings:
        """The learner's settings; a profile not created yet has the defaults."""
        with self.engine.connect() as connection:
            found = queries.learner_records(connection, clean_name(learner))
        if not found:
            return LearnerSettings(desired_retention=scheduling.DEFAULT_RETENTION)
        return LearnerSettings(desired_retention=found[0].desired_retention)

    @guarded
    def set_desired_retention(self, learner: str, retention: float) -> LearnerSettings:
        """From the next review on, fsrs spaces this learner's questions for `retention`."""
        low, high = scheduling.RETENTION_RANGE
        if not low <= retention <= high:
            raise StoreError(f"desired retention is between {low} and {high} (got {retention})")
        learner_id = self.learner_id(learner)
        with self._writer.begin() as connection:
            connection.execute(
                table(Learner)
                .update()
                .where(_L.id == learner_id)
                .values(desired_retention=retention)
            )
        return LearnerSettings(desired_retention=retention)
