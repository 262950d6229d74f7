"""AMC's published schema, as data: every documented column of the AMC data-source pages.

``data_sources.json`` lists, per table of AMC's guide (the page it comes from is named in the file), each
column with AMC's type name (``LONG``, ``INTEGER``, ``STRING``, ``DOUBLE``, ``DECIMAL``, ``DATE``,
``TIMESTAMP``, ``BOOLEAN``, ``ARRAY[LONG]``…), its ``column_type`` (DIMENSION or METRIC), the unit where the
page gives one (``microcents``, ``millicents``, ``local currency``, ``seconds``) and its aggregation
threshold. Every table has a ``_for_audiences`` twin with the same columns.

It is a package of its own, depending on nothing else in ``amc_cltv``, because two sides read it that must
not know each other (docs/sandbox.md#amcs-published-schema): the sandbox, which emulates these tables, and
the client's workflow lint and ``doctor``, which check our SQL against what AMC documents. Neither imports
the other, and this package imports neither.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import cache
from importlib import resources

AUDIENCE_SUFFIX = "_for_audiences"

# AMC's type names and the DuckDB type that holds the same values.
DUCKDB_TYPES = {
    "LONG": "BIGINT",
    "INTEGER": "INTEGER",
    "STRING": "VARCHAR",
    "DOUBLE": "DOUBLE",
    "DECIMAL": "DECIMAL(38,4)",
    "DATE": "DATE",
    "TIMESTAMP": "TIMESTAMP",
    "BOOLEAN": "BOOLEAN",
    "ARRAY[LONG]": "BIGINT[]",
    "ARRAY[INTEGER]": "INTEGER[]",
}


@dataclass(frozen=True)
class Column:
    """One documented column: AMC's type name, DIMENSION or METRIC, and its unit when AMC gives one."""

    name: str
    type: str
    column_type: str
    unit: str | None = None
    aggregation_threshold: str | None = None
    # Values the page gives as examples or as the possible values (string columns only).
    examples: tuple[str, ...] = ()

    @property
    def duckdb_type(self) -> str:
        return DUCKDB_TYPES[self.type]


@dataclass(frozen=True)
class DataSource:
    """One AMC table as its data-source page documents it."""

    name: str
    page: str
    columns: tuple[Column, ...]

    def column(self, name: str) -> Column | None:
        """The column called ``name`` (case-insensitive), or None."""
        return self.columns_by_name().get(name.lower())

    def columns_by_name(self) -> dict[str, Column]:
        return {column.name.lower(): column for column in self.columns}


@cache
def data_sources() -> dict[str, DataSource]:
    """Every documented table and its ``_for_audiences`` twin, by lower-case name."""
    raw = json.loads(resources.files(__name__).joinpath("data_sources.json").read_text())
    tables: dict[str, DataSource] = {}
    for entry in raw["data_sources"]:
        columns = tuple(
            Column(**{**column, "examples": tuple(column.get("examples", ()))}) for column in entry["columns"]
        )
        base = DataSource(entry["name"], entry["page"], columns)
        tables[base.name] = base
        if entry.get("audience_twin"):
            twin = base.name + AUDIENCE_SUFFIX
            tables[twin] = DataSource(twin, base.page, columns)
    return tables


def data_source(name: str) -> DataSource | None:
    """The documented table called ``name`` (case-insensitive), or None when AMC documents none."""
    return data_sources().get(name.lower())


def is_audience_table(name: str) -> bool:
    """Whether ``name`` is a ``_for_audiences`` table (readable only by audience queries)."""
    return name.lower().endswith(AUDIENCE_SUFFIX)
