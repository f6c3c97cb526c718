"""The store's public face: record attempts, answer the questions the app asks.

One Store per process and database; its methods are safe to call from worker threads. Every
method either succeeds or raises StoreError with a sentence for the learner. Its methods live in
one module per section: learners, recording, history, group and admin (the database itself).
"""

from __future__ import annotations

import threading

from studybuddy.store.admin import Admin
from studybuddy.store.db import display_name, writer
from studybuddy.store.errors import StoreError
from studybuddy.store.group import Group
from studybuddy.store.history import History
from studybuddy.store.opening import open_database
from studybuddy.store.recording import PendingAttempt, Recording


class Store(Recording, History, Group, Admin):
    def __init__(self, target: str, *, busy_timeout: float = 5.0) -> None:
        self.target = target
        self.location = display_name(target)
        self.engine = open_database(target, busy_timeout=busy_timeout)
        self._writer = writer(self.engine)
        self._learner_ids: dict[str, int] = {}
        self._unsaved: list[PendingAttempt] = []
        self._lock = threading.Lock()  # the learner id cache
        # one attempt at a time from this Store, so a queue kept during a lock stays in order
        self._saving = threading.RLock()

    def close(self) -> None:
        """Release the database, after one more try at saving attempts kept while it was
        locked (check `unsaved` first to warn the learner: close() itself never raises)."""
        if self._unsaved:
            try:
                self.flush()
            except StoreError:
                pass
        self.engine.dispose()
