"""`studybuddy night serve` in headless Chromium: the page connects and the app draws.

Chromium is driven over its DevTools protocol (with aiohttp, which textual-serve brings along)
because a plain `--screenshot` fires before the app's first frame. The screenshot is kept in
tests/night/artifacts/ (not committed) for a person to look at.
"""

from __future__ import annotations

import asyncio
import base64
import json
import shutil
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
ARTIFACTS = Path(__file__).parent / "artifacts"
PAINTED = 20_000  # bytes of a screenshot with the app drawn
WAIT = 60.0  # a served app process takes 10-20 s to start on a loaded two-core machine


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def wait_for_port(port: int, process: subprocess.Popen) -> None:
    deadline = time.monotonic() + WAIT
    while time.monotonic() < deadline:
        assert process.poll() is None, process.stdout.read()
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
            return
        except OSError:
            time.sleep(0.2)
    raise AssertionError(f"nothing listens on port {port}")


class DevTools:
    """Just enough of the Chrome DevTools protocol: call a method, wait for its answer."""

    def __init__(self, socket_) -> None:
        self.socket = socket_
        self.last_id = 0

    async def call(self, method: str, **params):
        self.last_id += 1
        await self.socket.send_str(
            json.dumps({"id": self.last_id, "method": method, "params": params})
        )
        while True:
            message = json.loads((await self.socket.receive()).data)
            if message.get("id") == self.last_id:
                assert "error" not in message, message
                return message["result"]

    async def evaluate(self, expression: str):
        result = await self.call("Runtime.evaluate", expression=expression, returnByValue=True)
        return result["result"].get("value")


async def screenshot(debug_port: int, url: str) -> tuple[bytes, str]:
    import aiohttp

    async with aiohttp.ClientSession() as http:
        deadline = time.monotonic() + WAIT
        while True:
            try:
                async with http.get(f"http://127.0.0.1:{debug_port}/json/list") as reply:
                    pages = [t for t in await reply.json() if t["type"] == "page"]
                if pages:
                    break
            except aiohttp.ClientError:
                pass
            assert time.monotonic() < deadline, "chromium's DevTools never answered"
            await asyncio.sleep(0.2)
        async with http.ws_connect(pages[0]["webSocketDebuggerUrl"], max_msg_size=0) as ws:
            tools = DevTools(ws)
            await tools.call("Page.navigate", url=url)
            # the page marks its body once the app's first bytes arrive, and on a closed session
            state = "waiting"
            while time.monotonic() < deadline:
                classes = await tools.evaluate("document.body ? document.body.className : ''")
                if "-closed" in (classes or ""):
                    state = "closed"
                    break
                if "-first-byte" in (classes or ""):
                    state = "drawing"
                    break
                await asyncio.sleep(0.2)
            # let the first screen finish drawing: a painted screen is far larger than a blank one
            await asyncio.sleep(3)
            while True:
                closed = "-closed" in (await tools.evaluate("document.body.className") or "")
                shot = base64.b64decode(
                    (await tools.call("Page.captureScreenshot", format="png"))["data"]
                )
                if closed or len(shot) > PAINTED or time.monotonic() > deadline:
                    return shot, "closed" if closed else state
                await asyncio.sleep(1)


@pytest.mark.skipif(CHROMIUM is None, reason="needs chromium (apt-get install chromium)")
def test_night_serve_in_headless_chromium(tmp_path):
    port, debug_port = free_port(), free_port()
    server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "studybuddy",
            "--db",
            str(tmp_path / "served.sqlite3"),
            "night",
            "serve",
            "--port",
            str(port),
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    browser = None
    try:
        wait_for_port(port, server)
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
                "--window-size=1280,800",
                "about:blank",
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        png, state = asyncio.run(screenshot(debug_port, f"http://localhost:{port}/"))
    finally:
        if browser is not None:
            browser.terminate()
            browser.wait(timeout=WAIT)
        server.terminate()
        log = server.communicate(timeout=WAIT)[0]
    ARTIFACTS.mkdir(exist_ok=True)
    (ARTIFACTS / "night-serve.png").write_bytes(png)
    assert state == "drawing", f"the app never drew in the browser ({state}); server log:\n{log}"
    assert png.startswith(b"\x89PNG") and len(png) > PAINTED
    assert "Serving" in log and "/ws" in log  # the page opened the app's websocket
