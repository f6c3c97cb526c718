"""`studybuddy night …`: quiz night on one screen, in a room over the shared database, or in a
browser."""

from __future__ import annotations

import os
from typing import Annotated

import typer

from studybuddy.commands.errors import fail, opened_store
from studybuddy.commands.learner import named_profile
from studybuddy.locations import default_database

app = typer.Typer(
    help="Quiz night: the reading group plays on one screen, or each from their own terminal.",
    no_args_is_help=True,
)


def _run_app(ctx: typer.Context, entry) -> None:
    from studybuddy.tui.night_app import NightApp

    # without --profile the app plays as the learner last chosen on this database
    NightApp(database=default_database(), profile=named_profile(ctx), entry=entry).run()


@app.command()
def play(ctx: typer.Context) -> None:
    """Set up a night: one screen (players in turn or on their own keys), host or join a room."""
    from studybuddy.tui.screens.night import NightSetupScreen

    _run_app(ctx, lambda _app: NightSetupScreen())


@app.command()
def host(
    ctx: typer.Context,
    resume: Annotated[
        str | None,
        typer.Option("--resume", metavar="CODE", help="Carry on the night CODE after a crash."),
    ] = None,
    chapter: Annotated[
        list[str] | None,
        typer.Option("--chapter", "-c", metavar="BANK/CHAPTER", help="Ask from this chapter."),
    ] = None,
    weakest: Annotated[
        bool, typer.Option("--weakest", help="Ask from the group's weakest topics.")
    ] = False,
    questions: Annotated[int, typer.Option("--questions", "-n", help="How many questions.")] = 10,
    timer: Annotated[float, typer.Option("--timer", "-t", help="Seconds per question.")] = 20.0,
    teams: Annotated[bool, typer.Option("--teams", help="Players play in teams.")] = False,
    speed: Annotated[
        bool,
        typer.Option(
            "--speed/--no-speed",
            help="Faster right answers earn more (--no-speed: accuracy only, all the points).",
        ),
    ] = True,
    streak: Annotated[
        bool, typer.Option("--streak/--no-streak", help="A bonus for right answers in a row.")
    ] = True,
    warm_up: Annotated[
        bool, typer.Option("--warm-up", help="The first question is a warm-up: no points.")
    ] = False,
    talk: Annotated[
        float,
        typer.Option(
            "--talk", metavar="SECONDS", help="Team nights: time to talk before answers open."
        ),
    ] = 0.0,
) -> None:
    """Open a room that players join from their terminals (no options: the set-up screen)."""
    if resume is None and not chapter and not weakest:
        from studybuddy.tui.screens.night import NightSetupScreen

        _run_app(ctx, lambda _app: NightSetupScreen(mode="mode-room"))
        return
    from studybuddy.night.records import NightSettings

    settings = NightSettings(
        timer=timer,
        teams=teams,
        kind="room",
        answering="together",
        speed_points=speed,
        streak_bonus=streak,
        warm_up=warm_up,
        talk_seconds=talk,
    )
    with opened_store() as store:
        night_id = _open_or_create(store, resume, chapter or [], weakest, questions, settings)

    def entry(tui):
        from studybuddy.night.room import Night
        from studybuddy.tui.screens.night_host import NightHostScreen
        from studybuddy.tui.screens.night_hotseat import HotSeatScreen

        night = Night(tui.store, night_id)
        return (HotSeatScreen if night.settings.kind == "hot-seat" else NightHostScreen)(night)

    _run_app(ctx, entry)


def _open_or_create(store, resume, chapters, weakest, questions, settings) -> int:
    from studybuddy.banks.loader import bank_files, load_banks
    from studybuddy.commands.banks import bundled_folder
    from studybuddy.night.room import Night
    from studybuddy.night.setup import NightPlan, create_night
    from studybuddy.study.catalog import Catalog

    if resume is not None:
        return Night.open(store, resume).id
    catalog = Catalog(load_banks(bank_files(bundled_folder())).banks)
    plan = NightPlan(
        chapters=tuple(chapters),
        weakest=weakest,
        count=questions,
        settings=settings,
    )
    return create_night(store, catalog, plan).id


