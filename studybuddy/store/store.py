"""The store's public face: record attempts, answer the questions the app asks.

One Store per process and database; its methods are safe to call from worker threads. Every
method either succeeds or raises StoreError with a sentence for the learner.
"""

from __future__ import annotations

import functools
import json
import threading
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, tzinfo
from pathlib import Path
from typing import Any, ParamSpec, TypeVar

from fsrs import Rating
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session

from studybuddy.store import queries, scheduling, stats, transfer
from studybuddy.store.backup import backup_sqlite, integrity_check
from studybuddy.store.db import display_name, make_engine, sqlite_path, writer
from studybuddy.store.errors import StoreError, translated_errors
from studybuddy.store.fitted import scheduling_parameters
from studybuddy.store.migrations import database_version
from studybuddy.store.records import (
    Accuracy,
    AttemptRecord,
    ChapterMastery,
    DatabaseCheck,
    DayActivity,
    DueItem,
    ForecastDay,
    ImportSummary,
    LeaderboardRow,
    LearnerRecord,
    LearnerSettings,
    LearnerStats,
    QuestionInfo,
    QuestionResult,
    Scheduled,
    Streak,
    StudySession,
    TopicKind,
    WeakTopic,
)
from studybuddy.store.tables import Attempt, Learner, ReviewState

P = ParamSpec("P")
R = TypeVar("R")
_A = Attempt.__table__.c
_C = ReviewState.__table__.c
_L = Learner.__table__.c
MAX_NAME_LENGTH = 64


def _guarded(method: Callable[P, R]) -> Callable[P, R]:
    """Database failures inside a public method leave it as a StoreError naming the database."""

    @functools.wraps(method)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        with translated_errors(args[0].location):  # type: ignore[attr-defined]
            return method(*args, **kwargs)

    return wrapper


def clean_name(name: str) -> str:
    cleaned = name.strip()
    if not cleaned or len(cleaned) > MAX_NAME_LENGTH or not cleaned.isprintable():
        raise StoreError(
            f"a profile name is 1-{MAX_NAME_LENGTH} printable characters (got {name!r})"
        )
    return cleaned


def _aware(moment: datetime | None) -> datetime:
    if moment is None:
        return datetime.now(UTC)
    if moment.tzinfo is None:
        raise ValueError(f"a timezone-aware datetime (got naive {moment.isoformat()})")
    return moment


@dataclass(frozen=True, eq=False)  # identity: two identical answers are two attempts
class _PendingAttempt:
    learner: str
    question_id: str
    bank_id: str
    bank_version: int
    answer: str
    correct: bool
    score: float
    seconds: float
    mode: str
    rating: Rating | None
    at: datetime


