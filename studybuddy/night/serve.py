"""Quiz night in browsers, on textual-serve, with the limits a room open to a network needs.

textual-serve starts one app process per websocket. As it comes, it accepts any number of them
(30 sockets once meant 30 processes and 1.45 GB) and a process whose app does not answer "quit"
outlives its socket. `NightServer` caps the sockets, and ends each process, by force if it must,
when its socket closes. The database location reaches the processes through the environment,
never on their command line, where `ps` and the server's banner would show a password.

Served beyond this machine (`night serve CODE --lan`, or `--host ADDRESS`), a night serves one
room's join-and-play screen and nothing else (`night.served`), on the address chosen here,
and `NightServer` stops once that night has finished.
"""

from __future__ import annotations

import asyncio
import contextlib
import ipaddress
import logging
import socket
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from aiohttp import web
from textual_serve.app_service import AppService
from textual_serve.server import Server, to_int

from studybuddy.night.errors import NightError

log = logging.getLogger("studybuddy.night.serve")

MAX_PLAYERS = 40  # browser tabs at once; each is an app process of about 50 MB
STOP_GRACE = 5.0  # seconds an app gets to quit by itself once its socket is gone
WATCH_EVERY = 2.0  # seconds between looks at whether the served night has finished
LINGER = 60.0  # seconds the final standings stay up in the browsers before the server stops
# a documentation-only address (RFC 5737): "connecting" a UDP socket to it sends nothing but
# makes the OS pick the interface, and so the address, this machine uses towards a network
ROUTE_PROBE = "192.0.2.1"


def outgoing_address() -> str | None:
    """The address of the interface this machine would reach other machines through."""
    try:
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as probe:
            probe.connect((ROUTE_PROBE, 9))
            return str(probe.getsockname()[0])
    except OSError:  # no route at all: no network
        return None


@dataclass(frozen=True)
class Listening:
    """Where a served night listens (`bind`), the address browsers are given (`shown`), and
    whether machines other than this one can reach it."""

    bind: str
    shown: str
    beyond_this_machine: bool
    every_interface: bool = False


def choose_address(
    *, lan: bool, host: str | None, probe: Callable[[], str | None] = outgoing_address
) -> Listening:
    """`--lan`: this machine's address on its network (never the wildcard 0.0.0.0);
    `--host ADDRESS`: that address (0.0.0.0 or :: only when asked for by name); neither:
    localhost, reachable from this machine alone."""
    if lan and host is not None:
        raise NightError(
            "--lan picks this machine's network address; give --lan or --host, not both"
        )
    if lan:
        address = probe()
        if address is None or _is_loopback(address) or _is_wildcard(address):
            raise NightError(
                "this machine has no network address to serve on (is it connected to the "
                "group's network?); --host ADDRESS names one"
            )
        return Listening(address, address, beyond_this_machine=True)
    if host is None or host.strip() == "":
        return Listening("localhost", "localhost", beyond_this_machine=False)
    host = host.strip()
    if _is_wildcard(host):
        return Listening(host, reachable_address(host), True, every_interface=True)
    return Listening(host, host, beyond_this_machine=not _is_loopback(host))


def _ip(host: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    try:
        return ipaddress.ip_address(host.strip("[]"))
    except ValueError:
        return None


def _is_wildcard(host: str) -> bool:
    address = _ip(host)
    return address is not None and address.is_unspecified


def _is_loopback(host: str) -> bool:
    if host.casefold() == "localhost":
        return True
    address = _ip(host)
    return address is not None and address.is_loopback


def reachable_address(host: str) -> str:
    """The address to give browsers: `host` itself, or for a wildcard (0.0.0.0, ::) this
    machine's own address on the network, which `ws://0.0.0.0` is not."""
    try:
        wildcard = ipaddress.ip_address(host).is_unspecified
    except ValueError:  # a name such as localhost
        return host
    if not wildcard:
        return host
    address = outgoing_address()
    if address is None:
        try:
            address = socket.gethostbyname(socket.gethostname())
        except OSError:
            address = "127.0.0.1"
    return address


def web_address(host: str, port: int) -> str:
    return f"http://[{host}]:{port}" if ":" in host else f"http://{host}:{port}"


class NightServer(Server):
    """textual-serve with a cap on sockets, apps ended with their socket, and, for one room
    (`finished` given), no file routes and a stop once `finished()` says the night is over."""

    def __init__(
        self,
        command: str,
        *,
        host: str,
        port: int,
        max_players: int = MAX_PLAYERS,
        finished: Callable[[], bool] | None = None,
        banner: str | None = None,
        linger: float = LINGER,
        **kwargs: Any,
    ) -> None:
        public = reachable_address(host)
        super().__init__(
            command, host=host, port=port, public_url=web_address(public, port), **kwargs
        )
        self.max_players = max_players
        self.active = 0
        self.finished = finished
        self.banner = banner
        self.linger = linger
        self._watch: asyncio.Task[None] | None = None

    async def _make_app(self) -> web.Application:
        if self.finished is None:
            return await super()._make_app()
        # one room's screen only: the page, its socket and textual-serve's own scripts; no
        # downloads from the app and no folder listing of the static files
        app = web.Application()
        import aiohttp_jinja2
        import jinja2

        aiohttp_jinja2.setup(app, loader=jinja2.FileSystemLoader(self.templates_path))
        app.add_routes(
            [
                web.get("/", self.handle_index, name="index"),
                web.get("/ws", self.handle_websocket, name="websocket"),
                web.static("/static", self.statics_path, show_index=False, name="static"),
            ]
        )
        app.on_startup.append(self.on_startup)
        app.on_shutdown.append(self.on_shutdown)
        return app

    async def on_startup(self, app: web.Application) -> None:
        if self.banner is None:
            await super().on_startup(app)
        else:
            self.console.print(self.banner, highlight=False)
        if self.finished is not None:
            self._watch = asyncio.create_task(self._stop_when_finished())

    async def on_shutdown(self, app: web.Application) -> None:
        if self._watch is not None:
            self._watch.cancel()

    async def _stop_when_finished(self) -> None:
        assert self.finished is not None
        while True:
            try:
                over = await asyncio.to_thread(self.finished)
            except Exception as error:  # a locked database passes; the next look may succeed
                log.warning("could not read the night: %s", error)
                over = False
            if over:
                break
            await asyncio.sleep(WATCH_EVERY)
        self.console.print(f"The night is over; the server stops in {self.linger:g} s.")
        await asyncio.sleep(self.linger)
        # GracefulExit (a SystemExit) raised from a loop callback ends run_app, as Ctrl+C does
        asyncio.get_running_loop().call_soon(self.request_exit)

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
