"""Redaction: secrets and pre-signed URL credentials never survive into text we print or store."""

from __future__ import annotations

import io
import json

import structlog

from amc_cltv.log import configure_logging
from amc_cltv.redact import MASK, redact, redact_text, register_secret, shown

URL = (
    "https://amc-results.s3.amazonaws.com/part-1.csv?X-Amz-Algorithm=AWS4-HMAC-SHA256"
    "&X-Amz-Credential=AKIAEXAMPLE%2F20261125&X-Amz-Date=20261125T000000Z&X-Amz-Expires=600"
    "&X-Amz-Security-Token=FwoGZXIvYXdzE&X-Amz-Signature=0123456789abcdef"
)


def test_presigned_url_credentials_are_masked_but_the_url_stays_readable() -> None:
    text = redact_text(f"download failed: {URL}")
    for secret in ("AKIAEXAMPLE", "FwoGZXIvYXdzE", "0123456789abcdef"):
        assert secret not in text
    assert "X-Amz-Expires=600" in text and "part-1.csv" in text


def test_tokens_and_bearer_headers_and_form_fields_are_masked() -> None:
    text = redact_text(
        "Authorization: Bearer Atza|IwEBIabc123 refresh=Atzr|IwEBIdef456 "
        "body grant_type=refresh_token&client_secret=shh-123456&refresh_token=abcdef123"
    )
    assert "IwEBIabc123" not in text and "IwEBIdef456" not in text
    assert "shh-123456" not in text and "abcdef123" not in text


def test_registered_secret_values_are_masked_anywhere() -> None:
    register_secret("my-client-secret-42")
    assert redact_text("oops my-client-secret-42 leaked") == f"oops {MASK} leaked"


def test_structures_are_redacted_by_key_and_by_value() -> None:
    value = redact({"headers": {"Authorization": "Bearer x", "Accept": "json"}, "urls": [URL]})
    assert value["headers"] == {"Authorization": MASK, "Accept": "json"}
    assert "0123456789abcdef" not in value["urls"][0]


def test_every_log_line_is_redacted_json_when_not_a_terminal() -> None:
    stream = io.StringIO()
    configure_logging("auto", stream=stream)
    register_secret("client-secret-value")
    structlog.get_logger().warning("retrying", url=URL, detail="client-secret-value", access_token="Atza|x")
    line = json.loads(stream.getvalue())
    assert line["event"] == "retrying" and line["level"] == "warning"
    assert "0123456789abcdef" not in stream.getvalue() and "client-secret-value" not in stream.getvalue()
    assert line["access_token"] == MASK


def test_shown_redacts_before_it_cuts() -> None:
    """A registered secret straddling the cut is masked whole, not left as its first characters."""
    secret = "amzn1.oa2-cs.v1.straddling-the-cut-0123456789"
    register_secret(secret)
    text = shown("x" * 480 + secret + " and more", 500)
    assert len(text) <= 500 and "amzn1.oa2" not in text and MASK in text


def test_shown_escapes_terminal_controls_and_line_breaks() -> None:
    assert shown("a\x1b[2Jb\nforged\u202ec") == "a\\x1b[2Jb\\x0aforged\\u202ec"


def test_console_log_lines_show_escapes_as_text() -> None:
    """AMC's text in an event (a status reason) cannot clear the screen or forge a second line."""
    stream = io.StringIO()
    configure_logging("console", stream=stream)
    structlog.get_logger().warning("execution_failed", status_reason="boom\x1b[2J\nlevel=info forged")
    output = stream.getvalue()
    assert "\x1b[2J" not in output and "\\x1b[2J" in output
    assert len(output.strip().splitlines()) == 1
