"""The demo registry: id -> Demo. Importing it is cheap; torch loads only when a demo runs."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from pydantic import ValidationError

from studybuddy.demos.base import Demo, DemoParams, DemoResult

DEMOS: dict[str, Demo] = {}


class DemoError(ValueError):
    """Unknown demo or parameters out of range, phrased for the user."""


def register(
    demo_id: str, title: str, summary: str, params: type[DemoParams]
) -> Callable[[Callable[[Any], DemoResult]], Callable[[Any], DemoResult]]:
    def decorate(fn: Callable[[Any], DemoResult]) -> Callable[[Any], DemoResult]:
        if demo_id in DEMOS:
            raise RuntimeError(f"demo id {demo_id!r} registered twice")
        DEMOS[demo_id] = Demo(demo_id, title, summary, params, fn)
        return fn

    return decorate


def _load_all() -> None:
    # Each module registers its demos on import; none of them imports torch at module level.
    from studybuddy.demos import attention  # noqa: F401


def all_demos() -> dict[str, Demo]:
    _load_all()
    return DEMOS


def get_demo(demo_id: str) -> Demo:
    demos = all_demos()
    if demo_id not in demos:
        known = ", ".join(sorted(demos))
        raise DemoError(f"no demo called {demo_id!r}; known demos: {known}")
    return demos[demo_id]


def param_problems(demo_id: str, params: dict[str, Any]) -> list[str]:
    """Readable reasons why these parameters are refused (empty when they are fine)."""
    demo = get_demo(demo_id)
    try:
        demo.params_model.model_validate(params)
    except ValidationError as exc:
        return [_describe(demo.params_model, error) for error in exc.errors()]
    return []


def _describe(model: type[DemoParams], error: dict[str, Any]) -> str:
    name = ".".join(str(p) for p in error["loc"]) or "params"
    if error["type"] == "extra_forbidden":
        allowed = ", ".join(model.model_fields)
        return f"{name}: not a parameter of this demo (it takes {allowed})"
    field = model.model_fields.get(str(error["loc"][0])) if error["loc"] else None
    bounds = _bounds(field) if field else ""
    return f"{name}: {error['msg']}{bounds}"


def _bounds(field: Any) -> str:
    low = high = None
    for item in field.metadata:
        low = getattr(item, "ge", low) if getattr(item, "ge", None) is not None else low
        high = getattr(item, "le", high) if getattr(item, "le", None) is not None else high
    if low is not None and high is not None:
        return f" (allowed: {low} to {high})"
    return ""


def run_demo(demo_id: str, params: dict[str, Any] | None = None) -> DemoResult:
    """Validate and run; raises DemoError with every problem listed."""
    demo = get_demo(demo_id)
    problems = param_problems(demo_id, params or {})
    if problems:
        raise DemoError(f"{demo_id}: " + "; ".join(problems))
    return demo.run(params or {})
