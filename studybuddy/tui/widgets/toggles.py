"""Tick boxes whose mark says whether they are ticked.

Textual draws the same `X` in every checkbox and selection-list row and tells ticked from not by
colour alone, so in a terminal with few colours, or a browser's theme, every chapter looked
chosen. These draw the mark only when ticked.
"""

from __future__ import annotations

from rich.segment import Segment
from textual.content import Content
from textual.strip import Strip
from textual.widgets import Checkbox, SelectionList
from textual.widgets.selection_list import SelectionType

TICKED = Checkbox.BUTTON_INNER
UNTICKED = " "


class TickBox(Checkbox):
    """A checkbox showing `X` when ticked and a blank when not."""

    @property
    def _button(self) -> Content:
        button = super()._button
        if self.value:
            return button
        # the same three cells and styles, the middle one blank
        inner = button[1:2]
        blank = Content(UNTICKED, spans=list(inner.spans))
        return Content.assemble(button[0:1], blank, button[2:3])


class TickList(SelectionList[SelectionType]):
    """A selection list showing `X` on the chosen rows only."""

    def render_line(self, y: int) -> Strip:
        line = super().render_line(y)
        _, scroll_y = self.scroll_offset
        try:
            selection = self.get_option_at_index(scroll_y + y)
        except LookupError:
            return line
        if selection.value in self._selected:
            return line
        segments = list(line)
        # SelectionList draws left half-block, the mark, right half-block, then the prompt
        if len(segments) > 1 and segments[1].text == TICKED:
            segments[1] = Segment(UNTICKED, segments[1].style)
        return Strip(segments, line.cell_length)
