"""AMC SQL on DuckDB: parse once (DuckDB's own parser, as JSON), check AMC's rules on the tree, and rewrite
only the spans the parser located (``sandbox.`` qualifiers, ``CUSTOM_PARAMETER``/``BUILT_IN_PARAMETER``
calls, AMC functions DuckDB knows under another name), so nothing inside a string literal is ever touched.

``TABLE(EXTEND_TIME_WINDOW('table', 'P28D', 'P0D'))``, which DuckDB cannot parse, is replaced before parsing
by the name of a view the engine creates over the widened window.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any

import duckdb

from amc_cltv.sandbox.functions import MACROS, NOW_LITERALS, RENAMED, UNSUPPORTED
from amc_cltv.sandbox.tables import ALL_TABLES, is_audience_table

__all__ = ["MACROS", "ParsedQuery", "SqlRuleViolation", "parse", "sql_literal"]

SANDBOX_SCHEMA = "sandbox"
EXTENDED_PREFIX = "__amc_extended_"

_GAP = r"(?:\s|--[^\n]*(?:\n|$)|/\*.*?\*/)*"  # whitespace and comments between tokens
_EXTEND_TIME_WINDOW = re.compile(
    rf"TABLE{_GAP}\({_GAP}EXTEND_TIME_WINDOW{_GAP}\({_GAP}'(\w+)'{_GAP},{_GAP}'([^']*)'{_GAP},{_GAP}"
    rf"'([^']*)'{_GAP}\){_GAP}\)",
    re.IGNORECASE | re.DOTALL,
)
_DURATION = re.compile(r"P(?:(\d+)W)?(?:(\d+)D)?(?:T(?:(\d+)H)?(?:(\d+)M)?(?:(\d+)S)?)?", re.IGNORECASE)


class SqlRuleViolation(Exception):
    """The query breaks an AMC rule or does not compile; the message is AMC's ``statusReason``."""


@dataclass
class ParsedQuery:
    """The parts of a query the engine needs: the tables it reads and the rewritten SQL text."""

    tables: set[str] = field(default_factory=set)
    sql: str = ""
    # The final SELECT outputs a user_id column reference, whatever its alias.
    outputs_user_id: bool = False
    # Every column name the query references (lower case, without qualifier).
    columns: set[str] = field(default_factory=set)
    # EXTEND_TIME_WINDOW views: name -> (table, time before the window, time after it).
    extended: dict[str, tuple[str, timedelta, timedelta]] = field(default_factory=dict)


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


def _arguments(node: dict[str, Any]) -> list[dict[str, Any]]:
    """A function call's argument expressions (newer parsers wrap each one)."""
    args = node.get("children") or node.get("arguments") or []
    return [arg["expression"] if isinstance(arg, dict) and "expression" in arg else arg for arg in args]


def _string_constant(node: dict[str, Any]) -> str | None:
    """The text of a string (or other) literal node, else None."""
    if node.get("class") != "CONSTANT":
        return None
    literal = node.get("value") or node.get("literal") or {}
    text = literal.get("text") if isinstance(literal, dict) else None
    if text is None and isinstance(literal, dict):
        text = literal.get("value")
    return None if text is None else str(text)


def _first_argument_string(node: dict[str, Any]) -> str | None:
    args = _arguments(node)
    return _string_constant(args[0]) if len(args) == 1 else None


def parse(
    sql: str,
    *,
    parameters: Mapping[str, object],
    built_in: Mapping[str, object],
    audience: bool,
    connection: duckdb.DuckDBPyConnection | None = None,
) -> ParsedQuery:
    """Check ``sql`` against AMC's rules and return it rewritten for DuckDB.

    ``connection`` parses the query (a new one is opened without it). Raises SqlRuleViolation with AMC's
    reason (REJECTED by the service).
    """
    text = sql.strip().rstrip(";").strip()
    if not text:
        raise SqlRuleViolation("The SQL query is empty.")
    parsed = ParsedQuery()
    text = _extend_time_windows(text, parsed.extended)
    raw = json.loads(_serialize(text, connection))
    if raw.get("error"):
        raise SqlRuleViolation(f"Unable to parse the SQL query: {raw.get('error_message', 'syntax error')}")
    statements = raw.get("statements", [])
    if len(statements) != 1:
        raise SqlRuleViolation("The SQL query must be exactly one SELECT statement.")
    tree = statements[0]
    # ORDER BY outside a window: refused on the query's result; Amazon's own instructional queries order
    # rows inside a CTE, which AMC accepts (and which orders nothing the result keeps).
    if any(
        m.get("type") == "ORDER_MODIFIER" and m.get("orders") for m in tree["node"].get("modifiers") or []
    ):
        raise SqlRuleViolation("ORDER BY is only supported inside window functions in AMC SQL.")
    ctes = _cte_names(tree) | set(parsed.extended)
    parsed.tables.update(table for table, _, _ in parsed.extended.values())
    edits: list[tuple[int, int, str]] = []
    for node in _walk(tree):
        kind = node.get("type")
        if kind == "LIMIT_MODIFIER" or kind == "LIMIT_PERCENT_MODIFIER":
            raise SqlRuleViolation("LIMIT is not supported in AMC SQL; use ROW_NUMBER() or RANK() instead.")
        if (node.get("class") == "STAR" or kind == "STAR") and _located(node, text):
            # (DuckDB adds an unlocated SELECT * of its own around a VALUES list.)
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
            elif name in UNSUPPORTED:
                raise SqlRuleViolation(UNSUPPORTED[name])
            elif name in RENAMED:
                edits.extend(_function_edits(node, name, text))
        if node.get("class") == "CAST":
            edits.extend(_now_edits(node, text))
        if node.get("class") == "COLUMN_REF" and node.get("column_names"):
            parsed.columns.add(str(node["column_names"][-1]).lower())
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


