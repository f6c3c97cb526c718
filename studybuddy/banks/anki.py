"""`studybuddy banks export BANK --anki FILE.apkg`: a bank as an Anki deck, one note a question.

Deck and note-type ids are derived from the bank id, and each note's guid from the question id,
so exporting again after an edit updates the cards a learner already has instead of adding a
second copy of the deck.
"""

from __future__ import annotations

import hashlib
import html
from pathlib import Path

from studybuddy.banks.models import AnyQuestion, Bank

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
    """(front, answer) as HTML for one question: the prompt, what kind of answer it takes, its
    text to fill in and its choices lettered (in the order the quiz shows them); the answer's
    lines on the back."""
    front = [_e(question.prompt)]
    if hint := question.answer_hint():
        front[0] += f" <i>({_e(hint)})</i>"
    if (text := question.shown_text(gap=lambda n: f"[…{n}]")) is not None:
        front.append(_e(text))
    if choices := question.choices():
        front.append(_lettered(choices))
    return "<br><br>".join(front), "<br>".join(_e(line) for line in question.answer_lines())


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
