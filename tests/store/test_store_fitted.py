"""Fitted parameters in the store: used for scheduling, rescheduling, revert, bad rows."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from fsrs import Card, Rating, Scheduler
from fsrs.scheduler import DEFAULT_PARAMETERS
from sqlalchemy import select, text
from typer.testing import CliRunner

from studybuddy.cli import app
from studybuddy.memory import fitting, service, synthetic
from studybuddy.store import QuestionInfo, StoreError, queries
from studybuddy.store import fitted as stored_fits
from studybuddy.store.db import writer

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
FITTED = synthetic.forgetful_parameters()


def answer(store, question_id, rating, at, learner="ada"):
    return store.record_attempt(
        learner, question_id=question_id, bank_id="b", bank_version=1, answer=None,
        correct=rating != Rating.Again, score=1.0, seconds=12, rating=rating, at=at,
    )  # fmt: skip


HISTORY = [
    ("q1", Rating.Good, T0),
    ("q1", Rating.Good, T0 + timedelta(minutes=10)),
    ("q1", Rating.Good, T0 + timedelta(days=3)),
    ("q2", Rating.Again, T0 + timedelta(hours=1)),
    ("q2", Rating.Good, T0 + timedelta(days=1, hours=1)),
    ("q1", Rating.Again, T0 + timedelta(days=9)),
    ("q3", Rating.Easy, T0 + timedelta(days=9)),
]
QUESTIONS = ("q1", "q2", "q3")


def fsrs_card(question_id, parameters=None):
    """The card fsrs itself gives for HISTORY's reviews of one question."""
    scheduler = Scheduler(parameters=parameters or DEFAULT_PARAMETERS, enable_fuzzing=False)
    reviews = [(r, at) for q, r, at in HISTORY if q == question_id]
    card = Card(card_id=1, due=reviews[0][1])
    for rating, at in reviews:
        card, _ = scheduler.review_card(card, rating, at)
    return card


def stored_card(store, question_id, learner="ada"):
    with store.engine.connect() as connection:
        return queries.cards(connection, store.learner_id(learner))[question_id]


def add_fit(store, parameters=FITTED, learner="ada", raw=None):
    learner_id = store.learner_id(learner)
    with writer(store.engine).begin() as connection:
        fit_id = stored_fits.add_fit(
            connection, learner_id, parameters=parameters, reviews=600,
            log_loss=(0.5, 0.4), rmse=(0.4, 0.35), at=T0,
        )  # fmt: skip
        if raw is not None:
            connection.execute(
                text("UPDATE parameter_fit SET parameters = :raw WHERE id = :id"),
                {"raw": raw, "id": fit_id},
            )


def test_answers_are_scheduled_with_the_learners_fitted_parameters(store):
    store.learner_id("ada")
    add_fit(store)
    for question_id, rating, at in HISTORY:
        answer(store, question_id, rating, at)
    for question_id in QUESTIONS:
        expected = fsrs_card(question_id, FITTED)
        assert stored_card(store, question_id).stability == pytest.approx(expected.stability)
        assert stored_card(store, question_id).due == expected.due
    assert fsrs_card("q3", FITTED).due != fsrs_card("q3").due  # the fit changes the schedule


def test_a_corrupt_fit_row_schedules_with_defaults_says_so_and_loses_nothing(store):
    store.learner_id("ada")
    add_fit(store, raw='[0.2, "x"')
    for question_id, rating, at in HISTORY:
        answer(store, question_id, rating, at)  # never refused
    assert stored_card(store, "q3").due == fsrs_card("q3").due
    model = service.model(store, "ada")
    assert model.fit is None
    assert "cannot be read" in model.problem and "defaults are used" in model.problem
    assert len(store.attempts("ada")) == len(HISTORY)
    # out-of-bounds numbers are refused the same way
    add_fit(store, raw="[" + ",".join(["99"] * 21) + "]")
    assert "out of bounds" in service.model(store, "ada").problem
    service.revert(store, "ada")  # drops the bad rows, one at a time
    service.revert(store, "ada")
    assert service.model(store, "ada") == service.Model(None, None, 0)


def fake_fit(logs, progress=False):
    counted = fitting.counted_reviews(logs)
    if counted < fitting.MIN_REVIEWS:
        raise fitting.NotEnoughReviews(counted)
    return fitting.Fit(FITTED, counted, fitting.evaluate(logs), fitting.evaluate(logs, FITTED))


