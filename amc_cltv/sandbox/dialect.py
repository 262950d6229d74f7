"""AMC SQL on DuckDB: parse once (DuckDB's own parser, as JSON), check AMC's rules on the tree, and rewrite
only the spans the parser located (``sandbox.`` qualifiers, ``CUSTOM_PARAMETER``/``BUILT_IN_PARAMETER``
calls), so nothing inside a string literal is ever touched."""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from typing import Any

import duckdb

from amc_cltv.sandbox.tables import ALL_TABLES, is_audience_table

SANDBOX_SCHEMA = "sandbox"

# AMC functions that DuckDB lacks, as macros created on the execution's connection.
MACROS = (
    "CREATE OR REPLACE TEMP MACRO seconds_between(a, b) AS "
    "((epoch_ms(CAST(b AS TIMESTAMP)) - epoch_ms(CAST(a AS TIMESTAMP))) // 1000)",
    "CREATE OR REPLACE TEMP MACRO epoch_to_utc_timestamp(s) AS (to_timestamp(s)::TIMESTAMP)",
    # The UTC timestamp as wall-clock time in the given zone (a TIMESTAMP without zone, as AMC returns it).
    "CREATE OR REPLACE TEMP MACRO convert_time_zone_from_utc(ts, tz) AS "
    "(timezone(tz, timezone('UTC', CAST(ts AS TIMESTAMP))))",
)


class SqlRuleViolation(Exception):
    """The query breaks an AMC rule or does not compile; the message is AMC's ``statusReason``."""


@dataclass
class ParsedQuery:
    """The parts of a query the engine needs: the tables it reads and the rewritten SQL text."""

    tables: set[str] = field(default_factory=set)
    sql: str = ""
    # The final SELECT outputs a user_id column reference, whatever its alias.
    outputs_user_id: bool = False


def _final_selects(node: dict[str, Any]) -> Iterator[dict[str, Any]]:
    if node.get("type") == "SET_OPERATION_NODE":
        for child in node.get("children") or [node.get("left"), node.get("right")]:
            if isinstance(child, dict):
                yield from _final_selects(child)
    elif node.get("type") == "SELECT_NODE":
        yield node


def _outputs_user_id(tree: dict[str, Any]) -> bool:
    for select in _final_selects(tree.get("node") or {}):
        for expression in select.get("select_list") or []:
            names = expression.get("column_names") if expression.get("class") == "COLUMN_REF" else None
            if names and str(names[-1]).lower() == "user_id":
                return True
    return False


def _walk(node: Any) -> Iterator[dict[str, Any]]:
    if isinstance(node, dict):
        yield node
        for value in node.values():
            yield from _walk(value)
    elif isinstance(node, list):
        for item in node:
            yield from _walk(item)


def _cte_names(tree: Any) -> set[str]:
    names: set[str] = set()
    for node in _walk(tree):
        cte_map = node.get("cte_map")
        if isinstance(cte_map, dict):
            names.update(str(entry["key"]).lower() for entry in cte_map.get("map", []))
    return names


def sql_literal(value: object) -> str:
    """A Python value as a DuckDB SQL literal."""
    if value is None:
        return "NULL"
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, int | float | Decimal):
        return repr(value) if not isinstance(value, Decimal) else str(value)
    if isinstance(value, datetime):
        return f"TIMESTAMP '{value:%Y-%m-%d %H:%M:%S}'"
    if isinstance(value, date):
        return f"DATE '{value.isoformat()}'"
    if isinstance(value, list | tuple):
        return "[" + ", ".join(sql_literal(v) for v in value) + "]"
    return "'" + str(value).replace("'", "''") + "'"


def _first_argument_string(node: dict[str, Any]) -> str | None:
    args = node.get("children") or node.get("arguments") or []
    if len(args) != 1:
        return None
    arg = args[0]
    if isinstance(arg, dict) and "expression" in arg:  # newer parsers wrap each argument
        arg = arg["expression"]
    if arg.get("class") != "CONSTANT":
        return None
    literal = arg.get("value") or arg.get("literal") or {}
    text = literal.get("text") if isinstance(literal, dict) else None
    if text is None and isinstance(literal, dict):
        text = literal.get("value")
    return None if text is None else str(text)


