"""Numbers typed the way people type them, read in the question's unit (issue 12).

The questions are the bundled ones' values with the unit their prompts name.
"""

from __future__ import annotations

import pytest

from studybuddy.banks.grading import grade
from studybuddy.banks.models import Numeric
from studybuddy.banks.numbers import NotANumber, parse_unit, readings, unit_problem


def numeric(value, tolerance=0.0, unit=None):
    return Numeric(id="q", prompt="p", explanation="e", value=value, tolerance=tolerance, unit=unit)


UNTIED_MILLIONS = numeric(163.0, 0.1, "million")  # ch4-params-untied: 163,009,536 parameters
XL_BILLIONS = numeric(1.56, 0.01, "billion")  # ch4-xl-params
MEMORY_MIB = numeric(621.83, 1.0, "MiB")  # ch4-memory-fp32: "1 MB = 1024^2 bytes"
FILE_GB = numeric(140.0, 0.5, "GB")  # nn-llm-two-files: 70e9 parameters x 2 bytes
COMPUTE = numeric(3.15, 0.05, "x 10^23 FLOPs")  # ch1-gpt3-compute-numeric: 6 x 175e9 x 300e9
GPT3_BILLIONS = numeric(175.0, 0.0, "billion")


@pytest.mark.parametrize(
    ("question", "typed"),
    [
        (MEMORY_MIB, "622 MB"),  # MB as the question uses it (1024^2 bytes)
        (MEMORY_MIB, "652 MB"),  # 163,009,536 x 4 bytes in decimal megabytes
        (MEMORY_MIB, "622 MiB"),
        (MEMORY_MIB, "0.607 GiB"),  # 0.607 x 1024 = 621.6 MiB
        (FILE_GB, "140 GB"),
        (FILE_GB, "140"),
        (FILE_GB, "0.14 TB"),
        (FILE_GB, "140,000,000,000 bytes"),
        (UNTIED_MILLIONS, "163M"),
        (UNTIED_MILLIONS, "163"),
        (UNTIED_MILLIONS, "163,009,536"),  # the full count
        (UNTIED_MILLIONS, "163 009 536"),
        (UNTIED_MILLIONS, "163_009_536"),
        (UNTIED_MILLIONS, "163 million parameters"),
        (UNTIED_MILLIONS, "0.163 billion"),
        (XL_BILLIONS, "1.56 billion"),
        (XL_BILLIONS, "1.56B"),
        (XL_BILLIONS, "1,558M"),
        (XL_BILLIONS, "1.557e9"),
        (COMPUTE, "3.15e23"),
        (COMPUTE, "3.15E+23"),
        (COMPUTE, "3.15x10^23"),
        (COMPUTE, "3.15 × 10²³"),
        (COMPUTE, "3.15*10**23"),
        (COMPUTE, "3.15·10^23 FLOPs"),
        (COMPUTE, "315e21"),
        (COMPUTE, "3.15"),
        (GPT3_BILLIONS, "175e9"),
        (GPT3_BILLIONS, "175B"),
        (GPT3_BILLIONS, "175 bn"),
        (GPT3_BILLIONS, "175,000 million"),
    ],
)
def test_right_answers_in_any_common_spelling_are_right(question, typed):
    result = grade(question, typed)
    assert result.answered and result.correct, result.feedback


@pytest.mark.parametrize(
    ("question", "typed"),
    [
        (MEMORY_MIB, "594 MiB"),
        (MEMORY_MIB, "700 MB"),
        (UNTIED_MILLIONS, "163k"),
        (UNTIED_MILLIONS, "124,412,160"),  # the tied model
        (XL_BILLIONS, "1.56M"),
        (COMPUTE, "3.15e22"),
        (GPT3_BILLIONS, "175M"),
        (FILE_GB, "140 GiB"),  # 150.3 GB
    ],
)
def test_wrong_answers_stay_wrong_whatever_the_spelling(question, typed):
    result = grade(question, typed)
    assert result.answered and not result.correct, result.feedback


def test_binary_and_decimal_units_are_converted_exactly_and_the_reading_is_named():
    # 622 MB = 622e6 / 1024^2 MiB = 593.185 MiB by hand
    exact, as_question = readings("622 MB", "MiB")
    assert exact.value == pytest.approx(622e6 / 1024**2)
    assert "593.185 MiB" in exact.how and "10^6 bytes" in exact.how
    assert as_question.value == 622 and "MB taken to mean MiB" in as_question.how
    result = grade(MEMORY_MIB, "622 MB")
    assert "MB taken to mean MiB" in result.feedback
    result = grade(MEMORY_MIB, "652 MB")
    assert result.correct and "621.796 MiB" in result.feedback
    # a decimal question reads binary units exactly, with no second reading: 140 GiB is 150.3 GB
    assert [r.value for r in readings("140 GiB", "GB")] == [pytest.approx(140 * 1024**3 / 1e9)]


def test_a_full_count_is_reported_as_such():
    result = grade(UNTIED_MILLIONS, "163,009,536")
    assert "read as a full count" in result.feedback
    assert result.details["value"] == pytest.approx(163.009536)


@pytest.mark.parametrize(
    ("unit", "scale", "is_bytes"),
    [
        ("million", 1e6, False),
        ("million parameters", 1e6, False),
        ("billion", 1e9, False),
        ("trillion tokens", 1e12, False),
        ("x 10^23 FLOPs", 1e23, False),
        ("MB", 1e6, True),
        ("GB", 1e9, True),
        ("MiB", 1024**2, True),
        ("GiB", 1024**3, True),
        ("layers", 1, False),
        ("dimensions", 1, False),
        ("entries", 1, False),
        ("parameters", 1, False),
    ],
)
def test_every_unit_the_banks_use_is_understood(unit, scale, is_bytes):
    understood = parse_unit(unit)
    assert understood.scale == pytest.approx(scale) and understood.bytes is is_bytes


def test_a_unit_that_cannot_be_read_is_named():
    assert unit_problem("furlongs") is not None
    assert unit_problem("MB") is None and unit_problem(None) is None


@pytest.mark.parametrize(
    ("question", "typed"),
    [
        (UNTIED_MILLIONS, "about a lot"),
        (UNTIED_MILLIONS, "163 apples"),
        (UNTIED_MILLIONS, "622 MB"),  # bytes for a count
        (MEMORY_MIB, "163M"),  # a count for bytes
        (numeric(65, unit="%"), "65k"),
        (UNTIED_MILLIONS, ""),
        (UNTIED_MILLIONS, "1,5"),
    ],
)
def test_what_is_not_a_number_in_the_questions_unit_is_not_an_answer(question, typed):
    result = grade(question, typed)
    assert not result.answered and not result.correct
    assert result.details == {"error": "not a number"}


def test_a_lone_b_is_bytes_in_a_byte_question_and_billion_elsewhere():
    assert readings("140000000000 B", "GB")[0].value == pytest.approx(140)
    assert readings("1.56 B", "billion")[0].value == pytest.approx(1.56)


def test_parse_errors_are_not_a_number_not_crashes():
    for text in ["10^99999", "1e999", "nan", "1/0", "^", "x10^", "3.15 x 10"]:
        with pytest.raises(NotANumber):
            readings(text, "million")


def test_parse_number_takes_plain_numbers_only():
    # the importers ask it whether a CSV answer is a number before they know the unit
    from studybuddy.banks.numbers import parse_number

    assert parse_number("1,024") == (1024, False)
    assert parse_number("3.15 × 10²³") == (pytest.approx(3.15e23), False)
    for text in ["163M", "622 MB", "12 layers"]:
        with pytest.raises(NotANumber):
            parse_number(text)
