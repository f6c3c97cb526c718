"""What every demo is made of: validated parameters in, a plain result object out.

Results hold numbers, not widgets, so the CLI prints them with Rich, the TUI shows them in a panel,
`--json` dumps them, and tests check them, all from the same object.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import asdict, dataclass, field, replace
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

DEMO_THREADS = 1

# Long demos (training) report progress as (steps done, steps in all, a short message).
ProgressFn = Callable[[int, int, str], None]


class DemoParams(BaseModel):
    """Base for every demo's parameters: bounded fields, unknown names refused, and a seed."""

    model_config = ConfigDict(extra="forbid")

    seed: int = Field(123, ge=0, le=2**31 - 1, description="Random seed; same seed, same numbers.")


@dataclass
class Table:
    """A labelled matrix or table. `heat` asks renderers to colour cells by value."""

    title: str
    columns: list[str]
    rows: list[list[Any]]
    row_labels: list[str] | None = None
    heat: bool = False


@dataclass
class Series:
    """Lines for a chart: one shared x axis, one y list per named line."""

    title: str
    x: list[float]
    lines: dict[str, list[float]]
    x_label: str = ""
    y_label: str = ""
    log_x: bool = False
    log_y: bool = False
    kind: Literal["line", "bar"] = "line"
    x_ticks: list[str] | None = None  # labels for the x positions, e.g. tokens under bars


@dataclass
class DemoResult:
    title: str
    tables: list[Table] = field(default_factory=list)
    series: list[Series] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)  # interpretation computed from the numbers
    values: dict[str, Any] = field(default_factory=dict)  # headline numbers, for tests and --json
    # Which demo ran and with what: filled in by `Demo.run`, so a demo never writes its own id
    demo_id: str = ""
    params: dict[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    def to_json_dict(self) -> dict[str, Any]:
        """`to_dict` with inf and nan spelled as strings, since JSON has no such numbers."""
        return _json_safe(self.to_dict())

    def table(self, title: str) -> Table:
        for table in self.tables:
            if table.title == title:
                return table
        raise KeyError(title)


@dataclass(frozen=True)
class Demo:
    id: str
    title: str
    summary: str  # one line for `studybuddy show`
    params_model: type[DemoParams]
    run_fn: Callable[..., DemoResult]
    streams_progress: bool = False  # run_fn takes an on_progress callback as second argument
    # The engine objects whose source the demo shows, as "module:qualname" strings so that
    # registering a demo imports nothing; empty: those its function imports (demos/code.py).
    code: tuple[str, ...] = ()
    # False where the numbers do not depend on the seed, so that it is not offered as a knob.
    random: bool = True
    section: str = ""  # where the book treats it: "3.5", a chapter "1", an appendix "A"

    def run(
        self,
        params: DemoParams | dict[str, Any] | None = None,
        on_progress: ProgressFn | None = None,
    ) -> DemoResult:
        from studybuddy.demos.common import torch_threads

        if not isinstance(params, DemoParams):
            params = self.params_model.model_validate(params or {})
        # Demo tensors are small: one thread avoids waking a pool for each op, and on a busy
        # machine a second thread that must be scheduled too made next-token 15x slower
        # (220 ms against 15 ms, measured on 2 shared cores).
        with torch_threads(DEMO_THREADS):
            if self.streams_progress:
                result = self.run_fn(params, on_progress)
            else:
                result = self.run_fn(params)
        return replace(result, demo_id=self.id, params=params.model_dump())


def parse_value(text: str, default: Any) -> Any:
    """Typed text to a parameter value shaped like its default: lists from commas, so the
    TUI's inputs and the CLI's `-p temperatures=0.1,1,5` read alike."""
    import json

    text = text.strip()
    if isinstance(default, list):
        if text.startswith("["):  # a JSON list, as `-p` took before
            try:
                return json.loads(text)
            except json.JSONDecodeError:
                return text
        return [
            parse_value(part, default[0] if default else "")
            for part in text.split(",")
            if part.strip()
        ]
    if isinstance(default, str):
        return text
    try:
        return json.loads(text)
    except json.JSONDecodeError:
        return text  # pydantic will refuse it with a message naming the expected type


def rounded(values: Any, digits: int = 4) -> Any:
    """Tensors and nested lists to plain, rounded Python numbers for tables and JSON."""
    if hasattr(values, "tolist"):
        values = values.tolist()
    if isinstance(values, list | tuple):
        return [rounded(v, digits) for v in values]
    if isinstance(values, float):
        # + 0.0 turns -0.0 into 0.0, which reads better in a table.
        return round(values, digits) + 0.0 if math.isfinite(values) else values
    return values


def plural(count: int, word: str, many: str | None = None) -> str:
    """'1 token', '2 tokens', '1,000 tokens'."""
    return f"{count:,} {word if count == 1 else many or word + 's'}"


def significant(value: float, digits: int = 4) -> float:
    """Round to significant digits, so that small probabilities do not print as 0."""
    return float(f"{value:.{digits}g}")


def _json_safe(value: Any) -> Any:
    if isinstance(value, float) and not math.isfinite(value):
        return str(value)  # "inf", "-inf", "nan"
    if isinstance(value, dict):
        return {str(k): _json_safe(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_json_safe(v) for v in value]
    return value