def test_optimize_saves_reschedules_and_revert_undoes_it(store, monkeypatch):
    for question_id, rating, at in HISTORY:
        answer(store, question_id, rating, at)
    before = {q: stored_card(store, q) for q in QUESTIONS}
    monkeypatch.setattr(fitting, "MIN_REVIEWS", 2)  # the real fit is tested on its own
    monkeypatch.setattr(fitting, "fit", fake_fit)

    dry = service.optimize(store, "ada", dry_run=True)
    assert not dry.saved and service.model(store, "ada").fit is None
    assert stored_card(store, "q1") == before["q1"]

    result = service.optimize(store, "ada", now=T0 + timedelta(days=10))
    assert result.saved and result.rescheduled == 3
    model = service.model(store, "ada")
    assert model.parameters == pytest.approx(FITTED)
    assert (model.fit.reviews, model.fit.fitted_at) == (result.fit.reviews, T0 + timedelta(days=10))
    for question_id in QUESTIONS:  # as if fsrs had always scheduled with the fit
        expected = fsrs_card(question_id, FITTED)
        assert stored_card(store, question_id).stability == pytest.approx(expected.stability)
        assert stored_card(store, question_id).due == expected.due

    model, cards = service.revert(store, "ada")
    assert model.fit is None and cards == 3
    for question_id in QUESTIONS:
        assert stored_card(store, question_id).due == before[question_id].due
        assert stored_card(store, question_id).stability == pytest.approx(
            before[question_id].stability
        )
    with pytest.raises(StoreError, match="no fitted parameters to revert"):
        service.revert(store, "ada")


def test_a_fit_no_better_than_the_defaults_is_not_saved(store, monkeypatch):
    for question_id, rating, at in HISTORY:
        answer(store, question_id, rating, at)
    monkeypatch.setattr(fitting, "MIN_REVIEWS", 2)

    def no_better(logs, progress=False):
        defaults = fitting.evaluate(logs)
        return fitting.Fit(tuple(DEFAULT_PARAMETERS), 3, defaults, defaults)

    monkeypatch.setattr(fitting, "fit", no_better)
    with pytest.raises(StoreError, match="does not predict these reviews better"):
        service.optimize(store, "ada")
    assert service.model(store, "ada").fits == 0


def test_below_512_reviews_optimize_changes_nothing(store):
    for question_id, rating, at in HISTORY:
        answer(store, question_id, rating, at)
    before = stored_card(store, "q1")
    with pytest.raises(StoreError, match=r"'ada': 3 of 512 reviews so far"):
        service.optimize(store, "ada")
    assert stored_card(store, "q1") == before
    assert service.model(store, "ada").fits == 0


def test_no_reviews_and_reviews_all_on_one_day(store):
    store.add_learner("new")
    with pytest.raises(StoreError, match="no reviews yet: 0 of 512"):
        service.optimize(store, "new")
    for i in range(30):
        answer(store, f"q{i % 5}", Rating.Good, T0 + timedelta(minutes=i), learner="day")
    with pytest.raises(StoreError, match="0 of 512 reviews so far.*all on one day"):
        service.optimize(store, "day")
    overview = service.overview(store, "day", now=T0 + timedelta(hours=1))
    assert overview.counted == 0 and overview.calibration == []


def test_removing_a_learner_removes_their_fits(store, tmp_path):
    store.learner_id("ada")
    add_fit(store)
    store.remove_learner("ada", tmp_path)
    with store.engine.connect() as connection:
        assert connection.execute(select(stored_fits.ParameterFit)).all() == []


def run(database, *args):
    return CliRunner().invoke(app, ["--db", database, *args])


def test_cli_optimize_refuses_below_512_and_memory_shows_figures(database):
    from studybuddy.store import Store

    store = Store(database)
    for question_id, rating, at in HISTORY:
        answer(store, question_id, rating, at)
    store.close()
    result = run(database, "profile", "optimize", "ada")
    assert result.exit_code == 1
    assert "error: 'ada': 3 of 512 reviews so far" in result.output
    memory = run(database, "profile", "memory")  # the only profile
    assert memory.exit_code == 0, memory.output
    assert "fsrs parameters defaults" in memory.output
    assert "3 of 512 reviews so far" in memory.output
    assert "true retention" in memory.output and "calibration" in memory.output
    workload = run(database, "profile", "workload", "ada")
    assert workload.exit_code == 0, workload.output
    assert "0.90" in workload.output and "<- yours" in workload.output
    missing = run(database, "profile", "optimize", "nobody")
    assert missing.exit_code == 1 and "no profile named 'nobody'" in missing.output


