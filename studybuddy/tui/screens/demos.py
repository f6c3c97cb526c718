"""Demo browser: every live computation under the book's chapter and section, with a search
box that narrows the list as you type; Enter opens a demo."""

from __future__ import annotations

from rich.markup import escape
from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.widgets import Footer, Header, Input, OptionList, Static
from textual.widgets.option_list import Option

from studybuddy.tui.screens.base import StudyScreen


def _one_line(markup: str) -> Text:
    text = Text.from_markup(markup, overflow="ellipsis")
    text.no_wrap = True
    return text


def _matches(words: list[str], *texts: str) -> bool:
    haystack = " ".join(texts).lower()
    return all(word in haystack for word in words)


class DemoBrowserScreen(StudyScreen[None]):
    BINDINGS = [
        Binding("escape", "app.pop_screen", "Back", id="demos.back"),
        Binding("ctrl+f", "search", "Search", id="demos.search"),
    ]

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static(
            "Every live computation, by chapter. Type to search; Enter opens one.",
            id="demos-title",
        )
        yield Input(
            placeholder="search demos: attention, softmax, 3.5 ...",
            id="demo-search",
            select_on_focus=False,  # typing on the list moves here, and must not be replaced
        )
        yield OptionList(id="demo-list")
        yield Footer()

    def on_mount(self) -> None:
        self._fill("")
        self.query_one("#demo-list", OptionList).focus()

    def _fill(self, query: str) -> None:
        from studybuddy.demos import all_demos
        from studybuddy.demos.book import book_order, chapter_of, section_label

        words = query.lower().split()
        demos = sorted(all_demos().values(), key=lambda d: book_order(d.section))
        options: list[Option] = []
        heading = section = None
        width = max((len(section_label(d.section)) for d in demos), default=0) + 1
        for demo in demos:
            label = section_label(demo.section)
            chapter = chapter_of(demo.section)
            if not _matches(words, demo.id, demo.title, demo.summary, label, chapter):
                continue
            if chapter != heading:  # a heading that cannot be selected
                options.append(Option(f"[b $accent]{escape(chapter)}[/]", disabled=True))
                heading = chapter
            # The section once, beside its first demo: a column that reads as a group.
            shown = label if demo.section != section else ""
            section = demo.section
            where = f"[dim]{escape(shown)}[/]" + " " * (width - len(shown))
            line = f"  {where}[b]{escape(demo.id)}[/]  {escape(demo.summary)}"
            # One line per demo: a narrow terminal cuts the summary rather than wrapping it.
            options.append(Option(_one_line(line), id=demo.id))
        demo_list = self.query_one("#demo-list", OptionList)
        demo_list.clear_options()
        demo_list.add_options(options)
        if not options:
            demo_list.add_option(
                Option(f"[dim]No demo matches {escape(query)!r}.[/]", disabled=True)
            )
        first = next((i for i, o in enumerate(options) if not o.disabled), None)
        demo_list.highlighted = first

    def action_search(self) -> None:
        self.query_one("#demo-search", Input).focus()

    def on_key(self, event) -> None:  # type: ignore[no-untyped-def]
        # Typing on the list starts a search, so no key is needed to reach the box.
        search = self.query_one("#demo-search", Input)
        typed = event.is_printable and event.character and event.character != "?"
        if self.focused is self.query_one("#demo-list") and typed:
            search.focus()
            search.insert_text_at_cursor(event.character or "")
            event.stop()
        elif self.focused is search and event.key == "down":
            self.query_one("#demo-list").focus()
            event.stop()

    @on(Input.Changed, "#demo-search")
    def _search(self, event: Input.Changed) -> None:
        self._fill(event.value)

    @on(Input.Submitted, "#demo-search")
    def _open_first(self, event: Input.Submitted) -> None:
        demo_list = self.query_one("#demo-list", OptionList)
        if demo_list.highlighted is not None:
            option = demo_list.get_option_at_index(demo_list.highlighted)
            if option.id:
                self._push(option.id)

    @on(OptionList.OptionSelected, "#demo-list")
    def _open(self, event: OptionList.OptionSelected) -> None:
        if event.option.id:
            self._push(event.option.id)

    def _push(self, demo_id: str) -> None:
        from studybuddy.tui.screens.show_me import ShowMeScreen

        self.app.push_screen(ShowMeScreen(demo_id))
