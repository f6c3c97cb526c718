"""The secret each player got when they joined a night, kept on the player's own machine.

A room tells players apart by name, so without a secret anybody could join as somebody else and
answer for them. `Night.join` hands a token to whoever joins a name first; this file keeps it
(readable by the user only) so that the same terminal, or the same user's next one, can come
back with the score kept. Another machine without the file cannot take the name over.
"""

from __future__ import annotations

import contextlib
import json
from pathlib import Path

from studybuddy.locations import user_data_dir
from studybuddy.night.records import Player
from studybuddy.night.room import Night
from studybuddy.private_files import write_private

TOKEN_FILE = "night-tokens.json"
KEEP = 200  # nights are short-lived; the oldest entries make way for new ones


class TokenFile:
    def __init__(self, path: Path | None = None) -> None:
        self.path = path or user_data_dir() / TOKEN_FILE

    @staticmethod
    def _key(code: str, name: str) -> str:
        return f"{code}/{' '.join(name.split()).casefold()}"

    def _read(self) -> dict[str, str]:
        try:
            data = json.loads(self.path.read_text(encoding="utf-8"))
        except (OSError, ValueError):  # none yet, or damaged: a fresh join still works
            return {}
        if not isinstance(data, dict):
            return {}
        return {k: v for k, v in data.items() if isinstance(k, str) and isinstance(v, str)}

    def get(self, code: str, name: str) -> str | None:
        return self._read().get(self._key(code, name))

    def put(self, code: str, name: str, token: str) -> None:
        tokens = self._read()
        tokens.pop(self._key(code, name), None)
        tokens[self._key(code, name)] = token  # newest last
        kept = dict(list(tokens.items())[-KEEP:])
        # the player still plays if this fails; only a later rejoin from here needs it
        with contextlib.suppress(OSError):
            write_private(self.path, json.dumps(kept))


def join_keeping_token(
    night: Night,
    name: str,
    team: str | None = None,
    *,
    learner: str | None = None,
    tokens: TokenFile | None = None,
) -> Player:
    """Join (or rejoin) `night` with the token this machine holds for the name, and keep the
    one handed out."""
    tokens = tokens or TokenFile()
    held = tokens.get(night.code, name)
    player = night.join(name, team, token=held, learner=learner)
    if player.token is not None and player.token != held:
        tokens.put(night.code, player.name, player.token)
    return player
