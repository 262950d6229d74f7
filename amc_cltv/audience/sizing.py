"""The size guard: how many customers a segment holds, from the latest successful ``segmentation`` result.

The count is ``num_users`` of the segment's row in the result CSVs of the same time window. When there is no
such result yet, the ``segmentation`` workflow is run first.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from amc_cltv.audience.rules import Segment
from amc_cltv.client import AmcClient
from amc_cltv.config import Config
from amc_cltv.errors import ExecutionFailed, Refused, StillRunning
from amc_cltv.ledger import Ledger
from amc_cltv.log import get_logger
from amc_cltv.results import NUM_USERS, SEGMENT, ResultFiles, reads
from amc_cltv.timewindow import TimeWindow

if TYPE_CHECKING:
    from amc_cltv.orchestration.outcome import RunOutcome

log = get_logger("amc_cltv.audience")
SEGMENTATION = "segmentation"
reads(SEGMENTATION, SEGMENT, NUM_USERS)  # what sizing reads of a segment's report


def users_in_segment(files: Sequence[Path], label: str, workflow: str = SEGMENTATION) -> int:
    """``num_users`` of the ``label`` row over the files of a ``workflow`` result (0 when the segment has no
    row). Raises MalformedResult naming a file that is not a result CSV."""
    rows = ResultFiles.of(files, workflow).select(SEGMENT, NUM_USERS)
    return sum(row[NUM_USERS] or 0 for row in rows if row[SEGMENT] == label)


def latest_report(config: Config, ledger: Ledger, segment: Segment, window: TimeWindow) -> RunOutcome | None:
    """The latest successful report run for ``window``, rendered from the current segment rules and
    parameters, whose files are on disk (nothing is sent). A result of other rules, or of another threshold
    method, does not size today's audience."""
    from amc_cltv.orchestration.run import latest_succeeded
    from amc_cltv.workflows import catalog

    rendered = catalog.render(
        segment.report_workflow, shopping_insights=config.profile.workflows.shopping_insights
    )
    return latest_succeeded(ledger, config, segment.report_workflow, window, rendered=rendered)


def segment_size(
    config: Config, client: AmcClient, ledger: Ledger, segment: Segment, window: TimeWindow
) -> int:
    """The segment's size for ``window``, running the report workflow first when it has no result yet."""
    from amc_cltv.orchestration.run import RunOptions, run_workflow

    outcome = latest_report(config, ledger, segment, window)
    if outcome is None:
        log.info("audience_sizing_run", workflow=segment.report_workflow, **window.as_dict())
        options = RunOptions(window_days=window.days, window_end=window.end.date())
        outcome = run_workflow(config, client, ledger, segment.report_workflow, options)
        if outcome.still_running:
            raise StillRunning(
                f"the {segment.report_workflow} run that sizes the segment ({outcome.execution_id}) is still "
                f"{outcome.status}; run the same command again to resume"
            )
        if not outcome.succeeded:
            raise ExecutionFailed(
                f"the {segment.report_workflow} run that sizes the segment ({outcome.execution_id}) ended "
                f"{outcome.status}: {outcome.status_reason or outcome.message or 'no reason given'}; "
                "no audience was requested",
                status=outcome.status,
                status_reason=outcome.status_reason,
            )
    size = users_in_segment([Path(p) for p in outcome.files], segment.label, segment.report_workflow)
    log.info(
        "audience_size",
        segment=segment.key,
        workflow=segment.report_workflow,
        execution_id=outcome.execution_id,
        num_users=size,
    )
    return size


# AMC fails a lookalike whose seed holds more users than this (docs/amc-api.md §4.6).
MAX_LOOKALIKE_SEED = 500_000
SEED_GUARD = "seed"


def check_seed(size: int, min_seed: int, segment: Segment) -> None:
    """Refuse (nothing sent) a lookalike seed outside ``[audience] lookalike_min_seed`` .. 500,000."""
    if size < min_seed:
        raise Refused(
            f"the {segment.key} segment has {size:,} users, below the lookalike seed minimum of {min_seed:,} "
            "([audience] lookalike_min_seed; AMC fails a lookalike seeded by under 500): no lookalike was "
            "requested",
            guard=SEED_GUARD,
        )
    if size > MAX_LOOKALIKE_SEED:
        raise Refused(
            f"the {segment.key} segment has {size:,} users, above AMC's lookalike seed maximum of "
            f"{MAX_LOOKALIKE_SEED:,}: no lookalike was requested (a narrower threshold_method gives a "
            "smaller seed)",
            guard=SEED_GUARD,
        )


# The guard a Refused names in its context: ``--segment all`` tells "under its guard" from other refusals.
SIZE_GUARD = "size"


def check_size(size: int, min_size: int, segment: Segment) -> None:
    """Refuse (nothing sent) below ``[audience] min_size``."""
    if size < min_size:
        raise Refused(
            f"the {segment.key} segment has {size:,} users, below the minimum of {min_size:,} "
            f"([audience] min_size; AMC fails audiences under 2,000): no audience was requested",
            guard=SIZE_GUARD,
        )
