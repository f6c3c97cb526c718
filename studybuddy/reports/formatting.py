"""How numbers, times and days read in a report (shared by the HTML and Markdown renderers)."""

from __future__ import annotations

from datetime import date, datetime, tzinfo


def percent(part: float, whole: float | None = None) -> str:
    """`percent(0.734)` or `percent(11, 15)`: a whole percent; a dash when nothing was tried."""
    if whole is not None:
        if not whole:
            return "–"
        part = part / whole
    return f"{part * 100:.0f}%"


def duration(seconds: float) -> str:
    seconds = round(seconds)
    if seconds < 60:
        return f"{seconds} s"
    minutes = round(seconds / 60)
    if minutes < 60:
        return f"{minutes} min"
    hours, minutes = divmod(minutes, 60)
    if hours >= 10:
        return f"{hours:,} h"
    return f"{hours} h {minutes:02d} min"


def count(value: int) -> str:
    """12,345: long numbers grouped so they read at a glance."""
    return f"{value:,}"


def day(value: date) -> str:
    return f"{value:%a} {value.day} {value:%b %Y}"


def moment(value: datetime, tz: tzinfo) -> str:
    local = value.astimezone(tz)
    return f"{local:%a} {local.day} {local:%b %Y, %H:%M}"


def days(count: int) -> str:
    return plural(count, "day")


def plural(count: int, thing: str, things: str | None = None) -> str:
    """`plural(1, "study day")` is "1 study day", `plural(3, "study day")` "3 study days"."""
    return f"{count:,} {thing}" if count == 1 else f"{count:,} {things or thing + 's'}"
