"""Progress store: SQLModel tables on SQLite (or PostgreSQL), queries returning plain records."""

from studybuddy.store.db import StoreError, database_url, make_engine
from studybuddy.store.store import AttemptRecord, Store

__all__ = ["AttemptRecord", "Store", "StoreError", "database_url", "make_engine"]