def test_fits_travel_in_exports_and_in_the_removal_backup(store, tmp_path):
    from studybuddy.store import Store

    for question_id, rating, at in HISTORY:
        answer(store, question_id, rating, at)
    add_fit(store, parameters=DEFAULT_PARAMETERS)
    add_fit(store)  # the newest, in use
    data = store.export(["ada"])
    assert [fit["reviews"] for fit in data["learners"][0]["parameter_fits"]] == [600, 600]
    backup = store.remove_learner("ada", tmp_path)
    copy = Store(str(tmp_path / "copy.sqlite3"))
    try:
        copy.import_from(backup)
        model = service.model(copy, "ada")
        assert model.fits == 2 and model.parameters == pytest.approx(FITTED)
        assert model.fit.fitted_at == T0
        service.revert(copy, "ada")
        assert service.model(copy, "ada").parameters == pytest.approx(DEFAULT_PARAMETERS)
    finally:
        copy.close()


def test_learners_without_fits_export_as_before(store):
    answer(store, "q1", Rating.Good, T0)
    assert "parameter_fits" not in store.export(["ada"])["learners"][0]


def recall_by_hand(days: float, stability: float, decay: float) -> float:
    """fsrs 6's forgetting curve written out: R = (1 + f t / S)^-w20, f = 0.9^(-1/w20) - 1
    (so that R = 0.9 when t = S, whatever the decay)."""
    factor = 0.9 ** (-1 / decay) - 1
    return (1 + factor * days / stability) ** -decay


def test_mastery_reads_recall_with_the_learners_fitted_decay(store):
    store.learner_id("ada")
    store.set_desired_retention("ada", 0.80)
    add_fit(store)
    answer(store, "q3", Rating.Easy, T0)  # a new card rated Easy goes straight to review
    card = stored_card(store, "q3")
    assert card.stability == pytest.approx(FITTED[3])  # Easy's initial stability, w3
    when = T0 + timedelta(days=8)
    fitted_recall = recall_by_hand(8, FITTED[3], FITTED[20])  # 0.782: below 0.80
    default_recall = recall_by_hand(8, FITTED[3], DEFAULT_PARAMETERS[20])  # 0.813: above
    assert fitted_recall < 0.80 <= default_recall
    assert store.chapter_mastery("ada", {"ch": ["q3"]}, now=when)["ch"].mastered == 0
    catalog = {"q3": QuestionInfo("ch", "mcq", ("t",))}
    stats = store.learner_stats("ada", catalog, now=when)
    assert stats.mastery[0].mastered == 0
    # a day earlier both curves are above 0.80 (0.800 and 0.825): mastered either way
    assert recall_by_hand(7, FITTED[3], FITTED[20]) >= 0.80
    earlier = store.chapter_mastery("ada", {"ch": ["q3"]}, now=T0 + timedelta(days=7))
    assert earlier["ch"].mastered == 1


def test_cli_no_reviews_one_day_and_a_corrupt_fit_are_one_line_each(database):
    from studybuddy.store import Store

    store = Store(database)
    store.add_learner("new")
    for i in range(30):
        answer(store, f"q{i % 5}", Rating.Good, T0 + timedelta(minutes=i), learner="day")
    for question_id, rating, at in HISTORY:
        answer(store, question_id, rating, at)
    add_fit(store, raw="[0.2")
    attempts_before = len(store.attempts("ada"))
    store.close()

    memory = run(database, "profile", "memory", "new")
    assert memory.exit_code == 0 and "0 of 512 reviews so far" in memory.output
    assert "no reviews a day or more apart yet" in memory.output
    refused = run(database, "profile", "optimize", "new")
    assert refused.exit_code == 1 and "error: 'new' has no reviews yet: 0 of 512" in refused.output
    one_day = run(database, "profile", "optimize", "day")
    assert one_day.exit_code == 1
    assert "0 of 512 reviews so far" in one_day.output and "all on one day" in one_day.output
    corrupt = run(database, "profile", "memory", "ada")
    assert corrupt.exit_code == 0, corrupt.output
    warning = [line for line in corrupt.output.splitlines() if line.startswith("warning:")]
    assert len(warning) == 1 and "cannot be read" in warning[0]
    assert "fsrs parameters defaults" in corrupt.output
    for output in (memory.output, refused.output, one_day.output, corrupt.output):
        assert "Traceback" not in output
    store = Store(database)
    try:
        assert len(store.attempts("ada")) == attempts_before  # nothing lost
    finally:
        store.close()
