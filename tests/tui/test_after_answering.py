"""What the quiz shows after an answer: the learner's picks marked beside the right ones, an
ordering as the right numbered list with where each step was put, blanks drawn as the prompt
draws them, typed text escaped, and the source said once (issue 14, "after answering")."""

from __future__ import annotations

from pathlib import Path

from studybuddy.tui.screens.quiz import QuizScreen
from studybuddy.tui.widgets.answers import ClozeAnswer, OrderingAnswer
from studybuddy.tui.widgets.feedback import FeedbackPanel

SIZE = (120, 40)

BANK = """\
id: after
title: After answering
source: notes
version: 1
pages_from: the reading-group notes
chapters:
  - id: ch
    title: Marks
    questions:
      - id: after-multi
        type: mc
        prompt: Which of these are trainable weight matrices of self-attention?
        options: [W_query, the causal mask, W_key, W_value]
        answer: [0, 2, 3]
        explanation: The mask is a fixed buffer; the three projections are learned.
        source: "p. 71"
      - id: after-single
        type: mc
        prompt: Which function turns attention scores into weights that sum to one?
        options: [ReLU, softmax, tanh]
        answer: [1]
        explanation: Softmax exponentiates and normalises (p. 52).
        source: "p. 52"
      - id: after-order
        type: ordering
        prompt: Put the steps of self-attention in order.
        steps: [compute scores, apply softmax, weight the values]
        explanation: Scores first, then normalise them, then mix the value vectors.
      - id: after-cloze
        type: cloze
        prompt: Fill in the blanks.
        text: A causal mask hides {{1}} tokens; it is built with torch.{{2}}.
        blanks: [[future, later], [tril]]
        explanation: Each position may only attend to itself and earlier positions.
"""


def _banks(tmp_path: Path) -> Path:
    folder = tmp_path / "banks"
    folder.mkdir()
    (folder / "after.yaml").write_text(BANK)
    return folder


async def _at(pilot, question_id: str) -> QuizScreen:
    await pilot.app.workers.wait_for_complete()
    await pilot.pause()
    await pilot.press("enter")
    await pilot.pause()
    quiz = pilot.app.screen
    assert isinstance(quiz, QuizScreen)
    quiz.study.position = quiz.study.question_ids.index(question_id)
    quiz.current_id = question_id
    await quiz.show_question()
    await pilot.pause()
    return quiz


def _feedback(quiz: QuizScreen) -> list[str]:
    return [line.rstrip() for line in str(quiz.query_one(FeedbackPanel).render()).splitlines()]


async def test_a_partly_right_multi_select_marks_each_pick(app_factory, tmp_path):
    app = app_factory(banks_dir=_banks(tmp_path))
    async with app.run_test(size=SIZE) as pilot:
        quiz = await _at(pilot, "after-multi")
        await pilot.press("1", "2", "enter")  # W_query (right), the causal mask (wrong)
        await pilot.pause()
        assert quiz.last_grade is not None and not quiz.last_grade.correct
        lines = _feedback(quiz)
        assert "You picked 1 of the 3 right options and 1 wrong one." in lines
        marked = [line for line in lines if line[:1] in "✓✗ " and ". " in line]
        assert marked == [
            "✓ 1. W_query",
            "✗ 2. the causal mask  your pick",
            "✓ 3. W_key            not picked",
            "✓ 4. W_value          not picked",
        ]


async def test_a_wrong_single_choice_shows_the_pick_and_the_right_option(app_factory, tmp_path):
    app = app_factory(banks_dir=_banks(tmp_path))
    async with app.run_test(size=SIZE) as pilot:
        quiz = await _at(pilot, "after-single")
        await pilot.press("1")  # ReLU
        await pilot.pause()
        lines = _feedback(quiz)
        assert "✗ 1. ReLU     your pick" in lines
        assert "✓ 2. softmax  the right answer" in lines
        assert "  3. tanh" in lines
        text = "\n".join(lines)
        assert "Answer:" not in text  # the marked options say it
        # the explanation names the page already: no "Source: p. 52" under it
        assert text.count("p. 52") == 1


async def test_the_source_is_shown_once_when_the_explanation_does_not_name_it(
    app_factory, tmp_path
):
    app = app_factory(banks_dir=_banks(tmp_path))
    async with app.run_test(size=SIZE) as pilot:
        quiz = await _at(pilot, "after-multi")
        await pilot.press("1", "3", "4", "enter")
        await pilot.pause()
        assert quiz.last_grade is not None and quiz.last_grade.correct
        lines = _feedback(quiz)
        assert lines.count("Source: p. 71") == 1


async def test_an_ordering_shows_the_right_order_numbered_and_where_each_step_went(
    app_factory, tmp_path
):
    app = app_factory(banks_dir=_banks(tmp_path))
    async with app.run_test(size=SIZE) as pilot:
        quiz = await _at(pilot, "after-order")
        widget = quiz.query_one(OrderingAnswer)
        widget.order = [2, 0, 1]  # weight the values, compute scores, apply softmax
        await pilot.press("enter")
        await pilot.pause()
        lines = _feedback(quiz)
        assert "The right order, and where you put each step:" in lines
        at = lines.index("The right order, and where you put each step:")
        assert lines[at + 1 : at + 4] == [
            "✗ 1. compute scores     you put it 2nd",
            "✗ 2. apply softmax      you put it 3rd",
            "✗ 3. weight the values  you put it 1st",
        ]
        assert "→" not in "\n".join(lines)  # not the one-line arrow form


async def test_blanks_are_drawn_as_in_the_prompt_and_typed_text_is_escaped(app_factory, tmp_path):
    app = app_factory(banks_dir=_banks(tmp_path))
    async with app.run_test(size=SIZE) as pilot:
        quiz = await _at(pilot, "after-cloze")
        widget = quiz.query_one(ClozeAnswer)
        inputs = list(widget.query("Input"))
        inputs[0].value = "[red]later[/red]"  # markup the learner typed: shown as typed
        inputs[1].value = "tril"
        inputs[1].focus()
        await pilot.press("enter")
        await pilot.pause()
        lines = _feedback(quiz)
        text = "\n".join(lines)
        assert "{{" not in text
        assert "✗ __(1)__ future  you wrote “[red]later[/red]”" in lines
        assert "✓ __(2)__ tril" in lines