def _located(node: dict[str, Any], text: str) -> bool:
    return 0 <= int(node.get("query_location") or 0) < len(text.encode())


def _duration(value: str) -> timedelta:
    match = _DURATION.fullmatch(value.strip())
    if not match or not any(match.groups()):
        raise SqlRuleViolation(f"EXTEND_TIME_WINDOW takes ISO 8601 durations such as 'P14D'; got '{value}'.")
    weeks, days, hours, minutes, seconds = (int(g or 0) for g in match.groups())
    return timedelta(weeks=weeks, days=days, hours=hours, minutes=minutes, seconds=seconds)


def _extend_time_windows(text: str, extended: dict[str, tuple[str, timedelta, timedelta]]) -> str:
    """Replace each ``TABLE(EXTEND_TIME_WINDOW(...))`` outside comments and strings by a view's name."""
    masked = _masked_positions(text)
    pieces: list[str] = []
    last = 0
    for match in _EXTEND_TIME_WINDOW.finditer(text):
        if match.start() in masked:
            continue
        table = match.group(1).lower()
        if table not in ALL_TABLES:
            raise SqlRuleViolation(f"Table or view not found: {table}.")
        name = f"{EXTENDED_PREFIX}{len(extended) + 1}"
        extended[name] = (table, _duration(match.group(2)), _duration(match.group(3)))
        pieces += [text[last : match.start()], name]
        last = match.end()
    return "".join(pieces) + text[last:] if pieces else text


def _masked_positions(text: str) -> set[int]:
    """The character positions inside comments and string literals."""
    masked: set[int] = set()
    for match in re.finditer(r"--[^\n]*|/\*.*?(?:\*/|$)|'(?:[^']|'')*'?", text, re.DOTALL):
        masked.update(range(match.start(), match.end()))
    return masked


def _name_span(node: dict[str, Any], name: str, text: str) -> tuple[int, int] | None:
    """The byte span of a function call's name, when the parser's location points at it."""
    start = int(node.get("query_location") or 0)
    raw = text.encode()
    if raw[start : start + len(name)].lower() != name.encode():
        return None
    return (start, start + len(name))


def _function_edits(node: dict[str, Any], name: str, text: str) -> list[tuple[int, int, str]]:
    span = _name_span(node, name, text)
    if span is None:
        return []
    edits = [(span[0], span[1], RENAMED[name])]
    if name == "named_row":
        edits += _named_row_labels(node, text)
    return edits


def _named_row_labels(node: dict[str, Any], text: str) -> list[tuple[int, int, str]]:
    """NAMED_ROW('label', value, ...) -> struct_pack("label" := value, ...)."""
    raw = text.encode()
    arguments = _arguments(node)
    if len(arguments) % 2:
        raise SqlRuleViolation("NAMED_ROW takes pairs of a label and a value.")
    edits = []
    for label in arguments[::2]:
        value = _string_constant(label)
        if value is None:
            raise SqlRuleViolation("NAMED_ROW labels must be string literals.")
        start = int(label["query_location"])
        end = start + int(label.get("query_location_length") or 0)
        comma = raw.find(b",", end)
        if not label.get("query_location_length") or comma < 0:
            raise SqlRuleViolation("Unable to read the labels of NAMED_ROW.")
        edits.append((start, comma + 1, '"' + value.replace('"', '""') + '" :='))
    return edits


def _now_edits(node: dict[str, Any], text: str) -> list[tuple[int, int, str]]:
    """CAST('today' AS DATE) and CAST('now' AS TIMESTAMP), AMC's way to read the current date and time."""
    child = node.get("child") or {}
    value = _string_constant(child)
    if value is None or value.strip().lower() not in NOW_LITERALS:
        return []
    start = int(child.get("query_location") or 0)
    length = int(child.get("query_location_length") or 0)
    if not length:
        return []
    return [(start, start + length, NOW_LITERALS[value.strip().lower()])]


def _serialize(text: str, connection: duckdb.DuckDBPyConnection | None) -> str:
    if connection is not None:
        row = connection.execute("SELECT json_serialize_sql(?)", [text]).fetchone()
        return str(row[0]) if row else "{}"
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
    if table.startswith(EXTENDED_PREFIX):
        raise SqlRuleViolation(f"Table or view not found: {table}.")
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
