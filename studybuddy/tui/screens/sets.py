"""Choosing a study set: a section of the chapter and a set size, or an unfinished set."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from rich.markup import escape
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.widgets import Label, OptionList
from textual.widgets.option_list import Option

from studybuddy.study.sets import DEFAULT_SET_SIZE, SET_SIZES
from studybuddy.tui.screens.base import StudyModalScreen

if TYPE_CHECKING:
    from studybuddy.study.sections import Section
    from studybuddy.study.sets import StudySet

WHOLE_CHAPTER = "whole"

DIALOG_CSS = """
{name} {{ align: center middle; }}
{name} > Vertical {{
    width: 76; max-width: 100%; height: auto; max-height: 90%;
    border: round $primary; background: $panel; padding: 0 1;
}}
{name} OptionList {{ height: auto; max-height: 16; }}
{name} Label {{ width: 1fr; }}
"""


@dataclass(frozen=True)
class SetChoice:
    section: int | None  # None: the whole chapter
    size: int | None  # None: every question of it


def _size_name(size: int | None) -> str:
    return "all" if size is None else str(size)


class ChapterSetsScreen(StudyModalScreen[SetChoice | None]):
    """The chapter's sections (from its bank's tags and order), each a bite-size set."""

    DEFAULT_CSS = DIALOG_CSS.format(name="ChapterSetsScreen")
    BINDINGS = [
        Binding("escape", "dismiss(None)", "Cancel", id="sets.cancel"),
        Binding("plus,equals_sign", "size(1)", "Bigger set", id="sets.bigger"),
        Binding("minus", "size(-1)", "Smaller set", id="sets.smaller"),
    ]

    def __init__(
        self, title: str, sections: list[Section], seen: set[str], size: int | None
    ) -> None:
        super().__init__()
        self.chapter_title = title
        self.sections = sections
        self.seen = seen
        self.set_size: int | None = size

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Label(f"[b]{escape(self.chapter_title)}[/]: which part?")
            yield OptionList(id="sections")
            yield Label(id="set-size")

    def on_mount(self) -> None:
        self._fill()
        self.query_one(OptionList).focus()

    def _fill(self) -> None:
        options = self.query_one(OptionList)
        highlighted = options.highlighted or 0
        options.clear_options()
        total = new = 0
        for section in self.sections:
            fresh = sum(1 for q in section.question_ids if q not in self.seen)
            total, new = total + section.size, new + fresh
            asked = section.size if self.set_size is None else min(self.set_size, section.size)
            options.add_option(
                Option(
                    f"{escape(section.label)}  [dim]{asked} of {section.size}, {fresh} new[/]",
                    id=str(section.number),
                )
            )
        if len(self.sections) > 1:  # one section is the whole chapter already
            asked = total if self.set_size is None else min(self.set_size, total)
            options.add_option(
                Option(
                    f"The whole chapter  [dim]{asked} of {total}, {new} new first[/]",
                    id=WHOLE_CHAPTER,
                )
            )
        options.highlighted = min(highlighted, options.option_count - 1)
        self.query_one("#set-size", Label).update(
            f"Set size [b]{_size_name(self.set_size)}[/] ([b]+[/]/[b]-[/] change) · "
            "Enter starts · Esc cancels"
        )

    def action_size(self, step: int) -> None:
        sizes: list[int | None] = [*SET_SIZES, None]
        index = (
            sizes.index(self.set_size) if self.set_size in sizes else sizes.index(DEFAULT_SET_SIZE)
        )
        self.set_size = sizes[max(0, min(len(sizes) - 1, index + step))]
        self._fill()

    @on(OptionList.OptionSelected, "#sections")
    def _picked(self, event: OptionList.OptionSelected) -> None:
        picked = event.option.id
        section = None if picked == WHOLE_CHAPTER else int(picked or 1)
        self.dismiss(SetChoice(section, self.set_size))


class OpenSetsScreen(StudyModalScreen["StudySet | None"]):
    """The learner's unfinished sets, the one left last first."""

    DEFAULT_CSS = DIALOG_CSS.format(name="OpenSetsScreen")
    BINDINGS = [Binding("escape", "dismiss(None)", "Cancel", id="open-sets.cancel")]

    def __init__(self, sets: list[StudySet]) -> None:
        super().__init__()
        self.sets = sets

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Label("[b]Unfinished sets[/]: Enter resumes one · Esc cancels")
            yield OptionList(
                *[
                    Option(
                        f"{escape(study.title)}  [dim]{study.position} of "
                        f"{len(study.question_ids)} done[/]",
                        id=str(index),
                    )
                    for index, study in enumerate(self.sets)
                ],
                id="open-sets",
            )

    def on_mount(self) -> None:
        self.query_one(OptionList).focus()

    @on(OptionList.OptionSelected, "#open-sets")
    def _picked(self, event: OptionList.OptionSelected) -> None:
        self.dismiss(self.sets[int(event.option.id or 0)])
