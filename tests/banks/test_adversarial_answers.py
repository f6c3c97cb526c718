"""The adversarial answer set: right paraphrases pass, confused answers are sent back.

Each answer in adversarial_answers.yaml goes through `trial.try_answer`, the code path of
`studybuddy banks try`, against the bundled banks. A right paraphrase must be suggested hard or
better; a wrong one (a swap, a negation, a wrong factor, the prompt typed back, a misconception)
must be suggested again. Every short question's model answer must be suggested good.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import Any

import pytest
import yaml

from studybuddy.banks import ShortAnswer, load_bundled_banks
from studybuddy.banks.trial import try_answer

ANSWERS_FILE = Path(__file__).with_name("adversarial_answers.yaml")
KINDS = {"swap", "negation", "wrong-factor", "echo", "misconception"}
PASSING = {"hard", "good", "easy"}


@cache
def short_questions() -> dict[str, ShortAnswer]:
    result = load_bundled_banks()
    return {
        q.id: q
        for bank in result.banks
        for chapter in bank.chapters
        for q in chapter.questions
        if isinstance(q, ShortAnswer)
    }


def answer_set() -> dict[str, dict[str, Any]]:
    return yaml.safe_load(ANSWERS_FILE.read_text(encoding="utf-8"))


def cases(side: str) -> list[Any]:  # pytest.param objects
    out = []
    for qid, entry in answer_set().items():
        for n, item in enumerate(entry.get(side) or []):
            text, kind = (item, "right") if side == "right" else (item["answer"], item["kind"])
            out.append(pytest.param(qid, kind, text, id=f"{qid}-{kind}-{n}"))
    return out


def suggestion(qid: str, text: str) -> tuple[str | None, str]:
    trial = try_answer(short_questions()[qid], text)
    return trial.as_json()["suggested"], trial.grade.feedback


def test_every_short_question_has_right_and_wrong_answers():
    entries = answer_set()
    assert sorted(entries) == sorted(short_questions())
    for qid, entry in entries.items():
        assert entry.get("right"), f"{qid}: no right paraphrase"
        assert entry.get("wrong"), f"{qid}: no wrong answer"
        kinds = {w["kind"] for w in entry["wrong"]}
        assert kinds <= KINDS, f"{qid}: unknown kinds {kinds - KINDS}"
        model = " ".join(short_questions()[qid].model_answer.split()).casefold()
        for text in entry["right"]:
            assert " ".join(text.split()).casefold() != model, f"{qid}: the model answer itself"


def test_the_set_covers_each_kind_of_wrong_answer():
    kinds = {w["kind"] for entry in answer_set().values() for w in entry["wrong"]}
    assert kinds == KINDS


def test_the_examples_of_the_issue_are_in_the_set():
    entries = answer_set()

    def wrong(qid: str) -> set[str]:
        return {w["answer"] for w in entries[qid]["wrong"]}

    assert "BERT uses the decoder and GPT the encoder." in wrong("ch1-bert-vs-gpt")
    assert "First fine-tune, then pretrain." in wrong("ch1-two-steps")
    assert "the kept values are multiplied by (1 - p)" in wrong("ch3-dropout-scaling-open")
    assert "Retrieval-augmented generation." in wrong("ch2-rag")
    assert any("needs further training" in w for w in wrong("ch1-few-shot"))
    assert any("not need further training" in r for r in entries["ch1-few-shot"]["right"])
    assert "among the tokens of the same sentence" in entries["ch3-self-meaning"]["right"]
    assert "positive and add up to 1" in entries["ch3-softmax-why"]["right"]
    assert "attn_weights @ inputs" in entries["ch3-context-from-weights"]["right"]


@pytest.mark.parametrize(("qid", "kind", "text"), cases("right"))
def test_right_paraphrase_is_suggested_hard_or_better(qid, kind, text):
    suggested, feedback = suggestion(qid, text)
    assert suggested in PASSING, f"{qid}: {text!r} -> {suggested}: {feedback}"


@pytest.mark.parametrize(("qid", "kind", "text"), cases("wrong"))
def test_wrong_answer_is_suggested_again(qid, kind, text):
    suggested, feedback = suggestion(qid, text)
    assert suggested == "again", f"{qid} ({kind}): {text!r} -> {suggested}: {feedback}"


@pytest.mark.parametrize("qid", sorted(short_questions()))
def test_model_answer_is_suggested_good(qid):
    suggested, feedback = suggestion(qid, short_questions()[qid].model_answer)
    assert suggested == "good", f"{qid}: model answer -> {suggested}: {feedback}"


def test_every_key_point_can_be_shown_without_repeating_the_prompt():
    from studybuddy.banks.keypoints import phrase_echoes_prompt

    echo_only = [
        f"{q.id}: {point.point}"
        for q in short_questions().values()
        for point in q.key_points
        if all(phrase_echoes_prompt(phrase, q.prompt) for phrase in point.accept)
    ]
    assert echo_only == []


def test_every_misconception_says_why_and_is_not_in_the_model_answer():
    for q in short_questions().values():
        for wrong in q.misconceptions:
            assert len(wrong.why.split()) >= 6, f"{q.id}: a why of a few words explains nothing"
        contradicted = try_answer(q, q.model_answer).as_json()["contradicted"]
        assert contradicted == [], f"{q.id}: its own model answer states a misconception"
