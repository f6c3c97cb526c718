"""What every demo is made of: validated parameters in, a plain result object out.

Results hold numbers, not widgets, so the CLI prints them with Rich, the TUI shows them in a panel,
`--json` dumps them, and tests check them, all from the same object.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from typing import Any

from pydantic import BaseModel, ConfigDict, Field


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


@dataclass
class DemoResult:
    demo_id: str
    title: str
    params: dict[str, Any]
    tables: list[Table] = field(default_factory=list)
    series: list[Series] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)  # interpretation computed from the numbers
    values: dict[str, Any] = field(default_factory=dict)  # headline numbers, for tests and --json

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

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
    run_fn: Callable[[Any], DemoResult]

    def run(self, params: DemoParams | dict[str, Any] | None = None) -> DemoResult:
        if not isinstance(params, DemoParams):
            params = self.params_model.model_validate(params or {})
        return self.run_fn(params)


def rounded(values: Any, digits: int = 4) -> Any:
    """Tensors and nested lists to plain, rounded Python numbers for tables and JSON."""
    if hasattr(values, "tolist"):
        values = values.tolist()
    if isinstance(values, list):
        return [rounded(v, digits) for v in values]
    if isinstance(values, float):
        return round(values, digits)
    return values
