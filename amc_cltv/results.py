"""Downloaded result CSVs, read the one way the tool reads them.

AMC writes a result as up to five part files, each UTF-8 (a byte order mark is allowed) with its own header
row (docs/amc-api.md §3.6). Every reader of a result goes through :class:`ResultFiles`:

- columns are found by name, lower-cased, across every part file (union by name: a column one file lacks
  is None in its rows), in the order they first appear;
- each cell is typed as the workflow declares its column (``data_type`` of ``[[output_columns]]`` in
  ``workflows/<name>.toml``, through ``catalog.result_columns``), never as a reader guesses from the values
  (``2026-03`` stays text, ``40`` in a DOUBLE column is 40.0); an empty cell is None; a column the
  workflow does not declare stays text;
- a file without a header row, a row of the wrong width, a cell not of its declared type or text that is
  not UTF-8 raises MalformedResult naming the file and line (never the cell: it may be customer data);
- a result up to :data:`SMALL_BYTES` is read with the ``csv`` module, which costs nothing to start: a DuckDB
  connection cost more than reading a result of a few megabytes, and the tool reads one per execution. A
  larger one is streamed from DuckDB, which also runs :meth:`ResultFiles.query`, an aggregate over a result
  too large to walk in Python.

    from amc_cltv.results import ResultFiles
    table = ResultFiles.of(outcome.files, "segmentation").table()
    table.missing("num_users"), table.rows[0]["num_users"]     # [], 1234 (an int: the column is LONG)
"""

from __future__ import annotations

import csv
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, datetime
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Any, TextIO

from amc_cltv.errors import MalformedResult, Remedy, local_fault

if TYPE_CHECKING:
    from duckdb import DuckDBPyConnection

# Up to this many bytes a result is small: walking its rows in Python beats starting DuckDB.
SMALL_BYTES = 8 * 1024 * 1024
_TRUE = frozenset({"true", "t", "yes", "y", "1"})  # the words DuckDB's BOOLEAN cast takes, for one meaning
_FALSE = frozenset({"false", "f", "no", "n", "0"})


def _boolean(cell: str) -> bool:
    word = cell.strip().lower()
    if word in _TRUE:
        return True
    if word in _FALSE:
        return False
    raise ValueError("not a boolean")


# AMC's data types (workflows.definitions.AMC_DATA_TYPES): how a cell is read, and DuckDB's name for it.
_TYPES: dict[str, tuple[Callable[[str], Any], str]] = {
    "STRING": (str, "VARCHAR"),
    "BINARY": (str, "VARCHAR"),
    "BYTE": (int, "BIGINT"),
    "SHORT": (int, "BIGINT"),
    "INTEGER": (int, "BIGINT"),
    "LONG": (int, "BIGINT"),
    "FLOAT": (float, "DOUBLE"),
    "DOUBLE": (float, "DOUBLE"),
    "DECIMAL": (float, "DOUBLE"),
    "BOOLEAN": (_boolean, "BOOLEAN"),
    "DATE": (lambda cell: date.fromisoformat(cell.strip()), "DATE"),
    "TIMESTAMP": (lambda cell: datetime.fromisoformat(cell.strip()), "TIMESTAMP"),
}
_UNDECLARED = "STRING"
_BATCH = 10_000


def header_columns(line: str) -> list[str]:
    """The column names of a header row, as every reader compares them: stripped and lower-cased."""
    return [name.strip().lower() for name in next(csv.reader([line]), [])]


def _malformed(path: Path, why: str, line: int | None = None) -> MalformedResult:
    where = f"{path}, line {line}" if line is not None else str(path)
    return MalformedResult(
        f"{where}: not a result CSV the workflow writes ({why}); the file is left as downloaded",
        remedy=Remedy.FORCE_RERUN,
        path=str(path),
    )


@dataclass(frozen=True)
class ResultTable:
    """Every row of a result as dicts keyed by lower-cased column name, and the columns in file order."""

    columns: tuple[str, ...]
    rows: tuple[dict[str, Any], ...] = field(default_factory=tuple)

    def missing(self, *needed: str) -> list[str]:
        """The needed columns this table does not have."""
        return [name for name in needed if name not in self.columns]


