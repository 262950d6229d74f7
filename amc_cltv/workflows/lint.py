"""The local lint: SQL constructs AMC rejects, caught before anything is uploaded.

Each rule has a name; a violation reads ``file:line: rule: what is wrong``. Comments and string literals
are masked first, so a rule never fires on text inside them. The table and column names are checked on
DuckDB's parse of the query against AMC's published schema (``workflows.schema``), so a misspelt or
undocumented column fails before anything is uploaded.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from amc_cltv.errors import WorkflowLintError
from amc_cltv.workflows.schema import unknown_names

AUDIENCE_SUFFIX = "_for_audiences"

RULES: dict[str, str] = {
    "limit": "LIMIT is not supported by AMC (rank with ROW_NUMBER instead)",
    "select-star": "SELECT * is not supported by AMC (name the columns)",
    "right-join": "RIGHT JOIN is not supported by AMC (swap the sides of a LEFT JOIN)",
    "order-by": "ORDER BY is allowed only inside a window (OVER (...))",
    "user-id-output": (
        "a reporting query may not output user_id (only a synthetic_only workflow, run on synthetic data "
        "with aggregation controls off)"
    ),
    "audience-table": "an audience query may read only _for_audiences tables",
    "report-audience-table": "a reporting query may not read _for_audiences tables (audience queries only)",
    "concat-operator": "the || operator is rejected by AMC (use CONCAT)",
    "segment-label": "filters a segment label that no CASE in the query produces",
    "cast-type": "casts to a type that is not in the data types table of AMC's SQL reference",
    "unknown-table": "reads a table that no AMC data-source page documents",
    "unknown-column": "names a column that none of the tables it reads documents (nor the query defines)",
}

# The cast targets AMC's SQL reference lists ("Overview of SQL in Amazon Marketing Cloud", Data types; see
# docs/amc-api.md §5.4). STRING and VARCHAR are not among them: no documented cast produces a string.
CAST_TYPES = frozenset(
    {
        "BOOLEAN",
        "TINYINT",
        "SMALLINT",
        "INTEGER",
        "BIGINT",
        "DECIMAL",
        "FLOAT",
        "REAL",
        "DOUBLE",
        "DATE",
        "TIMESTAMP",
        "CHAR",
        "SYMBOL",
        "BINARY",
        "ARRAY",
        "STRUCT",
    }
)


@dataclass(frozen=True)
class Violation:
    line: int
    rule: str
    detail: str

    def describe(self, where: str) -> str:
        return f"{where}: {self.rule}: {self.detail}"


def _mask(sql: str) -> tuple[str, str]:
    """(code without comments and string contents, code without comments); both keep every newline."""
    code: list[str] = []
    with_strings: list[str] = []
    i, n = 0, len(sql)
    while i < n:
        if sql.startswith("--", i):
            end = sql.find("\n", i)
            end = n if end < 0 else end
            blank = " " * (end - i)
            code.append(blank)
            with_strings.append(blank)
            i = end
        elif sql.startswith("/*", i):
            end = sql.find("*/", i + 2)
            end = n if end < 0 else end + 2
            blank = re.sub(r"[^\n]", " ", sql[i:end])
            code.append(blank)
            with_strings.append(blank)
            i = end
        elif sql[i] == "'":
            end = i + 1
            while end < n:
                if sql[end] == "'" and sql.startswith("''", end):
                    end += 2
                    continue
                if sql[end] == "'":
                    break
                end += 1
            end = min(end + 1, n)
            literal = sql[i:end]
            code.append("'" + re.sub(r"[^\n]", " ", literal[1:-1]) + "'" if len(literal) > 1 else literal)
            with_strings.append(literal)
            i = end
        else:
            code.append(sql[i])
            with_strings.append(sql[i])
            i += 1
    return "".join(code), "".join(with_strings)


def _line(text: str, position: int) -> int:
    return text.count("\n", 0, position) + 1


def _simple_rules(code: str) -> list[Violation]:
    patterns = {
        "limit": r"\bLIMIT\b",
        "select-star": r"\bSELECT\s+(?:DISTINCT\s+)?\*|\b\w+\.\*",
        "right-join": r"\bRIGHT\s+(?:OUTER\s+)?JOIN\b",
        "concat-operator": r"\|\|",
    }
    found = []
    for rule, pattern in patterns.items():
        for match in re.finditer(pattern, code, re.IGNORECASE):
            found.append(Violation(_line(code, match.start()), rule, RULES[rule]))
    return found


def _undocumented_casts(code: str) -> list[Violation]:
    found = []
    for match in re.finditer(r"\bAS\s+([A-Za-z_]\w*)\s*(?:\(|\))", code, re.IGNORECASE):
        if not _in_cast(code, match.start()):
            continue
        target = match.group(1).upper()
        if target not in CAST_TYPES:
            detail = f"{RULES['cast-type']}: {match.group(1)} (documented: {', '.join(sorted(CAST_TYPES))})"
            found.append(Violation(_line(code, match.start(1)), "cast-type", detail))
    return found


def _in_cast(code: str, position: int) -> bool:
    """Whether ``position`` lies directly inside the parentheses of a ``CAST(``."""
    depth = 0
    for index in range(position - 1, -1, -1):
        char = code[index]
        if char == ")":
            depth += 1
        elif char == "(":
            if depth == 0:
                return re.search(r"\bCAST\s*$", code[:index], re.IGNORECASE) is not None
            depth -= 1
    return False


def _order_by_outside_window(code: str) -> list[Violation]:
    found = []
    stack: list[bool] = []  # for each open parenthesis: does it open a window (OVER (...))?
    for match in re.finditer(r"\bOVER\s*\(|\(|\)|\bORDER\s+BY\b", code, re.IGNORECASE):
        token = match.group(0)
        if token == ")":
            if stack:
                stack.pop()
        elif token.endswith("("):
            stack.append(token != "(")
        elif not (stack and stack[-1]):
            found.append(Violation(_line(code, match.start()), "order-by", RULES["order-by"]))
    return found


def _top_level_select_lists(code: str) -> list[tuple[int, str]]:
    """(offset, text) of the select list of every SELECT outside parentheses (the query's output)."""
    lists = []
    depth = 0
    start: int | None = None
    for match in re.finditer(r"\(|\)|\bSELECT\b|\bFROM\b", code, re.IGNORECASE):
        token = match.group(0).upper()
        if token == "(":
            depth += 1
        elif token == ")":
            depth -= 1
        elif depth == 0 and token == "SELECT":
            start = match.end()
        elif depth == 0 and token == "FROM" and start is not None:
            lists.append((start, code[start : match.start()]))
            start = None
    return lists


def _split_top_level(text: str) -> list[tuple[int, str]]:
    items, depth, begin = [], 0, 0
    for index, char in enumerate(text):
        if char == "(":
            depth += 1
        elif char == ")":
            depth -= 1
        elif char == "," and depth == 0:
            items.append((begin, text[begin:index]))
            begin = index + 1
    items.append((begin, text[begin:]))
    return items


_USER_ID_ITEM = re.compile(
    r"(?:DISTINCT\s+)?(?:\w+\.)?user_id(?:\s+(?:AS\s+)?\w+)?|.*\bAS\s+user_id", re.I | re.S
)


def _user_id_output(code: str) -> list[Violation]:
    found = []
    for offset, select_list in _top_level_select_lists(code):
        for item_offset, item in _split_top_level(select_list):
            if _USER_ID_ITEM.fullmatch(item.strip()):
                position = offset + item_offset + (len(item) - len(item.lstrip()))
                found.append(Violation(_line(code, position), "user-id-output", RULES["user-id-output"]))
    return found


def _table_kinds(code: str, *, audience: bool) -> list[Violation]:
    """An audience reads only ``_for_audiences`` tables; a report reads none of them."""
    ctes = {name.lower() for name in re.findall(r"\b(\w+)\s+AS\s*\(", code, re.IGNORECASE)}
    found = []
    for match in re.finditer(r"\b(?:FROM|JOIN)\s+([A-Za-z_][\w.]*)", code, re.IGNORECASE):
        table = match.group(1).lower()
        if table in ctes or table == "table":  # a CTE, or TABLE(EXTEND_TIME_WINDOW(...))
            continue
        rule = None
        if audience and not table.endswith(AUDIENCE_SUFFIX):
            rule = "audience-table"
        elif not audience and table.endswith(AUDIENCE_SUFFIX):
            rule = "report-audience-table"
        if rule:
            detail = f"{RULES[rule]}, got {match.group(1)}"
            found.append(Violation(_line(code, match.start(1)), rule, detail))
    return found


def produced_labels(sql: str) -> set[str]:
    """The string literals a CASE in ``sql`` can yield (``THEN '...'`` / ``ELSE '...'``)."""
    return set(re.findall(r"\b(?:THEN|ELSE)\s+'((?:[^']|'')*)'", _mask(sql)[1], re.IGNORECASE))


def _unknown_segment_labels(text: str) -> list[Violation]:
    produced = produced_labels(text)
    found = []
    pattern = r"\bcustomer_audience_segment\s*(?:=|<>|!=)\s*'((?:[^']|'')*)'"
    for match in re.finditer(pattern, text, re.IGNORECASE):
        if match.group(1) not in produced:
            detail = f"{RULES['segment-label']}: {match.group(1)!r}"
            found.append(Violation(_line(text, match.start()), "segment-label", detail))
    return found


def find_violations(sql: str, *, audience: bool, synthetic_only: bool = False) -> list[Violation]:
    """Every violation in ``sql``, in line order.

    ``synthetic_only`` marks a reporting query run only on synthetic data with aggregation controls off
    (``disableAggregationControls``): the one kind of reporting query AMC lets output ``user_id``.
    """
    code, with_strings = _mask(sql)
    found = _simple_rules(code) + _order_by_outside_window(code) + _unknown_segment_labels(with_strings)
    found += _undocumented_casts(code)
    found += _table_kinds(code, audience=audience)
    found += [Violation(line, rule, f"{RULES[rule]}: {name}") for line, rule, name in unknown_names(sql)]
    if not audience and not synthetic_only:
        found += _user_id_output(code)
    return sorted(found, key=lambda violation: (violation.line, violation.rule))


def lint(
    sql: str,
    *,
    audience: bool,
    source: str,
    origins: Sequence[object] | None = None,
    synthetic_only: bool = False,
) -> None:
    """Check ``sql`` against the rules; raises WorkflowLintError ``file:line: rule: ...`` on a violation.

    ``origins`` (one per line, e.g. ``Origin('cltv.sql', 12)``) names the template line a rendered line
    came from; without it the line is counted in ``sql`` and reported against ``source``.
    ``synthetic_only``: see :func:`find_violations` (user_id may be output).
    """
    violations = find_violations(sql, audience=audience, synthetic_only=synthetic_only)
    if not violations:
        return
    described = []
    for violation in violations:
        if origins is not None and 0 < violation.line <= len(origins):
            where = str(origins[violation.line - 1])
            if not where.startswith(f"{source}:"):
                where = f"{where} (rendered into {source})"
        else:
            where = f"{source}:{violation.line}"
        described.append(violation.describe(where))
    more = f" (and {len(described) - 1} more: {'; '.join(described[1:])})" if len(described) > 1 else ""
    raise WorkflowLintError(f"{described[0]}{more}", violations=violations)