class Store:
    def __init__(self, target: str, *, busy_timeout: float = 5.0) -> None:
        self.target = target
        self.location = display_name(target)
        self.engine = make_engine(target, busy_timeout=busy_timeout)
        self._writer = writer(self.engine)
        self._learner_ids: dict[str, int] = {}
        self._unsaved: list[_PendingAttempt] = []
        self._lock = threading.Lock()  # the learner id cache
        # one attempt at a time from this Store, so a queue kept during a lock stays in order
        self._saving = threading.RLock()

    @property
    def backend(self) -> str:
        return self.engine.dialect.name

    # ---- learners ---------------------------------------------------------------------------

    @_guarded
    def learner_id(self, name: str) -> int:
        """The learner's id, creating the learner on first use."""
        name = clean_name(name)
        if name in self._learner_ids:
            return self._learner_ids[name]
        found = self._find_id(name)
        if found is None:
            try:
                with self._writer.begin() as connection:
                    connection.execute(Learner.__table__.insert(), [{"name": name}])
            except IntegrityError:
                pass  # another thread or process created the same learner first: use theirs
            found = self._find_id(name)
            assert found is not None
        with self._lock:
            self._learner_ids[name] = found
        return found

    def _read_id(self, name: str) -> int:
        """For reads: the learner's id, or one no row has, so an unknown name reads as empty
        without creating a profile by accident (a typo in a report, say)."""
        name = clean_name(name)
        cached = self._learner_ids.get(name)
        if cached is not None:
            return cached
        found = self._find_id(name)
        return -1 if found is None else found

    def _find_id(self, name: str) -> int | None:
        with self.engine.connect() as connection:
            return queries.learner_id(connection, name)

    def _forget(self, name: str) -> None:
        with self._lock:
            self._learner_ids.pop(name, None)

    @_guarded
    def learners(self) -> list[LearnerRecord]:
        """Every profile in the database, by name."""
        with self.engine.connect() as connection:
            return queries.learner_records(connection)

    @_guarded
    def learner(self, name: str) -> LearnerRecord:
        """One profile; a missing one is a StoreError listing those that exist."""
        with self.engine.connect() as connection:
            found = queries.learner_records(connection, clean_name(name))
            if found:
                return found[0]
            names = [r.name for r in queries.learner_records(connection)]
        listed = ", ".join(names) if names else "none yet"
        raise StoreError(f"no profile named {name!r} in {self.location} (profiles: {listed})")

    @_guarded
    def add_learner(self, name: str) -> LearnerRecord:
        name = clean_name(name)
        try:
            with self._writer.begin() as connection:
                connection.execute(Learner.__table__.insert(), [{"name": name}])
        except IntegrityError as exc:
            raise StoreError(f"a profile named {name!r} already exists") from exc
        return self.learner(name)

    @_guarded
    def rename_learner(self, old: str, new: str) -> LearnerRecord:
        self.learner(old)
        new = clean_name(new)
        try:
            with self._writer.begin() as connection:
                connection.execute(
                    Learner.__table__.update().where(_L.name == clean_name(old)).values(name=new)
                )
        except IntegrityError as exc:
            raise StoreError(f"a profile named {new!r} already exists") from exc
        self._forget(clean_name(old))
        return self.learner(new)

    @_guarded
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
            learner_id = connection.execute(select(_L.id).where(_L.name == name)).scalar_one()
            connection.execute(ReviewState.__table__.delete().where(_C.learner_id == learner_id))
            connection.execute(Attempt.__table__.delete().where(_A.learner_id == learner_id))
            connection.execute(Learner.__table__.delete().where(_L.id == learner_id))
        self._forget(name)
        return backup

    @_guarded
    def settings(self, learner: str) -> LearnerSettings:
        """The learner's settings; a profile not created yet has the defaults."""
        with self.engine.connect() as connection:
            found = queries.learner_records(connection, clean_name(learner))
        if not found:
            return LearnerSettings(desired_retention=scheduling.DEFAULT_RETENTION)
        return LearnerSettings(desired_retention=found[0].desired_retention)

    @_guarded
    def set_desired_retention(self, learner: str, retention: float) -> LearnerSettings:
        """From the next review on, fsrs spaces this learner's questions for `retention`."""
        low, high = scheduling.RETENTION_RANGE
        if not low <= retention <= high:
            raise StoreError(f"desired retention is between {low} and {high} (got {retention})")
        learner_id = self.learner_id(learner)
        with self._writer.begin() as connection:
            connection.execute(
                Learner.__table__.update()
                .where(_L.id == learner_id)
                .values(desired_retention=retention)
            )
        return LearnerSettings(desired_retention=retention)

    # ---- recording --------------------------------------------------------------------------

    def record_attempt(
        self,
        learner: str,
        *,
        question_id: str,
        bank_id: str,
        bank_version: int,
        answer: Any,
        correct: bool,
        score: float,
        seconds: float,
        mode: str = "study",
        rating: scheduling.RatingLike | None = None,
        at: datetime | None = None,
    ) -> Scheduled:
        """Save one graded answer and reschedule its question; committed before returning.

        `rating` is the learner's own Again/Hard/Good/Easy (short answers); without it the
        rating follows correctness and time (see scheduling.py). If the database is locked
        past the busy timeout, the attempt is kept in memory, a StoreError says so, and it is
        saved first on the next call (or by flush()).
        """
        pending = _PendingAttempt(
            learner=clean_name(learner),
            question_id=question_id,
            bank_id=bank_id,
            bank_version=bank_version,
            answer=json.dumps(answer),
            correct=bool(correct),
            score=float(score),
            seconds=float(seconds),
            mode=mode,
            rating=None if rating is None else scheduling.parse_rating(rating),
            at=_aware(at),
        )
        with self._saving:
            self._unsaved.append(pending)
            return self._save_unsaved()[pending]

    @property
    def unsaved(self) -> int:
        """Attempts waiting in memory because the database was locked."""
        return len(self._unsaved)

    def flush(self) -> int:
        """Try again to save attempts kept while the database was locked; returns how many."""
        with self._saving:
            return len(self._save_unsaved())

    def _save_unsaved(self) -> dict[_PendingAttempt, Scheduled]:
        """Save the waiting attempts oldest first (caller holds self._saving)."""
        saved: dict[_PendingAttempt, Scheduled] = {}
        while self._unsaved:
            item = self._unsaved[0]
            try:
                with translated_errors(self.location):
                    saved[item] = self._save(item)
            except StoreError as exc:
                if exc.locked:
                    raise StoreError(
                        f"{exc} Your last {len(self._unsaved)} answer(s) are kept and will be "
                        "saved with the next one.",
                        locked=True,
                    ) from exc
                self._unsaved.pop(0)  # retrying cannot help with anything but a lock
                raise
            self._unsaved.pop(0)
        return saved

    def _save(self, item: _PendingAttempt) -> Scheduled:
        learner_id = self.learner_id(item.learner)
        with Session(self._writer) as session:
            # on PostgreSQL the row lock queues writers of one learner, so two terminals
            # reviewing the same question cannot both read the old card
            learner = session.get(Learner, learner_id, with_for_update=True)
            if learner is None:
                self._forget(item.learner)
                raise StoreError(f"profile {item.learner!r} was removed while in use")
            state = session.get(ReviewState, (learner_id, item.question_id))
            card = scheduling.card_from_fields(state) if state else scheduling.new_card(item.at)
            rating = item.rating or scheduling.rating_for(item.correct, item.seconds)
            # a clock set back must not make fsrs see a review before the previous one
            review_at = max(item.at, card.last_review) if card.last_review else item.at
            fitted = scheduling_parameters(session.connection(), learner_id)  # None: defaults
            card = scheduling.review(card, rating, review_at, learner.desired_retention, fitted)
            session.add(
                Attempt(
                    learner_id=learner_id,
                    question_id=item.question_id,
                    bank_id=item.bank_id,
                    bank_version=item.bank_version,
                    answer=item.answer,
                    correct=item.correct,
                    score=item.score,
                    seconds=item.seconds,
                    mode=item.mode,
                    answered_at=item.at,
                    rating=int(rating),
                )
            )
            fields = scheduling.card_fields(card)
            if state is None:
                session.add(
                    ReviewState(learner_id=learner_id, question_id=item.question_id, **fields)
                )
            else:
                for key, value in fields.items():
                    setattr(state, key, value)
            session.commit()
        return Scheduled(item.question_id, rating.name, card.due)

    # ---- reading a learner's history --------------------------------------------------------

    @_guarded
    def attempts(self, learner: str) -> list[AttemptRecord]:
        """Every attempt, oldest first, whatever has since happened to its question."""
        learner_id = self._read_id(learner)
        with self.engine.connect() as connection:
            return queries.attempt_records(connection, learner_id)

    @_guarded
    def correctly_answered(self, learner: str, question_ids: Iterable[str]) -> set[str]:
        """Which of these questions the learner has answered correctly at least once."""
        learner_id = self._read_id(learner)
        ids = list(question_ids)
        query = (
            select(_A.question_id)
            .where(_A.learner_id == learner_id, _A.correct.is_(True), _A.question_id.in_(ids))
            .group_by(_A.question_id)
        )
        with self.engine.connect() as connection:
            return set(connection.execute(query).scalars())

    @_guarded
    def attempt_count(self) -> int:
        with self.engine.connect() as connection:
            return connection.execute(select(func.count()).select_from(Attempt)).scalar_one()

    @_guarded
    def due_queue(
        self,
        learner: str,
        *,
        now: datetime | None = None,
        among: Iterable[str] | None = None,
        limit: int | None = None,
    ) -> list[DueItem]:
        """Questions due for review now, most overdue first; `among` keeps only these ids
        (pass the questions the banks still have)."""
        learner_id = self._read_id(learner)
        with self.engine.connect() as connection:
            items = [
                DueItem(q, due) for q, due in queries.dues(connection, learner_id, _aware(now))
            ]
        if among is not None:
            keep = set(among)
            items = [item for item in items if item.question_id in keep]
        return items[:limit] if limit is not None else items

    @_guarded
    def review_forecast(
        self,
        learner: str,
        days: int = 14,
        *,
        now: datetime | None = None,
        tz: tzinfo | None = None,
        among: Iterable[str] | None = None,
    ) -> list[ForecastDay]:
        """Reviews due on each of the next `days` days (today includes the overdue)."""
        learner_id = self._read_id(learner)
        with self.engine.connect() as connection:
            rows = queries.dues(connection, learner_id)
        keep = None if among is None else set(among)
        dues = [due for qid, due in rows if keep is None or qid in keep]
        return stats.forecast(dues, _aware(now), tz or stats.local_tz(), days)

    @_guarded
    def chapter_mastery(
        self,
        learner: str,
        chapters: Mapping[str, Iterable[str]],
        *,
        now: datetime | None = None,
    ) -> dict[str, ChapterMastery]:
        """For each chapter key -> its question ids: how many are mastered (recall >= 0.9)."""
        learner_id = self._read_id(learner)
        with self.engine.connect() as connection:
            cards = queries.cards(connection, learner_id)
        return {m.chapter: m for m in stats.chapter_mastery(chapters, cards, _aware(now))}

    @_guarded
    def accuracy_by(
        self,
        learner: str,
        catalog: Mapping[str, QuestionInfo],
        by: TopicKind = "chapter",
        *,
        since: datetime | None = None,
    ) -> list[Accuracy]:
        learner_id = self._read_id(learner)
        with self.engine.connect() as connection:
            rows = queries.attempt_rows(connection, learner_id, since)
        return stats.accuracy_by(rows, catalog, by)

    @_guarded
    def activity_by_day(
        self, learner: str, *, tz: tzinfo | None = None, since: datetime | None = None
    ) -> list[DayActivity]:
        """Accuracy and time per local day studied (days without study are absent)."""
        learner_id = self._read_id(learner)
        with self.engine.connect() as connection:
            rows = queries.attempt_rows(connection, learner_id, since)
        return stats.activity_by_day(rows, tz or stats.local_tz())

    @_guarded
    def streak(
        self, learner: str, *, now: datetime | None = None, tz: tzinfo | None = None
    ) -> Streak:
        zone = tz or stats.local_tz()
        days = [day.day for day in self.activity_by_day(learner, tz=zone)]
        return stats.streak(days, _aware(now).astimezone(zone).date())

    @_guarded
    def time_studied(self, learner: str, *, since: datetime | None = None) -> float:
        """Seconds spent answering, summed over attempts."""
        learner_id = self._read_id(learner)
        query = select(func.coalesce(func.sum(_A.seconds), 0.0)).where(_A.learner_id == learner_id)
        if since is not None:
            query = query.where(_A.answered_at >= since)
        with self.engine.connect() as connection:
            return float(connection.execute(query).scalar_one())

    @_guarded
    def weakest_topics(
        self,
        learner: str,
        catalog: Mapping[str, QuestionInfo],
        *,
        by: TopicKind = "tag",
        limit: int = 5,
        min_attempts: int = 3,
        now: datetime | None = None,
    ) -> list[WeakTopic]:
        learner_id = self._read_id(learner)
        with self.engine.connect() as connection:
            rows = queries.attempt_rows(connection, learner_id)
            cards = queries.cards(connection, learner_id)
        return stats.weakest_topics(
            rows, catalog, cards, _aware(now), by=by, min_attempts=min_attempts, limit=limit
        )

    @_guarded
    def recent_sessions(self, learner: str, *, limit: int = 10) -> list[StudySession]:
        """The latest study sessions, newest first."""
        learner_id = self._read_id(learner)
        with self.engine.connect() as connection:
            rows = queries.attempt_rows(connection, learner_id)
        return stats.sessions(rows)[::-1][:limit]

    @_guarded
    def learner_stats(
        self,
        learner: str,
        catalog: Mapping[str, QuestionInfo],
        *,
        now: datetime | None = None,
        tz: tzinfo | None = None,
        since: datetime | None = None,
        forecast_days: int = 14,
        sessions: int = 10,
        weakest: int = 5,
    ) -> LearnerStats:
        """Everything a learner report shows, from one consistent read.

        `catalog` maps the banks' current question ids to chapter, type and tags; mastery, due
        counts and the forecast cover those questions only, while totals cover every attempt.
        `since` limits the history-based figures (accuracy, days, time, sessions).
        """
        now = _aware(now)
        zone = tz or stats.local_tz()
        learner_id = self._read_id(learner)
        with self.engine.connect() as connection:
            rows = queries.attempt_rows(connection, learner_id, since)
            cards = queries.cards(connection, learner_id)
        chapters: dict[str, list[str]] = {}
        for question_id, info in catalog.items():
            chapters.setdefault(info.chapter, []).append(question_id)
        current = {q: card for q, card in cards.items() if q in catalog}
        by_day = stats.activity_by_day(rows, zone)
        return LearnerStats(
            learner=clean_name(learner),
            now=now,
            questions_total=len(catalog),
            questions_seen=len({r.question_id for r in rows} & catalog.keys()),
            attempts=len(rows),
            correct=sum(r.correct for r in rows),
            seconds_studied=sum(r.seconds for r in rows),
            due_now=sum(card.due <= now for card in current.values()),
            streak=stats.streak([d.day for d in by_day], now.astimezone(zone).date()),
            mastery=stats.chapter_mastery(chapters, current, now),
            by_chapter=stats.accuracy_by(rows, catalog, "chapter"),
            by_type=stats.accuracy_by(rows, catalog, "type"),
            by_tag=stats.accuracy_by(rows, catalog, "tag"),
            by_day=by_day,
            weakest=stats.weakest_topics(rows, catalog, current, now, limit=weakest),
            sessions=stats.sessions(rows)[::-1][:sessions],
            forecast=stats.forecast([c.due for c in current.values()], now, zone, forecast_days),
        )

    # ---- the group --------------------------------------------------------------------------

    @_guarded
    def leaderboard(self, *, since: datetime | None = None) -> list[LeaderboardRow]:
        """Every learner's totals, most correct answers first."""
        with self.engine.connect() as connection:
            return queries.leaderboard(connection, since)

    @_guarded
    def question_results(
        self, *, learners: Iterable[str] | None = None, since: datetime | None = None
    ) -> list[QuestionResult]:
        """Per question across learners, lowest accuracy first: what the group misses most."""
        names = None if learners is None else [clean_name(n) for n in learners]
        with self.engine.connect() as connection:
            return queries.question_results(connection, names, since)

    # ---- the database -----------------------------------------------------------------------

    @_guarded
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

    @_guarded
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

    @_guarded
    def import_data(self, data: Mapping[str, Any] | transfer.ExportFile) -> ImportSummary:
        """Add the learners of an export; all or nothing, refused if a name is taken."""
        if not isinstance(data, transfer.ExportFile):
            data = transfer.parse_export(json.dumps(data), "import data")
        with self._writer.begin() as connection:
            if connection.dialect.name == "postgresql":
                # the learner name check and the inserts must not interleave with another import
                connection.execute(select(func.pg_advisory_xact_lock(0x494D504F5254)))
            return transfer.import_learners(connection, data)

    def import_from(self, path: Path) -> ImportSummary:
        try:
            raw = path.read_bytes()
        except OSError as exc:
            raise StoreError(f"cannot read {path}: {exc.strerror}") from exc
        return self.import_data(transfer.parse_export(raw, str(path)))

    def close(self) -> None:
        """Release the database, after one more try at saving attempts kept while it was
        locked (check `unsaved` first to warn the learner: close() itself never raises)."""
        if self._unsaved:
            try:
                self.flush()
            except StoreError:
                pass
        self.engine.dispose()
