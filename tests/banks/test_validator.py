"""The validator: one broken fixture per kind of error, each checked for its exact message."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from studybuddy.banks.loader import load_banks
from studybuddy.banks.validate import show_me_problems
from studybuddy.cli import app

BROKEN = Path(__file__).parent / "fixtures" / "broken"
VALID = Path(__file__).parent / "fixtures" / "valid"


@pytest.fixture(autouse=True)
def _in_fixture_folder(monkeypatch):
    # messages name files relative to the working folder, as an author typing the command sees
    monkeypatch.chdir(BROKEN)


def _messages(*names: str) -> list[str]:
    return [str(p) for p in load_banks([Path(n) for n in names]).problems]


@pytest.mark.parametrize(
    ("fixture", "expected"),
    [
        (
            "mc-answer.yaml",
            "mc-answer.yaml:12: bad-mc: answer: option indices 0..2 for the 3 options (got 3)",
        ),
        (
            "negative-tolerance.yaml",
            "negative-tolerance.yaml:12: bad-tolerance: tolerance: a tolerance >= 0 (got -0.5)",
        ),
        (
            "empty-explanation.yaml",
            "empty-explanation.yaml:12: bad-explanation: explanation: "
            "an explanation of why the answer is right (it is empty)",
        ),
        (
            "not-yaml.yaml",
            "not-yaml.yaml:3: -: yaml: valid YAML (did not find expected ',' or ']')",
        ),
    ],
)
def test_one_error_per_fixture(fixture, expected):
    assert _messages(fixture) == [expected]


def test_duplicate_id_across_banks_points_at_the_first_use():
    assert _messages("duplicate-a.yaml", "duplicate-b.yaml") == [
        "duplicate-b.yaml:13: shared-id: id: an id no other question uses (also at "
        "duplicate-a.yaml:8)"
    ]


def test_a_broken_bank_is_left_out_and_the_valid_one_still_loads():
    result = load_banks([Path("duplicate-a.yaml"), Path("duplicate-b.yaml")])
    assert [b.id for b in result.banks] == ["broken-dup-a"]


def test_every_schema_error_in_a_file_is_reported_with_its_own_line():
    assert _messages("schema-kinds.yaml") == [
        "schema-kinds.yaml:8: missing-prompt: prompt: a value (this field is required)",
        "schema-kinds.yaml:17: misspelt-field: tgas: no such field (did you mean tags?)",
        "schema-kinds.yaml:19: unknown-type: type: one of mc, tf, numeric, short, cloze, ordering"
        " (got 'multiple')",
        "schema-kinds.yaml:26: cloze-mismatch: blanks: one list of answers per blank {{1}}..{{2}}"
        " in the text (text has {{1}}, {{3}}, blanks has 2)",
        "schema-kinds.yaml:33: bad-difficulty: difficulty: one of 1, 2 or 3 (got 5)",
        "schema-kinds.yaml:34: bad-difficulty: tags[0]: a lower-case tag, words joined by '-'"
        " (got 'Attention')",
        "schema-kinds.yaml:39: colon-in-option: options[0]: text (got a mapping; put text"
        " containing ': ' in quotes)",
        "schema-kinds.yaml:43: broken-schema-ch: id: a chapter id unique in this bank"
        " (also at line 5)",
    ]


def _fake_param_problems(demo_id: str, params: dict) -> list[str]:
    """A stand-in registry with one demo taking `d_k` from 1 to 4096."""
    assert demo_id == "softmax-scaling"
    problems = [f"{k}: not a parameter of this demo (it takes d_k)" for k in params if k != "d_k"]
    if "d_k" in params and not 1 <= params["d_k"] <= 4096:
        problems.append("d_k: a value from 1 to 4096")
    return problems


def test_show_me_unknown_demo_unknown_param_and_out_of_range():
    result = load_banks([Path("show-me.yaml")])
    problems = show_me_problems(result, {"softmax-scaling"}, _fake_param_problems)
    assert [str(p) for p in problems] == [
        "show-me.yaml:14: unknown-demo: show_me.demo: the id of an existing demo"
        " (no demo 'softmax-scalin'; did you mean softmax-scaling?)",
        "show-me.yaml:23: unknown-param: show_me.params.temperature: not a parameter of this"
        " demo (it takes d_k)",
        "show-me.yaml:32: param-out-of-range: show_me.params.d_k: a value from 1 to 4096",
    ]


def test_unknown_demos_can_be_skipped_while_demos_are_being_written():
    result = load_banks([Path("show-me.yaml")])
    problems = show_me_problems(
        result, {"softmax-scaling"}, _fake_param_problems, unknown_demo_is_error=False
    )
    assert [p.question_id for p in problems] == ["unknown-param", "param-out-of-range"]


def test_show_me_against_the_real_demo_registry():
    from studybuddy.demos.registry import all_demos, param_problems

    result = load_banks([Path("show-me.yaml")])
    problems = show_me_problems(result, all_demos(), param_problems)
    assert [(p.line, p.question_id, p.field) for p in problems] == [
        (14, "unknown-demo", "show_me.demo"),
        (23, "unknown-param", "show_me.params.temperature"),
        (32, "param-out-of-range", "show_me.params.d_k"),
    ]


def test_cli_prints_every_problem_and_exits_1():
    result = CliRunner().invoke(app, ["banks", "validate", "mc-answer.yaml", "show-me.yaml"])
    assert result.exit_code == 1
    lines = result.stdout.splitlines()
    assert lines[0] == (
        "mc-answer.yaml:12: bad-mc: answer: option indices 0..2 for the 3 options (got 3)"
    )
    assert [line.split(":")[0:2] for line in lines[1:]] == [
        ["show-me.yaml", "14"],
        ["show-me.yaml", "23"],
        ["show-me.yaml", "32"],
    ]
    assert "4 problems in 2 files" in result.stderr
    assert "Traceback" not in result.output


def test_cli_exits_0_on_a_valid_bank():
    result = CliRunner().invoke(app, ["banks", "validate", str(VALID)])
    assert result.exit_code == 0, result.output
    assert result.stdout.strip() == "ok: 1 banks, 6 questions"


def test_cli_names_a_missing_path():
    result = CliRunner().invoke(app, ["banks", "validate", "no-such.yaml"])
    assert result.exit_code == 2
    assert "no-such.yaml: no such file or folder" in result.stderr


# --- content checks: one fixture per rule, and the bundled banks pass every one ---


def _content(*names: str) -> list[str]:
    from studybuddy.banks.validate import content_problems

    result = load_banks([Path(n) for n in names])
    assert [str(p) for p in result.problems] == []  # the fixtures are valid banks
    return [str(p) for p in content_problems(result)]


def test_a_right_option_that_stands_out_by_length_is_a_warning():
    assert _content("option-length.yaml") == [
        "option-length.yaml:3: broken-option-length: options: warning: right options that are"
        " not mostly the longest (the right option is the single longest in 5 of 6"
        " single-answer questions, over 50%)",
        "option-length.yaml:15: long-right: options[1]: warning: distractors about as long as"
        " the right option (it has 84 characters, the longest distractor 30)",
    ]


def test_a_page_number_needs_a_bank_that_says_where_its_pages_come_from():
    expected = (
        "a chapter or section name (this bank declares no pages_from, so no page number can be"
        " traced to a source; found {!r})"
    )
    assert _content("pages.yaml", "pages-declared.yaml") == [
        f"pages.yaml:8: broken-pages-ch: source: {expected.format('pp. 3')}",
        f"pages.yaml:15: page-in-source: source: {expected.format('p. 12')}",
        f"pages.yaml:20: page-in-explanation: explanation: {expected.format('p. 5')}",
    ]


def test_the_same_question_in_two_banks_is_a_warning_but_not_within_one_bank():
    assert _content("duplicate-prompt-a.yaml", "duplicate-prompt-b.yaml") == [
        "duplicate-prompt-b.yaml:15: gpt3-params-b: prompt: warning: a question no other bank"
        " asks (it is 100% the same as gpt3-params-a at duplicate-prompt-a.yaml:10; merge or"
        " differentiate them)"
    ]


def test_similar_but_different_questions_are_not_duplicates():
    from studybuddy.banks.validate import duplicate_prompt_problems

    result = load_banks([Path("duplicate-prompt-a.yaml"), Path("duplicate-prompt-b.yaml")])
    # lowering the bar shows the two "Fill in the blank." clozes are compared by their text
    ids = {p.question_id for p in duplicate_prompt_problems(result, threshold=0.5)}
    assert "fill-b" not in ids


def test_a_numeric_prompt_that_asks_for_a_unit_needs_the_unit():
    from studybuddy.banks.validate import grading_problems

    def message(found: str) -> str:
        return (
            f"a unit, since the prompt asks {found!r} (e.g. 'million', 'MB', 'MiB', 'GB', '%'): "
            "without one, '163M' or '622 MB' cannot be read"
        )

    result = load_banks([Path("missing-unit.yaml")])
    assert [str(p) for p in grading_problems(result)] == [
        f"missing-unit.yaml:8: megabytes-no-unit: unit: {message('How many megabytes')}",
        f"missing-unit.yaml:14: millions-no-unit: unit: {message('in millions')}",
        f"missing-unit.yaml:20: percentage-no-unit: unit: {message('What percentage')}",
    ]


def test_cli_prints_warnings_in_the_same_format_and_exits_0_for_warnings_alone():
    result = CliRunner().invoke(app, ["banks", "validate", "option-length.yaml"])
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert lines[0].startswith("option-length.yaml:3: broken-option-length: options: warning: ")
    assert lines[-1] == "ok: 1 banks, 7 questions and 2 warnings"


def test_cli_counts_errors_and_warnings_apart():
    result = CliRunner().invoke(app, ["banks", "validate", "missing-unit.yaml", "pages.yaml"])
    assert result.exit_code == 1
    assert "6 problems in 2 files" in result.stderr


def test_bundled_banks_pass_every_content_check():
    from studybuddy.banks import load_bundled_banks
    from studybuddy.banks.validate import content_problems

    assert [str(p) for p in content_problems(load_bundled_banks())] == []
