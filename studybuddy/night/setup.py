"""From the host's choices to a night in the database: pick the questions, name it, seat players.

Shared by the set-up screen and `studybuddy night host --chapter …`, so both check the same way.
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from dataclasses import dataclass, replace

from studybuddy.night.errors import NightError
from studybuddy.night.records import NightSettings
from studybuddy.night.room import MAX_QUESTIONS, Clock, Night, clean_player_name
from studybuddy.night.selection import chapter_key, from_chapters, weakest_of_group
from studybuddy.store import Store
from studybuddy.study.catalog import Catalog

MAX_SEATS_ON_KEYS = 6  # rows of keys on one keyboard (see the one-screen game)


@dataclass(frozen=True)
class NightPlan:
    chapters: tuple[str, ...] = ()  # 'bank/chapter' keys
    weakest: bool = False  # the group's weakest topics instead of (or besides) chapters
    count: int = 10
    settings: NightSettings = NightSettings()

    def check(self) -> None:
        """Refuse a plan that names nothing to ask, before anyone is seated for it."""
        if not self.chapters and not self.weakest:
            raise NightError("pick at least one chapter, or the group's weakest topics")


def parse_number(text: str, what: str, low: float, high: float) -> float:
    try:
        value = float(text.strip())
    except ValueError:
        raise NightError(f"{what} is a number from {low:g} to {high:g} (got {text!r})") from None
    if not low <= value <= high:
        raise NightError(f"{what} is a number from {low:g} to {high:g} (got {text!r})")
    return value


def parse_seat(text: str) -> tuple[str, str | None]:
    """'Ada' or 'Ada @ Red team' -> (name, team)."""
    name, _, team = text.partition("@")
    return clean_player_name(name), (clean_player_name(team, "a team's name") if team else None)


def night_title(catalog: Catalog, plan: NightPlan) -> str:
    if plan.weakest and not plan.chapters:
        return "The group's weakest topics"
    known = catalog.chapter_questions()
    titles = [catalog.find_chapter(chapter_key(key, known))[1].title for key in plan.chapters]
    shown = ", ".join(titles[:2]) + (f" and {len(titles) - 2} more" if len(titles) > 2 else "")
    return ("Weakest topics, " + shown) if plan.weakest else shown


def create_night(
    store: Store,
    catalog: Catalog,
    plan: NightPlan,
    *,
    clock: Clock | None = None,
    rng: random.Random | None = None,
) -> Night:
    plan.check()
    if not 1 <= plan.count <= MAX_QUESTIONS:
        raise NightError(f"a night asks 1-{MAX_QUESTIONS} questions (got {plan.count})")
    rng = rng or random.Random()
    one_key = plan.settings.answering == "keys"
    picked = []
    if plan.weakest:
        picked = weakest_of_group(
            catalog, store.question_results(), plan.count, rng=rng, one_key=one_key
        )
    if plan.chapters and len(picked) < plan.count:
        have = {ref.question.id for ref in picked}
        more = from_chapters(catalog, plan.chapters, plan.count, rng=rng, one_key=one_key)
        picked += [ref for ref in more if ref.question.id not in have][: plan.count - len(picked)]
    if not picked:
        raise NightError("pick at least one chapter, or the group's weakest topics")
    settings = plan.settings
    if settings.title == NightSettings().title:
        settings = replace(settings, title=night_title(catalog, plan))
    return Night.create(store, picked, settings, clock=clock)


def check_seats(seats: Sequence[tuple[str, str | None]], settings: NightSettings) -> None:
    """Refuse a one-screen line-up before any night is created for it."""
    if not seats:
        raise NightError("add at least one player")
    if settings.answering == "keys" and len(seats) > MAX_SEATS_ON_KEYS:
        raise NightError(f"at most {MAX_SEATS_ON_KEYS} players share one keyboard")
    names = [name.casefold() for name, _ in seats]
    if len(set(names)) != len(names):
        raise NightError("each player needs their own name")
    if settings.teams and any(team is None for _, team in seats):
        raise NightError("in a team night every player has a team: add them as 'Name @ Team'")


def seat_players(night: Night, seats: Sequence[tuple[str, str | None]]) -> None:
    """The one-screen game's players, in the order they were added."""
    check_seats(seats, night.settings)
    for name, team in seats:
        # around one screen everyone is in the room: each name is its own learner, if any
        night.join(name, team, learner=name)
