"""The store's public face: record attempts, answer the questions the app asks.

One Store per process and database; its methods are safe to call from worker threads. Every
method either succeeds or raises StoreError with a sentence for the learner. Its methods live in
one module per section: learners, recording, history, group and admin (the database itself).
"""

from __future__ import annotations

import threading
from pathlib import Path

from studybuddy.store import recovery
from studybuddy.store.admin import Admin
from studybuddy.store.db import display_name, sqlite_path, writer
from studybuddy.store.errors import StoreError
from studybuddy.store.group import Group
from studybuddy.store.history import History
from studybuddy.store.opening import open_database
from studybuddy.store.recording import PendingAttempt, Recording


class Store(Recording, History, Group, Admin):
    def __init__(self, target: str, *, busy_timeout: float = 5.0, read_only: bool = False) -> None:
        """`read_only`: for commands that only look; nothing is created, migrated or written
        (answers a previous run left in a recovery file wait for a Store that may write)."""
        self.target = target
        self.location = display_name(target)
        self.engine = open_database(target, busy_timeout=busy_timeout, read_only=read_only)
        self._writer = writer(self.engine)
        self._learner_ids: dict[str, int] = {}
        self._unsaved: list[PendingAttempt] = []
        self._lock = threading.Lock()  # the learner id cache
        # one attempt at a time from this Store, so a queue kept during a lock stays in order
        self._saving = threading.RLock()
        path = sqlite_path(target)
        stat = path.stat() if path is not None and path.exists() else None
        self._file_identity = (path, (stat.st_dev, stat.st_ino)) if path and stat else None
        self.recovery_file: Path | None = None  # where close() put answers it could not save
        self.recovered = 0 if read_only else self._save_recovered()

    def _save_recovered(self) -> int:
        """Save answers a previous run left in a recovery file; returns how many were saved.
        Whatever still fails stays in memory (and goes back to the file on close)."""
        items, files, invalid = recovery.load(self.target)
        if not files:
            return 0
        self._unsaved.extend(items)
        try:
            self.flush()
        except StoreError:
            pass
        if self._unsaved or invalid:
            # back on disk at once (a crash before close() must not lose them); an entry
            # that failed validation is kept as written, for a person to look at
            if recovery.write(self.target, list(self._unsaved), keep=invalid) is None:
                recovery.release(files)
                return len(items) - len(self._unsaved)
        recovery.remove(files)
        return len(items) - len(self._unsaved)

    def close(self) -> None:
        """Release the database, after one more try at saving attempts it would not take;
        what still fails goes to a recovery file (`recovery_file`), saved on the next open.
        close() itself never raises: check `unsaved` first to warn the learner."""
        if self._unsaved:
            try:
                self.flush()
            except StoreError:
                pass
        if self._unsaved:
            self.recovery_file = recovery.keep(self.target, list(self._unsaved))
        self.engine.dispose()
