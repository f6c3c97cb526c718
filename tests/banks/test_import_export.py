"""CSV and Markdown banks: import by hand-written fixtures, round trips, errors with lines,
and the Anki export opened as what it is (a zip holding an SQLite collection)."""

from __future__ import annotations

import json
import sqlite3
import zipfile
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from studybuddy.banks import load_bundled_banks
from studybuddy.banks.anki import stable_id
from studybuddy.banks.csv_format import read_csv, write_csv
from studybuddy.banks.importers import build_bank, import_bank
from studybuddy.banks.loader import load_banks
from studybuddy.banks.markdown_format import read_markdown, write_markdown
from studybuddy.banks.models import (
    Bank,
    Chapter,
    Cloze,
    KeyPoint,
    Misconception,
    MultipleChoice,
    Numeric,
    Ordering,
    ShortAnswer,
    ShowMe,
    TrueFalse,
)
from studybuddy.cli import app

FIXTURES = Path(__file__).parent / "fixtures"
IMPORTS = FIXTURES / "import"
SAMPLE = FIXTURES / "valid" / "sample.yaml"


def _expected_questions(prefix: str, md: bool) -> list[list]:
    """What attention.csv and attention.md say, written out by hand."""
    scale = MultipleChoice(
        id=f"{prefix}-why-scale",
        prompt="Why are scores divided by sqrt(d_k)?",
        options=["to keep the softmax soft", "to save memory", "to mask the future"],
        answer=[0],
        explanation="Large dot products make softmax one-hot, with tiny gradients."
        + ("\n\nA second paragraph." if md else ""),
        difficulty=2,
        tags=["attention", "softmax"],
        source="p. 69",
        show_me=ShowMe(demo="softmax-scaling", params={"d_k": 64}),
    )
    tf = TrueFalse(
        id=f"{prefix}-tf",
        prompt="Softmax weights sum to one.",
        answer=True,
        explanation="Each exponential is divided by their sum.",
        difficulty=2 if md else 1,
        tags=[] if md else ["softmax"],
    )
    dropout = Numeric(
        id=f"{prefix}-dropout",
        prompt="Share of values zeroed by dropout with p = 0.1, in percent?",
        value=10,
        tolerance=0.5,
        unit="%",
        explanation="p is the chance that each value is zeroed.",
        tags=[] if md else ["dropout"],
    )
    order = Ordering(
        id=f"{prefix}-order",
        prompt="Order the causal-mask steps.",
        steps=["scores", "mask above the diagonal with -inf", "softmax"],
        explanation="The mask has to act before the softmax, on the scores.",
        tags=[] if md else ["causal-mask"],
    )
    cloze = Cloze(
        id=f"{prefix}-cloze",
        prompt="Fill in the blank.",
        text="The causal mask hides the {{1}} tokens.",
        blanks=[["future", "later"]],
        explanation="Each token may attend only to itself and earlier tokens.",
        tags=[] if md else ["causal-mask"],
    )
    short = ShortAnswer(
        id=f"{prefix}-short",
        prompt="Why mask future tokens?"
        + ("\n\nThink of what the model is trained to predict." if md else ""),
        model_answer="A model that predicts the next token must not see it.",
        key_points=[
            KeyPoint(point="leak", accept=["see the answer", "leak", "cheat"]),
            KeyPoint(
                point="next token", accept=["next token"] if md else ["next token", "next word"]
            ),
        ],
        explanation="Training would leak the answer otherwise.",
        difficulty=2 if md else 3,
        tags=[] if md else ["causal-mask"],
    )
    return [[scale, tf, dropout], [order, cloze, short]]


def test_csv_import_reads_every_question_type():
    imported = import_bank(IMPORTS / "attention.csv")
    assert imported.problems == []
    first, second = _expected_questions("csv", md=False)
    assert imported.bank == Bank(
        id="csv-attention",
        title="Attention, from a spreadsheet",
        source="course",
        pages_from="the course handout",
        chapters=[
            Chapter(id="csv-attention-scaling", title="Scaling", questions=first),
            Chapter(id="csv-attention-masking", title="Masking", questions=second),
        ],
    )


def test_markdown_import_reads_every_question_type():
    imported = import_bank(IMPORTS / "attention.md")
    assert imported.problems == []
    first, second = _expected_questions("md", md=True)
    assert imported.bank == Bank(
        id="md-attention",
        title="Attention, from notes",
        source="course",
        description="Questions written as Markdown.",
        pages_from="the course handout",
        chapters=[
            Chapter(id="md-scaling", title="Scaling", source="ch. 3", questions=first),
            Chapter(id="md-attention-masking", title="Masking", questions=second),
        ],
    )


