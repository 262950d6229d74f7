"""Fault scripts: make the sandbox misbehave on purpose, the ways AMC and S3 do.

A fault is a dict: ``kind`` (below), ``match`` (a regular expression searched in ``"METHOD /path"``),
``times`` (how many matching requests it hits; 0 = every one; default 1) and ``rate`` (the probability that a
matching request is hit, drawn from a seeded generator; default 1). Kinds and their options:

- ``status``: answer ``status`` (429, 500, 502, 503, 504, ...) at once with AMC's error body; ``retry_after``
  (seconds) adds a ``Retry-After`` header.
- ``latency``: wait ``seconds`` before handling the request.
- ``drop``: handle the request (the work is done), then drop the connection instead of answering.
- ``expired_url``: ``downloadUrls`` hands out URLs that have already expired.
- ``truncate``: a result file is sent with its full ``Content-Length`` but only half its bytes.
- ``execution_outcome``: the execution (or audience) created by the matching POST ends ``status``
  (``FAILED`` or ``REJECTED``) with ``status_reason``.
- ``unknown_status``: the matching GET reports ``status`` (e.g. ``PUBLISHING``) instead of the real one.
"""

from __future__ import annotations

import random
import re
from typing import Any

from amc_cltv.sandbox.store import Store

KINDS = ("status", "latency", "drop", "expired_url", "truncate", "execution_outcome", "unknown_status")


class FaultError(ValueError):
    """A fault script is malformed."""


def _check(fault: dict[str, Any]) -> dict[str, Any]:
    if not isinstance(fault, dict):
        raise FaultError("each fault must be an object")
    kind = fault.get("kind")
    if kind not in KINDS:
        raise FaultError(f"unknown fault kind {kind!r}; expected one of {', '.join(KINDS)}")
    try:
        re.compile(str(fault.get("match", "")))
    except re.error as exc:
        raise FaultError(f"bad match pattern: {exc}") from None
    if kind == "status" and not isinstance(fault.get("status"), int):
        raise FaultError("a status fault needs an integer status")
    if kind == "execution_outcome" and fault.get("status") not in ("FAILED", "REJECTED"):
        raise FaultError("an execution_outcome fault needs status FAILED or REJECTED")
    checked = dict(fault)
    checked.setdefault("match", "")
    checked.setdefault("times", 1)
    checked.setdefault("rate", 1.0)
    return checked


class Faults:
    """The fault scripts of one state directory (persisted, so every process sees them)."""

    def __init__(self, store: Store, seed: int = 7) -> None:
        self._store = store
        self._random = random.Random(seed)

    def script(self, faults: list[dict[str, Any]], *, append: bool = False) -> list[dict[str, Any]]:
        """Install ``faults`` (replacing the current script unless ``append``); raises FaultError."""
        checked = [_check(f) for f in faults]
        with self._store.transaction():
            current = self.active() if append else []
            self._store.set_setting("faults", current + checked)
        return self.active()

    def clear(self) -> None:
        self._store.set_setting("faults", [])

    def active(self) -> list[dict[str, Any]]:
        return list(self._store.setting("faults", []))

    def take(self, method: str, path: str, kinds: tuple[str, ...]) -> list[dict[str, Any]]:
        """The faults of ``kinds`` that hit this request (the first of each kind, in script order),
        consuming one use of each."""
        target = f"{method.upper()} {path}"
        hits: list[dict[str, Any]] = []
        with self._store.transaction():
            remaining: list[dict[str, Any]] = []
            for fault in self.active():
                hit = (
                    fault["kind"] in kinds
                    and all(h["kind"] != fault["kind"] for h in hits)
                    and re.search(str(fault["match"]), target) is not None
                    and self._random.random() < float(fault["rate"])
                )
                if hit:
                    hits.append(fault)
                    times = int(fault["times"])
                    if times == 1:
                        continue
                    if times > 1:
                        fault = {**fault, "times": times - 1}
                remaining.append(fault)
            if hits:
                self._store.set_setting("faults", remaining)
        return hits
