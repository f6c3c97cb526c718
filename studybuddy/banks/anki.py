"""`studybuddy banks export BANK --anki FILE.apkg`: a bank as an Anki deck, one note a question.

Deck and note-type ids are derived from the bank id, and each note's guid from the question id,
so exporting again after an edit updates the cards a learner already has instead of adding a
second copy of the deck.
"""

from __future__ import annotations

import hashlib
import html
from pathlib import Path

from studybuddy.banks.models import (
    AnyQuestion,
    Bank,
    Cloze,
    MultipleChoice,
    Numeric,
    Ordering,
    TrueFalse,
)
from studybuddy.banks.numbers import format_number

FIELDS = ("Question", "Answer", "Explanation", "Source", "Id")
_CARD_FRONT = "<div class=prompt>{{Question}}</div>"
_CARD_BACK = (
    "{{FrontSide}}<hr id=answer><div class=answer>{{Answer}}</div>"
    "<div class=explanation>{{Explanation}}</div><div class=source>{{Source}}</div>"
)
_CSS = """.card { font-family: sans-serif; font-size: 18px; text-align: left; }
.answer { font-weight: bold; margin-bottom: 1em; }
.source { color: #777; font-size: 14px; margin-top: 1em; }"""


def stable_id(*parts: str) -> int:
    """A 31-bit id from text: Anki wants ids that never change for the same deck or note type."""
    digest = hashlib.sha256(":".join(("studybuddy", *parts)).encode()).digest()
    return (1 << 30) + int.from_bytes(digest[:4], "big") % (1 << 30)


def _e(text: str) -> str:
    return html.escape(text).replace("\n", "<br>")


def _lettered(items: list[str]) -> str:
    return "<br>".join(f"{chr(65 + i)}. {_e(item)}" for i, item in enumerate(items))


def card_sides(question: AnyQuestion) -> tuple[str, str]:
    """(front, answer) as HTML for one question."""
    prompt = _e(question.prompt)
    if isinstance(question, MultipleChoice):
        several = " (choose all that apply)" if len(question.answer) > 1 else ""
        front = f"{prompt}{several}<br><br>{_lettered(list(question.options))}"
        back = "<br>".join(f"{chr(65 + i)}. {_e(question.options[i])}" for i in question.answer)
    elif isinstance(question, TrueFalse):
        front, back = f"True or false? {prompt}", "True" if question.answer else "False"
    elif isinstance(question, Numeric):
        back = format_number(question.value, question.unit)
        if question.tolerance:
            back += f" (± {format_number(question.tolerance)})"
        front = prompt
    elif isinstance(question, Cloze):
        front = f"{prompt}<br><br>{_e(question.gapped(lambda n: f'[…{n}]'))}"
        back = "<br>".join(
            f"{n}: {_e(' / '.join(variants))}" for n, variants in enumerate(question.blanks, 1)
        )
    elif isinstance(question, Ordering):
        shuffled = [question.steps[i] for i in question.shown_order()]  # as the quiz shows them
        front = f"{prompt}<br><br>{_lettered(shuffled)}"
        back = "<br>".join(f"{n}. {_e(step)}" for n, step in enumerate(question.steps, 1))
    else:
        front = prompt
        back = _e(question.model_answer)
        if question.key_points:
            back += "<br><br>Key points: " + "; ".join(_e(p.point) for p in question.key_points)
    return front, back


def export_anki(bank: Bank, path: Path) -> int:
    """Write the bank as an .apkg file; returns the number of notes."""
    import genanki  # imported here: only this command needs it

    model = genanki.Model(
        stable_id("model", bank.id),
        f"StudyBuddy: {bank.title}",
        fields=[{"name": name} for name in FIELDS],
        templates=[{"name": "Card", "qfmt": _CARD_FRONT, "afmt": _CARD_BACK}],
        css=_CSS,
    )
    decks = []
    for chapter in bank.chapters:
        deck_name = f"StudyBuddy::{bank.title}::{chapter.title}"
        deck = genanki.Deck(stable_id("deck", bank.id, chapter.id), deck_name)
        for question in chapter.questions:
            front, back = card_sides(question)
            fields = [front, back, _e(question.explanation), _e(question.source or ""), question.id]
            deck.add_note(
                genanki.Note(
                    model=model,
                    fields=fields,
                    tags=[*question.tags, f"studybuddy::{bank.id}"],
                    guid=genanki.guid_for("studybuddy", question.id),
                )
            )
        decks.append(deck)
    genanki.Package(decks).write_to_file(str(path))
    return len(bank.questions())
