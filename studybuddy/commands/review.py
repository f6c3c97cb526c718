"""`studybuddy review --ahead CHAPTER`: a chapter's questions early, in plain lines of text.

For the evening before a reading group: the questions of one chapter the learner has met,
least likely remembered first, asked and graded in the terminal and saved as early reviews.
"""

from __future__ import annotations

import time
from typing import Annotated

import typer

from studybuddy.commands.errors import fail, opened_store
from studybuddy.commands.learner import learner_for
from studybuddy.study.sets import AHEAD_LIMIT


def _chapter_key(catalog, wanted: str) -> str:
    """'bank/chapter', or a chapter id that only one bank uses."""
    keys = list(catalog.chapter_questions())
    if wanted in keys:
        return wanted
    matches = [key for key in keys if key.split("/", 1)[1] == wanted]
    if len(matches) == 1:
        return matches[0]
    listed = ", ".join(keys[:12]) + (" …" if len(keys) > 12 else "")
    which = "is in several banks" if matches else "is not a chapter"
    raise fail(f"{wanted!r} {which}; name it as bank/chapter (chapters: {listed})")


def _ask(question, number: int, total: int, read) -> tuple[object, object, str | None]:
    """(response, grade, rating for learner-graded answers) after asking until it parses."""
    from studybuddy.banks.grading import RATINGS, confirm, grade
    from studybuddy.banks.trial import NotAnAnswer, response_from_text
    from studybuddy.commands.night_console import question_lines

    for line in question_lines(question, number, total):
        typer.echo(line)
    if not question.auto_gradable:  # a short answer: the learner rates it
        text = read("your answer")
        result = grade(question, text)
        typer.echo(result.feedback)
        typer.echo(f"model answer: {question.answer_text()}")
        suggested = result.details.get("suggested") or "good"
        while True:
            rating = (read(f"rate it {'/'.join(RATINGS)} [{suggested}]") or suggested).lower()
            if rating in RATINGS:
                return text, confirm(result, rating), rating
            typer.echo(f"type one of {', '.join(RATINGS)}")
    while True:
        try:
            response = response_from_text(question, read("answer"), as_shown=True)
        except NotAnAnswer as exc:
            typer.echo(str(exc))
            continue
        return response, grade(question, response), None


def review(
    ctx: typer.Context,
    ahead: Annotated[
        str,
        typer.Option(
            "--ahead", metavar="CHAPTER", help="Review this chapter early (bank/chapter or id)."
        ),
    ],
    limit: Annotated[int, typer.Option(help="At most this many questions.", min=1)] = AHEAD_LIMIT,
    list_only: Annotated[
        bool, typer.Option("--list", help="Show the order and recall chances; ask nothing.")
    ] = False,
) -> None:
    """Review a chapter's questions before they are due, least likely remembered first."""
    from datetime import UTC, datetime

    from studybuddy.memory import service
    from studybuddy.memory.ahead import EARLY_MODE, ahead_order
    from studybuddy.reports.make import bundled_catalog

    catalog = bundled_catalog()
    chapter = _chapter_key(catalog, ahead)
    with opened_store() as store:
        try:
            profile = learner_for(ctx, store)  # --profile, the remembered or the only learner
            model = service.model(store, profile)
            cards = store.cards(profile)
            now = datetime.now(UTC)
            order = ahead_order(cards, catalog.chapter_questions()[chapter], now, model.parameters)
            order = order[:limit]
            if not order:
                typer.echo(f"{profile} has not met any question of {chapter} yet: study it first")
                return
            typer.echo(f"{profile}: {len(order)} questions of {chapter}, least remembered first")
            if list_only:
                for item in order:
                    typer.echo(
                        f"  {item.retrievability:6.1%}  due {item.due:%Y-%m-%d}  {item.question_id}"
                    )
                return
            read = lambda label: typer.prompt(label, default="", show_default=False)  # noqa: E731
            for number, item in enumerate(order, 1):
                ref = catalog[item.question_id]
                started = time.monotonic()
                response, result, rating = _ask(ref.question, number, len(order), read)
                seconds = time.monotonic() - started
                scheduled = store.record_attempt(
                    profile,
                    question_id=ref.question.id,
                    bank_id=ref.bank.id,
                    bank_version=ref.bank.version,
                    answer=response,
                    correct=result.correct,  # type: ignore[attr-defined]
                    score=result.score,  # type: ignore[attr-defined]
                    seconds=seconds,
                    mode=EARLY_MODE,
                    rating=rating,
                )
                if rating is None:  # a learner-graded answer showed its feedback already
                    typer.echo(result.feedback)  # type: ignore[attr-defined]
                verdict = "right" if result.correct else "not quite"  # type: ignore[attr-defined]
                typer.echo(f"{verdict}: {scheduled.rating}, next due {scheduled.due:%Y-%m-%d}\n")
        except typer.Abort:
            typer.echo("\nstopped; the answers so far are saved")
