"""A player's secret stays on their machine: the same machine rejoins with its score, another
machine cannot take the name over, and a damaged token file only costs a rejoin."""

from __future__ import annotations

import stat

import pytest

from studybuddy.night.errors import NightError
from studybuddy.night.records import NightSettings
from studybuddy.night.room import Night
from studybuddy.night.tokens import TokenFile, join_keeping_token


@pytest.fixture
def night(store, catalog, clock):
    refs = [catalog[q] for q in ("night-mc", "night-tf")]
    return Night.create(store, refs, NightSettings(timer=20), clock=clock)


def test_the_same_machine_rejoins_and_another_cannot(night, tmp_path):
    mine, theirs = TokenFile(tmp_path / "mine.json"), TokenFile(tmp_path / "theirs.json")
    first = join_keeping_token(night, "Ada", tokens=mine)
    again = join_keeping_token(night, "  ada ", tokens=mine)
    assert again.rejoined and again.id == first.id
    with pytest.raises(NightError, match="Ada is already playing"):
        join_keeping_token(night, "Ada", tokens=theirs)
    assert not (tmp_path / "theirs.json").exists()


def test_the_token_file_is_private_to_its_user(night, tmp_path):
    tokens = TokenFile(tmp_path / "t.json")
    join_keeping_token(night, "Ada", tokens=tokens)
    assert stat.S_IMODE((tmp_path / "t.json").stat().st_mode) == 0o600


@pytest.mark.parametrize("damage", ["{not json", "[1, 2]", '{"x": 3}', ""])
def test_a_damaged_token_file_still_lets_a_new_player_join(night, tmp_path, damage):
    path = tmp_path / "t.json"
    path.write_text(damage)
    player = join_keeping_token(night, "Bo", tokens=TokenFile(path))
    assert not player.rejoined
    assert TokenFile(path).get(night.code, "bo") == player.token


def test_without_a_given_clock_players_share_one_clock(store, catalog):
    """On PostgreSQL each process reads the server's clock (players' machines may be off); on
    SQLite, which lives on one machine, the machine's clock is that one clock."""
    from datetime import UTC, datetime

    refs = [catalog["night-mc"]]
    night = Night.create(store, refs, NightSettings(timer=20))
    player_view = Night.open(store, night.code)
    before = datetime.now(UTC)
    seen = player_view.clock()
    assert seen.tzinfo is not None
    assert abs((seen - before).total_seconds()) < 5
    uses_server = player_view.clock.__name__ == "_server_clock"
    assert uses_server == (store.engine.dialect.name == "postgresql")


def test_night_tables_from_before_tokens_gain_the_column_and_old_players_a_token(
    store, catalog, clock
):
    from sqlalchemy import inspect, text

    from studybuddy.night.tables import create_tables

    night = Night.create(store, [catalog["night-mc"]], NightSettings(timer=20), clock=clock)
    night.join("Old")
    with store.engine.begin() as connection:  # the schema as the previous release left it
        connection.execute(text("ALTER TABLE quiz_night_player DROP COLUMN token_hash"))
    create_tables(store.engine)
    columns = {c["name"] for c in inspect(store.engine).get_columns("quiz_night_player")}
    assert "token_hash" in columns
    first_back = Night.open(store, night.code).join("Old")  # no token to check: one is handed out
    assert first_back.rejoined and first_back.token is not None
    with pytest.raises(NightError, match="already playing"):
        Night.open(store, night.code).join("Old")
