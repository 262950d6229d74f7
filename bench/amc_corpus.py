"""Amazon's published AMC queries (tests/sandbox/published_queries), compiled on the sandbox as ``dryRun``.

Each file is one query as Amazon published it (comments removed), its first line naming where: the AMC
instructional query library, the SQL reference or a data-source page. A query counts when every table it
reads is one the sandbox emulates; queries over other tables (paid features, DSP clicks and views, syntax
templates such as ``FROM table_name``) are listed but not counted.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from amc_cltv.sandbox.engine import Engine, Rejected
from amc_cltv.sandbox.tables import ALL_TABLES

CORPUS = Path(__file__).resolve().parent.parent / "tests" / "sandbox" / "published_queries"
# A month inside the generated data, as a dryRun would be given.
WINDOW = (datetime(2026, 6, 1), datetime(2026, 7, 1))

_CTE = re.compile(r"\b(\w+)\s*(?:\([^()]*\))?\s+AS\s*\(", re.IGNORECASE)
_READ = re.compile(r"\b(?:FROM|JOIN)\s+([A-Za-z_][\w.]*)", re.IGNORECASE)
_EXTENDED = re.compile(r"EXTEND_TIME_WINDOW\s*\(\s*'(\w+)'", re.IGNORECASE)
# FROM inside these calls is not a table.
_NOT_A_TABLE = re.compile(r"\b(?:EXTRACT|TRIM|SUBSTRING|POSITION)\s*\([^()]*\)", re.IGNORECASE | re.DOTALL)
_PARAMETER = re.compile(r"CUSTOM_PARAMETER\s*\(\s*'(\w+)'", re.IGNORECASE)


@dataclass(frozen=True)
class PublishedQuery:
    name: str
    source: str
    sql: str

    @property
    def tables(self) -> frozenset[str]:
        """The tables the query reads (not its CTEs)."""
        code = _NOT_A_TABLE.sub("", re.sub(r"'(?:[^']|'')*'", "''", self.sql))
        ctes = {name.lower() for name in _CTE.findall(code)}
        read = {m.split(".")[-1].lower() for m in _READ.findall(code)} - ctes - {"table"}
        return frozenset(read | {t.lower() for t in _EXTENDED.findall(self.sql)})

    @property
    def over_emulated_tables(self) -> bool:
        return bool(self.tables) and self.tables <= emulated()


@dataclass(frozen=True)
class Outcome:
    query: PublishedQuery
    status_reason: str | None  # None: compiled

    @property
    def reason_kind(self) -> str:
        """The failure's reason without its specifics (names and quoted values)."""
        return re.sub(r'"[^"]*"|\'[^\']*\'', "…", self.status_reason or "")


def emulated() -> set[str]:
    """The tables the sandbox emulates (with their ``_for_audiences`` twins)."""
    return set(ALL_TABLES)


def load() -> list[PublishedQuery]:
    """Every query of the corpus, in file order."""
    queries = []
    for path in sorted(CORPUS.glob("*.sql")):
        first, _, sql = path.read_text().partition("\n")
        queries.append(PublishedQuery(path.name, first.removeprefix("-- source:").strip(), sql))
    return queries


def compile_all(engine: Engine, queries: Iterable[PublishedQuery]) -> list[Outcome]:
    """Each query over the emulated tables compiled as AMC's ``dryRun`` does; its custom parameters are
    declared (as strings), and a query reading ``_for_audiences`` tables is compiled as an audience query."""
    outcomes = []
    for query in queries:
        if not query.over_emulated_tables:
            continue
        parameters = {name: "1" for name in _PARAMETER.findall(query.sql)}
        audience = any(table.endswith("_for_audiences") for table in query.tables)
        try:
            engine.compile(
                query.sql,
                time_window_start=WINDOW[0],
                time_window_end=WINDOW[1],
                parameters=parameters,
                audience=audience,
            )
        except Rejected as rejected:
            outcomes.append(Outcome(query, rejected.status_reason))
        else:
            outcomes.append(Outcome(query, None))
    return outcomes


def failures_by_reason(outcomes: Iterable[Outcome]) -> Counter[str]:
    return Counter(o.reason_kind for o in outcomes if o.status_reason is not None)
