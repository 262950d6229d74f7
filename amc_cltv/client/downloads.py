"""What a pre-signed result download may be, decided once for the blocking and the asyncio downloader.

The rules (docs/reliability.md §6): a result file is fetched over https only, or plain http on a loopback
host when the profile's own API is on loopback (a local emulator); a redirect is never followed; S3's 403
"Request has expired" means asking AMC for fresh URLs; a file is refused past ``ReceiveLimits``' size and
decompression-ratio bounds, and is an error when shorter than it declared. Every message names the file by
host and path only: the query string, where the signature is, never shows.

No I/O here: ``transport`` streams the bytes (with httpx, blocking or awaited) and asks these rules at each
step, so the two downloaders cannot drift apart.
"""

from __future__ import annotations

import ipaddress
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

from amc_cltv.errors import DownloadError, DownloadRefused, DownloadUrlExpired
from amc_cltv.redact import shown

if TYPE_CHECKING:
    from amc_cltv.client.transport import ReceiveLimits

RATIO_CHECKED_FROM = 1 << 20  # a small file may compress well: the ratio is judged past this many bytes
ERROR_HEAD_BYTES = 4096  # how much of an error body is read (S3 names an expired URL there)
GIB = 1 << 30


def is_loopback_url(url: str) -> bool:
    """Whether ``url`` names a loopback host (``localhost``, 127.0.0.0/8, ``::1``)."""
    host = urlsplit(url).hostname or ""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def _expired(status: int, text: str) -> bool:
    lowered = text.lower()
    return status == 403 and (
        "request has expired" in lowered or ("<code>accessdenied</code>" in lowered and "expired" in lowered)
    )


class DownloadRules:
    """The checks of one downloader: which URLs it takes, what an answer other than 200 means, and the
    bounds each file is metered against (``meter``)."""

    def __init__(self, limits: ReceiveLimits, *, allow_loopback_http: bool = False) -> None:
        self.limits = limits
        self._allow_loopback_http = allow_loopback_http

    def admit(self, url: str) -> str:
        """The file's name for messages (host and path, redacted); raises DownloadRefused for a URL that is
        neither https nor loopback http allowed."""
        parts = urlsplit(url)
        label = shown(f"{parts.netloc}{parts.path}", 200)
        scheme = parts.scheme.lower()
        if scheme == "https" or (scheme == "http" and self._allow_loopback_http and is_loopback_url(url)):
            return label
        raise DownloadRefused(
            f"download of {label} refused: AMC gave a {shown(scheme or 'schemeless', 20)} URL, and result "
            "files are fetched over https only"
        )

    @staticmethod
    def refusal(label: str, status: int, *, redirect: bool, head: bytes) -> DownloadError:
        """The error for an answer other than 200 (``head``: the start of its body, empty for a redirect):
        DownloadRefused for a redirect, DownloadUrlExpired for an expired URL, DownloadError otherwise."""
        if redirect:
            return DownloadRefused(
                f"download of {label} refused: it answered a redirect (HTTP {status}), "
                "which is never followed"
            )
        if _expired(status, head.decode("utf-8", "replace")):
            return DownloadUrlExpired(f"the download URL for {label} has expired; request fresh URLs")
        return DownloadError(f"download of {label} failed: HTTP {status}")

    @staticmethod
    def unreachable(label: str, error: BaseException) -> DownloadError:
        """The error for a download that got no answer (the error's class only: its text names the URL)."""
        return DownloadError(f"download of {label} failed ({error.__class__.__name__})")

    def meter(self, label: str, content_length: str | None) -> DownloadMeter:
        """A meter for one file, from its ``Content-Length`` header (None when it has none)."""
        return DownloadMeter(label, self.limits, content_length)


class DownloadMeter:
    """One file's bytes as they stream in, held to the bounds: ``start`` before the first chunk, ``count``
    each chunk, ``finish`` after the last."""

    def __init__(self, label: str, limits: ReceiveLimits, content_length: str | None) -> None:
        self._label = label
        self._limits = limits
        self._decoded = 0
        self.content_length = int(content_length) if content_length and content_length.isdigit() else None

    def start(self) -> None:
        """Raises DownloadRefused when the file declares more than ``max_download_bytes``."""
        if self.content_length is not None and self.content_length > self._limits.max_download_bytes:
            raise self._refused(f"declares {self.content_length:,} bytes")

    def count(self, chunk: int, received: int) -> None:
        """Account for a decoded chunk of ``chunk`` bytes, ``received`` bytes having come off the wire;
        raises DownloadRefused past ``max_download_bytes`` or ``max_decompression_ratio`` (a bomb)."""
        limits = self._limits
        self._decoded += chunk
        if self._decoded > limits.max_download_bytes:
            raise self._refused(f"passed {limits.max_download_bytes:,} bytes")
        received = max(1, received)
        if self._decoded > RATIO_CHECKED_FROM and self._decoded > limits.max_decompression_ratio * received:
            raise self._refused(f"decompresses {received:,} bytes received into more than {self._decoded:,}")

    def broken(self, error: BaseException) -> DownloadError:
        """The error for a connection that failed mid-file."""
        return DownloadError(f"download of {self._label} failed mid-file ({error.__class__.__name__})")

    def finish(self, received: int) -> None:
        """Raises DownloadError when fewer (or more) bytes came than ``Content-Length`` promised: a truncated
        file is never taken as whole."""
        if self.content_length is not None and received != self.content_length:
            raise DownloadError(
                f"download of {self._label} is incomplete: {received} of {self.content_length} bytes"
            )

    def _refused(self, what: str) -> DownloadRefused:
        limits = self._limits
        return DownloadRefused(
            f"download of {self._label} refused: the file {what} (limits.max_download_gib "
            f"{limits.max_download_bytes / GIB:g}, limits.max_decompression_ratio "
            f"{limits.max_decompression_ratio:g})"
        )
