"""A chapter cut into bite-size sections, read from the bank itself (no UI).

The banks follow the book: questions come in reading order, each open question followed by the
auto-graded variants that check it, every question tagged with its topics. A section is a run
of those families whose topics hang together, cut where the topics change, between MIN_SIZE
and MAX_SIZE questions, and named after the topics that set it apart from the rest of the
chapter (with its pages where the questions give them).
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from studybuddy.banks.models import AnyQuestion, Chapter

MIN_SIZE = 8
MAX_SIZE = 16
TAIL_SIZE = 5  # a last section smaller than this joins the one before


@dataclass(frozen=True)
class Family:
    """An open question and the variants after it; a variant is asked before its open question,
    so the model answer shown after the open one never gives the variant away."""

    question_ids: tuple[str, ...]  # in the order to ask them: variants first
    tags: frozenset[str]
    pages: tuple[int, ...]
    tag_uses: tuple[str, ...] = ()  # each question's tags, repeated as often as used


@dataclass(frozen=True)
class Section:
    number: int  # 1-based, in reading order
    name: str  # its distinctive topics, e.g. "causal mask, dropout"
    pages: str  # "pp. 52-54", or "" where the questions give no page
    families: tuple[Family, ...]

    @property
    def question_ids(self) -> list[str]:
        return [q for family in self.families for q in family.question_ids]

    @property
    def size(self) -> int:
        return sum(len(family.question_ids) for family in self.families)

    @property
    def label(self) -> str:
        return f"{self.number}. {self.name}" + (f" ({self.pages})" if self.pages else "")


_PAGES = re.compile(r"\bpp?\.\s*(\d+)(?:\s*[-–]\s*(\d+))?")


def _pages(source: str | None) -> tuple[int, ...]:
    match = _PAGES.search(source or "")
    if not match:
        return ()
    first = int(match.group(1))
    return (first, int(match.group(2) or first))


def families(questions: Sequence[AnyQuestion]) -> list[Family]:
    """The chapter's questions grouped as they are written: each open question with the
    auto-graded questions after it (those before any open question stand alone)."""
    groups: list[list[AnyQuestion]] = []
    for question in questions:
        if not question.auto_gradable or not groups or groups[-1][0].auto_gradable:
            groups.append([question])
        else:
            groups[-1].append(question)
    found = []
    for group in groups:
        ordered = [q for q in group if q.auto_gradable] + [q for q in group if not q.auto_gradable]
        pages = tuple(p for q in group for p in _pages(q.source))
        tags = frozenset(t for q in group for t in q.tags)
        uses = tuple(t for q in group for t in q.tags)
        found.append(Family(tuple(q.id for q in ordered), tags, pages, uses))
    return found


def _size(run: Sequence[Family]) -> int:
    return sum(len(f.question_ids) for f in run)


def _cut(all_families: list[Family]) -> list[list[Family]]:
    runs: list[list[Family]] = []
    current: list[Family] = []
    for family in all_families:
        if current:
            size = _size(current)
            recent = current[-1].tags | (current[-2].tags if len(current) > 1 else frozenset())
            topic_changes = not (family.tags & recent)
            if size + len(family.question_ids) > MAX_SIZE or (size >= MIN_SIZE and topic_changes):
                runs.append(current)
                current = []
        current.append(family)
    if current:
        if (
            runs
            and _size(current) < TAIL_SIZE
            and _size(runs[-1]) + _size(current) <= MAX_SIZE + TAIL_SIZE
        ):
            runs[-1].extend(current)
        else:
            runs.append(current)
    return runs


def _name(run: Sequence[Family], spread: Counter[str], count: int) -> str:
    """The two tags most typical of this run: frequent here, rare in the rest of the chapter."""
    here = Counter(t for f in run for t in f.tag_uses)
    score = {t: n * math.log((count + 1) / spread[t]) for t, n in here.items() if spread[t]}
    best = sorted(score, key=lambda t: (-score[t], t))[:2]
    return ", ".join(t.replace("-", " ") for t in best) or "questions"


def _page_range(run: Sequence[Family]) -> str:
    pages = [p for f in run for p in f.pages]
    if not pages:
        return ""
    low, high = min(pages), max(pages)
    return f"p. {low}" if low == high else f"pp. {low}-{high}"


def chapter_sections(chapter: Chapter) -> list[Section]:
    found = families(chapter.questions)
    spread = Counter(t for f in found for t in f.tags)
    runs = _cut(found)
    if len(runs) == 1:
        return [Section(1, "the whole chapter", _page_range(runs[0]), tuple(runs[0]))]
    return [
        Section(number, _name(run, spread, len(found)), _page_range(run), tuple(run))
        for number, run in enumerate(runs, start=1)
    ]
