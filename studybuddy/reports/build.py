"""Gathering a report: the numbers from the store's public methods, the words from the banks."""

from __future__ import annotations

import json
import shlex
from collections.abc import Iterable, Mapping
from datetime import UTC, date, datetime, time, tzinfo

from studybuddy.reports.models import (
    AttemptLine,
    ChapterLine,
    GroupReport,
    LearnerReport,
    MemberMastery,
    MissedQuestion,
    QuestionLine,
    WeakTopicLine,
)
from studybuddy.store.records import ChapterMastery, QuestionInfo
from studybuddy.study.catalog import Catalog

REVISIT_PER_TOPIC = 5


def local_tz() -> tzinfo:
    zone = datetime.now().astimezone().tzinfo
    assert zone is not None
    return zone


def start_of(day: date | None, tz: tzinfo) -> datetime | None:
    """`--since DATE` means from the learner's midnight that day."""
    return None if day is None else datetime.combine(day, time(), tzinfo=tz)


def show_me_command(show_me) -> str | None:
    """The command line that runs a question's demo with the bank's parameters."""
    if show_me is None:
        return None
    words = ["studybuddy", "show", show_me.demo]
    for name, value in show_me.params.items():
        shown = value if isinstance(value, str) else json.dumps(value)
        words += ["-p", f"{name}={shown}"]
    return shlex.join(words)


def prompt_of(question) -> str:
    """The question as a learner saw it; a cloze's prompt alone ("Fill in the blank") says
    nothing, so its text follows with the blanks drawn as lines."""
    prompt = question.prompt.strip()
    if (text := question.shown_text(gap=lambda _number: "____")) is not None:
        prompt = f"{prompt} {text.strip()}"
    return prompt


def question_line(catalog: Catalog, question_id: str) -> QuestionLine:
    if question_id not in catalog:
        return QuestionLine(question_id, "", "", None)
    ref = catalog[question_id]
    return QuestionLine(
        question_id=question_id,
        prompt=prompt_of(ref.question),
        chapter=ref.chapter.title,
        show_me=show_me_command(ref.question.show_me),
    )


def chapter_titles(catalog: Catalog) -> dict[str, tuple[str, str]]:
    """chapter key -> (chapter title, bank title)"""
    return {
        f"{bank.id}/{chapter.id}": (chapter.title, bank.title)
        for bank in catalog.banks
        for chapter in bank.chapters
    }


def build_learner_report(
    store,
    profile: str,
    catalog: Catalog,
    *,
    question_info: Mapping[str, QuestionInfo] | None = None,
    now: datetime | None = None,
    tz: tzinfo | None = None,
    since: date | None = None,
) -> LearnerReport:
    """A learner's report; a profile that does not exist is the store's StoreError."""
    now = now or datetime.now(UTC)
    zone = tz or local_tz()
    name = store.learner(profile).name
    info = question_info if question_info is not None else catalog.question_info()
    stats = store.learner_stats(name, info, now=now, tz=zone, since=start_of(since, zone))
    titles = chapter_titles(catalog)
    accuracy = {row.key: row for row in stats.by_chapter}
    chapters = []
    for mastery in stats.mastery:
        tried = accuracy.get(mastery.chapter)
        title, bank = titles.get(mastery.chapter, (mastery.chapter, ""))
        chapters.append(
            ChapterLine(
                key=mastery.chapter,
                title=title,
                bank=bank,
                questions=mastery.questions,
                seen=mastery.seen,
                mastered=mastery.mastered,
                attempts=tried.attempts if tried else 0,
                correct=tried.correct if tried else 0,
            )
        )
    weakest = [
        WeakTopicLine(
            topic=topic.topic,
            attempts=topic.attempts,
            correct=topic.correct,
            questions=tuple(question_line(catalog, q) for q in topic.revisit[:REVISIT_PER_TOPIC]),
        )
        for topic in stats.weakest
    ]
    return LearnerReport(stats, now, zone, since, chapters, weakest)


def build_group_report(
    store,
    catalog: Catalog,
    *,
    now: datetime | None = None,
    tz: tzinfo | None = None,
    since: date | None = None,
    most_missed: int = 10,
) -> GroupReport:
    """Every profile in the database: the leaderboard, mastery by chapter, the hardest questions."""
    now = now or datetime.now(UTC)
    zone = tz or local_tz()
    start = start_of(since, zone)
    board = store.leaderboard(since=start)
    chapters = catalog.chapter_questions()
    titles = chapter_titles(catalog)
    members = [MemberMastery(row.name, _mastery(store, row.name, chapters, now)) for row in board]
    missed = [
        MissedQuestion(question_line(catalog, result.question_id), result)
        for result in store.question_results(since=start)
        if result.correct < result.attempts
    ][:most_missed]
    return GroupReport(
        generated_at=now,
        tz=zone,
        since=since,
        leaderboard=board,
        chapters=[(key, titles[key][0]) for key in chapters],
        members=members,
        most_missed=missed,
    )


def _mastery(
    store, learner: str, chapters: Mapping[str, list[str]], now: datetime
) -> list[ChapterMastery]:
    """One entry per chapter in `chapters` order, whether the store answers a list or a dict."""
    found = store.chapter_mastery(learner, chapters, now=now)
    by_key = found if isinstance(found, Mapping) else {m.chapter: m for m in found}
    return [by_key.get(key) or ChapterMastery(key, len(ids), 0, 0) for key, ids in chapters.items()]


def attempt_lines(
    store,
    learners: Iterable[str],
    question_info: Mapping[str, QuestionInfo],
    *,
    since: datetime | None = None,
) -> list[AttemptLine]:
    """Every answer of these learners, oldest first per learner (the store has no `since` for
    attempts, so the date filter is applied here)."""
    lines = []
    for learner in learners:
        for attempt in store.attempts(learner):
            if since is not None and attempt.answered_at < since:
                continue
            info = question_info.get(attempt.question_id)
            lines.append(
                AttemptLine(
                    learner=learner,
                    question_id=attempt.question_id,
                    chapter=info.chapter if info else "",
                    answered_at=attempt.answered_at,
                    correct=attempt.correct,
                    score=attempt.score,
                    seconds=attempt.seconds,
                    mode=attempt.mode,
                    rating=attempt.rating,
                    bank_id=attempt.bank_id,
                    bank_version=attempt.bank_version,
                    answer=attempt.answer,
                )
            )
    return lines
