"""`night serve` as a process: no database location in its banner or on its children's command
lines, at most --max-players sockets, and every app process gone once its socket closes."""

from __future__ import annotations

import asyncio
import subprocess
import sys
import time
from pathlib import Path

import pytest

from studybuddy.night.serve import reachable_address

pytestmark = pytest.mark.slow


def children(pid: int) -> list[int]:
    out = subprocess.run(["ps", "-o", "pid=", "--ppid", str(pid)], capture_output=True, text=True)
    return [int(line) for line in out.stdout.split()]


def command_line(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode()
    except OSError:
        return ""


def wait_until(predicate, timeout: float = 30.0) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.2)
    return predicate()


def test_wildcard_addresses_are_replaced_by_one_browsers_can_reach():
    assert reachable_address("localhost") == "localhost"
    assert reachable_address("127.0.0.1") == "127.0.0.1"
    for wildcard in ("0.0.0.0", "::"):
        shown = reachable_address(wildcard)
        assert shown not in ("0.0.0.0", "::")


def test_served_night_caps_sockets_and_ends_each_app_with_its_socket(tmp_path):
    import aiohttp

    from tests.night.test_serve_browser import free_port, wait_for_port

    secret_path = tmp_path / "hunter2-progress.sqlite3"
    port = free_port()
    server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "studybuddy",
            "--db",
            str(secret_path),
            "night",
            "serve",
            "--port",
            str(port),
            "--max-players",
            "2",
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )

    async def play() -> tuple[list[int], int]:
        url = f"ws://127.0.0.1:{port}/ws?width=80&height=24"
        async with aiohttp.ClientSession() as http:
            first = await http.ws_connect(url)
            second = await http.ws_connect(url)
            await asyncio.sleep(0.5)
            with pytest.raises(aiohttp.WSServerHandshakeError) as refused:
                await http.ws_connect(url)
            started = await asyncio.to_thread(wait_until, lambda: len(children(server.pid)) == 2)
            assert started, children(server.pid)
            apps = children(server.pid)
            await first.close()
            await second.close()
            return apps, refused.value.status

    try:
        wait_for_port(port, server)
        apps, status = asyncio.run(play())
        assert status == 503
        for pid in apps:
            assert "hunter2" not in command_line(pid)
            assert "studybuddy" in command_line(pid)  # the app itself, not a shell around it
        assert wait_until(lambda: children(server.pid) == [], timeout=20), children(server.pid)
    finally:
        server.terminate()
        banner, _ = server.communicate(timeout=20)
    assert "hunter2" not in banner