def parse(
    sql: str,
    *,
    parameters: Mapping[str, object],
    built_in: Mapping[str, object],
    audience: bool,
) -> ParsedQuery:
    """Check ``sql`` against AMC's rules and return it rewritten for DuckDB.

    Raises SqlRuleViolation with AMC's reason (REJECTED by the service).
    """
    text = sql.strip().rstrip(";").strip()
    if not text:
        raise SqlRuleViolation("The SQL query is empty.")
    raw = json.loads(_serialize(text))
    if raw.get("error"):
        raise SqlRuleViolation(f"Unable to parse the SQL query: {raw.get('error_message', 'syntax error')}")
    statements = raw.get("statements", [])
    if len(statements) != 1:
        raise SqlRuleViolation("The SQL query must be exactly one SELECT statement.")
    tree = statements[0]
    ctes = _cte_names(tree)
    parsed = ParsedQuery()
    edits: list[tuple[int, int, str]] = []
    for node in _walk(tree):
        kind = node.get("type")
        if kind == "LIMIT_MODIFIER" or kind == "LIMIT_PERCENT_MODIFIER":
            raise SqlRuleViolation("LIMIT is not supported in AMC SQL; use ROW_NUMBER() or RANK() instead.")
        if kind == "ORDER_MODIFIER" and node.get("orders"):
            raise SqlRuleViolation("ORDER BY is only supported inside window functions in AMC SQL.")
        if node.get("class") == "STAR" or kind == "STAR":
            raise SqlRuleViolation("SELECT * is not allowed in AMC SQL; list the columns explicitly.")
        if kind == "JOIN" and node.get("join_type") == "RIGHT":
            raise SqlRuleViolation(
                "RIGHT JOIN is not supported in AMC SQL; use LEFT JOIN with the tables swapped."
            )
        if kind == "BASE_TABLE":
            parsed.tables.add(_table_reference(node, ctes, text, edits))
        if node.get("class") == "FUNCTION":
            name = str(node.get("function_name", "")).lower()
            if name in ("custom_parameter", "built_in_parameter"):
                edits.append(_parameter_edit(node, name, parameters, built_in))
    parsed.tables.discard("")
    parsed.outputs_user_id = _outputs_user_id(tree)
    if audience:
        bad = sorted(t for t in parsed.tables if not is_audience_table(t))
        if bad or not parsed.tables:
            raise SqlRuleViolation(
                "Invalid tables in the SQL query: Use audience-specific tables in the query."
            )
    else:
        twins = sorted(t for t in parsed.tables if is_audience_table(t))
        if twins:
            raise SqlRuleViolation(f"Table {twins[0]} can only be used in audience queries.")
    parsed.sql = _apply(text, edits)
    return parsed


def _serialize(text: str) -> str:
    con = duckdb.connect()
    try:
        row = con.execute("SELECT json_serialize_sql(?)", [text]).fetchone()
    finally:
        con.close()
    return str(row[0]) if row else "{}"


def _table_reference(
    node: dict[str, Any], ctes: set[str], text: str, edits: list[tuple[int, int, str]]
) -> str:
    table = str(node.get("table_name", "")).lower()
    schema = str(node.get("schema_name", "")).lower()
    catalog = str(node.get("catalog_name", "")).lower()
    if not schema and not catalog and table in ctes:
        return ""
    if catalog or (schema and schema != SANDBOX_SCHEMA) or table not in ALL_TABLES:
        shown = ".".join(p for p in (catalog, schema, table) if p)
        raise SqlRuleViolation(f"Table or view not found: {shown}.")
    if schema == SANDBOX_SCHEMA:
        start = int(node["query_location"])
        length = int(node.get("query_location_length") or 0)
        edits.append(_qualified_span(text, start, length, table))
    return table


def _qualified_span(text: str, start: int, length: int, table: str) -> tuple[int, int, str]:
    # The parser locates the reference (in bytes, alias included); replace "sandbox.table" with the bare name.
    raw = text.encode()
    segment = raw[start : start + length if length else len(raw)].lower()
    dot = segment.find(b".")
    pos = segment.find(table.encode(), dot + 1)
    if dot < 0 or pos < 0:
        raise SqlRuleViolation(f"Unable to resolve table reference sandbox.{table}.")
    end = start + pos + len(table)
    if end < len(raw) and raw[end : end + 1] == b'"':
        end += 1
    return (start, end, table)


def _parameter_edit(
    node: dict[str, Any], name: str, parameters: Mapping[str, object], built_in: Mapping[str, object]
) -> tuple[int, int, str]:
    argument = _first_argument_string(node)
    if argument is None:
        raise SqlRuleViolation(f"{name.upper()} takes one string literal naming the parameter.")
    if name == "built_in_parameter":
        key = argument.upper()
        if key not in built_in:
            raise SqlRuleViolation(f"Unknown built-in parameter: {argument}.")
        value = built_in[key]
    else:
        if argument not in parameters:
            raise SqlRuleViolation(
                f"Custom parameter {argument} is not declared in the workflow's inputParameters."
            )
        value = parameters[argument]
    start = int(node["query_location"])
    length = int(node.get("query_location_length") or 0)
    if not length:
        raise SqlRuleViolation(f"Unable to locate {name.upper()} in the SQL query.")
    return (start, start + length, sql_literal(value))


def _apply(text: str, edits: list[tuple[int, int, str]]) -> str:
    raw = text.encode()
    for start, end, replacement in sorted(edits, reverse=True):
        raw = raw[:start] + replacement.encode() + raw[end:]
    return raw.decode()