class ResultFiles:
    """The part files of one result and the types of its columns; reads nothing until asked.

    Raises MalformedResult for a file that is not a result CSV, LocalFault for one that cannot be opened.
    """

    def __init__(self, files: Sequence[Path], types: Mapping[str, str]) -> None:
        self.files = tuple(files)
        self.types = dict(types)

    @classmethod
    def of(cls, files: Sequence[Path], workflow: str) -> ResultFiles:
        """The files of a ``workflow`` result, typed as its TOML declares (UsageError on an unknown name)."""
        from amc_cltv.workflows.catalog import result_columns

        return cls(files, result_columns(workflow))

    @property
    def small(self) -> bool:
        """Small enough to walk in Python (:data:`SMALL_BYTES`)."""
        return self._size() <= SMALL_BYTES

    def _size(self) -> int:
        total = 0
        for path in self.files:
            try:
                total += path.stat().st_size
            except OSError as error:
                raise local_fault(error, "read the result file", path) from None
        return total

    @cached_property
    def headers(self) -> tuple[tuple[str, ...], ...]:
        """Each file's column names (one line of each is read)."""
        return tuple(self._header(path) for path in self.files)

    @property
    def columns(self) -> tuple[str, ...]:
        """Every file's columns, by name, in the order they first appear."""
        return tuple(dict.fromkeys(name for header in self.headers for name in header))

    def _header(self, path: Path) -> tuple[str, ...]:
        with self._open(path) as stream:
            return self._read_header(path, csv.reader(stream))

    def _open(self, path: Path) -> TextIO:
        try:
            return path.open(newline="", encoding="utf-8-sig")
        except OSError as error:
            raise local_fault(error, "read the result file", path) from None

    @staticmethod
    def _read_header(path: Path, reader: Iterator[list[str]]) -> tuple[str, ...]:
        try:
            first = next(reader, None)
        except (csv.Error, UnicodeDecodeError) as error:
            raise _malformed(path, _why(error), 1) from None
        columns = tuple(name.strip().lower() for name in first or ())
        if not columns or not all(columns):
            raise _malformed(path, "no header row" if not columns else "a column without a name", 1)
        if len(set(columns)) != len(columns):
            raise _malformed(path, "a column named twice", 1)
        return columns

    def __iter__(self) -> Iterator[dict[str, Any]]:
        """Every row of every file, in order, typed; each holds every column of :attr:`columns`."""
        return self.select(*self.columns)

    def select(self, *names: str) -> Iterator[dict[str, Any]]:
        """Every row, holding only the columns ``names`` (None where a file lacks one): only those cells
        are typed, the others are not read."""
        if not self.small:
            return self._streamed(names)
        return (row for path in self.files for row in self._rows(path, names))

    def _rows(self, path: Path, names: tuple[str, ...]) -> Iterator[dict[str, Any]]:
        blank = dict.fromkeys(names)
        with self._open(path) as stream:
            reader = csv.reader(stream)
            header = self._read_header(path, reader)
            picked = [
                (index, name, _TYPES[self.types.get(name, _UNDECLARED)][0])
                for index, name in enumerate(header)
                if name in blank
            ]
            width = len(header)
            try:
                for cells in reader:
                    if len(cells) != width:
                        if not cells:
                            continue  # a blank line
                        raise _malformed(
                            path, f"{len(cells)} fields where the header has {width}", reader.line_num
                        )
                    row = blank.copy()
                    for index, name, parse in picked:
                        if cell := cells[index]:
                            row[name] = cell if parse is str else parse(cell)
                    yield row
            except ValueError as error:
                if not isinstance(error, UnicodeDecodeError):
                    raise self._not_typed(path, header, names, cells, reader.line_num) from None
                raise _malformed(path, _why(error), reader.line_num) from None
            except csv.Error as error:
                raise _malformed(path, _why(error), reader.line_num) from None

    def _not_typed(
        self, path: Path, header: tuple[str, ...], names: tuple[str, ...], cells: list[str], line: int
    ) -> MalformedResult:
        """The error for a row with a cell that is not of its column's declared type (the first such)."""
        for name, cell in zip(header, cells, strict=True):
            declared = self.types.get(name, _UNDECLARED)
            try:
                if cell and name in names:
                    _TYPES[declared][0](cell)
            except ValueError:
                return _malformed(path, f"column {name} is not {declared}", line)
        return _malformed(path, "a cell not of its declared type", line)

    def table(self) -> ResultTable:
        """Every row at once (a result the tool shows or sums whole)."""
        return ResultTable(self.columns, tuple(self))

    def query(self, sql: str, parameters: Sequence[Any] = ()) -> list[tuple[Any, ...]]:
        """The rows of ``sql`` run in DuckDB over the files as the view ``result``, typed as declared:
        for an aggregate over a result too large to walk in Python. No files: no rows."""
        if not self.files:
            return []
        with self._duckdb() as db:
            return db.execute(sql, list(parameters)).fetchall()

    def _streamed(self, names: tuple[str, ...]) -> Iterator[dict[str, Any]]:
        present = [name for name in names if name in self.columns]
        selected = ", ".join(f'"{name}"' for name in present) or "NULL"
        blank = dict.fromkeys(names)
        with self._duckdb() as db:
            cursor = db.execute(f"SELECT {selected} FROM result")
            while batch := cursor.fetchmany(_BATCH):
                for values in batch:
                    row = blank.copy()
                    row.update(zip(present, values, strict=False))  # no column present: the NULL is left out
                    yield row

    @contextmanager
    def _duckdb(self) -> Iterator[DuckDBPyConnection]:
        """A DuckDB connection with the view ``result``: every file by name, each column typed."""
        import duckdb  # only here: a small result never pays for starting it

        columns = self.columns  # every header is checked first: a file without one is named
        typed = ", ".join(f'{_cast(name, self._duck_type(name))} AS "{name}"' for name in columns)
        files = [str(path) for path in self.files]
        with duckdb.connect() as db:
            try:
                # The dialect is told, not sniffed: a one-column file has no delimiter to find.
                raw = db.read_csv(
                    files, header=True, all_varchar=True, union_by_name=True, sep=",", quotechar='"',
                    escapechar='"',
                )  # fmt: skip
                lowered = ", ".join(f'"{name}" AS "{name.strip().lower()}"' for name in raw.columns)
                raw.select(lowered).select(typed).create_view("result")
                yield db
            except duckdb.Error as error:
                # DuckDB's message may quote a line of the file (customer data): only its kind is said.
                raise MalformedResult(
                    f"{', '.join(files)}: not a result CSV the workflow writes ({type(error).__name__} in "
                    "DuckDB); the files are left as downloaded",
                    remedy=Remedy.FORCE_RERUN,
                ) from None

    def _duck_type(self, name: str) -> str:
        return _TYPES[self.types.get(name, _UNDECLARED)][1]


