"""Quiz night in browsers, on textual-serve, with the limits a room open to a network needs.

textual-serve starts one app process per websocket. As it comes, it accepts any number of them
(30 sockets once meant 30 processes and 1.45 GB) and a process whose app does not answer "quit"
outlives its socket. `NightServer` caps the sockets, and ends each process, by force if it must,
when its socket closes. The database location reaches the processes through the environment,
never on their command line, where `ps` and the server's banner would show a password.
"""

from __future__ import annotations

import asyncio
import contextlib
import ipaddress
import logging
import socket
from typing import Any

from aiohttp import web
from textual_serve.app_service import AppService
from textual_serve.server import Server, to_int

log = logging.getLogger("studybuddy.night.serve")

MAX_PLAYERS = 40  # browser tabs at once; each is an app process of about 50 MB
STOP_GRACE = 5.0  # seconds an app gets to quit by itself once its socket is gone


def reachable_address(host: str) -> str:
    """The address to give browsers: `host` itself, or for a wildcard (0.0.0.0, ::) this
    machine's own address on the network, which `ws://0.0.0.0` is not."""
    try:
        wildcard = ipaddress.ip_address(host).is_unspecified
    except ValueError:  # a name such as localhost
        return host
    if not wildcard:
        return host
    try:
        address = socket.gethostbyname(socket.gethostname())
    except OSError:
        address = "127.0.0.1"
    return address


class NightServer(Server):
    def __init__(
        self, command: str, *, host: str, port: int, max_players: int = MAX_PLAYERS, **kwargs: Any
    ) -> None:
        public = reachable_address(host)
        shown = f"[{public}]" if ":" in public else public
        super().__init__(
            command, host=host, port=port, public_url=f"http://{shown}:{port}", **kwargs
        )
        self.max_players = max_players
        self.active = 0

    async def handle_websocket(  # type: ignore[override]  # a full night answers 503, not a socket
        self, request: web.Request
    ) -> web.StreamResponse:
        if self.active >= self.max_players:
            return web.Response(
                status=503, text=f"quiz night is full ({self.max_players} players at most)"
            )
        self.active += 1
        websocket = web.WebSocketResponse(heartbeat=15)
        width = to_int(request.query.get("width", "80"), 80)
        height = to_int(request.query.get("height", "24"), 24)
        service: AppService | None = None
        try:
            await websocket.prepare(request)
            service = AppService(
                self.command,
                write_bytes=websocket.send_bytes,
                write_str=websocket.send_str,
                close=websocket.close,  # type: ignore[arg-type]  # as textual-serve passes it
                download_manager=self.download_manager,
                debug=self.debug,
            )
            await service.start(width, height)
            await self._process_messages(websocket, service)
        except asyncio.CancelledError:
            await websocket.close()
        except Exception as error:  # one browser's failure must not stop the night
            log.exception(error)
        finally:
            if service is not None:
                await _end(service)
            self.active -= 1
        return websocket


async def _end(service: AppService) -> None:
    """Ask the app to quit; kill its process if it has not within STOP_GRACE seconds."""
    try:
        await asyncio.wait_for(service.stop(), STOP_GRACE)
    except (TimeoutError, Exception):  # a stuck app, or one whose pipes are already gone
        pass
    process = getattr(service, "_process", None)  # textual-serve keeps it private
    if process is not None and process.returncode is None:
        with contextlib.suppress(ProcessLookupError):
            process.kill()
        with contextlib.suppress(Exception):
            await asyncio.wait_for(process.wait(), STOP_GRACE)