def test_import_errors_name_the_source_line(monkeypatch):
    monkeypatch.chdir(IMPORTS)
    csv_problems = [str(p) for p in import_bank(Path("broken.csv")).problems]
    assert csv_problems == [
        "broken.csv:2: broken-pick-one: answer: option letters A..B (got C)",
        "broken.csv:3: broken-how-many: explanation: an explanation of why the answer is right"
        " (it is empty)",
        "broken.csv:4: broken-unknown-type: model_answer: a non-empty text",
    ]
    md_problems = [str(p) for p in import_bank(Path("broken.md")).problems]
    assert md_problems == [
        "broken.md:5: broken-pick-one: options: at least 2 items (got 1)",
        "broken.md:8: broken-pick-one: options: '- [x] text' or '- [ ] text' for an option",
        "broken.md:12: broken-how-many: show_me: 'demo-id {name: value, ...}'"
        " (got 'softmax-scaling {d_k: [unclosed')",
    ]


def test_csv_header_mistakes_are_reported_before_any_row():
    draft = read_csv("chapter,promt,explanation\nOne,Why?,Because.\n", "typo.csv")
    assert [str(p) for p in draft.problems] == [
        "typo.csv:1: -: header: known column names ('promt': did you mean prompt?)",
        "typo.csv:1: -: header: a column named prompt",
    ]


def test_import_refuses_ids_that_bundled_banks_already_use(tmp_path):
    bundled = load_bundled_banks()
    taken = bundled.banks[0].questions()[0].id
    source = tmp_path / "mine.md"
    source.write_text(f"## One\n\n### A question {{#{taken}}}\n\nanswer: true\n\n> Why.\n")
    imported = import_bank(source, bundled)
    assert imported.bank is None
    assert [(p.line, p.question_id, p.field) for p in imported.problems] == [(3, taken, "id")]
    assert "also at" in imported.problems[0].message


def _banks_to_round_trip() -> list[Bank]:
    return [*load_bundled_banks().banks, *load_banks([SAMPLE]).banks]


@pytest.mark.parametrize(
    ("write", "read"), [(write_csv, read_csv), (write_markdown, read_markdown)], ids=["csv", "md"]
)
def test_every_bundled_bank_survives_a_round_trip(write, read):
    for bank in _banks_to_round_trip():
        back = build_bank(read(write(bank), "round-trip"), bank.id)
        assert back.problems == []
        assert back.bank == bank, bank.id


# Markdown reads text as it renders: runs of spaces become one, so generate texts that way.
words = st.text(alphabet="abcdefghij klmnop-()'.,?!", min_size=1, max_size=30)
text = words.map(lambda s: " ".join(s.split())).filter(bool)
# a phrase has words on both sides of each '...' (the schema's ordered-parts notation)
phrase = text.filter(lambda s: all(part.strip() for part in s.split("...")))


@st.composite
def generated_banks(draw) -> Bank:
    questions = []
    for n in range(draw(st.integers(1, 6))):
        common = {
            "id": f"g{n}",
            "prompt": draw(text),
            "explanation": draw(text),
            "difficulty": draw(st.sampled_from([1, 2, 3])),
            "tags": draw(st.lists(st.sampled_from(["attention", "softmax", "gpt"]), unique=True)),
        }
        kind = draw(st.sampled_from(["mc", "tf", "numeric", "ordering", "cloze", "short"]))
        if kind == "mc":
            options = draw(st.lists(text, min_size=2, max_size=5, unique_by=str.casefold))
            answer = draw(st.sets(st.integers(0, len(options) - 1), min_size=1))
            questions.append(MultipleChoice(options=options, answer=sorted(answer), **common))
        elif kind == "tf":
            questions.append(TrueFalse(answer=draw(st.booleans()), **common))
        elif kind == "numeric":
            value = draw(st.floats(-1e9, 1e9, allow_nan=False))
            tolerance = draw(st.floats(0, 100))
            unit = draw(st.sampled_from([None, "%", "MB"]))
            questions.append(Numeric(value=value, tolerance=tolerance, unit=unit, **common))
        elif kind == "ordering":
            steps = draw(st.lists(text, min_size=2, max_size=5, unique_by=str.casefold))
            questions.append(Ordering(steps=steps, **common))
        elif kind == "cloze":
            variants = draw(st.lists(text.filter(lambda s: "|" not in s), min_size=1, max_size=3))
            questions.append(Cloze(text=f"{draw(text)} {{{{1}}}}.", blanks=[variants], **common))
        else:
            points = [
                KeyPoint(
                    point=draw(text).replace("=", ""), accept=draw(st.lists(phrase, min_size=1))
                )
                for _ in range(draw(st.integers(0, 3)))
            ]
            points = [p for p in points if p.point.strip()]
            wrong = [
                Misconception(
                    point=p.point, match=draw(st.lists(phrase, min_size=1)), why=draw(text)
                )
                for p in points
                if draw(st.booleans())
            ]
            questions.append(
                ShortAnswer(
                    model_answer=draw(text), key_points=points, misconceptions=wrong, **common
                )
            )
    return Bank(
        id="generated",
        title="Generated",
        source="notes",
        chapters=[Chapter(id="generated-ch", title="Chapter", questions=questions)],
    )


@settings(max_examples=40, deadline=None)
@given(generated_banks())
def test_generated_banks_round_trip_through_both_formats(bank):
    for write, read in ((write_csv, read_csv), (write_markdown, read_markdown)):
        back = build_bank(read(write(bank), "generated"), bank.id)
        assert back.problems == []
        assert back.bank == bank


