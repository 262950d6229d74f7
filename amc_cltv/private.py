"""Files and folders only their owner can read: customer data (results, the ledger, the report) and locks.

Files are created 0600 and folders 0700 whatever the process's umask (docs/reliability.md §6). Folders that
already exist are left as they are: the tool does not change the mode of a folder it did not create.
"""

from __future__ import annotations

import os
from pathlib import Path

FILE_MODE = 0o600
FOLDER_MODE = 0o700


def private_dir(path: Path) -> Path:
    """Create ``path`` and any missing parent 0700 (each one the tool creates); return ``path``."""
    missing: list[Path] = []
    for candidate in (path, *path.parents):
        if candidate.is_dir():
            break
        missing.append(candidate)
    for folder in reversed(missing):
        try:
            folder.mkdir(mode=FOLDER_MODE)
        except FileExistsError:
            if not folder.is_dir():
                raise
            continue  # another process made it meanwhile
        os.chmod(folder, FOLDER_MODE)  # mkdir's mode is cut by the umask
    return path


def open_private(path: Path, flags: int = os.O_WRONLY | os.O_CREAT | os.O_TRUNC) -> int:
    """``os.open`` a file 0600 (set again if the umask cut it, or the file was there); the descriptor."""
    fd = os.open(path, flags, FILE_MODE)
    try:
        os.fchmod(fd, FILE_MODE)
    except BaseException:
        os.close(fd)
        raise
    return fd


def make_private(path: Path) -> None:
    """Set an existing file to 0600 (a file another library created: SQLite's)."""
    os.chmod(path, FILE_MODE)
