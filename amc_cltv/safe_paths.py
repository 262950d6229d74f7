"""Folder names made from AMC's ids, and paths proven inside the tool's own folders.

An id AMC hands out (an execution, workflow or instance id) is text from the network: ``../../tmp/x`` or an
absolute path would put result files anywhere. An id becomes a folder name only if it matches ``SAFE_ID``,
and the joined path is checked, after resolving links, to be inside its root (docs/reliability.md §6).
"""

from __future__ import annotations

import re
from pathlib import Path

from amc_cltv.errors import MalformedResponseError
from amc_cltv.redact import shown

# Letters, digits, dot, underscore and hyphen, not starting with a dot: no separator, no "..", nothing
# absolute, and at most 255 characters (the longest file name most file systems allow).
SAFE_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,254}")


def checked_id(value: str, what: str) -> str:
    """``value`` if it is safe as one folder name; MalformedResponseError naming ``what`` if not."""
    if not isinstance(value, str) or not SAFE_ID.fullmatch(value):
        raise MalformedResponseError(
            f"AMC gave {what} {shown(repr(value), 80)}, which is not safe to use as a folder name "
            "(letters, digits, '.', '_' and '-' only); nothing was written"
        )
    return value


def path_inside(root: Path, *names: tuple[str, str]) -> Path:
    """``root`` joined with each ``(id, what)`` in ``names``, each checked by ``checked_id``, and the result
    proven inside ``root`` once links are resolved (MalformedResponseError otherwise)."""
    path = root
    for value, what in names:
        path = path / checked_id(value, what)
    base = root.resolve()
    if not path.resolve().is_relative_to(base):
        raise MalformedResponseError(
            f"the folder for {names[-1][1] if names else 'a result'} {shown(str(path), 200)} would be "
            f"outside {base}; nothing was written"
        )
    return path
