"""Checks that need more than the schema: does each `show_me` name a demo that exists, with
parameters it takes?

The demo registry is passed in rather than imported, because demos sit above banks in the
dependency order (demos may read banks; banks never import demos). The CLI hands over
`studybuddy.demos.registry`'s `all_demos()` and `param_problems`.
"""

from __future__ import annotations

import difflib
from collections.abc import Callable, Collection
from typing import Any

from studybuddy.banks.loader import BankProblem, LoadResult

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
