"""`night serve CODE --lan`: the address it picks and what it refuses, and two players joining
one room from headless Chromium, answering, and the server stopping once the night is over."""

from __future__ import annotations

import asyncio
import base64
import json
import socket
import subprocess
import sys
import time

import pytest
from typer.testing import CliRunner

from studybuddy.cli import app as cli
from studybuddy.night.errors import NightError
from studybuddy.night.records import NightSettings
from studybuddy.night.room import Night
from studybuddy.night.serve import Listening, choose_address
from studybuddy.store import Store
from tests.night.test_serve_browser import (
    ARTIFACTS,
    CHROMIUM,
    WAIT,
    DevTools,
    free_port,
)

# ---- the address ---------------------------------------------------------------------------


def test_lan_serves_on_this_machines_network_address_not_the_wildcard():
    where = choose_address(lan=True, host=None, probe=lambda: "192.168.1.23")
    assert where == Listening("192.168.1.23", "192.168.1.23", beyond_this_machine=True)


@pytest.mark.parametrize("found", [None, "127.0.0.1", "0.0.0.0"])
def test_lan_without_a_network_address_is_refused(found):
    with pytest.raises(NightError, match="no network address"):
        choose_address(lan=True, host=None, probe=lambda: found)


def test_lan_and_host_together_are_refused():
    with pytest.raises(NightError, match="not both"):
        choose_address(lan=True, host="10.0.0.5", probe=lambda: "10.0.0.5")


def test_without_lan_or_host_only_this_machine_can_reach_it():
    assert choose_address(lan=False, host=None) == Listening("localhost", "localhost", False)
    assert not choose_address(lan=False, host="127.0.0.1").beyond_this_machine
    assert not choose_address(lan=False, host="::1").beyond_this_machine
    assert choose_address(lan=False, host="10.1.2.3") == Listening("10.1.2.3", "10.1.2.3", True)


def test_the_wildcard_only_when_named_and_then_said_so():
    where = choose_address(lan=False, host="0.0.0.0")
    assert where.bind == "0.0.0.0" and where.every_interface and where.beyond_this_machine
    assert where.shown != "0.0.0.0"  # browsers get an address they can reach


# ---- refusals on the command line ----------------------------------------------------------


@pytest.fixture
def served_db(tmp_path, catalog):
    database = str(tmp_path / "served.sqlite3")
    store = Store(database)
    refs = [catalog["night-mc"], catalog["night-tf"]]
    room = Night.create(store, refs, NightSettings(timer=30))
    yield database, store, room
    store.close()


def run_cli(*args: str):
    return CliRunner().invoke(cli, list(args))


@pytest.mark.parametrize("where", [["--lan"], ["--host", "0.0.0.0"], ["--host", "10.9.8.7"]])
def test_serving_beyond_this_machine_needs_a_room(served_db, where):
    result = run_cli("--db", served_db[0], "night", "serve", *where)
    assert result.exit_code == 1
    # --lan may first find no network address here; either way one line, no traceback
    assert "needs a room" in result.output or "no network address" in result.output
    assert "Traceback" not in result.output and len(result.output.strip().splitlines()) == 1


def test_a_room_that_cannot_be_served_is_refused(served_db, catalog):
    database, store, room = served_db
    one_screen = Night.create(
        store, [catalog["night-mc"]], NightSettings(kind="hot-seat", answering="in-turn")
    )
    result = run_cli("--db", database, "night", "serve", one_screen.code, "--host", "127.0.0.1")
    assert result.exit_code == 1 and "played on one screen" in result.output
    room.join("Ann")
    room.start()
    room.finish()
    result = run_cli("--db", database, "night", "serve", room.code, "--host", "127.0.0.1")
    assert result.exit_code == 1 and "has finished" in result.output
    result = run_cli("--db", database, "night", "serve", "QQQQQ", "--host", "127.0.0.1")
    assert result.exit_code == 1 and "no quiz night with code QQQQQ" in result.output
    result = run_cli("--db", database, "night", "serve", room.code, "--lan", "--host", "1.2.3.4")
    assert result.exit_code == 1 and "not both" in result.output


# ---- the served app, under Pilot -----------------------------------------------------------


