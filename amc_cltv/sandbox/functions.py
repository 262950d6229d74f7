"""AMC's SQL functions on DuckDB (the functions page of AMC's SQL reference, docs/sandbox.md#amc-sql).

DuckDB has most of them under the same name and meaning. The others are either renamed at the call site
(``RENAMED``: DuckDB has the function under another name, or a macro below gives AMC's meaning where
DuckDB's differs) or created as macros (``MACROS``) once on the engine's database. ``UNSUPPORTED`` are the
functions AMC documents as not supported, with AMC's advice.
"""

from __future__ import annotations

# AMC's name -> what the call is rewritten to call.
RENAMED = {
    "collect": "list",  # COLLECT([DISTINCT] x): the values as an array
    "percentile": "quantile_cont",
    "approx_percentile": "approx_quantile",
    "regexp_split": "regexp_split_to_array",
    "regexp_substr": "regexp_extract",
    "explode": "unnest",
    "hash64": "hash",
    "cardinality": "len",  # DuckDB's cardinality is for maps
    "named_row": "struct_pack",  # its 'label', value pairs become label := value
    # Same name, another meaning in DuckDB:
    "dayofweek": "amc_dayofweek",  # AMC: 1 (Sunday) to 7; DuckDB: 0 (Sunday) to 6
    "regexp_replace": "amc_regexp_replace",  # AMC replaces every match; DuckDB only the first
}

MACROS = (
    "CREATE OR REPLACE MACRO seconds_between(a, b) AS "
    "((epoch_ms(CAST(b AS TIMESTAMP)) - epoch_ms(CAST(a AS TIMESTAMP))) // 1000)",
    # Seconds or milliseconds since the epoch, told apart by magnitude as AMC does.
    "CREATE OR REPLACE MACRO epoch_to_utc_timestamp(s) AS "
    "(CASE WHEN abs(s) >= 100000000000 THEN make_timestamp(CAST(s AS BIGINT) * 1000) "
    "ELSE make_timestamp(CAST(s AS BIGINT) * 1000000) END)",
    # The UTC timestamp as wall-clock time in the given zone (a TIMESTAMP without zone, as AMC returns it).
    "CREATE OR REPLACE MACRO convert_time_zone_from_utc(ts, tz) AS "
    "(timezone(tz, timezone('UTC', CAST(ts AS TIMESTAMP))))",
    *(
        f"CREATE OR REPLACE MACRO {name}(sub, s) AS strpos(s, sub), (sub, s, start) AS "
        "(CASE WHEN strpos(s[start:], sub) = 0 THEN 0 ELSE strpos(s[start:], sub) + start - 1 END)"
        for name in ("charindex", "locate")
    ),
    "CREATE OR REPLACE MACRO e() AS exp(1)",
    "CREATE OR REPLACE MACRO nvl(a, b) AS coalesce(a, b)",
    "CREATE OR REPLACE MACRO nvl2(a, b, c) AS (CASE WHEN a IS NOT NULL THEN b ELSE c END)",
    "CREATE OR REPLACE MACRO array_complement(a, b) AS [x FOR x IN a IF NOT list_contains(b, x)]",
    "CREATE OR REPLACE MACRO array_remove(a, v) AS [x FOR x IN a IF x <> v]",
    "CREATE OR REPLACE MACRO array_union(a, b) AS list_distinct(list_concat(a, b))",
    "CREATE OR REPLACE MACRO str_to_map(s, pair, kv) AS map_from_entries("
    "[{'key': split_part(x, kv, 1), 'value': split_part(x, kv, 2)} FOR x IN string_split(s, pair)])",
    "CREATE OR REPLACE MACRO to_varbinary(s, kind) AS (CASE lower(kind) WHEN 'hex' THEN unhex(s) "
    "WHEN 'base64' THEN from_base64(s) ELSE encode(s) END)",
    "CREATE OR REPLACE MACRO from_varbinary(b, kind) AS (CASE lower(kind) WHEN 'hex' THEN hex(b) "
    "WHEN 'base64' THEN to_base64(b) ELSE decode(b) END)",
    "CREATE OR REPLACE MACRO json_serialize(j) AS CAST(to_json(j) AS VARCHAR)",
    "CREATE OR REPLACE MACRO amc_dayofweek(d) AS (dayofweek(d) + 1)",
    "CREATE OR REPLACE MACRO amc_regexp_replace(s, p, r) AS regexp_replace(s, p, r, 'g')",
    # Cast targets of AMC's data types table that DuckDB does not name (LONG, SHORT, STRING, CHAR it does).
    "CREATE TYPE IF NOT EXISTS symbol AS VARCHAR",
    "CREATE TYPE IF NOT EXISTS byte AS TINYINT",
)

# Documented as not supported, with AMC's advice ("Limitations and unsupported functions").
UNSUPPORTED = {
    "getdate": (
        "GETDATE() is not supported in AMC SQL; use CAST('now' AS TIMESTAMP) or CAST('today' AS DATE)."
    ),
}

# CAST('today' AS DATE) and CAST('now' AS TIMESTAMP): AMC's documented way to read the current time.
NOW_LITERALS = {"today": "current_date", "now": "CAST(current_timestamp AS TIMESTAMP)"}
