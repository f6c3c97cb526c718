"""The demo registry: id -> Demo. Importing it is cheap; torch loads only when a demo runs."""

from __future__ import annotations

import functools
import typing
from collections.abc import Callable, Iterable
from typing import Any

from pydantic import ValidationError

from studybuddy.demos.base import Demo, DemoParams, DemoResult, ProgressFn
from studybuddy.errors import StudyBuddyError

DEMOS: dict[str, Demo] = {}

# One module per family of demos; each registers its demos when imported. Listings follow this
# order; a module of demos that is not named here (a new family) is found by _load_all and
# listed after these, so adding a family needs no change to this file.
_FAMILIES = (
    "softmax",
    "attention",
    "positions",
    "regularisation",
    "tokens",
    "architecture",
    "generation",
    "training",
    "ngram",
    "basics",
    "recurrent",
    "llama",
)
# Modules of the package that hold no demos.
_NOT_FAMILIES = frozenset(
    {"base", "book", "code", "common", "registry", "render", "shipped", "warmup"}
)


class DemoError(StudyBuddyError, ValueError):
    """Unknown demo, parameters out of range, or a computation that cannot run, phrased for
    the user."""


def register(
    demo_id: str,
    title: str,
    summary: str,
    params: type[DemoParams],
    *,
    streams_progress: bool = False,
    code: tuple[str, ...] = (),
    random: bool = True,
    section: str = "",
) -> Callable[[Callable[..., DemoResult]], Callable[..., DemoResult]]:
    def decorate(fn: Callable[..., DemoResult]) -> Callable[..., DemoResult]:
        if demo_id in DEMOS:
            raise RuntimeError(f"demo id {demo_id!r} registered twice")
        DEMOS[demo_id] = Demo(
            demo_id,
            title,
            summary,
            params,
            fn,
            streams_progress,
            code=code,
            random=random,
            section=section,
        )
        return fn

    return decorate


@functools.cache
def _family_modules() -> tuple[str, ...]:
    import pkgutil
    from pathlib import Path

    # the family modules beside this one (listed from the folder: importing the package here
    # would run back up the import graph)
    found = {
        info.name
        for info in pkgutil.iter_modules([str(Path(__file__).parent)])
        if not info.ispkg and info.name not in _NOT_FAMILIES and not info.name.startswith("_")
    }
    return tuple(f for f in _FAMILIES if f in found) + tuple(sorted(found - set(_FAMILIES)))


def _load_all() -> None:
    import importlib

    # No family module imports torch at module level.
    for family in _family_modules():
        importlib.import_module(f"studybuddy.demos.{family}")


def all_demos() -> dict[str, Demo]:
    """Every demo, in the book's order of families (the order modules happened to be imported
    in would make listings differ between runs)."""
    _load_all()
    rank = {f"studybuddy.demos.{family}": i for i, family in enumerate(_family_modules())}
    ordered = sorted(DEMOS.values(), key=lambda d: rank.get(d.run_fn.__module__, len(rank)))
    return {demo.id: demo for demo in ordered}


def get_demo(demo_id: str) -> Demo:
    demos = all_demos()
    if demo_id not in demos:
        known = ", ".join(sorted(demos))
        raise DemoError(f"no demo called {demo_id!r}; known demos: {known}")
    return demos[demo_id]


def param_problems(demo_id: str, params: dict[str, Any]) -> list[str]:
    """Readable reasons why these parameters are refused (empty when they are fine)."""
    demo = get_demo(demo_id)
    if not isinstance(params, dict):
        return [f"params: a mapping of parameter names to values, not {type(params).__name__}"]
    try:
        demo.params_model.model_validate(params)
    except ValidationError as exc:
        return [_describe(demo.params_model, error) for error in exc.errors()]
    return []


def _describe(model: type[DemoParams], error: Any) -> str:
    loc = error["loc"]
    name = ".".join(str(p) for p in loc) or "params"
    if error["type"] == "extra_forbidden":
        allowed = ", ".join(model.model_fields)
        return f"{name}: not a parameter of this demo (it takes {allowed})"
    message = error["msg"].removeprefix("Value error, ")
    field = model.model_fields.get(str(loc[0])) if loc else None
    if field is None:
        return f"{name}: {message}"
    if len(loc) > 1:  # one item of a list: its own bounds live on the item type
        return f"{name}: {message}{_bounds(_item_metadata(field.annotation))}"
    bounds = _bounds(field.metadata) or _length_bounds(field.metadata, field.annotation)
    return f"{name}: {message}{bounds}"


def _item_metadata(annotation: Any) -> list[Any]:
    for arg in typing.get_args(annotation):
        if typing.get_origin(arg) is typing.Annotated:
            return list(typing.get_args(arg)[1:])
    return []


def _limits(metadata: Iterable[Any], low_name: str, high_name: str) -> tuple[Any, Any]:
    low = high = None
    flat: list[Any] = []
    for item in metadata:  # a Field(...) inside Annotated carries its bounds one level down
        flat.extend([item, *getattr(item, "metadata", [])])
    for item in flat:
        if getattr(item, low_name, None) is not None:
            low = getattr(item, low_name)
        if getattr(item, high_name, None) is not None:
            high = getattr(item, high_name)
    return low, high


def _bounds(metadata: Iterable[Any]) -> str:
    low, high = _limits(list(metadata), "ge", "le")
    if low is not None and high is not None:
        return f" (allowed: {low} to {high})"
    return ""


def _length_bounds(metadata: Iterable[Any], annotation: Any) -> str:
    low, high = _limits(list(metadata), "min_length", "max_length")
    if low is None or high is None:
        return ""
    unit = "characters" if annotation is str else "items"
    return f" (allowed: {low} to {high} {unit})"


def run_demo(
    demo_id: str,
    params: dict[str, Any] | None = None,
    on_progress: ProgressFn | None = None,
) -> DemoResult:
    """Validate and run; raises DemoError with every problem listed."""
    demo = get_demo(demo_id)
    problems = param_problems(demo_id, params or {})
    if problems:
        raise DemoError(f"{demo_id}: " + "; ".join(problems))
    return demo.run(params or {}, on_progress)
