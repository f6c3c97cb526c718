"""The Store's recording: one graded answer saved and its question rescheduled.

An answer the database does not take, for any reason (a lock, a full disk, a restarted server,
a file made read-only or replaced), is kept in memory and saved first on the next call; an
answer is only ever dropped once it is stored. If the process must end with answers still
unsaved, `close()` writes them to a recovery file (`recovery.py`) and the next Store opened on
the same database saves them.
"""

from __future__ import annotations

import json
import threading
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from fsrs import Rating
from sqlmodel import Session

from studybuddy.store import scheduling
from studybuddy.store.core import StoreCore, aware, clean_name
from studybuddy.store.errors import StoreError, translated_errors
from studybuddy.store.fitted import scheduling_parameters
from studybuddy.store.records import (
    Scheduled,
)
from studybuddy.store.tables import Attempt, Learner, ReviewState


@dataclass(frozen=True, eq=False)  # identity: two identical answers are two attempts
class PendingAttempt:
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


class Recording(StoreCore):
    _unsaved: list[PendingAttempt]
    _file_identity: tuple[Path, tuple[int, int]] | None  # an SQLite file's (device, inode)
    _saving: threading.RLock  # one attempt at a time, so a queue kept during a lock stays in order

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
        pending = PendingAttempt(
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
            at=aware(at),
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

    def _save_unsaved(self) -> dict[PendingAttempt, Scheduled]:
        """Save the waiting attempts oldest first (caller holds self._saving)."""
        saved: dict[PendingAttempt, Scheduled] = {}
        while self._unsaved:
            item = self._unsaved[0]
            try:
                self._check_same_file()
                with translated_errors(self.location):
                    saved[item] = self._save(item)
            except StoreError as exc:
                # kept, whatever went wrong: a disk may be freed, a server restarted, a lock
                # released; the learner is told, and quitting writes them to a recovery file
                count = len(self._unsaved)
                raise StoreError(
                    f"{exc} Your last {count} answer{'s are' if count != 1 else ' is'} kept "
                    "and will be saved with the next one.",
                    locked=exc.locked,
                ) from exc
            self._unsaved.pop(0)
        return saved

    def _check_same_file(self) -> None:
        """SQLite goes on writing into a file that was deleted or replaced under it, and those
        answers are gone with the old file: stop recording once the path holds another file."""
        if self._file_identity is None:
            return
        path, identity = self._file_identity
        try:
            now = path.stat()
        except OSError:
            now = None
        if now is None or (now.st_dev, now.st_ino) != identity:
            raise StoreError(
                f"the database file {path} was moved, deleted or replaced while StudyBuddy "
                "was running, so nothing more is written to it. Quit and start again to "
                "save into the file now at that path."
            )

    def _save(self, item: PendingAttempt) -> Scheduled:
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
            # the learner's own fitted fsrs parameters, if `profile optimize` saved some
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
