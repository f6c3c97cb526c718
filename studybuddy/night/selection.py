"""Which questions a night asks: from chosen chapters, or from the group's weakest topics.

Only auto-graded questions play (a short answer needs a human to judge it, and a quiz night has
no time for that). A one-screen night on assigned keys needs questions answered with one key
press: true/false, or multiple choice with one right option among at most four.
"""

from __future__ import annotations

import random
from collections.abc import Iterable, Sequence
from typing import Any

from studybuddy.banks.models import AnyQuestion
from studybuddy.night.errors import NightError
from studybuddy.study.catalog import Catalog, QuestionRef

KEY_OPTIONS = 4  # a key row per player: four keys, so at most four options


def playable(question: AnyQuestion, *, one_key: bool = False) -> bool:
    if not question.auto_gradable:
        return False
    if not one_key:
        return True
    return question.single_pick and len(question.choices()) <= KEY_OPTIONS


def option_count(question: AnyQuestion) -> int:
    """How many keys a one-key question uses."""
    return len(question.choices())


def chapter_key(key: str, known: dict[str, list[str]]) -> str:
    """'bank/chapter', or a chapter id alone when only one bank has it."""
    if key in known:
        return key
    matches = [full for full in known if full.split("/", 1)[1] == key]
    if len(matches) == 1:
        return matches[0]
    raise NightError(
        f"no chapter {key!r} in the banks (expected BANK/CHAPTER or a CHAPTER id, as "
        "`studybuddy banks list` shows them)"
    )


def from_chapters(
    catalog: Catalog,
    chapters: Sequence[str],
    count: int,
    *,
    rng: random.Random,
    one_key: bool = False,
) -> list[QuestionRef]:
    """`count` playable questions drawn at random from the chapters ('bank/chapter' keys)."""
    if count < 1:
        raise NightError(f"a night asks at least 1 question (got {count})")
    known = catalog.chapter_questions()
    chapters = [chapter_key(key, known) for key in chapters]
    if not chapters:
        raise NightError("pick at least one chapter, or the group's weakest topics")
    pool = [
        catalog[qid]
        for key in chapters
        for qid in known[key]
        if playable(catalog[qid].question, one_key=one_key)
    ]
    if not pool:
        kind = "one-key (true/false, single-answer)" if one_key else "auto-graded"
        raise NightError(f"those chapters have no {kind} questions; pick others")
    return rng.sample(pool, min(count, len(pool)))


def weakest_of_group(
    catalog: Catalog,
    results: Iterable[Any],
    count: int,
    *,
    rng: random.Random,
    one_key: bool = False,
) -> list[QuestionRef]:
    """Questions from the chapters the group gets wrong most, the questions it missed first.

    `results` are the store's per-question results across learners (question id, attempts,
    correct). Chapters are ranked by the group's accuracy on them; each weak chapter gives its
    questions, least often answered right first (unseen ones after, in random order), until
    `count` are picked. The night then asks them shuffled.
    """
    if count < 1:
        raise NightError(f"a night asks at least 1 question (got {count})")
    attempts: dict[str, tuple[int, int]] = {}
    for result in results:
        if result.question_id in catalog and result.attempts:
            attempts[result.question_id] = (result.attempts, result.correct)
    by_chapter: dict[str, list[int]] = {}
    for qid, (tried, right) in attempts.items():
        totals = by_chapter.setdefault(catalog[qid].chapter_key, [0, 0])
        totals[0] += tried
        totals[1] += right
    if not by_chapter:
        raise NightError("the group has not answered any questions yet; pick chapters instead")
    weakest_first = sorted(
        by_chapter, key=lambda key: (by_chapter[key][1] / by_chapter[key][0], key)
    )
    chapter_ids = catalog.chapter_questions()
    picked: list[QuestionRef] = []
    for key in weakest_first:
        candidates = [
            qid for qid in chapter_ids[key] if playable(catalog[qid].question, one_key=one_key)
        ]
        rng.shuffle(candidates)  # ties (and unseen questions) in random order

        def need(qid: str) -> tuple[int, float]:
            """Missed ones (least often right first), then unseen, then always right."""
            tried, right = attempts.get(qid, (0, 0))
            if not tried:
                return (1, 0.0)
            return (0, right / tried) if right < tried else (2, 0.0)

        candidates.sort(key=need)
        picked += [catalog[qid] for qid in candidates[: count - len(picked)]]
        if len(picked) >= count:
            break
    if not picked:
        raise NightError("the group's weakest chapters have no questions that play on a quiz night")
    rng.shuffle(picked)
    return picked
