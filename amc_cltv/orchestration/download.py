"""Downloading an execution's result files so that a file under its final name is always complete.

Each file is streamed to a temporary name in its final folder, hashed and counted on the way, fsynced,
checked (byte count against Content-Length, a header row), then renamed and the folder fsynced. Pre-signed
URLs live 10 minutes: an expired one is re-requested from AMC (a bounded number of times), as is a
truncated transfer. ``manifest.json`` is written the same way, last, and holds no URL at all.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
from collections.abc import Callable, Iterable, Iterator
from contextlib import AbstractContextManager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

from amc_cltv.errors import DownloadError, DownloadRefused, DownloadUrlExpired
from amc_cltv.ledger import FileRecord
from amc_cltv.log import get_logger
from amc_cltv.orchestration.filtered import UNREAD, AggregationFiltered, Unread, aggregation_filtered
from amc_cltv.private import open_private, private_dir
from amc_cltv.results import header_columns

CHUNK_SIZE = 1 << 16  # what the socket delivers at a time: larger chunks only add copying
MAX_URL_REQUESTS = 4
TEMP_SUFFIX = ".partial"

log = get_logger("amc_cltv.download")


class DownloadStream(Protocol):
    content_length: int | None

    def iter_bytes(self, chunk_size: int = ...) -> Iterator[bytes]: ...


@dataclass(frozen=True)
class VerifiedFile:
    """A result file under its final name, checked."""

    name: str
    path: Path
    bytes: int
    rows: int
    sha256: str

    def manifest_entry(self) -> dict[str, Any]:
        return {"name": self.name, "bytes": self.bytes, "rows": self.rows, "sha256": self.sha256}

    def record(self, execution_id: str) -> FileRecord:
        return FileRecord(execution_id, self.name, str(self.path), self.bytes, self.rows, self.sha256)


def fsync_dir(folder: Path) -> None:
    """Make a rename in ``folder`` durable."""
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def write_atomically(path: Path, payload: bytes) -> None:
    """Write a small file (the manifest) to a temporary name, fsync, rename, fsync the folder."""
    temp = path.with_name(f".{path.name}{TEMP_SUFFIX}")
    try:
        with open(open_private(temp), "wb") as handle:
            handle.write(payload)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(temp, path)
    except BaseException:  # a full disk or a signal: nothing partial is left behind
        temp.unlink(missing_ok=True)
        raise
    fsync_dir(path.parent)


def store_verified(
    chunks: Iterable[bytes],
    content_length: int | None,
    path: Path,
    *,
    expected_header: list[str] | None = None,
) -> VerifiedFile:
    """Stream ``chunks`` to ``path`` so that ``path`` exists only once the file is complete and checked.

    Raises DownloadError (and leaves no file under ``path``) when the byte count differs from
    ``content_length`` or the file has no header row.
    """
    temp = path.with_name(f".{path.name}{TEMP_SUFFIX}")
    digest = hashlib.sha256()
    size = 0
    newlines = 0
    last = b""
    head = b""
    try:
        # One thread, in order: on two cores a second thread for the hash only adds GIL hand-offs (measured).
        with open(open_private(temp), "wb") as handle:
            for chunk in chunks:
                if not chunk:
                    continue
                handle.write(chunk)
                digest.update(chunk)
                size += len(chunk)
                if newlines == 0 and len(head) < 65536:
                    head += chunk[:65536]
                newlines += chunk.count(b"\n")
                last = chunk[-1:]
            handle.flush()
            os.fsync(handle.fileno())
        if content_length is not None and size != content_length:
            raise DownloadError(
                f"{path.name}: received {size} bytes of {content_length} (truncated transfer)"
            )
        header = head.split(b"\n", 1)[0].strip()
        if not header:
            raise DownloadError(f"{path.name}: no header row")
        if expected_header is not None:
            columns = header_columns(header.decode("utf-8-sig", errors="replace"))
            if columns != [c.lower() for c in expected_header]:
                # The row is not quoted: a file not what was asked for may hold customer data there.
                raise DownloadError(
                    f"{path.name}: unexpected header row ({len(columns)} columns, "
                    f"{len(expected_header)} expected)"
                )
        lines = newlines + (0 if last == b"\n" else 1)
        os.replace(temp, path)
        fsync_dir(path.parent)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            temp.unlink()
        raise
    return VerifiedFile(path.name, path, size, lines - 1, digest.hexdigest())


def remove_stale_temporaries(folder: Path) -> None:
    """Delete temporary files a killed download left behind."""
    for stale in folder.glob(f".*{TEMP_SUFFIX}"):
        with contextlib.suppress(FileNotFoundError):
            stale.unlink()


def result_name(index: int) -> str:
    return f"part-{index + 1}.csv"


def download_all(
    fetch_urls: Callable[[], list[str]],
    open_download: Callable[[str], AbstractContextManager[DownloadStream]],
    folder: Path,
    *,
    workflow: str,
    execution_id: str,
    max_url_requests: int = MAX_URL_REQUESTS,
) -> list[VerifiedFile]:
    """Download every result file of an execution into ``folder`` (``part-1.csv``, …).

    ``fetch_urls`` asks AMC for (fresh) pre-signed URLs; it is called again when a URL has expired or a
    transfer was cut short, at most ``max_url_requests`` times in all. Raises DownloadError when the
    files cannot be fetched intact within that budget, and DownloadRefused at once for a URL or a file the
    tool will not take (asking AMC again would not help).
    """
    private_dir(folder)
    remove_stale_temporaries(folder)
    urls = fetch_urls()
    requests_made = 1
    done: dict[int, VerifiedFile] = {}
    while True:
        try:
            for index, url in enumerate(urls):
                if index in done:
                    continue
                path = folder / result_name(index)
                with open_download(url) as stream:
                    done[index] = store_verified(stream.iter_bytes(CHUNK_SIZE), stream.content_length, path)
                log.info(
                    "file_downloaded",
                    workflow=workflow,
                    execution_id=execution_id,
                    file=path.name,
                    bytes=done[index].bytes,
                    rows=done[index].rows,
                )
            return [done[index] for index in range(len(urls))]
        except DownloadRefused:
            raise
        except DownloadError as error:
            reason = "url_expired" if isinstance(error, DownloadUrlExpired) else "incomplete"
            if requests_made >= max_url_requests:
                raise DownloadError(
                    f"could not download the results of execution {execution_id} intact after "
                    f"{requests_made} requests for URLs: {error}"
                ) from None
            log.warning(
                "download_retry",
                workflow=workflow,
                execution_id=execution_id,
                reason=reason,
                error=str(error),
            )
            urls = fetch_urls()
            requests_made += 1


def write_manifest(
    folder: Path,
    *,
    execution_id: str,
    workflow: str,
    workflow_id: str,
    time_window_start: str,
    time_window_end: str,
    sql_sha256: str,
    files: list[VerifiedFile],
    filtered: AggregationFiltered | Unread | None = UNREAD,
) -> Path:
    """Write ``manifest.json`` (docs/contract.md §3.2) atomically; it names no URL. ``filtered``: what
    ``aggregation_filtered`` found in the files, when the caller has read it already."""
    manifest: dict[str, Any] = {
        "execution_id": execution_id,
        "workflow": workflow,
        "workflow_id": workflow_id,
        "time_window_start": time_window_start,
        "time_window_end": time_window_end,
        "sql_sha256": sql_sha256,
        "files": [f.manifest_entry() for f in files],
    }
    if isinstance(filtered, Unread):
        filtered = aggregation_filtered([f.path for f in files])
    # Rows AMC's aggregation thresholds filtered (values removed, marked), and why (docs/amc-api.md §5.2).
    manifest["aggregation_filtered"] = filtered.as_json() if filtered is not None else None
    path = folder / "manifest.json"
    write_atomically(path, (json.dumps(manifest, indent=2) + "\n").encode())
    return path


def read_manifest(folder: Path) -> dict[str, Any] | None:
    """The manifest of a result folder, if a complete one is there."""
    try:
        loaded = json.loads((folder / "manifest.json").read_text())
    except (OSError, ValueError):
        return None
    return loaded if isinstance(loaded, dict) else None
