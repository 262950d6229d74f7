"""Executes AMC SQL on DuckDB the way AMC would.

Each execution gets its own cursor on which every AMC table is shadowed by a TEMP view holding only the rows
inside the time window ``[time_window_start, time_window_end)`` on the table's event timestamp, AMC's
functions exist as macros, ``CUSTOM_PARAMETER``/``BUILT_IN_PARAMETER`` calls are replaced by literals, and
AMC's rules are checked on the parsed query. Compile-time problems raise ``Rejected`` (AMC: REJECTED with a
``statusReason``); errors while the query runs raise ``Failed`` (AMC: FAILED with the engine's message).
"""

from __future__ import annotations

import math
import re
import uuid
from collections.abc import Mapping
from datetime import UTC, datetime
from pathlib import Path

import duckdb

from amc_cltv.sandbox.dialect import MACROS, SqlRuleViolation, parse, sql_literal
from amc_cltv.sandbox.documented_columns import view_sql
from amc_cltv.sandbox.tables import ALL_TABLES, STORED_FILES

# AMC writes TIMESTAMP columns as yyyy-MM-dd'T'HH:mm:ss.SSS and DATE columns as yyyy-MM-dd.
_CSV_OPTIONS = (
    "HEADER, DELIMITER ',', QUOTE '\"', TIMESTAMPFORMAT '%Y-%m-%dT%H:%M:%S.%g', DATEFORMAT '%Y-%m-%d'"
)


STORED_PREFIX = "__stored_"

# The columns from which the sandbox reads the users behind an output row (it does not track them itself).
USER_COUNT_COLUMNS = ("num_users", "users", "unique_users_reached", "ntb_customers")


def _is_dimension(column: str, kind: str) -> bool:
    return kind.upper() in ("VARCHAR", "DATE", "TIMESTAMP", "BOOLEAN") or column.lower().endswith("_id")


class Rejected(Exception):
    """AMC would reject the query at compile time; ``status_reason`` is what AMC reports."""

    def __init__(self, status_reason: str) -> None:
        super().__init__(status_reason)
        self.status_reason = status_reason


