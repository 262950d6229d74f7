"""The tables and columns a query names, checked against AMC's published schema (``amc_cltv.amc_schema``).

DuckDB's parser reads the query (AMC SQL parses as DuckDB SQL for every construct our workflows use); a
query it cannot parse yields no finding here and is left to the other lint rules and to AMC.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from amc_cltv.amc_schema import data_source


def _parse(sql: str) -> dict[str, Any] | None:
    """DuckDB's parse tree of ``sql`` (one statement), or None when DuckDB cannot parse it."""
    import duckdb  # here, not at the top: importing the package must stay cheap

    connection = duckdb.connect()
    try:
        # Only the end is trimmed, so the parser's byte offsets stay those of ``sql``.
        row = connection.execute("SELECT json_serialize_sql(?)", [sql.rstrip().rstrip(";")]).fetchone()
    except duckdb.Error:
        return None
    finally:
        connection.close()
    tree = json.loads(str(row[0])) if row else {}
    statements = tree.get("statements") or []
    if tree.get("error") or len(statements) != 1:
        return None
    return dict(statements[0])


def _nodes(node: Any) -> Iterator[dict[str, Any]]:
    if isinstance(node, dict):
        yield node
        for value in node.values():
            yield from _nodes(value)
    elif isinstance(node, list):
        for item in node:
            yield from _nodes(item)


@dataclass(frozen=True)
class _Names:
    """What a parsed query reads and defines."""

    tables: dict[str, int]  # documented or unknown table -> byte offset of its first reference
    aliases: dict[str, str]  # table alias (or bare name) -> the table it stands for
    defined: frozenset[str]  # CTE names, table aliases, column aliases: names the query itself defines
    references: tuple[tuple[str | None, str, int], ...]  # (qualifier, column, byte offset)


def _names(tree: dict[str, Any]) -> _Names:
    ctes: set[str] = set()
    defined: set[str] = set()
    for node in _nodes(tree):
        cte_map = node.get("cte_map")
        if isinstance(cte_map, dict):
            for entry in cte_map.get("map", []):
                ctes.add(str(entry["key"]).lower())
                defined.update(str(a).lower() for a in (entry.get("value") or {}).get("aliases") or [])
    tables: dict[str, int] = {}
    aliases: dict[str, str] = {}
    references = []
    for node in _nodes(tree):
        if node.get("alias"):
            defined.add(str(node["alias"]).lower())
        defined.update(str(a).lower() for a in node.get("column_name_alias") or [] if isinstance(a, str))
        if node.get("type") == "BASE_TABLE":
            table = str(node.get("table_name", "")).lower()
            if table in ctes and not node.get("schema_name"):
                continue
            tables.setdefault(table, int(node.get("query_location") or 0))
            aliases[str(node.get("alias") or table).lower()] = table
            aliases[table] = table
        elif node.get("class") == "COLUMN_REF":
            parts = [str(part).lower() for part in node.get("column_names") or []]
            if parts:
                qualifier = parts[-2] if len(parts) > 1 else None
                references.append((qualifier, parts[-1], int(node.get("query_location") or 0)))
        elif node.get("class") == "LAMBDA":
            defined.update(ref[1] for ref in _lambda_parameters(node))
    return _Names(tables, aliases, frozenset(defined | ctes), tuple(references))


def _lambda_parameters(node: dict[str, Any]) -> list[tuple[str | None, str, int]]:
    lhs = node.get("lhs") or {}
    return [(None, str(part).lower(), 0) for ref in _nodes(lhs) for part in ref.get("column_names") or []]


def columns_read(sql: str) -> dict[str, frozenset[str]]:
    """The documented columns ``sql`` names, per AMC table it reads (``{}`` when DuckDB cannot parse it).

    A column named without a qualifier counts for every table read that documents it.
    """
    tree = _parse(sql)
    if tree is None:
        return {}
    names = _names(tree)
    read: dict[str, set[str]] = {table: set() for table in names.tables if data_source(table) is not None}
    for qualifier, column, _ in names.references:
        candidates = [names.aliases[qualifier]] if qualifier in names.aliases else list(read)
        for table in candidates:
            documented = data_source(table)
            if table in read and documented is not None and documented.column(column) is not None:
                read[table].add(column)
    return {table: frozenset(columns) for table, columns in read.items()}


def unknown_names(sql: str) -> list[tuple[int, str, str]]:
    """``(line, rule, name)`` for every table no AMC page documents (``unknown-table``) and every column
    that none of the tables read documents and the query does not define (``unknown-column``); nothing
    when DuckDB cannot parse ``sql``."""
    tree = _parse(sql)
    if tree is None:
        return []
    names = _names(tree)
    raw = sql.encode()

    def line(offset: int) -> int:
        return raw[:offset].count(b"\n") + 1

    found: list[tuple[int, str, str]] = []
    documented_columns: set[str] = set()
    for table, offset in names.tables.items():
        documented = data_source(table)
        if documented is None:
            found.append((line(offset), "unknown-table", table))
        else:
            documented_columns.update(documented.columns_by_name())
    known = documented_columns | names.defined
    # Behind an unknown table any column may hide: only the table is reported.
    if found:
        return found
    for qualifier, column, offset in names.references:
        aliased = names.aliases.get(qualifier) if qualifier else None
        documented = data_source(aliased) if aliased else None
        # A column of a table named by its alias must be that table's; any other must be known somewhere.
        known_here = documented.column(column) is not None if documented is not None else column in known
        if not known_here:
            where = f"{qualifier}.{column}" if qualifier else column
            found.append((line(offset), "unknown-column", where))
    return found