@app.command()
def join(
    ctx: typer.Context,
    code: Annotated[str, typer.Argument(help="The room code on the host's screen.")],
    name: Annotated[str, typer.Option("--name", help="Your name in the room.")],
    team: Annotated[str | None, typer.Option("--team", help="Your team (team nights).")] = None,
    plain: Annotated[
        bool, typer.Option("--plain", help="Plain lines of text instead of the full-screen app.")
    ] = False,
) -> None:
    """Play in a room. Joining again under the same name keeps your score."""
    from studybuddy.night.errors import NightError
    from studybuddy.night.room import Night
    from studybuddy.night.tokens import join_keeping_token
    from studybuddy.study.learners import LastLearner

    with opened_store() as store:
        night = Night.open(store, code)
        if night.settings.kind != "room":
            raise NightError(f"night {night.code} is played on one screen; it has no room")
        # the learner this terminal studies as (never merely the only one in a shared database)
        learner = named_profile(ctx) or LastLearner().get(default_database())
        player = join_keeping_token(night, name, team, learner=learner)
        if plain:
            from studybuddy.commands.night_console import ConsolePlayer

            try:
                raise typer.Exit(ConsolePlayer(night, player, write=_echo).run())
            except KeyboardInterrupt:
                typer.echo(
                    f"\nLeft the room; `night join {night.code} --name {player.name}` "
                    "brings you back with your score."
                )
                raise typer.Exit(130) from None

    def entry(tui):
        from studybuddy.tui.screens.night_player import NightPlayerScreen

        return NightPlayerScreen(Night(tui.store, night.id), player)

    _run_app(ctx, entry)


def _echo(line: str) -> None:
    typer.echo(line)


@app.command("list")
def list_nights(
    limit: Annotated[int, typer.Option("--limit", min=1, help="How many nights.")] = 20,
) -> None:
    """The latest nights with their codes (for `--resume` and `report --night`)."""
    from studybuddy.night.results import recent_nights

    with opened_store(read_only=True) as store:
        nights = recent_nights(store, limit)
    if not nights:
        typer.echo("no quiz nights yet (`studybuddy night play` or `studybuddy night host`)")
        return
    for night in nights:
        when = night.created_at.astimezone().strftime("%Y-%m-%d %H:%M")
        typer.echo(
            f"{night.code}  {when}  {night.kind:8} {night.phase:9} {night.players:3} players  "
            f"{night.questions:3} questions  {night.title}"
        )


@app.command()
def serve(
    ctx: typer.Context,
    port: Annotated[int, typer.Option("--port", "-p", help="Port to listen on.")] = 8000,
    host: Annotated[
        str,
        typer.Option(
            "--host",
            help="Address to listen on. Anyone who can reach it can play: keep localhost "
            "unless the network is the group's own.",
        ),
    ] = "localhost",
    max_players: Annotated[
        int, typer.Option("--max-players", help="Browser tabs at once (each runs an app).")
    ] = 40,
) -> None:
    """Serve quiz night to browsers (a projector, players' laptops) with textual-serve."""
    import shlex
    import socket
    import sys

    if not 1 <= port <= 65535:
        raise fail(f"a port from 1 to 65535 (got {port})")
    if not 1 <= max_players <= 200:
        raise fail(f"--max-players from 1 to 200 (got {max_players})")
    try:
        socket.getaddrinfo(host, port)
    except socket.gaierror:
        raise fail(f"no such address {host!r}; try --host localhost or this machine's IP") from None
    try:
        with socket.create_server((host, port)):
            pass
    except OSError as exc:
        raise fail(f"cannot listen on {host}:{port} ({exc.strerror}); try another --port") from None
    from studybuddy.locations import DB_ENV
    from studybuddy.night.serve import NightServer

    # Every browser tab gets its own app process, opened at the quiz-night set-up. The database
    # goes to them in the environment: on the command line `ps` (and the server's banner)
    # would show its password. `exec` makes the app the process the server ends, not a shell.
    os.environ[DB_ENV] = default_database()
    profile = ["--profile", name] if (name := named_profile(ctx)) else []
    command = "exec " + shlex.join([sys.executable, "-m", "studybuddy", *profile, "night", "play"])
    NightServer(
        command, host=host, port=port, max_players=max_players, title="StudyBuddy quiz night"
    ).serve()
