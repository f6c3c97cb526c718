"""Every `show_me` in the bundled banks names a demo that exists, with parameters it accepts."""

from __future__ import annotations

from studybuddy.banks.loader import load_bundled_banks
from studybuddy.demos import all_demos, param_problems


def test_every_bundled_show_me_runs_a_real_demo_with_valid_params():
    loaded = load_bundled_banks()
    demos = all_demos()
    checked, problems = 0, []
    for bank in loaded.banks:
        for question in bank.questions():
            show_me = question.show_me
            if show_me is None:
                continue
            checked += 1
            if show_me.demo not in demos:
                problems.append(f"{question.id}: no demo {show_me.demo!r}")
                continue
            for reason in param_problems(show_me.demo, dict(show_me.params)):
                problems.append(f"{question.id}: {show_me.demo}: {reason}")
    assert checked > 0, "the bundled banks should use show_me somewhere"
    assert problems == []