def _cast(name: str, duck_type: str) -> str:
    column = f"NULLIF(\"{name}\", '')"  # an empty cell is None, quoted or not, as the csv path reads it
    if duck_type == "VARCHAR":
        return column
    if duck_type == "BOOLEAN":  # 'TRUE', ' true ': as the csv path reads them
        return f"CAST(lower(trim({column})) AS BOOLEAN)"
    return f"CAST({column} AS {duck_type})"


def _why(error: Exception) -> str:
    if isinstance(error, UnicodeDecodeError):
        return "not UTF-8 text"
    return f"CSV: {error}"  # the csv module's reasons name no cell ("line contains NUL", a field too large)


def read_table(files: Sequence[Path], workflow: str) -> ResultTable:
    """Every row of a ``workflow`` result's files, typed as its TOML declares."""
    return ResultFiles.of(files, workflow).table()


# The columns the code reads by name, each named once here. Where code reads some of a workflow's result it
# says so with ``reads``, which records the pair: a test holds every recorded column to the workflow's TOML,
# so a column renamed or dropped there fails the tests rather than a report.
SEGMENT = "customer_audience_segment"
NUM_USERS = "num_users"
TOTAL_SALES = "total_sales"
TOTAL_SPEND = "total_spend"
TOTAL_UNITS_SOLD = "total_units_sold"
CLTV = "cltv"
COHORT_MONTH = "cohort_month"
USER_ID = "user_id"
USERS = "users"
TRACKED_ASIN = "tracked_asin"
NTB_CUSTOMERS = "ntb_customers"
AVG_LIFETIME_SCORE = "avg_lifetime_score"
AVG_VALUE_SCORE = "avg_value_score"
CAMPAIGN_ID = "campaign_id"
UNIQUE_USERS_REACHED = "unique_users_reached"
UNIQUE_USERS_PURCHASED = "unique_users_purchased"
USER_CONVERSION_RATE = "user_conversion_rate"

_READS: dict[str, set[str]] = {}


def reads(workflow: str, *columns: str) -> tuple[str, ...]:
    """``columns``, which the calling module reads by name from ``workflow``'s result (recorded for the
    test that holds them to ``workflows/<workflow>.toml``)."""
    _READS.setdefault(workflow, set()).update(columns)
    return columns


def recorded_reads() -> dict[str, frozenset[str]]:
    """Every column recorded by :func:`reads` so far (the modules imported so far), per workflow."""
    return {workflow: frozenset(columns) for workflow, columns in _READS.items()}
