"""A room over one database: the host here, two players as real `night join --plain` processes.

One player's process is killed with SIGKILL mid-night and started again under the same name:
it must find its score and keep its streak.
"""

from __future__ import annotations

import os
import queue
import signal
import subprocess
import sys
import threading
import time

import pytest

from studybuddy.night.records import NightSettings
from studybuddy.night.room import Night
from studybuddy.night.scoring import replay
from studybuddy.store import Store

pytestmark = pytest.mark.slow
WAIT = 45.0  # seconds: starting one `night join` process took 10-12 s on a loaded two-core machine


class PlayerProcess:
    def __init__(self, database: str, code: str, name: str) -> None:
        self.name = name
        self.lines: queue.Queue[str] = queue.Queue()
        self.seen: list[str] = []
        env = {**os.environ, "PYTHONUNBUFFERED": "1"}
        self.process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "studybuddy",
                "--db",
                database,
                "night",
                "join",
                code,
                "--name",
                name,
                "--plain",
            ],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            env=env,
        )
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self) -> None:
        for line in self.process.stdout:
            self.lines.put(line.rstrip("\n"))

    def expect(self, text: str) -> str:
        deadline = time.monotonic() + WAIT
        while time.monotonic() < deadline:
            try:
                line = self.lines.get(timeout=0.1)
            except queue.Empty:
                continue
            self.seen.append(line)
            if text in line:
                return line
        raise AssertionError(f"{self.name} never printed {text!r}; got:\n" + "\n".join(self.seen))

    def type(self, answer: str) -> None:
        self.process.stdin.write(answer + "\n")
        self.process.stdin.flush()

    def answer(self, number: int, typed: str) -> None:
        self.expect(f"== Question {number} of 3 ==")
        self.expect("Answer within")
        self.type(typed)
        self.expect("Locked in")

    def kill(self) -> None:
        self.process.send_signal(signal.SIGKILL)
        self.process.wait(timeout=WAIT)


def wait_for_reveal(night: Night) -> None:
    deadline = time.monotonic() + WAIT
    while night.host_tick().phase != "reveal":
        assert time.monotonic() < deadline, "the question never closed"
        time.sleep(0.1)


def test_two_players_one_killed_and_rejoining(tmp_path, catalog):
    database = str(tmp_path / "room.sqlite3")
    host_store = Store(database)
    refs = [catalog[q] for q in ("night-mc", "night-tf", "night-tf-2")]
    night = Night.create(host_store, refs, NightSettings(timer=30))
    ada = PlayerProcess(database, night.code, "Ada")
    bo = PlayerProcess(database, night.code, "Bo")
    players = []
    try:
        ada.expect("Joined room")
        bo.expect("Joined room")
        night.start()
        ada.answer(1, "2")
        bo.answer(1, "2")
        wait_for_reveal(night)
        bo.expect("Right! +")
        bo_score = night.state().player("Bo").score

        bo.kill()
        night.advance()
        ada.answer(2, "f")
        bo = PlayerProcess(database, night.code, "bo")  # any case: the same player
        welcome = bo.expect("Welcome back")
        assert f"your score is kept ({bo_score} points)" in welcome
        bo.answer(2, "f")
        wait_for_reveal(night)
        bo.expect("(streak bonus +100)")

        night.advance()
        ada.answer(3, "t")
        bo.answer(3, "f")  # wrong: the streak ends
        wait_for_reveal(night)
        night.advance()
        ada.expect("You finished #1 of 2.")
        bo.expect("You finished #2 of 2.")
        players = [ada, bo]
        for player in players:
            assert player.process.wait(timeout=WAIT) == 0
    finally:
        for player in (ada, bo):
            if player.process.poll() is None:
                player.process.kill()
                player.process.wait()

    state = night.state()
    assert sorted(p.name for p in state.players) == ["Ada", "Bo"]  # Bo came back, not a new one
    results = {}
    from studybuddy.night.results import load_night_results

    for question in load_night_results(host_store, night.code).questions:
        for answer in question.answers:
            results.setdefault(answer.player, []).append((answer.correct, answer.seconds))
    for player in state.players:
        expected = sum(s.points for s in replay(results[player.name], timer=30))
        assert player.score == expected
    assert [c for c, _ in results["Bo"]] == [True, True, False]
    host_store.close()


def test_a_second_terminal_under_a_taken_name_is_turned_away(tmp_path, catalog):
    database = str(tmp_path / "night.sqlite3")
    store = Store(database)
    night = Night.create(store, [catalog["night-mc"]], NightSettings(timer=20))
    ada = night.join("Ada")
    night.start()
    # another machine: its own data folder, so it holds no token for Ada
    env = {**os.environ, "STUDYBUDDY_DATA_DIR": str(tmp_path / "elsewhere")}
    command = [sys.executable, "-m", "studybuddy", "--db", database, "night", "join"]
    taken = subprocess.run(
        [*command, night.code, "--name", "ADA", "--plain"],
        capture_output=True,
        text=True,
        env=env,
        timeout=WAIT * 4,
    )
    output = (taken.stdout + taken.stderr).strip().splitlines()
    assert taken.returncode != 0 and "Traceback" not in taken.stderr
    assert output == [
        f"error: Ada is already playing in night {night.code}: choose another name (to come "
        "back as them, rejoin from the terminal that joined first)"
    ]
    assert [p.name for p in night.players()] == ["Ada"]
    assert night.answer(ada, 0, [1]).correct  # Ada herself plays on
    store.close()