async def test_the_served_app_needs_the_room_code_and_a_free_name(served_db):
    from textual.widgets import Input

    from studybuddy.tui.served_night import MAX_CODE_TRIES, JoinScreen, ServedNightApp

    database, store, room = served_db
    room.join("Ben")  # joined from a terminal: the name is taken
    app = ServedNightApp(database, room.code)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        join = app.screen
        assert isinstance(join, JoinScreen)
        await pilot.press("ctrl+p")  # no palette: it would reach the app's system commands
        await pilot.pause()
        assert app.screen is join

        def error() -> str:
            return str(join.query_one("#join-error").render())

        join.query_one("#join-code", Input).value = "ZZZZZ"
        join.query_one("#join-name", Input).value = "Ann"
        join.app_join()
        await pilot.pause()
        assert f"not this room's code ({MAX_CODE_TRIES - 1} tries left)" in error()
        join.query_one("#join-code", Input).value = room.code.lower()
        join.query_one("#join-name", Input).value = "ben"
        join.app_join()
        await pilot.pause()
        assert "Ben is already playing" in error()
        assert database not in error()
        join.query_one("#join-name", Input).value = "Ann"
        join.app_join()
        await pilot.pause()
        assert type(app.screen).__name__ == "ServedPlayerScreen"
        assert [p.name for p in room.players()] == ["Ben", "Ann"]
        assert all(p.learner is None for p in room.players())  # a guest is nobody's profile
        await pilot.press("escape")  # back to the join screen; Ann comes back from this page
        await pilot.pause()
        assert app.screen is join
        join.app_join()
        await pilot.pause()
        assert type(app.screen).__name__ == "ServedPlayerScreen" and app.screen.player.rejoined


async def test_guessing_codes_closes_the_page(served_db):
    from textual.widgets import Input

    from studybuddy.tui.served_night import MAX_CODE_TRIES, ServedNightApp

    database, _, room = served_db
    app = ServedNightApp(database, room.code)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        join = app.screen
        join.query_one("#join-name", Input).value = "Eve"
        for guess in range(MAX_CODE_TRIES):
            join.query_one("#join-code", Input).value = "ABCDE" if guess % 2 else "nope"
            join.app_join()
            await pilot.pause()
    assert app.return_code == 0 and room.players() == []


async def test_a_room_gone_is_said_without_the_database_path(served_db):
    from studybuddy.tui.served_night import NOT_OPEN, ServedNightApp

    database, _, _ = served_db
    app = ServedNightApp(database, "QQQQQ")
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        shown = str(app.screen.query_one("#closed").render())
    assert NOT_OPEN in shown and "sqlite" not in shown


# ---- two players in a real browser ---------------------------------------------------------

PAINTED = 12_000  # bytes of a screenshot with the app drawn (a blank page is about 4,000)


async def browser_players(debug_port: int, url: str, players: dict[str, str], code: str, room):
    """Each player opens the page in a tab of their own, types the code and their name, and
    once the host has opened the question, presses their answer key."""
    import aiohttp

    async with aiohttp.ClientSession() as http:
        deadline = time.monotonic() + WAIT
        while True:
            try:
                async with http.get(f"http://127.0.0.1:{debug_port}/json/version") as reply:
                    await reply.json()
                break
            except aiohttp.ClientError:
                assert time.monotonic() < deadline, "chromium's DevTools never answered"
                await asyncio.sleep(0.2)
        tabs = []
        for _ in players:
            async with http.put(f"http://127.0.0.1:{debug_port}/json/new?about:blank") as reply:
                tabs.append(await reply.json())
        sockets = [await http.ws_connect(t["webSocketDebuggerUrl"], max_msg_size=0) for t in tabs]
        tools = [DevTools(ws) for ws in sockets]

        async def drawn(tool: DevTools) -> None:
            await tool.call("Page.bringToFront")  # a tab in the background may not draw
            while time.monotonic() < deadline:
                classes = await tool.evaluate("document.body ? document.body.className : ''")
                assert "-closed" not in (classes or ""), "the server closed the page"
                if "-first-byte" in (classes or ""):
                    return
                await asyncio.sleep(0.2)
            raise AssertionError("the app never drew in the browser")

        async def type_line(tool: DevTools, text: str) -> None:
            await tool.call("Input.insertText", text=text)
            await asyncio.sleep(0.3)
            for kind in ("keyDown", "keyUp"):
                await tool.call(
                    "Input.dispatchKeyEvent",
                    type=kind,
                    key="Enter",
                    code="Enter",
                    windowsVirtualKeyCode=13,
                    **({"text": "\r"} if kind == "keyDown" else {}),
                )
            await asyncio.sleep(0.5)

        async def shot(tool: DevTools, name: str) -> None:
            data = await tool.call("Page.captureScreenshot", format="png")
            ARTIFACTS.mkdir(exist_ok=True)
            (ARTIFACTS / name).write_bytes(base64.b64decode(data["data"]))

        async def painted(tool: DevTools) -> None:
            # the terminal is a canvas, so its text cannot be read back; a blank page is a
            # PNG of a few kB, the join screen's is several times that
            while time.monotonic() < deadline:
                data = await tool.call("Page.captureScreenshot", format="png")
                if len(base64.b64decode(data["data"])) > PAINTED:
                    await asyncio.sleep(1)  # the rest of the first frame
                    return
                await asyncio.sleep(0.5)
            raise AssertionError("the join screen never appeared")

        deadline = time.monotonic() + 3 * WAIT
        for tool in tools:
            await tool.call("Page.navigate", url=url)
        for tool in tools:
            await drawn(tool)
            await painted(tool)
        for tool, name in zip(tools, players, strict=True):
            await tool.call("Page.bringToFront")
            # a click on empty page gives the terminal the keyboard; the code field has focus
            await tool.call(
                "Input.dispatchMouseEvent", type="mousePressed", x=950, y=450, button="left"
            )
            await tool.call(
                "Input.dispatchMouseEvent", type="mouseReleased", x=950, y=450, button="left"
            )
            await type_line(tool, code.lower())
            await type_line(tool, name)
        joined = await wait_for(lambda: len(room.players()) == len(players))
        await shot(tools[0], "lan-joined.png")
        assert joined, f"players in the room: {[p.name for p in room.players()]}"
        room.start()
        await asyncio.sleep(2)  # a few polls of each player's screen
        await shot(tools[1], "lan-question.png")
        for tool, (name, key) in zip(tools, players.items(), strict=True):
            # a key pressed before the player's screen has drawn the question is lost: again
            await tool.call("Page.bringToFront")
            while time.monotonic() < deadline:
                await tool.call("Input.insertText", text=key)
                if await wait_for(lambda name=name: room.state().player(name).answered, 3):
                    break
        answered = room.state().everyone_answered
        await shot(tools[0], "lan-answered.png")
        assert answered, room.state().players
        room.advance()  # reveal
        await asyncio.sleep(2)
        await shot(tools[0], "lan-reveal.png")
        for ws in sockets:
            await ws.close()


