"""Reading what the CLI wrote on stderr: the failure of a command, under JSON logs or on a terminal."""

from __future__ import annotations

import json

PLAIN = "amc-cltv: error: "


def failures(stderr: str) -> list[str]:
    """The message of every failure on ``stderr``: a ``command_failed`` JSON event (JSON logs), or a plain
    ``amc-cltv: error:`` line (console logs)."""
    found = []
    for line in stderr.splitlines():
        if line.startswith("{"):
            event = json.loads(line)
            if event.get("event") == "command_failed":
                found.append(str(event["message"]))
        elif line.startswith(PLAIN):
            found.append(line.removeprefix(PLAIN))
    return found


def failure(stderr: str) -> str:
    """The one failure on ``stderr`` (AssertionError when there is none or several)."""
    (message,) = failures(stderr)
    return message
