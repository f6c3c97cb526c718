"""Checks that need more than the schema: does each `show_me` name a demo that exists, with
parameters it takes? Can each question be graded fairly (units, tolerances, short-answer
phrases; see "grading checks" below)? And the content rules of a fair bank (see "content
checks"): no right option that stands out by length, no page number without a source that gives
it, no question another bank already asks, no numeric answer without the unit its prompt asks for.

The demo registry is passed in rather than imported, because demos sit above banks in the
dependency order (demos may read banks; banks never import demos). The CLI hands over
`studybuddy.demos.registry`'s `all_demos()` and `param_problems`.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Callable, Collection
from dataclasses import replace
from typing import Any

from studybuddy.banks.loader import BankProblem, LoadResult
from studybuddy.banks.models import Bank, MultipleChoice, Numeric, ShortAnswer
from studybuddy.banks.numbers import format_number

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


# --- grading checks (issue 12): numbers' units and tolerances, short answers' phrases ---------
# Kept apart from the content checks above and below: each function takes the loaded banks and
# returns its problems; `grading_problems` runs the ones `banks validate` reports.

_UNIT_IN_PROMPT = re.compile(
    r"\b(?:in|how many|units of|number of)\s+(?:units of\s+)?"
    r"(?P<unit>thousands?|millions?|billions?|trillions?|10\s*\^\s*-?\d+|10[⁰¹²³⁴⁵⁶⁷⁸⁹⁻]+"
    r"|[kmgt]i?b|bytes|kilobytes|megabytes|gigabytes|terabytes|percent)\b"
    r"|\bwhat percentage\b",
    re.IGNORECASE,
)
_BINARY_IN_PROMPT = re.compile(r"1024\s*(?:\^\s*[1-4]|²|³)|2\s*\^\s*(?:10|20|30|40)\b")


def numeric_unit_problems(result: LoadResult) -> list[BankProblem]:
    """A numeric question whose prompt asks for a unit ("in millions", "how many MB", "what
    percentage") must say it in `unit`, so '163M' or '622 MB' can be read; the unit must be
    one `numbers` understands, and a prompt that counts 1 MB as 1024^2 bytes needs 'MiB'."""
    from studybuddy.banks.numbers import parse_unit, unit_problem

    problems = []
    for bank in result.banks:
        for question in bank.questions():
            if not isinstance(question, Numeric):
                continue
            asked = _UNIT_IN_PROMPT.search(question.prompt)
            reason = None
            if question.unit is None and asked:
                reason = (
                    f"a unit, since the prompt asks {asked.group(0)!r} (e.g. 'million', 'MB', "
                    "'MiB', 'GB', '%'): without one, '163M' or '622 MB' cannot be read"
                )
            elif question.unit is not None and (why := unit_problem(question.unit)):
                reason = why
            elif question.unit is not None and _BINARY_IN_PROMPT.search(question.prompt):
                unit = parse_unit(question.unit)
                if unit.bytes and not unit.binary:
                    reason = (
                        f"a binary unit such as 'MiB' (the prompt counts in powers of 1024; "
                        f"{question.unit!r} is powers of 1000)"
                    )
            if reason:
                file, line = result.locate(question.id, "unit")
                problems.append(BankProblem(file, line, question.id, "unit", reason))
    return sorted(problems)


def _same_topic(a: str, b: str) -> bool:
    """Whether two prompts ask about the same thing: half of the shorter one's content
    words in common (the value alone would join 'sigmoid(0) = 0.5' and a weighted sum of 0.5)."""
    from studybuddy.banks.keypoints import Text

    first, second = Text(a).content_stems(), Text(b).content_stems()
    shorter = min(len(first), len(second))
    return shorter > 0 and len(first & second) >= max(3, shorter / 2)


def tolerance_problems(result: LoadResult) -> list[BankProblem]:
    """Two numeric questions about the same thing (their prompts share half of their
    words) whose values agree within the looser tolerance, in the same kind of unit, accept the
    same tolerance: a learner who types the same answer to the same fact is not right in one
    bank and wrong in another. Values are compared in base units (124.4 million parameters and
    124,412,160 parameters are one fact)."""
    from studybuddy.banks.numbers import NotANumber, parse_unit, within

    numeric = []
    for bank in result.banks:
        for question in bank.questions():
            if isinstance(question, Numeric):
                try:
                    unit = parse_unit(question.unit)
                except NotANumber:
                    continue  # reported by numeric_unit_problems
                numeric.append((question, unit))
    problems = []
    for question, unit in numeric:
        value, tolerance = question.value * unit.scale, question.tolerance * unit.scale
        for other, other_unit in numeric:
            other_value = other.value * other_unit.scale
            other_tolerance = other.tolerance * other_unit.scale
            if (
                other is question
                or (unit.bytes, unit.percent) != (other_unit.bytes, other_unit.percent)
                or within(tolerance, other_tolerance, 0.0)
                or not within(value, other_value, max(tolerance, other_tolerance))
                or not _same_topic(question.prompt, other.prompt)
            ):
                continue
            file, line = result.locate(question.id, "tolerance")
            other_file, other_line = result.locate(other.id, "tolerance")
            here = format_number(question.tolerance, question.unit)
            there = format_number(other.tolerance, other.unit)
            message = (
                f"the tolerance of {other.id} ({other_file}:{other_line}), which asks the same "
                f"value: ±{here} here, ±{there} there"
            )
            problems.append(BankProblem(file, line, question.id, "tolerance", message))
            break
    return sorted(problems)


def phrase_problems(result: LoadResult) -> list[BankProblem]:
    """Short answers whose phrases cannot work: a key point whose every phrase only repeats the
    prompt (the grader never counts it), and a misconception the model answer itself states."""
    from studybuddy.banks.keypoints import coverage, phrase_echoes_prompt

    problems = []
    for bank in result.banks:
        for question in bank.questions():
            if not isinstance(question, ShortAnswer):
                continue
            for n, point in enumerate(question.key_points):
                if all(phrase_echoes_prompt(p, question.prompt) for p in point.accept):
                    file, line = result.locate(question.id, "key_points", n, "accept")
                    message = (
                        f"a phrase the prompt does not already contain (for {point.point!r}: "
                        "a learner repeating the question's words shows nothing, so every "
                        "phrase listed is ignored)"
                    )
                    problems.append(
                        BankProblem(file, line, question.id, f"key_points.{n}.accept", message)
                    )
            found = coverage(
                question.model_answer,
                question.key_points,
                question.prompt,
                question.misconceptions,
            )
            for c in found.contradictions:
                n = next(i for i, m in enumerate(question.misconceptions) if m.point == c.point)
                file, line = result.locate(question.id, "misconceptions", n, "match")
                message = (
                    f"phrases the model answer does not contain ({c.evidence.phrase!r} matches "
                    f"its {c.evidence.quote!r}, so the right answer would be marked wrong)"
                )
                problems.append(
                    BankProblem(file, line, question.id, f"misconceptions.{n}.match", message)
                )
    return sorted(problems)


def grading_problems(result: LoadResult) -> list[BankProblem]:
    """Warnings (advice; `banks validate --strict` fails on them), except a missing unit the
    prompt asks for, which is an error: without it '163M' or '622 MB' cannot be read."""
    found = [*numeric_unit_problems(result), *tolerance_problems(result), *phrase_problems(result)]
    return sorted(
        p
        if p.field == "unit" and p.message.startswith("a unit,")
        else replace(p, severity="warning")
        for p in found
    )


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
def content_problems(result: LoadResult) -> list[BankProblem]:
    """Every content check above, errors and warnings together, in file order."""
    return sorted(
        [
            *option_length_problems(result),
            *page_reference_problems(result),
            *duplicate_prompt_problems(result),
        ]
    )
