"""Fixtures: the bundled banks and a database seeded with report_fixtures.make_plan()."""

from __future__ import annotations

import pytest
from report_fixtures import EVIL, Seeded, make_plan


@pytest.fixture(scope="session")
def catalog():
    from studybuddy.reports.make import bundled_catalog

    found = bundled_catalog()
    assert len(found) > 20, "the seeded history needs the bundled banks"
    return found


@pytest.fixture(scope="session")
def seeded(tmp_path_factory, catalog) -> Seeded:
    from studybuddy.store import Store

    database = str(tmp_path_factory.mktemp("reports") / "group.sqlite3")
    plan, tag, weak, steady = make_plan(catalog)
    store = Store(database)
    store.add_learner("empty")
    for item in plan:
        ref = catalog[item.question_id]
        store.record_attempt(
            item.learner,
            question_id=item.question_id,
            bank_id=ref.bank.id,
            bank_version=ref.bank.version,
            answer={"typed": f"{EVIL} =1+1"},
            correct=item.correct,
            score=1.0 if item.correct else 0.0,
            seconds=item.seconds,
            at=item.at,
        )
    store.close()
    return Seeded(database, plan, tag, weak, steady)


@pytest.fixture
def store(seeded):
    from studybuddy.store import Store

    opened = Store(seeded.database)
    yield opened
    opened.close()
