"""Amazon's own Python sample client, replayed call by call against a real ``sandbox serve`` on loopback.

The calls are those of ``amazon_marketing_cloud/AMC_API_sample_python_collection.ipynb`` (GitHub
``amzn/ads-advanced-tools-docs``), sent as it sends them: ``requests.post(url, data=json.dumps(body))``
puts the JSON on the wire with no Content-Type, booleans go as the string ``"True"``, the timeout as a
string, the window with a ``Z``. The sandbox accepts them as AMC does (docs/amc-api.md §9.4) and the sample's
query returns its CSV. Two departures, both the notebook's own instructions: the AdvertiserId header it
leaves commented out for the user to fill in is sent, and ``requireSyntheticData`` is uncommented, as it says
to on a sandbox instance. Its 2024 window is moved into the 13 months of data the sandbox holds.
"""

from __future__ import annotations

import csv
import io
import json
from datetime import UTC, datetime

import httpx

from tests.e2e.conftest import Sandbox

# The notebook's own SQL, as its cell defines it.
SAMPLE_SQL = (
    "\nSELECT campaign, SUM(total_purchases) AS total_orders_9d FROM amazon_attributed_events_by_traffic_time"
    " WHERE SECONDS_BETWEEN(traffic_event_dt_utc, conversion_event_dt_utc) <= 60 * 60 * 24 * 9"
    " GROUP BY campaign\n"
)


def _window() -> tuple[str, str]:
    """Two whole months inside the data, in the sample's format (``2024-02-01T00:00:00Z``)."""
    today = datetime.now(UTC).date()
    month = today.month - 4
    year = today.year + (month - 1) // 12
    month = (month - 1) % 12 + 1
    start = today.replace(year=year, month=month, day=1)
    end_month = month + 2
    end = start.replace(year=year + (end_month - 1) // 12, month=(end_month - 1) % 12 + 1)
    return f"{start.isoformat()}T00:00:00Z", f"{end.isoformat()}T00:00:00Z"


def test_amazons_sample_client_runs_its_query_on_the_sandbox(served: Sandbox) -> None:
    url = served.base_url
    requests = httpx.Client(timeout=30)  # plays `requests`: bodies go as raw bytes, no Content-Type

    # refresh_access_token(): form fields, as `requests.post(url, data=refresh_body)` sends them.
    token = requests.post(
        f"{url}/auth/o2/token",
        data={
            "grant_type": "refresh_token",
            "client_id": "amzn1.application-oa2-client.sample",
            "client_secret": "sample-secret",
            "refresh_token": "Atzr|sample",
        },
    )
    assert token.status_code == 200, token.text
    headers = {
        "Authorization": "Bearer " + token.json()["access_token"],
        "Amazon-Advertising-API-ClientId": "amzn1.application-oa2-client.sample",
        "Amazon-Advertising-API-MarketplaceId": "ATVPDKIKX0DER",
    }

    # List AMC accounts: the sample reads amcAccounts[X].accountId and .marketplaceId.
    accounts = requests.get(f"{url}/amc/accounts", headers=headers)
    assert accounts.status_code == 200, accounts.text
    account = accounts.json()["amcAccounts"][0]
    headers["Amazon-Advertising-API-AdvertiserId"] = account["accountId"]
    assert account["marketplaceId"] == "ATVPDKIKX0DER"

    # View the AMC instances associated with your account.
    instances = requests.get(f"{url}/amc/instances", headers=headers)
    assert instances.status_code == 200, instances.text
    instanceid = instances.json()["instances"][0]["instanceId"]
    reporting = f"{url}/amc/reporting/{instanceid}"

    # List existing workflows.
    assert requests.get(f"{reporting}/workflows", headers=headers).status_code == 200

    # Create the workflow, with the sample's three column options.
    body = {
        "workflowId": "workflow-name",
        "distinctUserCountColumn": "du_count",
        "filteredMetricsDiscriminatorColumn": "filtered",
        "filteredReasonColumn": "true",
        "sqlQuery": SAMPLE_SQL,
    }
    created = requests.post(f"{reporting}/workflows", headers=headers, content=json.dumps(body))
    assert created.status_code == 200, created.text
    assert "content-type" not in {k.lower() for k in created.request.headers}

    # Schedules: list, create with scheduleEnabled as the string 'True', retrieve, delete.
    assert requests.get(f"{reporting}/schedules", headers=headers).status_code == 200
    schedule = {
        "scheduleId": "schedule-id",
        "workflowId": "workflow-name",
        "aggregationHourUtc": 8,
        "aggregationPeriod": "Daily",
        "aggregationStartDay": "Tuesday",
        "scheduleEnabled": "True",
    }
    made = requests.post(f"{reporting}/schedules", headers=headers, content=json.dumps(schedule))
    assert made.status_code == 200, made.text
    retrieved = requests.get(f"{reporting}/schedules/schedule-id", headers=headers)
    assert retrieved.status_code == 200, retrieved.text
    assert retrieved.json()["scheduleEnabled"] is True
    assert requests.delete(f"{reporting}/schedules/schedule-id", headers=headers).status_code == 200

    # Execute the workflow: a Z window, ignoreDataGaps and booleans as strings, the timeout as a string.
    start, end = _window()
    execution = {
        "timeWindowStart": start,
        "timeWindowEnd": end,
        "timeWindowType": "EXPLICIT",
        "workflowId": "workflow-name",
        "ignoreDataGaps": "True",
        "workflowExecutionTimeoutSeconds": "86400",
        "requireSyntheticData": "True",
    }
    submitted = requests.post(
        f"{reporting}/workflowExecutions", headers=headers, content=json.dumps(execution)
    )
    assert submitted.status_code == 200, submitted.text
    workflow_execution_id = submitted.json()["workflowExecutionId"]
    assert submitted.json()["workflowExecutionTimeoutSeconds"] == 86400

    # List executions: the sample passes the execution id as workflowId, which matches none.
    listed = requests.get(
        f"{reporting}/workflowExecutions?workflowId={workflow_execution_id}", headers=headers
    )
    assert listed.status_code == 200, listed.text
    assert listed.json()["executions"] == []

    # Retrieve the status (the sandbox's clock is moved on rather than waited for).
    served.clock.sleep(1)
    status = requests.get(f"{reporting}/workflowExecutions/{workflow_execution_id}", headers=headers)
    assert status.status_code == 200, status.text
    assert status.json()["status"] == "SUCCEEDED", status.json()

    # Pre-signed URLs, and pd.read_csv(downloadUrls[0]): a plain GET of the first URL.
    urls = requests.get(
        f"{reporting}/workflowExecutions/{workflow_execution_id}/downloadUrls", headers=headers
    )
    assert urls.status_code == 200, urls.text
    result = requests.get(urls.json()["downloadUrls"][0])
    assert result.status_code == 200
    rows = list(csv.DictReader(io.StringIO(result.text)))
    # The query's two columns, and the two the workflow named for AMC's filtered-row marks (none filtered).
    assert rows and list(rows[0]) == ["campaign", "total_orders_9d", "filtered", "true"]
    assert {row["filtered"] for row in rows} == {"false"}
    assert all(row["campaign"] for row in rows)
    assert sum(int(float(row["total_orders_9d"])) for row in rows) > 0

    # Delete the workflow template.
    assert requests.delete(f"{reporting}/workflows/workflow-name", headers=headers).status_code == 200
    requests.close()
