"""A fake AMC (respx) that hands out traversal ids, endless listings and decompression bombs: nothing is
written outside the tool's folders, nothing partial is left, the night does not hang."""

from __future__ import annotations

import gzip
import itertools
import stat
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
import respx

from amc_cltv.client import AmcClient, ReceiveLimits
from amc_cltv.client.retry import RetryQuota
from amc_cltv.clock import FakeClock
from amc_cltv.config import Config
from amc_cltv.errors import DownloadRefused, MalformedResponseError, ResponseLimitExceeded
from amc_cltv.ledger import Ledger, RunState
from amc_cltv.orchestration.download import download_all
from amc_cltv.orchestration.retrieve import download_execution
from amc_cltv.orchestration.run import RunOptions, plan_run, result_folder, run_workflow
from tests.orchestration.conftest import API, INSTANCE, REPORTING, TOKEN_URL, execution

EXECUTIONS = f"{REPORTING}/workflowExecutions"
CSV = b"customer_audience_segment,num_users\nHigh Value Customer,120\n"


@pytest.fixture
def escape_target(config: Config) -> Path:
    """Where ``../../../../x`` from the result folder would land: beside the output folder."""
    return config.output_dir.parent / "escaped"


@pytest.mark.parametrize(
    "execution_id",
    ["../../../../escaped", "..", "/tmp/amc-cltv-escaped", "a/b", "e-1\x00", ".hidden", "x" * 300],
)
def test_an_unsafe_execution_id_never_becomes_a_folder(config: Config, execution_id: str) -> None:
    with pytest.raises(MalformedResponseError, match="not safe to use as a folder name"):
        result_folder(config, "segmentation", execution_id)


def test_a_safe_id_under_a_link_out_of_the_output_folder_is_refused(config: Config, tmp_path: Path) -> None:
    """Ids pass, but the instance folder is a link elsewhere: the resolved path is not inside output_dir."""
    config.output_dir.mkdir(parents=True)
    (config.output_dir / INSTANCE).symlink_to(tmp_path / "elsewhere", target_is_directory=True)
    with pytest.raises(MalformedResponseError, match="outside"):
        result_folder(config, "segmentation", "e-1")


def test_run_adopting_a_traversal_execution_id_writes_nothing_outside(
    wire: respx.MockRouter,
    client: AmcClient,
    ledger: Ledger,
    config: Config,
    fake_clock: FakeClock,
    escape_target: Path,
) -> None:
    """AMC lists a SUCCEEDED execution of this very run whose id walks out of the output folder: the run
    stops with exit 5 before any download, and nothing is written there."""
    plan = plan_run(config, "segmentation", RunOptions())
    sql = plan.rendered.as_workflow_body()["sqlQuery"]
    evil = "../../../../escaped"
    wire.route(path__startswith=f"{REPORTING}/workflows").respond(
        200, json={"workflowId": plan.spec.workflow_id}
    )
    wire.get(EXECUTIONS).respond(
        200,
        json={
            "executions": [execution(evil, "SUCCEEDED", createTime="2026-11-25T10:00:00Z", sqlQuery=sql)],
            "nextToken": None,
        },
    )
    wire.route(path__regex=r".*escaped.*").respond(
        200, json={"workflowExecutionId": evil, "status": "SUCCEEDED"}
    )
    s3 = wire.route(host="bucket.s3.test").respond(200, content=CSV)
    with pytest.raises(MalformedResponseError) as raised:
        run_workflow(config, client, ledger, "segmentation", RunOptions())
    assert "execution id '../../../../escaped'" in str(raised.value)
    assert s3.call_count == 0
    assert not escape_target.exists()
    assert not list(config.output_dir.parent.glob("**/part-1.csv"))


def test_download_of_an_execution_whose_workflow_id_walks_out_writes_nothing(
    wire: respx.MockRouter,
    client: AmcClient,
    ledger: Ledger,
    config: Config,
    fake_clock: FakeClock,
    escape_target: Path,
) -> None:
    """``download <id>`` names the folder after AMC's workflowId when the ledger does not know the run."""
    wire.get(f"{EXECUTIONS}/e-1").respond(
        200, json=execution("e-1", "SUCCEEDED", workflow_id="../../../../escaped")
    )
    urls = wire.get(f"{EXECUTIONS}/e-1/downloadUrls").respond(
        200, json={"downloadUrls": ["https://bucket.s3.test/e-1/part-1.csv"]}
    )
    with pytest.raises(MalformedResponseError, match="workflow name"):
        download_execution(config, client, ledger, "e-1")
    assert urls.call_count == 0
    assert not escape_target.exists()


