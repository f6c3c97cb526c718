"""Show the code: what a demo shows is the source of the engine objects that ran, and the
attention demos show the inputs and the masked scores a reader needs to redo them."""

from __future__ import annotations

import inspect
import math
import textwrap

import pytest
from typer.testing import CliRunner

from studybuddy.demos import all_demos, get_demo, run_demo
from studybuddy.demos.code import code_excerpts, code_targets


def test_every_demo_shows_some_code_and_every_named_object_exists():
    for demo in all_demos().values():
        excerpts = code_excerpts(demo)
        assert excerpts, demo.id
        for excerpt in excerpts:
            assert "def " in excerpt.source or "class " in excerpt.source, excerpt.target


def test_the_shown_code_is_the_engine_source_itself():
    from studybuddy.engine.attention import CausalAttention, causal_mask, scaled_softmax

    shown = {e.target: e for e in code_excerpts(get_demo("causal-mask"))}
    expected = {
        "studybuddy.engine.attention:causal_mask": causal_mask,
        "studybuddy.engine.attention:CausalAttention.weights": CausalAttention.weights,
        "studybuddy.engine.attention:scaled_softmax": scaled_softmax,
    }
    assert set(shown) == set(expected)
    for target, obj in expected.items():
        assert shown[target].source == textwrap.dedent(inspect.getsource(obj))
        assert shown[target].first_line == inspect.getsourcelines(obj)[1]
        assert shown[target].path == "studybuddy/engine/attention.py"
    # the line the causal mask hinges on is in what the reader sees
    assert "masked_fill" in shown["studybuddy.engine.attention:CausalAttention.weights"].source


def test_a_demo_naming_no_code_shows_the_engine_classes_it_imports():
    from studybuddy.engine.model import LayerNorm

    (excerpt,) = code_excerpts(get_demo("layer-norm"))
    assert excerpt.source == inspect.getsource(LayerNorm)


def test_a_demo_on_plain_torch_shows_its_own_function():
    demo = get_demo("softmax-naive")
    assert code_targets(demo) == ("studybuddy.demos.softmax:softmax_naive",)
    assert "torch" in code_excerpts(demo)[0].source


def test_causal_mask_shows_the_book_inputs_and_the_scores_masked_with_minus_inf():
    import torch

    result = run_demo("causal-mask", {})
    inputs = result.tables[0]
    assert inputs.title.startswith("inputs x (6 tokens x 3 dims)")
    # the book's six embeddings of "Your journey starts with one step" (ch. 3)
    assert inputs.rows[0] == [0.43, 0.15, 0.89] and inputs.rows[5] == [0.05, 0.8, 0.55]
    masked = torch.tensor(result.values["masked_scores"])
    for i in range(6):
        for j in range(6):
            assert math.isinf(masked[i, j]) == (j > i), (i, j)
    # the softmax of those scores over sqrt(d_k) is the engine's weights, by torch's own softmax
    weights = torch.softmax(masked / math.sqrt(2), dim=-1)
    assert torch.allclose(weights, torch.tensor(result.values["minus_inf"]), atol=1e-6)
    assert "-inf" in [str(v) for v in result.tables[1].rows[0]]


@pytest.mark.parametrize("demo_id", ["self-attention-simple", "self-attention-trainable"])
def test_attention_demos_start_from_the_input_table(demo_id):
    table = run_demo(demo_id, {}).tables[0]
    assert table.title.startswith("inputs x") and len(table.rows) == 6 and len(table.columns) == 3


def test_cli_prints_the_code_under_the_result_and_no_code_leaves_it_out():
    from studybuddy.cli import app

    with_code = CliRunner().invoke(app, ["show", "causal-mask"])
    assert with_code.exit_code == 0, with_code.output
    assert "The code that computed these numbers" in with_code.output
    assert "scores.masked_fill(self.mask[:num_tokens, :num_tokens]" in with_code.output
    assert with_code.output.index("The code") > with_code.output.index("renormalis")
    without = CliRunner().invoke(app, ["show", "causal-mask", "--no-code"])
    assert without.exit_code == 0
    assert "The code that computed" not in without.output and "masked_fill" not in without.output


NOT_RANDOM = [d.id for d in all_demos().values() if not d.random]


@pytest.mark.parametrize("demo_id", NOT_RANDOM)
def test_a_demo_declared_not_random_gives_the_same_numbers_for_any_seed(demo_id, stand_in_model):
    first, second = run_demo(demo_id, {"seed": 1}), run_demo(demo_id, {"seed": 2})
    assert first.to_json_dict() | {"params": None} == second.to_json_dict() | {"params": None}


@pytest.mark.parametrize("demo_id", ["self-attention-trainable", "causal-mask", "layer-norm"])
def test_a_random_demo_changes_with_its_seed(demo_id):
    assert get_demo(demo_id).random
    assert run_demo(demo_id, {"seed": 1}).values != run_demo(demo_id, {"seed": 2}).values


def test_cli_reads_a_comma_list_like_the_tui_input():
    from studybuddy.cli import app

    commas = CliRunner().invoke(
        app, ["show", "temperature", "-p", "temperatures=0.1,1,5", "--json"]
    )
    assert commas.exit_code == 0, commas.output
    assert '"temperatures": [\n      0.1,\n      1.0,\n      5.0\n    ]' in commas.output
    optional = CliRunner().invoke(
        app, ["show", "temperature", "-p", "vocab=custom", "-p", "logits=1,2,3", "--json"]
    )
    assert optional.exit_code == 0, optional.output
    assert '"logits": [\n      1.0,\n      2.0,\n      3.0\n    ]' in optional.output
    bad = CliRunner().invoke(app, ["show", "temperature", "-p", "temperatures=0.1,hot"])
    assert bad.exit_code == 2
    assert "temperatures.1" in bad.output and "Traceback" not in bad.output
