"""Whom a command acts for: --profile if given, else the learner the TUI last studied as on
this database, else its only learner; never an invented name."""

from __future__ import annotations

from typing import TYPE_CHECKING

import typer

from studybuddy.commands.errors import fail

if TYPE_CHECKING:
    from studybuddy.store import Store


def named_profile(ctx: typer.Context) -> str | None:
    """The global --profile, if the user gave one."""
    obj = ctx.find_root().obj or {}
    return obj.get("profile")


def learner_for(ctx: typer.Context, store: Store, given: str | None = None) -> str:
    """`given`, the global --profile, the remembered or the only learner; else a clean error."""
    from studybuddy.locations import default_database
    from studybuddy.study.learners import LastLearner, default_learner

    wanted = given if given is not None else named_profile(ctx)
    if wanted is not None:
        return store.learner(wanted).name  # a typo is an error listing the profiles
    names = [learner.name for learner in store.learners()]
    chosen = default_learner(names, LastLearner().get(default_database()))
    if chosen is not None:
        return chosen
    if not names:
        raise fail("no learner in this database yet: open `studybuddy` and study first")
    raise fail(f"several learners ({', '.join(names)}): choose one with --profile NAME", 2)