def test_cli_import_writes_a_yaml_bank_that_validates(tmp_path):
    out = tmp_path / "attention.yaml"
    runner = CliRunner()
    result = runner.invoke(app, ["banks", "import", str(IMPORTS / "attention.md"), "-o", str(out)])
    assert result.exit_code == 0, result.output
    assert out.read_text().startswith("# yaml-language-server: $schema=")
    loaded = load_banks([out])
    assert loaded.problems == []
    assert loaded.banks == [import_bank(IMPORTS / "attention.md").bank]
    check = runner.invoke(app, ["banks", "validate", str(out)])
    assert check.exit_code == 0, check.output


def test_cli_import_of_a_broken_file_writes_nothing(tmp_path):
    out = tmp_path / "broken.yaml"
    result = CliRunner().invoke(
        app, ["banks", "import", str(IMPORTS / "broken.csv"), "-o", str(out)]
    )
    assert result.exit_code == 1
    assert "3 problems; nothing written" in result.stderr
    assert not out.exists()


def test_cli_import_refuses_other_file_kinds(tmp_path):
    other = tmp_path / "bank.txt"
    other.write_text("hello")
    result = CliRunner().invoke(app, ["banks", "import", str(other)])
    assert result.exit_code == 2
    assert "expected a .csv, .md or .markdown file" in result.stderr


# --- Anki --------------------------------------------------------------------------------


def _collection(apkg: Path, tmp_path: Path) -> sqlite3.Connection:
    with zipfile.ZipFile(apkg) as archive:
        assert "collection.anki2" in archive.namelist()
        archive.extract("collection.anki2", tmp_path)
    return sqlite3.connect(tmp_path / "collection.anki2")


def test_anki_export_holds_one_note_per_question_with_stable_ids(tmp_path, monkeypatch):
    monkeypatch.setenv("STUDYBUDDY_BANKS", str(SAMPLE.parent))
    runner = CliRunner()
    first, second = tmp_path / "a.apkg", tmp_path / "b.apkg"
    for path in (first, second):
        result = runner.invoke(app, ["banks", "export", "sample", "--anki", str(path)])
        assert result.exit_code == 0, result.output
        assert result.stdout.strip() == f"wrote {path}: 6 notes"
    (tmp_path / "one").mkdir()
    (tmp_path / "two").mkdir()
    db_a, db_b = _collection(first, tmp_path / "one"), _collection(second, tmp_path / "two")
    assert db_a.execute("select count(*) from notes").fetchone() == (6,)
    models = json.loads(db_a.execute("select models from col").fetchone()[0])
    assert [int(k) for k in models if models[k]["name"].startswith("StudyBuddy")] == [
        stable_id("model", "sample")
    ]
    decks = json.loads(db_a.execute("select decks from col").fetchone()[0])
    names = {d["name"] for d in decks.values()}
    assert "StudyBuddy::Sample bank::Chapter A: choices" in names
    guids = "select guid, flds from notes order by guid"
    assert db_a.execute(guids).fetchall() == db_b.execute(guids).fetchall()
    # the Id field (last) carries the question id; the answer field the right option
    fields = {row[1].split("\x1f")[-1]: row[1].split("\x1f") for row in db_a.execute(guids)}
    assert set(fields) == {"s-mc", "s-tf", "s-order", "s-num", "s-short", "s-cloze"}
    assert fields["s-mc"][1] == "A. ReLU<br>B. GELU"
    assert fields["s-num"][1] == "65% (± 0.5)"


def test_export_names_unknown_banks_and_missing_targets(tmp_path, monkeypatch):
    monkeypatch.setenv("STUDYBUDDY_BANKS", str(SAMPLE.parent))
    runner = CliRunner()
    unknown = runner.invoke(app, ["banks", "export", "nope", "--anki", str(tmp_path / "x.apkg")])
    assert unknown.exit_code == 2 and "no bank 'nope'; expected one of: sample" in unknown.stderr
    nothing = runner.invoke(app, ["banks", "export", "sample"])
    assert nothing.exit_code == 2 and "expected at least one of" in nothing.stderr
    wrong = runner.invoke(app, ["banks", "export", "sample", "--anki", str(tmp_path / "x.zip")])
    assert wrong.exit_code == 2 and "ending in .apkg" in wrong.stderr


@pytest.mark.parametrize(("fence", "suffix"), [("csv", ".csv"), ("markdown", ".md")])
def test_the_readme_examples_import(fence, suffix, tmp_path):
    readme = (Path(__file__).parents[2] / "README.md").read_text(encoding="utf-8")
    example = readme.split(f"```{fence}\n", 1)[1].split("```", 1)[0]
    source = tmp_path / f"example{suffix}"
    source.write_text(example, encoding="utf-8")
    imported = import_bank(source)
    assert imported.problems == []
    assert len(imported.bank.questions()) == (3 if fence == "csv" else 2)
