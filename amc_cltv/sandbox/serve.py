"""``sandbox serve``: the same app over HTTP, with a background ticker advancing the lifecycle."""

from __future__ import annotations

import contextlib
import io
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

    # HTTP/1.1, and a connection kept across requests as AMC's front end keeps it (see ``send_header``).
    protocol_version = "HTTP/1.1"
    # Werkzeug writes an answer's head and body separately: on a kept connection, Nagle's algorithm would hold
    # the body until the client's delayed acknowledgement (about 40 ms per request).
    disable_nagle_algorithm = True

    def run_wsgi(self) -> None:
        """Werkzeug drains the socket after each answer (a blocking read of whatever arrives within 10 ms),
        which on a kept connection would swallow the client's next request. A request without a body has
        nothing to drain: the app reads an empty body, and the drain reads nothing."""
        if not self._bodiless():
            super().run_wsgi()
            return
        socket_file, self.rfile = self.rfile, io.BytesIO()
        try:
            super().run_wsgi()
        finally:
            self.rfile = socket_file

    def send_header(self, keyword: str, value: str) -> None:
        """Werkzeug ends every answer with ``Connection: close``, since it cannot tell how much of a request
        body the app left unread. After a request without a body nothing is left, so its connection is kept
        and a client polling the sandbox pays no TCP connection per status call, as with AMC."""
        if keyword.lower() == "connection" and value.lower() == "close" and self._bodiless():
            return
        super().send_header(keyword, value)

    def _bodiless(self) -> bool:
        """An HTTP/1.1 request that has no body and does not ask to close."""
        headers = self.headers
        return (
            self.request_version == "HTTP/1.1"
            and headers.get("Content-Length", "0").strip() == "0"
            and "Transfer-Encoding" not in headers
            and headers.get("Connection", "").lower() != "close"
        )

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