def test_adoption_against_an_endless_listing_stops_at_the_page_bound(
    wire: respx.MockRouter, ledger: Ledger, config: Config, fake_clock: FakeClock
) -> None:
    """The nightly run lists executions to adopt one; a listing that never ends fails it (exit 5) instead
    of hanging, and the ledger holds no half-adopted run."""
    tokens = itertools.count()
    listing = wire.get(EXECUTIONS).mock(
        side_effect=lambda request: httpx.Response(
            200, json={"executions": [], "nextToken": f"t{next(tokens)}"}
        )
    )
    wire.route(path__startswith=f"{REPORTING}/workflows").respond(200, json={})
    with (
        AmcClient(
            api_url=API,
            token_url=TOKEN_URL,
            client_id="amzn1.application-oa2-client.test",
            client_secret="client-secret-value",
            refresh_token="Atzr|refresh-token-value",
            instance_id=INSTANCE,
            advertiser_id="ENTITY1AA1AA11AAA1",
            marketplace_id="ATVPDKIKX0DER",
            sleep=fake_clock.sleep,
            monotonic=fake_clock.monotonic,
            retry_quota=RetryQuota(),
            limits=ReceiveLimits(max_pages=20),
        ) as client,
        pytest.raises(ResponseLimitExceeded) as raised,
    ):
        run_workflow(config, client, ledger, "segmentation", RunOptions())
    assert "max_list_pages" in str(raised.value)
    assert listing.call_count == 20
    assert all(run.state != RunState.SUBMITTED for run in ledger.runs(instance_id=INSTANCE))


# -- downloads ---------------------------------------------------------------------------------------------


class _Body(httpx.SyncByteStream):
    def __init__(self, chunks: Iterator[bytes]) -> None:
        self._chunks = chunks

    def __iter__(self) -> Iterator[bytes]:
        yield from self._chunks


@pytest.fixture
def small_client(fake_clock: FakeClock) -> Iterator[AmcClient]:
    with AmcClient(
        api_url=API,
        token_url=TOKEN_URL,
        client_id="c",
        client_secret="client-secret-value",
        refresh_token="Atzr|refresh-token-value",
        instance_id=INSTANCE,
        advertiser_id="ENTITY1AA1AA11AAA1",
        marketplace_id="ATVPDKIKX0DER",
        sleep=fake_clock.sleep,
        monotonic=fake_clock.monotonic,
        retry_quota=RetryQuota(),
        limits=ReceiveLimits(max_download_bytes=1 << 20, max_decompression_ratio=50),
    ) as client:
        yield client


@pytest.mark.parametrize("kind", ["bomb", "endless"])
def test_a_refused_download_leaves_nothing_and_is_not_asked_for_again(
    wire: respx.MockRouter, small_client: AmcClient, tmp_path: Path, kind: str
) -> None:
    """A gzip bomb (510 KB without Content-Length made a 524 MB file) or an endless body: refused, the
    temporary file removed, no fresh URLs requested (it would only be the same file again)."""
    url = "https://bucket.s3.test/e1/part-1.csv"
    urls = wire.get(f"{EXECUTIONS}/e1/downloadUrls").respond(200, json={"downloadUrls": [url]})
    if kind == "bomb":
        body = gzip.compress(b"a,b\n" + b"1,2\n" * (1 << 20))
        wire.get(url).mock(
            return_value=httpx.Response(200, headers={"Content-Encoding": "gzip"}, stream=_Body(iter([body])))
        )
    else:
        wire.get(url).mock(return_value=httpx.Response(200, stream=_Body(itertools.repeat(b"1,2\n" * 4096))))
    folder = tmp_path / "results"
    with pytest.raises(DownloadRefused) as raised:
        download_all(
            lambda: small_client.executions.download_urls("e1").download_urls,
            small_client.open_download,
            folder,
            workflow="segmentation",
            execution_id="e1",
        )
    assert urls.call_count == 1
    assert list(folder.iterdir()) == []
    assert "1,2" not in str(raised.value)


def test_a_header_mismatch_does_not_quote_the_data(tmp_path: Path) -> None:
    from amc_cltv.errors import DownloadError
    from amc_cltv.orchestration.download import store_verified

    with pytest.raises(DownloadError) as raised:
        store_verified(
            [b"jane@example.com,4111111111111111\n"],
            None,
            tmp_path / "p.csv",
            expected_header=["a", "b", "c"],
        )
    assert "jane@example.com" not in str(raised.value) and "2 columns, 3 expected" in str(raised.value)


def test_downloaded_files_and_folders_are_private_whatever_the_umask(
    wire: respx.MockRouter, client: AmcClient, config: Config, tmp_path: Path
) -> None:
    import os

    old = os.umask(0o022)
    try:
        url = "https://bucket.s3.test/e1/part-1.csv"
        wire.get(f"{EXECUTIONS}/e1/downloadUrls").respond(200, json={"downloadUrls": [url]})
        wire.get(url).respond(200, content=CSV)
        folder = result_folder(config, "segmentation", "e1")
        files = download_all(
            lambda: client.executions.download_urls("e1").download_urls,
            client.open_download,
            folder,
            workflow="segmentation",
            execution_id="e1",
        )
    finally:
        os.umask(old)
    assert stat.S_IMODE(files[0].path.stat().st_mode) == 0o600
    for created in (folder, folder.parent, folder.parent.parent, config.output_dir):
        assert stat.S_IMODE(created.stat().st_mode) == 0o700, created
