"""Where the wire contract watches the suite: the sandbox's WSGI entry point and httpx's send.

- Every answer the in-process sandbox gives (to the tool's client, or to a test's raw httpx) is checked by
  wrapping ``SandboxApp.__call__``.
- Every request the tool's own clients send (User-Agent ``amc-cltv``), sync or async, to the sandbox or to a
  respx mock, is checked at ``httpx.Client.send`` / ``httpx.AsyncClient.send``; requests a test hand-writes to
  probe the sandbox's refusals are not the client's and are not held to the specification.
- A ``sandbox serve`` process is another process: its fixtures register its URL (``watch_served``), and the
  answers that come back from it to this process are checked at ``send`` too.
"""

from __future__ import annotations

import io
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from typing import Any

import httpx
from werkzeug.test import EnvironBuilder
from werkzeug.wrappers import Request, Response

from amc_cltv.sandbox.app import SandboxApp
from tests.contract.amc_specs import WireContract, find_operation

TOOL_USER_AGENT = "amc-cltv"

_served_origins: set[str] = set()


def watch_served(base_url: str) -> None:
    """Check the answers of the ``sandbox serve`` at ``base_url`` as they reach this process."""
    _served_origins.add(base_url.rstrip("/"))


def _origin(url: httpx.URL) -> str:
    return f"{url.scheme}://{url.netloc.decode()}"


def as_werkzeug_request(request: httpx.Request) -> Request:
    url = request.url
    builder = EnvironBuilder(
        method=request.method,
        base_url=_origin(url),
        path=url.path,
        query_string=url.query.decode(),
        headers=list(request.headers.multi_items()),
        data=request.content,
        environ_overrides={"RAW_PATH": url.raw_path.split(b"?", 1)[0].decode("ascii")},
    )
    return Request(builder.get_environ())


def as_werkzeug_response(response: httpx.Response) -> Response:
    return Response(
        response.content, status=response.status_code, headers=list(response.headers.multi_items())
    )


def _check_request(contract: WireContract, request: httpx.Request) -> None:
    sent_by_tool = request.headers.get("user-agent", "").startswith(TOOL_USER_AGENT)
    if sent_by_tool and request.url.path.startswith("/amc/"):
        contract.request(as_werkzeug_request(request))


def _check_served_response(contract: WireContract, request: httpx.Request, response: httpx.Response) -> None:
    if request.url.path.startswith("/amc/") and _origin(request.url) in _served_origins:
        contract.response(as_werkzeug_request(request), as_werkzeug_response(response))


def _wrap_sandbox(contract: WireContract, original: Callable[..., Iterable[bytes]]) -> Callable[..., Any]:
    def checked(app: SandboxApp, environ: dict[str, Any], start_response: Callable[..., Any]) -> Any:
        path = environ.get("PATH_INFO", "")
        method = environ.get("REQUEST_METHOD", "GET")
        if find_operation(method, path) is None:
            return original(app, environ, start_response)
        body = environ["wsgi.input"].read(int(environ.get("CONTENT_LENGTH") or 0) or -1)
        environ["wsgi.input"] = io.BytesIO(body)
        request_environ = dict(environ, **{"wsgi.input": io.BytesIO(body)})
        captured: dict[str, Any] = {}

        def capture(status: str, headers: list[tuple[str, str]], exc_info: Any = None) -> Any:
            captured["status"], captured["headers"] = status, headers
            return start_response(status, headers, exc_info) if exc_info else start_response(status, headers)

        chunks = list(original(app, environ, capture))
        # A ``drop`` fault over a socket shuts it and "answers" 500 Dropped to no one: nothing to check.
        if "status" in captured and not captured["status"].endswith("Dropped"):
            response = Response(b"".join(chunks), status=captured["status"], headers=captured["headers"])
            contract.response(Request(request_environ), response)
        return chunks

    return checked


@contextmanager
def watching(contract: WireContract) -> Iterator[WireContract]:
    """Check every exchange made inside the block against Amazon's specifications."""
    original_call = SandboxApp.__call__
    original_send = httpx.Client.send
    original_async_send = httpx.AsyncClient.send

    def send(client: httpx.Client, request: httpx.Request, **kwargs: Any) -> httpx.Response:
        _check_request(contract, request)
        response = original_send(client, request, **kwargs)
        if not kwargs.get("stream"):
            _check_served_response(contract, request, response)
        return response

    async def async_send(client: httpx.AsyncClient, request: httpx.Request, **kwargs: Any) -> httpx.Response:
        _check_request(contract, request)
        response = await original_async_send(client, request, **kwargs)
        if not kwargs.get("stream"):
            _check_served_response(contract, request, response)
        return response

    SandboxApp.__call__ = _wrap_sandbox(contract, original_call)  # type: ignore[method-assign]
    httpx.Client.send = send  # type: ignore[method-assign]
    httpx.AsyncClient.send = async_send  # type: ignore[method-assign]
    try:
        yield contract
    finally:
        SandboxApp.__call__ = original_call  # type: ignore[method-assign]
        httpx.Client.send = original_send  # type: ignore[method-assign]
        httpx.AsyncClient.send = original_async_send  # type: ignore[method-assign]
