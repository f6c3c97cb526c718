"""Checks that need more than the schema: does each `show_me` name a demo that exists, with
parameters it takes? And the content rules of a fair bank (below `show_me_problems`): no right
option that stands out by length, no page number without a source that gives it, no question
another bank already asks, no numeric answer without the unit its prompt asks for.

The demo registry is passed in rather than imported, because demos sit above banks in the
dependency order (demos may read banks; banks never import demos). The CLI hands over
`studybuddy.demos.registry`'s `all_demos()` and `param_problems`.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Callable, Collection
from typing import Any

from studybuddy.banks.loader import BankProblem, LoadResult
from studybuddy.banks.models import Bank, MultipleChoice, Numeric

ParamProblems = Callable[[str, dict[str, Any]], list[str]]


def show_me_problems(
    result: LoadResult,
    known_demos: Collection[str],
    param_problems: ParamProblems,
    *,
    unknown_demo_is_error: bool = True,
) -> list[BankProblem]:
    """Every `show_me` that names an unknown demo or gives it parameters it refuses.

    With `unknown_demo_is_error=False` only questions whose demo exists are checked (for a
    tree where some demos are still being written).
    """
    problems: list[BankProblem] = []
    for bank in result.banks:
        for question in bank.questions():
            show_me = question.show_me
            if show_me is None:
                continue
            if show_me.demo not in known_demos:
                if unknown_demo_is_error:
                    file, line = result.locate(question.id, "show_me", "demo")
                    message = _unknown_demo(show_me.demo, known_demos)
                    problems.append(BankProblem(file, line, question.id, "show_me.demo", message))
                continue
            for reason in param_problems(show_me.demo, dict(show_me.params)):
                name, _, expected = reason.partition(": ")
                if expected and name and " " not in name:
                    field = f"show_me.params.{name}"
                    place: tuple[str, ...] = ("show_me", "params", name.split(".")[0])
                else:
                    field, expected, place = "show_me.params", reason, ("show_me", "params")
                file, line = result.locate(question.id, *place)
                problems.append(BankProblem(file, line, question.id, field, expected))
    return sorted(problems)


def _unknown_demo(demo: str, known: Collection[str]) -> str:
    close = difflib.get_close_matches(demo, list(known), n=1)
    hint = f"did you mean {close[0]}?" if close else "`studybuddy show` lists them"
    return f"the id of an existing demo (no demo {demo!r}; {hint})"


# --- content checks: rules a schema cannot express (see README, "Rules the validator checks") ---

# A right option this much longer than every distractor gives the answer away by its length.
GIVEAWAY_RATIO = 1.5
GIVEAWAY_MIN_CHARS = 20
# Above this share of single-answer questions whose right option is the single longest option,
# a learner can do better than chance by always picking the longest one.
LONGEST_SHARE_LIMIT = 0.5
LONGEST_SHARE_MIN_QUESTIONS = 6


def _single_answer_mcs(bank: Bank) -> list[MultipleChoice]:
    return [
        q
        for q in bank.questions()
        if isinstance(q, MultipleChoice) and len(q.answer) == 1 and len(q.options) >= 3
    ]


def option_length_problems(result: LoadResult) -> list[BankProblem]:
    """Warnings where the right option of a single-answer question stands out by its length.

    Warnings, not errors: a right answer is sometimes longest for a good reason, so a bank may
    keep one; but a bank where it is usually the longest teaches guessing by length.
    """
    problems: list[BankProblem] = []
    for bank in result.banks:
        questions = _single_answer_mcs(bank)
        longest = 0
        for question in questions:
            right = len(question.options[question.answer[0]])
            others = [len(o) for i, o in enumerate(question.options) if i != question.answer[0]]
            if right > max(others):
                longest += 1
            if right >= GIVEAWAY_RATIO * max(others) and right - max(others) >= GIVEAWAY_MIN_CHARS:
                file, line = result.locate(question.id, "options", question.answer[0])
                message = (
                    f"distractors about as long as the right option (it has {right} characters, "
                    f"the longest distractor {max(others)})"
                )
                problems.append(
                    BankProblem(
                        file,
                        line,
                        question.id,
                        f"options[{question.answer[0]}]",
                        message,
                        "warning",
                    )
                )
        if len(questions) >= LONGEST_SHARE_MIN_QUESTIONS:
            share = longest / len(questions)
            if share > LONGEST_SHARE_LIMIT:
                file, line = result.locate_in_bank(bank.id, "id")
                message = (
                    f"right options that are not mostly the longest (the right option is the "
                    f"single longest in {longest} of {len(questions)} single-answer questions, "
                    f"over {LONGEST_SHARE_LIMIT:.0%})"
                )
                problems.append(BankProblem(file, line, bank.id, "options", message, "warning"))
    return sorted(problems)


PAGE_REFERENCE = re.compile(r"\b(?:pp?\.|pages?)\s*\d+", re.IGNORECASE)


def page_reference_problems(result: LoadResult) -> list[BankProblem]:
    """Errors for a page number in a bank that does not say which document its pages are from.

    A page reference is only honest where the source document gives that page, so a bank that
    cites pages declares `pages_from:` (the document); every other bank names chapters.
    """
    problems: list[BankProblem] = []
    expected = (
        "a chapter or section name (this bank declares no pages_from, so no page number "
        "can be traced to a source; found {found!r})"
    )
    for bank in result.banks:
        if bank.pages_from:
            continue
        for c, chapter in enumerate(bank.chapters):
            if chapter.source and (found := PAGE_REFERENCE.search(chapter.source)):
                file, line = result.locate_in_bank(bank.id, "chapters", c, "source")
                message = expected.format(found=found.group())
                problems.append(BankProblem(file, line, chapter.id, "source", message))
            for question in chapter.questions:
                for name in ("source", "prompt", "explanation"):
                    text = getattr(question, name) or ""
                    if found := PAGE_REFERENCE.search(text):
                        file, line = result.locate(question.id, name)
                        message = expected.format(found=found.group())
                        problems.append(BankProblem(file, line, question.id, name, message))
    return sorted(problems)


DUPLICATE_SIMILARITY = 0.85
_STOP_WORDS = frozenset(
    "a an the of to in on at by for with and or is are be does do did what which how many "
    "much this that it its as from into".split()
)


def _question_text(question: Any) -> str:
    # a cloze's prompt is often just "Fill in the blank."; its text says what is asked
    return f"{question.prompt} {getattr(question, 'text', '')}"


def _normalised_words(text: str) -> list[str]:
    return [w for w in re.findall(r"[a-z0-9]+", text.casefold()) if w not in _STOP_WORDS]


def duplicate_prompt_problems(
    result: LoadResult, threshold: float = DUPLICATE_SIMILARITY
) -> list[BankProblem]:
    """Warnings for two questions in different banks that ask (almost) the same words.

    Similarity is difflib's ratio over the normalised words (case folded, punctuation and
    filler words dropped). Within one bank a pair such as a short answer and a multiple-choice
    on the same idea is deliberate, so only pairs across banks are compared.
    """
    items = [
        (bank.id, question, _normalised_words(_question_text(question)))
        for bank in result.banks
        for question in bank.questions()
    ]
    problems: list[BankProblem] = []
    for i, (bank_a, first, words_a) in enumerate(items):
        for bank_b, second, words_b in items[i + 1 :]:
            if bank_a == bank_b or not words_a or not words_b:
                continue
            matcher = difflib.SequenceMatcher(None, words_a, words_b, autojunk=False)
            if matcher.real_quick_ratio() < threshold or matcher.quick_ratio() < threshold:
                continue
            ratio = matcher.ratio()
            if ratio >= threshold:
                first_file, first_line = result.locate(first.id, "prompt")
                file, line = result.locate(second.id, "prompt")
                message = (
                    f"a question no other bank asks (it is {ratio:.0%} the same as "
                    f"{first.id} at {first_file}:{first_line}; merge or differentiate them)"
                )
                problems.append(BankProblem(file, line, second.id, "prompt", message, "warning"))
    return sorted(problems)


# How a prompt asks for the answer in a unit: "in millions", "how many megabytes", "what
# percentage". Only these forms count, so a prompt that merely quotes "175 billion" is not one.
_UNIT_WORD = (
    r"(?:thousands|millions?|billions?|trillions?|bytes|kilobytes|megabytes|gigabytes|"
    r"terabytes|[KMGT]i?B|percent|FLOPs?)"
)
_ASKS_FOR_UNIT = re.compile(
    rf"\bin (?:units of )?(?:10\^\d+ )?{_UNIT_WORD}(?![\w^])|\bhow many {_UNIT_WORD}(?![\w^])"
    r"|\b(?:what|which|as a) percentage\b",
    re.IGNORECASE,
)


def missing_unit_problems(result: LoadResult) -> list[BankProblem]:
    """Errors for a numeric question whose prompt asks for a unit that its `unit` does not give.

    Without `unit` the grader cannot read "622 MB" or "163M" the way the prompt asked for it,
    and the learner is not shown what the number is counted in.
    """
    problems: list[BankProblem] = []
    for bank in result.banks:
        for question in bank.questions():
            if not isinstance(question, Numeric) or question.unit:
                continue
            found = _ASKS_FOR_UNIT.search(question.prompt)
            if found:
                file, line = result.locate(question.id, "value")
                message = (
                    f"a unit, because the prompt asks for one ({found.group()!r}); e.g. "
                    "unit: MB, million or %"
                )
                problems.append(BankProblem(file, line, question.id, "unit", message))
    return sorted(problems)


def content_problems(result: LoadResult) -> list[BankProblem]:
    """Every content check above, errors and warnings together, in file order."""
    return sorted(
        [
            *option_length_problems(result),
            *page_reference_problems(result),
            *duplicate_prompt_problems(result),
            *missing_unit_problems(result),
        ]
    )
