"""Sandbox settings: durations, limits and data size, persisted so every process uses the same ones.

The embedded defaults make an execution finish within a fraction of a second; tests stretch them (an
execution that takes "hours" of sandbox time) and advance the clock instead of waiting.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, fields
from typing import Any

from amc_cltv.sandbox.store import Store


@dataclass(frozen=True)
class SandboxSettings:
    queue_s: float = 0.05  # PENDING before an execution may start
    run_s: float = 0.1  # RUNNING before it is computed
    audience_run_s: float = 0.1  # an audience's PENDING + RUNNING time
    activation_lag_s: float = 48 * 3600  # SUCCEEDED audience -> dspAudienceId (usable in DSP)
    max_concurrent: int = 10  # RUNNING executions per instance; extras wait PENDING
    instances: int = 1  # reporting instances served: amcsandbox01 .. amcsandboxNN, each its own workflows
    max_rows_per_file: int = 1_000_000  # result rows per CSV part (at most 5 parts)
    url_expiry_s: int = 600  # pre-signed download URLs
    token_ttl_s: int = 3600  # access tokens
    min_audience_size: int = 2000  # AMC's minimum for a rule-based audience
    users: int = 50_000  # synthetic data generated on first use
    seed: int = 7
    # The paid Flexible Shopping Insights dataset: without it, reporting queries cannot read conversions_all.
    shopping_insights: bool = True
    # Rows with fewer users are filtered as AMC's aggregation thresholds do (0: none); see docs/sandbox.md.
    aggregation_threshold: int = 0
    # Every audience DSP has (SUCCEEDED, past the activation lag) is on a campaign's line item: AMC's
    # best-effort check answers deletable false and refuses its DELETE with a 400 (docs/sandbox.md).
    audiences_in_use: bool = False
    # AMC rejects an execution when this many that already ran read one of its tables over an overlapping
    # time window ("too many workflows ... overlapping time windows"); 0: never. docs/sandbox.md.
    overlap_limit: int = 0
    # Marketplaces of the instance's advertisers: 2 adds a DE advertiser (another currency) to the US one.
    marketplaces: int = 1

    @classmethod
    def load(cls, store: Store) -> SandboxSettings:
        stored = store.setting("settings", {}) or {}
        return cls(**{f.name: stored[f.name] for f in fields(cls) if f.name in stored})

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def update_settings(store: Store, changes: dict[str, Any]) -> SandboxSettings:
    """Change some settings; raises ValueError naming an unknown key or a bad value."""
    known = {f.name: f.type for f in fields(SandboxSettings)}
    for key, value in changes.items():
        if key not in known:
            raise ValueError(f"unknown sandbox setting {key!r}")
        if known[key] in ("bool", bool):
            if not isinstance(value, bool):
                raise ValueError(f"sandbox setting {key!r} must be true or false")
        elif not isinstance(value, int | float) or isinstance(value, bool) or value < 0:
            raise ValueError(f"sandbox setting {key!r} must be a non-negative number")
    with store.transaction():
        current = SandboxSettings.load(store).to_dict()
        for key, value in changes.items():
            if known[key] in ("bool", bool):
                current[key] = bool(value)
            else:
                current[key] = int(value) if known[key] in ("int", int) else float(value)
        store.set_setting("settings", current)
    return SandboxSettings.load(store)