async def wait_for(predicate, timeout: float = WAIT) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if await asyncio.to_thread(predicate):
            return True
        await asyncio.sleep(0.3)
    return await asyncio.to_thread(predicate)


def listening(address: str, port: int, process: subprocess.Popen) -> None:
    deadline = time.monotonic() + WAIT
    while time.monotonic() < deadline:
        assert process.poll() is None, process.stdout.read()
        try:
            socket.create_connection((address, port), timeout=0.5).close()
            return
        except OSError:
            time.sleep(0.2)
    raise AssertionError(f"nothing listens on {address}:{port}")


def lan_or_loopback() -> list[str]:
    """--lan where this machine has a network address (CI may have none), else 127.0.0.1."""
    try:
        choose_address(lan=True, host=None)
    except NightError:
        return ["--host", "127.0.0.1"]
    return ["--lan"]


@pytest.mark.slow
@pytest.mark.skipif(CHROMIUM is None, reason="needs chromium (apt-get install chromium)")
def test_two_players_join_a_lan_night_in_chromium_and_it_stops_when_over(served_db, tmp_path):
    database, store, room = served_db
    port, debug_port = free_port(), free_port()
    where = lan_or_loopback()
    server = subprocess.Popen(
        [sys.executable, "-m", "studybuddy", "--db", database, "night", "serve", room.code]
        + [*where, "--port", str(port), "--linger", "1"],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    address = choose_address(lan=True, host=None).shown if where == ["--lan"] else "127.0.0.1"
    browser = None
    try:
        listening(address, port, server)
        browser = subprocess.Popen(
            [
                CHROMIUM,
                "--headless",
                "--no-sandbox",
                "--disable-gpu",
                "--disable-background-networking",
                "--disable-component-update",
                "--no-first-run",
                f"--user-data-dir={tmp_path / 'chromium'}",
                f"--remote-debugging-port={debug_port}",
                "--window-size=1000,700",
                "about:blank",
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        players = {"Ann": "2", "Ben": "1"}  # softmax (right), ReLU (wrong)
        url = f"http://{address}:{port}/"
        asyncio.run(browser_players(debug_port, url, players, room.code, room))
        answers = {
            p.name: (p.answered, p.last_correct, p.last_points) for p in room.state().players
        }
        assert answers["Ann"][:2] == (True, True) and answers["Ann"][2] > 0
        assert answers["Ben"] == (True, False, 0)
        assert all(p.learner is None for p in room.players())
        room.finish()
        # the server sees the end within a couple of seconds, lingers 1 s, and stops
        banner, _ = server.communicate(timeout=WAIT)
    finally:
        if browser is not None:
            browser.terminate()
            browser.wait(timeout=WAIT)
        if server.poll() is None:
            server.terminate()
            server.communicate(timeout=WAIT)
    assert server.returncode == 0, banner
    assert f"type the room code {room.code}" in banner and "The night is over" in banner
    assert database not in banner and json.dumps(database) not in banner
