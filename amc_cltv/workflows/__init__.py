"""The SQL workflows: catalogue, rendering, parameters and the local lint.

``catalog.names()``, ``catalog.render(name, shopping_insights=..., parameters=...)`` and
``lint(sql, audience=..., source=...)`` are the interface the rest of amc-cltv uses.
"""

from __future__ import annotations

from amc_cltv.workflows import catalog
from amc_cltv.workflows.catalog import RenderedWorkflow
from amc_cltv.workflows.lint import lint

__all__ = ["RenderedWorkflow", "catalog", "lint"]
