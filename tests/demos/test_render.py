"""Rendering results with Rich and plotext, and the `studybuddy show` command."""

from __future__ import annotations

import json

import pytest
from rich.console import Console
from typer.testing import CliRunner

from studybuddy.cli import app
from studybuddy.demos import all_demos, run_demo
from studybuddy.demos.base import DemoResult, Series, Table
from studybuddy.demos.render import chart_text, render_result, render_table


def _text(renderable, width: int = 100, color: bool = False) -> str:
    console = Console(
        width=width, record=True, color_system="truecolor" if color else None, force_terminal=color
    )
    console.print(renderable)
    return console.export_text(styles=color)


STREAMING = {demo_id for demo_id, demo in all_demos().items() if demo.streams_progress}
QUICK = {"train-steps": {"steps": 2}, "rnn-bottleneck": {"steps": 10, "max_length": 3}}


@pytest.mark.parametrize("demo_id", sorted(all_demos()))
def test_every_demo_renders_its_tables_and_notes(demo_id, stand_in_model):
    result = run_demo(demo_id, QUICK.get(demo_id, {}))
    text = _text(render_result(result))
    assert result.title in text
    for table in result.tables:
        assert table.title[:20] in text
    assert result.notes[0][:30] in " ".join(text.split())


@pytest.mark.parametrize("demo_id", sorted(all_demos()))
def test_every_demo_fits_80_columns_without_cutting_a_table(demo_id, stand_in_model):
    """As `studybuddy show` prints at 80 columns: charts 78 wide, and no table so wide that
    Rich must squeeze a column below its longest word."""
    result = run_demo(demo_id, QUICK.get(demo_id, {}))
    text = _text(render_result(result, width=78), width=80)
    assert max(len(line.rstrip()) for line in text.splitlines()) <= 80
    for table in result.tables:
        alone = _text(render_table(table), width=400)
        widest = max(len(line.rstrip()) for line in alone.splitlines())
        assert widest <= 80, f"{table.title!r} is {widest} columns wide"


def test_heat_tables_colour_their_numbers():
    table = Table("weights", ["a", "b"], [[0.1, 0.9], ["x", 0.5]], heat=True)
    coloured = _text(render_table(table), color=True)
    assert "48;2;" in coloured  # a truecolor background on the numeric cells
    plain = _text(render_table(Table("weights", ["a"], [[0.1], [0.9]])), color=True)
    assert "48;2;" not in plain


def test_series_become_terminal_charts():
    line = Series("loss", [1.0, 2.0, 3.0], {"train": [3.0, 2.0, 1.5]}, "step", "loss")
    drawn = chart_text(line, width=50, height=12)
    assert drawn is not None and "loss" in drawn
    rendered = _text(render_result(DemoResult("chart", series=[line]), width=50), 120)
    assert max(len(row.rstrip()) for row in rendered.splitlines()) <= 50
    bars = Series("p", [0, 1], {"p": [0.2, 0.8]}, kind="bar", x_ticks=["alpha", "beta"])
    assert "alpha" in chart_text(bars)
    empty = Series("nothing", [1.0], {"y": [float("nan")]})
    assert chart_text(empty) is None


def test_show_lists_every_demo():
    out = CliRunner().invoke(app, ["show"])
    assert out.exit_code == 0
    for demo_id in all_demos():
        assert demo_id in out.output


def test_show_json_prints_parameters_and_numbers():
    out = CliRunner().invoke(
        app, ["show", "self-attention-simple", "-p", "query_index=1", "--json"]
    )
    assert out.exit_code == 0, out.output
    data = json.loads(out.output)
    assert data["params"] == {"seed": 123, "query_index": 1}
    assert data["values"]["context"] == pytest.approx([0.4419, 0.6515, 0.5683], abs=1e-4)
    assert data["tables"][0]["rows"]


def test_show_json_stays_valid_with_overflowing_numbers():
    out = CliRunner().invoke(app, ["show", "softmax-naive", "-p", "scores=[1000, 1]", "--json"])
    assert out.exit_code == 0
    assert json.loads(out.output)["values"]["naive_float32"][0] == "nan"


def test_show_refuses_bad_parameters_in_one_line():
    out = CliRunner().invoke(app, ["show", "causal-mask", "-p", "n_tokens=99"])
    assert out.exit_code == 2
    assert out.output.strip() == (
        "error: causal-mask: n_tokens: Input should be less than or equal to 12 (allowed: 2 to 12)"
    )
    assert "Traceback" not in out.output


def test_show_prints_tables_and_seed_changes_numbers():
    first = CliRunner().invoke(app, ["show", "dropout-scaling", "--seed", "1", "--json"])
    second = CliRunner().invoke(app, ["show", "dropout-scaling", "--seed", "2", "--json"])
    assert (
        json.loads(first.output)["values"]["input"] != json.loads(second.output)["values"]["input"]
    )
    plain = CliRunner().invoke(app, ["show", "layer-norm"])
    assert plain.exit_code == 0 and "statistics per row" in plain.output
