"""Result files served like S3 pre-signed GETs: signed, expiring, refusing credentials, streamed."""

from __future__ import annotations

import hashlib
import hmac
import secrets
from collections.abc import Iterator
from datetime import datetime, timedelta
from pathlib import Path
from typing import IO, Any
from urllib.parse import quote, urlencode

from werkzeug.wrappers import Request, Response
from werkzeug.wsgi import wrap_file

from amc_cltv.sandbox.store import Store

BUCKET = "amc-sandbox-results"
ALGORITHM = "AWS4-HMAC-SHA256"
ACCESS_KEY = "ASIASANDBOXRESULTS01"
_AMZ_DATE = "%Y%m%dT%H%M%SZ"


def signing_key(store: Store) -> bytes:
    """This state directory's signing key, created on first use."""
    with store.transaction():
        key = store.setting("s3_signing_key")
        if not key:
            key = secrets.token_hex(32)
            store.set_setting("s3_signing_key", key)
    return bytes.fromhex(str(key))


def _signature(key: bytes, path: str, amz_date: str, expires: int) -> str:
    return hmac.new(key, f"{path}\n{amz_date}\n{expires}".encode(), hashlib.sha256).hexdigest()


def object_path(execution_id: str, name: str) -> str:
    return f"/s3/{BUCKET}/{quote(execution_id)}/{quote(name)}"


def presign(key: bytes, base_url: str, path: str, signed_at: datetime, expires: int) -> str:
    """A URL shaped like an S3 pre-signed GET for ``path`` on ``base_url``, valid ``expires`` seconds."""
    amz_date = signed_at.strftime(_AMZ_DATE)
    query = {
        "X-Amz-Algorithm": ALGORITHM,
        "X-Amz-Credential": f"{ACCESS_KEY}/{amz_date[:8]}/us-east-1/s3/aws4_request",
        "X-Amz-Date": amz_date,
        "X-Amz-Expires": str(expires),
        "X-Amz-SignedHeaders": "host",
        "X-Amz-Signature": _signature(key, path, amz_date, expires),
    }
    return f"{base_url.rstrip('/')}{path}?{urlencode(query)}"


def s3_error(status: int, code: str, message: str) -> Response:
    body = (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        f"<Error><Code>{code}</Code><Message>{message}</Message><RequestId>SANDBOX</RequestId></Error>"
    )
    return Response(body, status=status, mimetype="application/xml")


def check_presigned(request: Request, key: bytes, now: datetime) -> Response | None:
    """None when the request is a valid, unexpired pre-signed GET; S3's error response otherwise."""
    if "Authorization" in request.headers:
        return s3_error(
            400,
            "InvalidArgument",
            "Only one auth mechanism allowed; only the X-Amz-Algorithm query parameter, Signature query "
            "string parameter or the Authorization header should be specified",
        )
    args = request.args
    try:
        amz_date = args["X-Amz-Date"]
        expires = int(args["X-Amz-Expires"])
        signed_at = datetime.strptime(amz_date, _AMZ_DATE).replace(tzinfo=now.tzinfo)
        given = args["X-Amz-Signature"]
    except (KeyError, ValueError):
        return s3_error(403, "AccessDenied", "Query-string authentication requires the X-Amz parameters")
    if not hmac.compare_digest(given, _signature(key, request.path, amz_date, expires)):
        return s3_error(
            403,
            "SignatureDoesNotMatch",
            "The request signature we calculated does not match the signature you provided.",
        )
    if now >= signed_at + timedelta(seconds=expires):
        return s3_error(403, "AccessDenied", "Request has expired")
    return None


def file_response(environ: dict[str, Any], path: Path, *, truncate: bool, drop: Any = None) -> Response:
    """Stream ``path`` with its Content-Length; ``truncate`` sends only half the bytes, then drops."""
    size = path.stat().st_size
    handle = path.open("rb")
    body: Any
    if truncate:
        body = _truncated(handle, size // 2, drop)
    else:
        body = wrap_file(environ, handle, buffer_size=1 << 16)
    response = Response(body, mimetype="text/csv", direct_passthrough=True)
    response.headers["Content-Length"] = str(size)
    response.headers["ETag"] = f'"{hashlib.md5(str(path).encode()).hexdigest()}"'
    return response


def _truncated(handle: IO[bytes], limit: int, drop: Any) -> Iterator[bytes]:
    try:
        sent = 0
        while sent < limit:
            chunk = handle.read(min(1 << 16, limit - sent))
            if not chunk:
                break
            sent += len(chunk)
            yield chunk
        if drop is not None:
            drop()
    finally:
        handle.close()
