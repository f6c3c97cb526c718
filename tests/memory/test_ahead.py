"""Reviewing a chapter ahead of a meeting: order, logging, and a schedule that stays sane."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from fsrs import Rating
from typer.testing import CliRunner

from studybuddy.cli import app
from studybuddy.memory.ahead import EARLY_MODE, ahead_order
from studybuddy.reports.make import bundled_catalog
from studybuddy.store import Store, queries, scheduling

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


def card_after(reviews):
    card = scheduling.new_card(reviews[0][1], "q")
    for rating, at in reviews:
        card = scheduling.review(card, rating, at, 0.9)
    return card


LEARNT = [(Rating.Good, T0), (Rating.Good, T0 + timedelta(minutes=10))]


def test_order_is_lowest_recall_first_and_skips_unseen_questions():
    strong = card_after([(Rating.Easy, T0)])
    weak = card_after([(Rating.Again, T0), (Rating.Hard, T0 + timedelta(minutes=10))])
    now = T0 + timedelta(days=2)
    order = ahead_order({"strong": strong, "weak": weak}, ["strong", "new", "weak"], now)
    assert [item.question_id for item in order] == ["weak", "strong"]
    assert order[0].retrievability < order[1].retrievability < 1


def test_an_early_review_barely_moves_stability_while_an_on_time_one_multiplies_it():
    card = card_after([*LEARNT, (Rating.Good, T0 + timedelta(days=3))])
    interval = card.due - card.last_review
    assert interval >= timedelta(days=7)
    early = scheduling.review(card, Rating.Good, card.last_review + timedelta(days=1), 0.9)
    on_time = scheduling.review(card, Rating.Good, card.due, 0.9)
    # fsrs's stability increase shrinks as recall nears 1: reviewing the night before a
    # meeting must not hand out the reward of a real, on-time recall
    assert early.stability < 1.5 * card.stability  # measured: x1.4
    assert on_time.stability > 3 * card.stability  # measured: x4.2
    # ten evenings of early reviews in a row: a growth step each, not a multiplication each;
    # they end up where one on-time review does (ten recalls are evidence too)
    crammed = card
    for day in range(1, 11):
        at = card.last_review + timedelta(days=day)
        crammed = scheduling.review(crammed, Rating.Good, at, 0.9)
    assert crammed.stability < 1.25 * on_time.stability


def test_cli_reviews_a_chapter_ahead_and_logs_the_reviews_as_early(tmp_path):
    catalog = bundled_catalog()
    chapter, ids = next(iter(catalog.chapter_questions().items()))
    questions = [catalog[q].question for q in ids]
    mc = [q.id for q in questions if q.type == "mc" and len(q.answer) == 1][:2]
    assert len(mc) == 2
    database = str(tmp_path / "progress.sqlite3")
    store = Store(database)
    for minutes, question_id in enumerate(mc):
        ref = catalog[question_id]
        for rating, at in LEARNT:
            store.record_attempt(
                "me", question_id=question_id, bank_id=ref.bank.id,
                bank_version=ref.bank.version, answer=None, correct=True, score=1.0,
                seconds=20, rating=rating, at=at + timedelta(minutes=minutes),
            )  # fmt: skip
    store.close()
    listing = CliRunner().invoke(app, ["--db", database, "review", "--ahead", chapter, "--list"])
    assert listing.exit_code == 0, listing.output
    assert listing.output.count("due ") == 2
    # same history, mc[0] a minute older: asked first (equal recall, earlier due)
    right = catalog[mc[0]].question.answer[0] + 1
    wrong = 1 if catalog[mc[1]].question.answer[0] != 0 else 2
    answers = f"{right}\n{wrong}\n"
    result = CliRunner().invoke(
        app, ["--db", database, "review", "--ahead", chapter], input=answers
    )
    assert result.exit_code == 0, result.output
    store = Store(database)
    early = [a for a in store.attempts("me") if a.mode == EARLY_MODE]
    assert len(early) == 2
    with store.engine.connect() as connection:
        cards = queries.cards(connection, store.learner_id("me"))
    store.close()
    assert {a.question_id for a in early} == set(mc)
    assert [a.correct for a in early] == [True, False]
    assert all(cards[q].last_review > T0 + timedelta(days=1) for q in mc)
