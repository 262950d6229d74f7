"""Verified downloads: a file is under its final name only when complete; expired URLs are re-requested."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import httpx
import pytest
import respx

from amc_cltv.client import AmcClient
from amc_cltv.errors import DownloadError
from amc_cltv.orchestration.download import download_all, store_verified, write_manifest
from tests.orchestration.conftest import REPORTING

CSV = b"customer_audience_segment,num_users\nHigh Value Customer,120\nLow Value Customer,880\n"
URLS = f"{REPORTING}/workflowExecutions/e1/downloadUrls"
EXPIRED = (
    b"<?xml version='1.0'?><Error><Code>AccessDenied</Code><Message>Request has expired</Message></Error>"
)


@pytest.fixture
def results(tmp_path: Path) -> Path:
    return tmp_path / "results"


def presigned(n: int, part: int) -> str:
    return (
        f"https://bucket.s3.test/e1/part-{part}.csv?X-Amz-Algorithm=AWS4-HMAC-SHA256"
        f"&X-Amz-Credential=AKIDEXAMPLE{n}&X-Amz-Signature=deadbeef{n}&X-Amz-Expires=600"
    )


def test_a_complete_file_is_renamed_with_its_hash_and_row_count(tmp_path: Path) -> None:
    """Chunks are streamed to a temporary name; the final file has the bytes, sha256 and data rows."""
    target = tmp_path / "part-1.csv"
    verified = store_verified([CSV[:10], CSV[10:]], len(CSV), target)
    assert target.read_bytes() == CSV
    assert (verified.bytes, verified.rows) == (len(CSV), 2)
    assert verified.sha256 == hashlib.sha256(CSV).hexdigest()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["part-1.csv"]


def test_a_last_line_without_newline_still_counts(tmp_path: Path) -> None:
    verified = store_verified([CSV.rstrip(b"\n")], None, tmp_path / "part-1.csv")
    assert verified.rows == 2


def test_a_truncated_transfer_leaves_nothing_under_the_final_name(tmp_path: Path) -> None:
    """Fewer bytes than Content-Length: DownloadError, no final file, no temporary left behind."""
    with pytest.raises(DownloadError, match="truncated"):
        store_verified([CSV[:20]], len(CSV), tmp_path / "part-1.csv")
    assert list(tmp_path.iterdir()) == []


def test_a_file_without_a_header_row_is_rejected(tmp_path: Path) -> None:
    with pytest.raises(DownloadError, match="header"):
        store_verified([b"\n"], 1, tmp_path / "part-1.csv")
    assert list(tmp_path.iterdir()) == []


def test_a_failure_mid_stream_removes_the_temporary(tmp_path: Path) -> None:
    """The connection dies after the first chunk: the error propagates and no file remains."""

    def chunks() -> object:
        yield CSV[:10]
        raise DownloadError("connection reset")

    with pytest.raises(DownloadError):
        store_verified(chunks(), len(CSV), tmp_path / "part-1.csv")  # type: ignore[arg-type]
    assert list(tmp_path.iterdir()) == []


def test_an_expired_url_is_re_requested_and_the_download_completes(
    wire: respx.MockRouter, client: AmcClient, results: Path
) -> None:
    """The first URL answers S3's 'Request has expired': fresh URLs are asked for once, then it works."""
    urls = wire.get(URLS).mock(
        side_effect=[
            httpx.Response(200, json={"downloadUrls": [presigned(1, 1)]}),
            httpx.Response(200, json={"downloadUrls": [presigned(2, 1)]}),
        ]
    )
    wire.get(presigned(1, 1)).mock(return_value=httpx.Response(403, content=EXPIRED))
    fresh = wire.get(presigned(2, 1)).mock(return_value=httpx.Response(200, content=CSV))
    files = download_all(
        lambda: client.executions.download_urls("e1").download_urls,
        client.open_download,
        results,
        workflow="segmentation",
        execution_id="e1",
    )
    assert urls.call_count == 2 and fresh.call_count == 1
    assert [f.name for f in files] == ["part-1.csv"]
    assert "authorization" not in fresh.calls[0].request.headers
    assert (results / "part-1.csv").read_bytes() == CSV


def test_several_parts_keep_the_ones_already_verified_when_a_later_url_expires(
    wire: respx.MockRouter, client: AmcClient, results: Path
) -> None:
    """part-1 downloads, part-2's URL expired: after fresh URLs only part-2 is fetched again."""
    wire.get(URLS).mock(
        side_effect=[
            httpx.Response(200, json={"downloadUrls": [presigned(1, 1), presigned(1, 2)]}),
            httpx.Response(200, json={"downloadUrls": [presigned(2, 1), presigned(2, 2)]}),
        ]
    )
    wire.get(presigned(1, 1)).mock(return_value=httpx.Response(200, content=CSV))
    wire.get(presigned(1, 2)).mock(return_value=httpx.Response(403, content=EXPIRED))
    again = wire.get(presigned(2, 1)).mock(return_value=httpx.Response(200, content=CSV))
    wire.get(presigned(2, 2)).mock(return_value=httpx.Response(200, content=CSV))
    files = download_all(
        lambda: client.executions.download_urls("e1").download_urls,
        client.open_download,
        results,
        workflow="segmentation",
        execution_id="e1",
    )
    assert [f.name for f in files] == ["part-1.csv", "part-2.csv"]
    assert again.call_count == 0


def test_urls_that_keep_expiring_give_up_within_the_budget(
    wire: respx.MockRouter, client: AmcClient, results: Path
) -> None:
    """Every URL expired: at most 4 requests for URLs, then DownloadError (exit 5), no file."""
    urls = wire.get(URLS).mock(return_value=httpx.Response(200, json={"downloadUrls": [presigned(1, 1)]}))
    wire.get(presigned(1, 1)).mock(return_value=httpx.Response(403, content=EXPIRED))
    with pytest.raises(DownloadError) as raised:
        download_all(
            lambda: client.executions.download_urls("e1").download_urls,
            client.open_download,
            results,
            workflow="segmentation",
            execution_id="e1",
        )
    assert urls.call_count == 4
    assert "X-Amz-Signature=deadbeef" not in str(raised.value)
    assert list(results.iterdir()) == []


def test_the_manifest_lists_every_file_and_no_url(tmp_path: Path) -> None:
    """manifest.json holds the keys of docs/contract.md §3.2 and nothing that looks like a pre-signed URL."""
    verified = store_verified([CSV], len(CSV), tmp_path / "part-1.csv")
    path = write_manifest(
        tmp_path,
        execution_id="e1",
        workflow="segmentation",
        workflow_id="amc_cltv.segmentation",
        time_window_start="2025-11-23T00:00:00+00:00",
        time_window_end="2026-11-23T00:00:00+00:00",
        sql_sha256="abc",
        files=[verified],
    )
    manifest = json.loads(path.read_text())
    assert list(manifest) == [
        "execution_id", "workflow", "workflow_id", "time_window_start", "time_window_end", "sql_sha256",
        "files", "aggregation_filtered",
    ]  # fmt: skip
    assert manifest["aggregation_filtered"] is None  # a result without AMC's filtered column
    assert manifest["files"] == [
        {"name": "part-1.csv", "bytes": len(CSV), "rows": 2, "sha256": hashlib.sha256(CSV).hexdigest()}
    ]
    assert "http" not in path.read_text() and "X-Amz" not in path.read_text()