class Failed(Exception):
    """The query failed while running; the message is the engine's."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def _naive_utc(moment: datetime) -> datetime:
    if moment.tzinfo is not None:
        moment = moment.astimezone(UTC).replace(tzinfo=None)
    return moment


class QueryResult:
    """The result of one execution, held in DuckDB (with a hidden row number) until read or written as CSV."""

    def __init__(
        self, cursor: duckdb.DuckDBPyConnection, table: str, columns: list[str], row_count: int
    ) -> None:
        self._cursor = cursor
        self._table = table
        self.columns = columns
        self.row_count = row_count

    @property
    def rows(self) -> list[tuple[object, ...]]:
        """Every row, in the order the query produced them."""
        return self._cursor.execute(
            f"SELECT * EXCLUDE (__amc_row) FROM {self._table} ORDER BY __amc_row"
        ).fetchall()

    def write_csv(self, out_dir: Path, max_rows_per_file: int, *, max_files: int = 5) -> list[Path]:
        """Write ``part-1.csv``, ``part-2.csv``, ... each with the header; never more than ``max_files`` files
        (the rows per file grow instead). An empty result is one file holding only the header."""
        out_dir.mkdir(parents=True, exist_ok=True)
        per_file = max(1, max_rows_per_file, math.ceil(self.row_count / max_files))
        parts = max(1, math.ceil(self.row_count / per_file))
        paths: list[Path] = []
        for index in range(parts):
            path = out_dir / f"part-{index + 1}.csv"
            query = (
                f"SELECT * EXCLUDE (__amc_row) FROM {self._table} "
                f"WHERE __amc_row >= {index * per_file} AND __amc_row < {(index + 1) * per_file} "
                "ORDER BY __amc_row"
            )
            self._cursor.execute(f"COPY ({query}) TO {sql_literal(str(path))} ({_CSV_OPTIONS})")
            paths.append(path)
        return paths

    def apply_aggregation_threshold(
        self, threshold: int, *, discriminator: str | None, reason_column: str | None
    ) -> None:
        """Filter the rows with fewer than ``threshold`` users, as AMC's aggregation thresholds do.

        The sandbox does not track the users behind a row; it reads them from the row's user-count column
        (the first of ``USER_COUNT_COLUMNS`` the query outputs; a query without one is never filtered).
        Without ``discriminator`` the rows are removed. With it (AMC's ``filteredMetricsDiscriminatorColumn``)
        they are kept: their dimensions (text, date and ``*_id`` columns) become NULL, they are re-aggregated
        into one row by SUM, the discriminator is TRUE on it and FALSE elsewhere, and ``reason_column`` (AMC's
        ``filteredReasonColumn``) says why.
        """
        count = next((c for c in self.columns if c.lower() in USER_COUNT_COLUMNS), None)
        below = f'"{count}" < {int(threshold)}' if threshold > 0 and count else "FALSE"
        old = self._table
        if discriminator is None:
            if below == "FALSE":
                return
            query = f"SELECT * EXCLUDE (__amc_row) FROM {old} WHERE NOT ({below}) ORDER BY __amc_row"
        else:
            types = {str(r[0]): str(r[1]) for r in self._cursor.execute(f"DESCRIBE {old}").fetchall()}
            names = [f'"{c}"' for c in self.columns]
            extra = [f'"{discriminator}"'] + ([f'"{reason_column}"'] if reason_column else [])
            why = sql_literal(f"'{count}' users < {int(threshold)} required")
            kept = [*names, "FALSE", *(["CAST(NULL AS VARCHAR)"] if reason_column else []), "__amc_row"]
            merged = [
                *(
                    f"CAST(NULL AS {types[c]})" if _is_dimension(c, types[c]) else f'SUM("{c}")'
                    for c in self.columns
                ),
                "TRUE",
                *([why] if reason_column else []),
                "9223372036854775807",
            ]
            labels = ", ".join([*names, *extra, "__k"])
            query = (
                f"SELECT {', '.join(names + extra)} FROM ("
                f"SELECT {', '.join(kept)} FROM {old} WHERE NOT ({below}) "
                f"UNION ALL SELECT {', '.join(merged)} FROM {old} WHERE {below} HAVING count(*) > 0"
                f") AS t({labels}) ORDER BY __k"
            )
        new = f"__amc_result_{uuid.uuid4().hex[:12]}"
        self._cursor.execute(
            f"CREATE TEMP TABLE {new} AS SELECT *, (row_number() OVER () - 1) AS __amc_row FROM ({query})"
        )
        self._cursor.execute(f"DROP TABLE {old}")
        self._table = new
        described = self._cursor.execute(f"DESCRIBE {new}").fetchall()
        self.columns = [str(r[0]) for r in described if r[0] != "__amc_row"]
        row = self._cursor.execute(f"SELECT count(*) FROM {new}").fetchone()
        self.row_count = int(row[0]) if row else 0

    def distinct_count(self, column: str) -> int:
        """The number of distinct non-NULL values of ``column`` (an audience's size)."""
        row = self._cursor.execute(f'SELECT count(DISTINCT "{column}") FROM {self._table}').fetchone()
        return int(row[0]) if row else 0

    def close(self) -> None:
        """Drop the result and its cursor."""
        self._cursor.close()


class Engine:
    """AMC SQL over DuckDB tables that carry AMC's names (base tables and ``_for_audiences`` twins)."""

    def __init__(self, connection: duckdb.DuckDBPyConnection, *, stored_views: bool = False) -> None:
        """``stored_views``: ``connection`` holds ``__stored_<file>`` views of the generator's files (as
        :meth:`over_parquet` makes), from which an execution derives only the documented columns it reads."""
        self._connection = connection
        self._stored_views = stored_views
        row = connection.execute("SELECT current_database()").fetchone()
        self._catalog = str(row[0]) if row else "memory"
        for macro in MACROS:  # once: every execution's cursor sees them
            connection.execute(macro)

    @classmethod
    def over_parquet(
        cls, data_dir: Path, *, results_dir: Path | None = None, memory_limit: str | None = None
    ) -> Engine:
        """An engine whose tables are views over the generator's ``<data_dir>/<file>.parquet``.

        Each view gives every documented column of its table (``sandbox.documented_columns``); twins read
        the same files. Executed SQL reaches no file, environment variable, network address or extension:
        DuckDB's external access is off and its configuration locked, with only ``data_dir`` (the tables),
        ``results_dir`` (where result CSVs are written) and the spill folder under it allowed.
        """
        connection = duckdb.connect()
        if memory_limit:
            connection.execute(f"SET memory_limit = {sql_literal(memory_limit)}")
        for stored in STORED_FILES:
            path = sql_literal(str(data_dir / f"{stored}.parquet"))
            connection.execute(f'CREATE VIEW "{STORED_PREFIX}{stored}" AS SELECT * FROM read_parquet({path})')
        for name, table in ALL_TABLES.items():
            connection.execute(
                f'CREATE VIEW "{name}" AS {view_sql(table, f"{STORED_PREFIX}{table.stored_in}")}'
            )
        # DuckDB spills to its temp directory past the memory limit: it must be an allowed one too.
        spill = (results_dir or data_dir) / ".spill"
        connection.execute(f"SET temp_directory = {sql_literal(str(spill.resolve()))}")
        allowed = [data_dir, *([results_dir] if results_dir is not None else []), spill]
        listed = ", ".join(sql_literal(f"{folder.resolve()}/") for folder in allowed)
        connection.execute(f"SET allowed_directories = [{listed}]")
        connection.execute("SET enable_external_access = false")
        connection.execute("SET lock_configuration = true")
        return cls(connection, stored_views=True)

    @property
    def connection(self) -> duckdb.DuckDBPyConnection:
        return self._connection

    def _stored_tables(self, cursor: duckdb.DuckDBPyConnection) -> set[str]:
        rows = cursor.execute(
            "SELECT lower(table_name) FROM information_schema.tables "
            "WHERE table_catalog = ? AND table_schema = 'main'",
            [self._catalog],
        ).fetchall()
        return {str(r[0]) for r in rows}

    def execute(
        self,
        sql: str,
        *,
        time_window_start: datetime,
        time_window_end: datetime,
        parameters: Mapping[str, object] | None = None,
        audience: bool = False,
        disable_aggregation_controls: bool = False,
        unavailable_tables: frozenset[str] = frozenset(),
        unread_tables: frozenset[str] = frozenset(),
    ) -> QueryResult:
        """Run ``sql`` over the time window; raises Rejected (AMC rule, unknown table/parameter) or Failed.

        ``unavailable_tables`` are tables this instance does not give the query (a paid dataset it lacks):
        reading one is rejected at compile time like an unknown table. ``unread_tables`` hold no row the
        execution may read (its ``advertisers`` restriction leaves out every advertiser of their kind).
        """
        cursor, sql_to_run, columns = self._compile(
            sql,
            time_window_start=time_window_start,
            time_window_end=time_window_end,
            parameters=parameters,
            audience=audience,
            disable_aggregation_controls=disable_aggregation_controls,
            unavailable_tables=unavailable_tables,
            unread_tables=unread_tables,
        )
        try:
            table = f"__amc_result_{uuid.uuid4().hex[:12]}"
            try:
                cursor.execute(
                    f"CREATE TEMP TABLE {table} AS "
                    f"SELECT *, (row_number() OVER () - 1) AS __amc_row FROM ({sql_to_run})"
                )
                count_row = cursor.execute(f"SELECT count(*) FROM {table}").fetchone()
            except duckdb.Error as exc:
                raise Failed(_first_line(exc)) from None
        except BaseException:
            cursor.close()
            raise
        return QueryResult(cursor, table, columns, int(count_row[0]) if count_row else 0)

    def compile(
        self,
        sql: str,
        *,
        time_window_start: datetime,
        time_window_end: datetime,
        parameters: Mapping[str, object] | None = None,
        audience: bool = False,
        disable_aggregation_controls: bool = False,
        unavailable_tables: frozenset[str] = frozenset(),
        unread_tables: frozenset[str] = frozenset(),
    ) -> list[str]:
        """Validate and compile ``sql`` as AMC's ``dryRun`` does, without running it; its output columns.

        Raises Rejected exactly where :meth:`execute` would.
        """
        cursor, _, columns = self._compile(
            sql,
            time_window_start=time_window_start,
            time_window_end=time_window_end,
            parameters=parameters,
            audience=audience,
            disable_aggregation_controls=disable_aggregation_controls,
            unavailable_tables=unavailable_tables,
            unread_tables=unread_tables,
        )
        cursor.close()
        return columns

    def _compile(
        self,
        sql: str,
        *,
        time_window_start: datetime,
        time_window_end: datetime,
        parameters: Mapping[str, object] | None,
        audience: bool,
        disable_aggregation_controls: bool,
        unavailable_tables: frozenset[str],
        unread_tables: frozenset[str] = frozenset(),
    ) -> tuple[duckdb.DuckDBPyConnection, str, list[str]]:
        start, end = _naive_utc(time_window_start), _naive_utc(time_window_end)
        if end <= start:
            raise Rejected("The time window end must be after its start.")
        built_in = {"TIME_WINDOW_START": start, "TIME_WINDOW_END": end}
        cursor = self._connection.cursor()
        try:
            try:
                parsed = parse(
                    sql, parameters=parameters or {}, built_in=built_in, audience=audience, connection=cursor
                )
            except SqlRuleViolation as exc:
                raise Rejected(str(exc)) from None
            missing = sorted(parsed.tables & unavailable_tables)
            if missing:
                raise Rejected(f"Table or view not found: {missing[0]}.")
            stored = self._stored_tables(cursor)
            for name in sorted(parsed.tables):
                if name not in stored:
                    raise Rejected(f"Table or view not found: {name}.")
                self._window_view(cursor, name, name, (start, end), unread_tables, parsed.columns)
            for view, (name, before, after) in parsed.extended.items():
                window = (start - before, end + after)
                self._window_view(cursor, view, name, window, unread_tables, parsed.columns)
            columns = self._bind(cursor, parsed.sql)
            # A user_id column reference in the final SELECT counts even when an alias renames it.
            outputs = [*columns, "user_id"] if parsed.outputs_user_id and not audience else columns
            self._check_output(
                outputs, audience=audience, disable_aggregation_controls=disable_aggregation_controls
            )
        except BaseException:
            cursor.close()
            raise
        return cursor, parsed.sql, columns

    def _window_view(
        self,
        cursor: duckdb.DuckDBPyConnection,
        view: str,
        name: str,
        window: tuple[datetime, datetime],
        unread_tables: frozenset[str],
        columns: set[str],
    ) -> None:
        """``view``: the rows of table ``name`` inside ``window`` (``[start, end)``) on its event timestamp;
        over the generator's files, with the stored columns and the documented ones the query names."""
        table = ALL_TABLES[name]
        column = table.time_column
        unread = " AND false" if name in unread_tables else ""
        if self._stored_views:
            stored = f'"{self._catalog}".main."{STORED_PREFIX}{table.stored_in}"'
            source = f"({view_sql(table, stored, frozenset(columns))})"
        else:
            source = f'"{self._catalog}".main."{name}"'
        start, end = window
        try:
            cursor.execute(
                f'CREATE OR REPLACE TEMP VIEW "{view}" AS SELECT * FROM {source} '
                f'WHERE "{column}" >= {sql_literal(start)} AND "{column}" < {sql_literal(end)}{unread}'
            )
        except duckdb.Error as exc:  # a hand-made table without the AMC time column
            raise Rejected(
                f"Table {name} cannot be restricted to the time window: {_first_line(exc)}"
            ) from None

    @staticmethod
    def _bind(cursor: duckdb.DuckDBPyConnection, sql: str) -> list[str]:
        try:
            described = cursor.execute(f"DESCRIBE ({sql})").fetchall()
        except duckdb.Error as exc:
            raise Rejected(_amc_message(_first_line(exc))) from None
        return [str(row[0]) for row in described]

    @staticmethod
    def _check_output(columns: list[str], *, audience: bool, disable_aggregation_controls: bool) -> None:
        lowered = [c.lower() for c in columns]
        if audience:
            if "user_id" not in lowered:
                raise Rejected("An audience query must select user_id.")
            return
        if "user_id" in lowered and not disable_aggregation_controls:
            raise Rejected(
                "Column user_id cannot be part of the output of a query: it can only be used in "
                "aggregations, joins and audience queries."
            )


_NO_FUNCTION = re.compile(
    r"Catalog Error: (?:Scalar|Aggregate|Table) Function with name (\w+) does not exist!"
)


def _amc_message(message: str) -> str:
    """DuckDB's compile error, named as AMC would name it where they differ (an unknown function)."""
    match = _NO_FUNCTION.match(message)
    if match:
        name = match.group(1).upper()
        return f"Function {name} is not supported in AMC SQL: it is not on AMC's list of SQL functions."
    return message


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip()
    return text.splitlines()[0] if text else exc.__class__.__name__
