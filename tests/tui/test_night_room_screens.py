"""The room's two screens under Pilot: the host's (players answer through the domain API) and a
player's (the host moves the night on through the API), plus the host resuming after a crash."""

from __future__ import annotations

from test_night_hotseat import NIGHT_BANKS, SIZE, FakeClock, plain

from studybuddy.night.records import NightSettings
from studybuddy.night.room import Night
from studybuddy.store import Store
from studybuddy.study.catalog import Catalog
from studybuddy.tui.app import make_app
from studybuddy.tui.night_app import NightApp
from studybuddy.tui.screens.night import NightSetupScreen
from studybuddy.tui.screens.night_host import NightHostScreen
from studybuddy.tui.screens.night_player import NightPlayerScreen
from studybuddy.tui.widgets.night_board import Podium, Scoreboard


def room(database: str, clock, ids=("night-mc", "night-tf")) -> tuple[Store, Night]:
    from studybuddy.banks.loader import bank_files, load_banks

    store = Store(database)
    catalog = Catalog(load_banks(bank_files(NIGHT_BANKS)).banks)
    night = Night.create(
        store,
        [catalog[q] for q in ids],
        NightSettings(timer=20),
        clock=clock,
    )
    return store, night


def host_app(database: str, night_id: int, clock) -> NightApp:
    return NightApp(
        database,
        "host",
        entry=lambda app: NightHostScreen(Night(app.store, night_id, clock=clock)),
        banks_dir=NIGHT_BANKS,
    )


async def test_the_host_runs_a_room_and_resumes_it_after_a_crash(database):
    clock = FakeClock()
    store, players_side = room(database, clock)
    app = host_app(database, players_side.id, clock)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        host = app.screen
        assert isinstance(host, NightHostScreen)
        assert players_side.code in plain(host.query_one("#night-banner"))
        assert f"night join {players_side.code} --name NAME" in plain(
            host.query_one("#night-question")
        )
        await pilot.press("n")  # nobody is here yet: nothing happens
        assert host.state.phase == "lobby"

        bo = players_side.join("Bo")
        host.tick()
        await pilot.pause()
        assert "Bo" in plain(host.query_one(Scoreboard))
        await pilot.press("n")
        await pilot.pause()
        assert host.state.phase == "question"
        assert "2. softmax" in plain(host.query_one("#night-question"))

        clock.advance(5)
        players_side.answer(bo, 0, [1])
        host.tick()  # everyone has answered: the host closes the question
        await pilot.pause()
        assert host.state.phase == "reveal"
        assert "+875" in plain(host.query_one(Scoreboard))
        assert "Answer: softmax" in plain(host.query_one("#night-reveal"))
        await pilot.press("n")  # the second question opens ...
        await pilot.pause()
        assert host.state.phase == "question"
    # ... and the host's terminal dies with it open

    clock.advance(30)
    again = host_app(database, Night.open(store, players_side.code).id, clock)
    async with again.run_test(size=SIZE) as pilot:
        await pilot.pause()
        host = again.screen
        assert (host.state.phase, host.state.current) == ("reveal", 1)  # time ran out meanwhile
        assert "Question 2 of 2" in plain(host.query_one("#night-question"))
        await pilot.press("n")
        await pilot.pause()
        assert host.state.phase == "finished"
        assert "🥇 Bo  875" in plain(host.query_one(Podium))
        await pilot.press("escape")  # the first screen of `night host`: leaving quits
        await pilot.pause()
    assert again.return_code == 0
    store.close()


async def test_a_player_joins_from_the_setup_screen_and_plays(database):
    clock = FakeClock()
    store, host = room(database, clock)
    app = make_app(database=database, profile="Bo", banks_dir=NIGHT_BANKS)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await pilot.press("g")
        await pilot.pause()
        setup = app.screen
        assert isinstance(setup, NightSetupScreen)
        setup.clock = clock
        setup.query_one("#night-mode").value = "mode-join"
        await pilot.pause()
        setup.query_one("#join-code").value = "QQQQQ"
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert "no quiz night with code QQQQQ" in plain(setup.query_one("#night-setup-error"))

        setup.query_one("#join-code").value = host.code.lower()
        await pilot.press("ctrl+s")
        await pilot.pause()
        player = app.screen
        assert isinstance(player, NightPlayerScreen) and player.player.name == "Bo"
        assert "Waiting for the host" in plain(player.query_one("#night-question"))

        host.start()
        player.tick()
        await pilot.pause()
        await pilot.pause()
        shown = plain(player.query_one("#night-question"))
        assert "weights that sum to one" in shown
        # the options are drawn once, by the answer input below, not also in the question
        assert "softmax" not in shown
        assert "softmax" in player.query_one("#night-answering").query_one("#answer").options
        clock.advance(5)
        await pilot.press("2")  # softmax
        await pilot.pause()
        assert "Your answer is in" in plain(player.query_one("#night-status"))
        host.host_tick()
        player.tick()
        await pilot.pause()
        assert "Right! +875 points" in plain(player.query_one("#night-status"))

        host.advance()  # true or false; Bo lets the time run out
        player.tick()
        await pilot.pause()
        clock.advance(21)
        player.tick()
        await pilot.pause()
        assert "Time is up" in plain(player.query_one("#night-status"))
        host.host_tick()
        player.tick()
        await pilot.pause()
        assert "No answer this time" in plain(player.query_one("#night-status"))

        host.advance()
        player.tick()
        await pilot.pause()
        assert "You finished #1 of 1" in plain(player.query_one("#night-status"))
        assert "🥇 Bo" in plain(player.query_one(Podium))
    store.close()


async def test_a_team_night_shows_each_team_at_its_members_mean(database):
    from studybuddy.banks.loader import bank_files, load_banks

    clock = FakeClock()
    store = Store(database)
    catalog = Catalog(load_banks(bank_files(NIGHT_BANKS)).banks)
    night = Night.create(
        store, [catalog["night-tf"]], NightSettings(timer=20, teams=True), clock=clock
    )
    ada, bo, cy = night.join("Ada", "Red"), night.join("Bo", "Red"), night.join("Cy", "Blue")
    app = host_app(database, night.id, clock)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await pilot.press("n")
        await pilot.pause()
        night.answer(ada, 0, False)  # 1000
        clock.advance(10)
        night.answer(bo, 0, True)  # wrong
        night.answer(cy, 0, False)  # 750
        app.screen.tick()
        await pilot.pause()
        board = plain(app.screen.query_one(Scoreboard))
        assert "Score (members' mean)" in board
        red = next(line for line in board.splitlines() if line.strip().endswith("500"))
        assert "Red" in red  # (1000 + 0) / 2
        await pilot.press("n")
        await pilot.pause()
        podium = plain(app.screen.query_one(Podium))
        assert podium.index("Blue") < podium.index("Red")  # 750 beats 500
    store.close()


def test_a_slow_read_never_draws_over_a_newer_one():
    from studybuddy.tui.screens.night_host import PolledNightScreen

    class Recording(PolledNightScreen):
        def __init__(self) -> None:
            super().__init__()
            self.drawn: list[str] = []

        def draw(self, state) -> None:
            self.drawn.append(state)

    screen = Recording()
    screen._settle(2, "second read", None)
    screen._settle(1, "first read, answered late", None)  # the worker's slow read
    screen._settle(3, "third read", None)
    assert screen.drawn == ["second read", "third read"]
