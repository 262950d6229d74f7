"""Orchestration: the nightly run of a workflow and everything around it.

    run        render -> apply -> admission -> write-ahead submit -> poll -> download -> record
    outcome    RunOptions (what a run is asked to do) and RunOutcome (what it came to)
    sync       workflow plan / apply / drift
    admission  at most 10 in-progress executions per instance
    submit     the write-ahead POST and its reconcile
    polling    the status poll on the schedule learnt from past runs (amc_cltv/cadence.py)
    history    the durations of past runs that schedule learns from
    download   verified, atomic result files and manifest.json
    retrieve   ``download EXECUTION_ID`` for any finished execution
    summary    the result rows as a table (the segment table for ``segmentation``)
    schedules  AMC's native Daily/Weekly schedules
    fleet      ``run --all``: every instance profile of a folder, concurrently

It sits between the CLI and the API client and imports neither the CLI nor httpx.
"""
