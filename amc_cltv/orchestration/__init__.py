"""Orchestration: the nightly run of a workflow and everything around it.

    run        render -> apply -> admission -> write-ahead submit -> poll -> download -> record
    sync       workflow plan / apply / drift
    admission  at most 10 in-progress executions per instance
    submit     the write-ahead POST and its reconcile
    polling    the jittered, resumable status schedule
    download   verified, atomic result files and manifest.json
    schedules  AMC's native Daily/Weekly schedules
    fleet      ``run --all``: every instance profile of a folder, concurrently

It sits between the CLI and the API client and imports neither the CLI nor httpx.
"""
