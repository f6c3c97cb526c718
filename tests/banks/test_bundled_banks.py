from __future__ import annotations

from studybuddy.banks import load_bundled_banks


def test_every_bundled_bank_validates():
    result = load_bundled_banks()
    assert result.problems == []
    assert result.banks, "no banks were found in question_banks/"
