"""An installed wheel finds its question banks and data without a checkout beside it."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]

PROBE = """
import studybuddy, studybuddy.locations as where
from studybuddy.banks.loader import load_bundled_banks
assert "_bundled" in str(where.question_banks_dir()), where.question_banks_dir()
assert (where.data_dir() / "gpt2.tiktoken").is_file()
assert (where.data_dir() / "model" / "gpt-study.pt").is_file()
result = load_bundled_banks()
print(studybuddy.__file__, len(result.banks), len(result.problems))
"""


@pytest.mark.slow
def test_the_wheel_carries_banks_and_data(tmp_path):
    wheels, target = tmp_path / "wheels", tmp_path / "site"
    pip = [sys.executable, "-m", "pip", "--disable-pip-version-check", "-q"]
    subprocess.run([*pip, "wheel", "--no-deps", str(ROOT), "-w", str(wheels)], check=True)
    wheel = next(wheels.glob("studybuddy-*.whl"))
    subprocess.run([*pip, "install", "--no-deps", "--target", str(target), str(wheel)], check=True)
    env = {**os.environ, "PYTHONPATH": str(target)}
    out = subprocess.run(
        [sys.executable, "-c", PROBE], env=env, cwd=tmp_path, capture_output=True, text=True
    )
    assert out.returncode == 0, out.stderr
    module, banks, problems = out.stdout.split()
    assert module.startswith(str(target))  # the installed copy, not the checkout
    assert int(banks) >= 6 and problems == "0"
