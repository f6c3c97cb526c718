"""Banks are data anyone may hand a reading group: hostile YAML is refused with one located
problem, in bounded time and memory, and never reaches pydantic or the app as a traceback."""

from __future__ import annotations

import resource
import time
from pathlib import Path

import pytest

from studybuddy.banks import safe_yaml
from studybuddy.banks.csv_format import read_csv
from studybuddy.banks.importers import build_bank
from studybuddy.banks.loader import load_banks
from studybuddy.banks.markdown_format import read_markdown

SAMPLE = Path(__file__).parent / "fixtures" / "valid" / "sample.yaml"

# Nine levels of nine-fold references: 9**9 (387 million) strings once expanded, 600 bytes here.
ALIAS_BOMB = "\n".join(
    ['a0: &a0 ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]']
    + [f"a{n}: &a{n} [" + ", ".join([f"*a{n - 1}"] * 9) + "]" for n in range(1, 9)]
)


def _only_problem(tmp_path: Path, text: str) -> str:
    bank = tmp_path / "hostile.yaml"
    bank.write_text(text, encoding="utf-8")
    result = load_banks([bank])
    assert result.banks == []
    assert len(result.problems) == 1, result.problems
    return str(result.problems[0]).replace(f"{tmp_path}/", "")


def test_an_alias_bomb_is_refused_at_its_first_anchor_quickly(tmp_path: Path) -> None:
    assert len(ALIAS_BOMB) < 700
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    started = time.perf_counter()
    problem = _only_problem(tmp_path, ALIAS_BOMB)
    assert time.perf_counter() - started < 5  # a generous bound; expanding it takes minutes
    grown_kib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before
    assert grown_kib < 50_000  # expanded, it would need gigabytes
    assert problem == (
        "hostile.yaml:1: -: yaml: no anchors or aliases (&name, *name): write each value out"
    )


def test_a_key_written_twice_is_refused_instead_of_silently_replacing_the_first(
    tmp_path: Path,
) -> None:
    lines = SAMPLE.read_text(encoding="utf-8").splitlines()
    at = next(i for i, line in enumerate(lines) if line.strip().startswith("answer:"))
    indent = lines[at][: len(lines[at]) - len(lines[at].lstrip())]
    lines.insert(at + 1, f"{indent}answer: [0]")
    problem = _only_problem(tmp_path, "\n".join(lines) + "\n")
    assert problem == (
        f"hostile.yaml:{at + 2}: -: yaml: each key once in a mapping ('answer' is written twice)"
    )


def test_deep_nesting_is_refused_without_recursing(tmp_path: Path) -> None:
    depth = 20_000
    problem = _only_problem(tmp_path, "id: x\nchapters: " + "[" * depth + "]" * depth + "\n")
    assert problem.startswith("hostile.yaml:2: -: yaml: ")
    assert "nesting" in problem


def test_moderate_nesting_past_our_limit_is_refused_with_our_limit(tmp_path: Path) -> None:
    depth = safe_yaml.MAX_DEPTH + 1
    problem = _only_problem(tmp_path, "a: " + "[" * depth + "]" * depth + "\n")
    assert problem.endswith(f"at most {safe_yaml.MAX_DEPTH} levels of nesting")


def test_an_integer_too_long_to_convert_is_one_problem(tmp_path: Path) -> None:
    problem = _only_problem(tmp_path, "id: x\nversion: " + "9" * 5000 + "\n")
    assert problem == (
        f"hostile.yaml:2: -: yaml: a number of at most {safe_yaml.MAX_INT_DIGITS} digits"
    )


def test_a_huge_scalar_and_a_huge_file_are_refused(tmp_path: Path) -> None:
    problem = _only_problem(tmp_path, "id: " + "x" * (safe_yaml.MAX_SCALAR_CHARS + 1) + "\n")
    assert "a value of at most 100,000 characters" in problem
    big = tmp_path / "big.yaml"
    with big.open("w", encoding="utf-8") as out:
        out.write("# " + "x" * safe_yaml.MAX_TEXT_CHARS + "\n")
    [problem_big] = load_banks([big]).problems
    assert problem_big.field == "file"
    assert "at most 2,000,000 bytes" in problem_big.message


def test_the_bundled_banks_pass_the_checks() -> None:
    from studybuddy.locations import question_banks_dir

    for bank in sorted(question_banks_dir().glob("*.yaml")):
        safe_yaml.compose(bank.read_text(encoding="utf-8"))  # raises if refused


def test_csv_import_refuses_an_alias_bomb_in_show_me_and_an_oversized_field() -> None:
    bomb = "{a: &a [1, 1, 1], b: &b [*a, *a, *a], c: [*b, *b, *b]}"
    text = f'chapter,prompt,answer,explanation,show_me\nC,How many?,12,Why.,"softmax {bomb}"\n'
    imported = build_bank(read_csv(text, "bomb.csv"), "bomb")
    assert [str(p) for p in imported.problems] == [
        "bomb.csv:2: bomb-how-many: show_me: no anchors or aliases (&name, *name): "
        "write each value out"
    ]
    huge = "chapter,prompt,answer,explanation\nC,How many?,12," + "x" * 140_000 + "\n"
    [problem] = read_csv(huge, "huge.csv").problems
    assert str(problem).startswith("huge.csv:2: -: csv: well-formed CSV (field larger than")


@pytest.mark.parametrize(
    "front",
    ["id: &x a\n", "id: a\nid: b\n", "n: " + "7" * 2000 + "\n"],
    ids=["alias", "dup", "int"],
)
def test_markdown_front_matter_is_checked_the_same_way(front: str) -> None:
    text = f"---\n{front}---\n# T\n## C\n### How many?\nanswer: 12\n> Because.\n"
    problems = read_markdown(text, "notes.md").problems
    assert len(problems) == 1
    assert problems[0].field == "front matter"
