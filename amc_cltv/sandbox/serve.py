"""``sandbox serve``: the same app over HTTP, with a background ticker advancing the lifecycle."""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Callable
from pathlib import Path

from werkzeug.serving import BaseWSGIServer, WSGIRequestHandler, make_server

from amc_cltv.sandbox.app import SandboxApp
from amc_cltv.sandbox.control import trusted_hosts

TICK_S = 0.2


def start_ticker(app: SandboxApp, stop: threading.Event, interval_s: float = TICK_S) -> threading.Thread:
    """A daemon thread that does due lifecycle work every ``interval_s`` until ``stop`` is set."""

    def loop() -> None:
        while not stop.wait(interval_s):
            with contextlib.suppress(Exception):  # the next tick (or request) retries
                app.lifecycle.advance()

    thread = threading.Thread(target=loop, name="sandbox-ticker", daemon=True)
    thread.start()
    return thread


class _QuietQueryHandler(WSGIRequestHandler):
    """Logs each request without its query string: a pre-signed download URL carries its credentials there
    (``X-Amz-Credential``, ``X-Amz-Signature``), and a log is no place for them."""

    # Answers speak HTTP/1.1 (chunked bodies where no length is known), but Werkzeug's server still ends every
    # answer with "Connection: close": it cannot tell how much of a request body the app left unread. So each
    # request to `sandbox serve` opens a TCP connection, which AMC's front end (keep-alive) does not cost a
    # client; docs/benchmarks.md counts it in the fleet's client CPU.
    protocol_version = "HTTP/1.1"

    def log_request(self, code: int | str = "-", size: int | str = "-") -> None:
        full_path, full_line = self.path, self.requestline
        self.path = full_path.split("?", 1)[0]
        self.requestline = full_line.split("?", 1)[0]
        try:
            super().log_request(code, size)
        finally:
            self.path, self.requestline = full_path, full_line


def make_sandbox_server(state_dir: Path, host: str, port: int) -> tuple[BaseWSGIServer, SandboxApp]:
    """A threaded HTTP server for the sandbox app (port 0 picks a free port: see ``server.server_port``),
    answering only for the loopback names and ``host`` (any name on a wildcard ``host``)."""
    app = SandboxApp(state_dir, trusted_hosts=trusted_hosts(host))
    server = make_server(host, port, app, threaded=True, request_handler=_QuietQueryHandler)
    return server, app


def serve(state_dir: Path, host: str, port: int, on_ready: Callable[[str], None]) -> None:
    """Serve until interrupted; ``on_ready`` gets the base URL once the socket is listening."""
    server, app = make_sandbox_server(state_dir, host, port)
    stop = threading.Event()
    start_ticker(app, stop)
    on_ready(f"http://{host}:{server.server_port}")
    try:
        server.serve_forever()
    finally:
        stop.set()
        server.server_close()
