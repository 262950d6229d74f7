"""The workflow definitions on disk: ``workflows/<name>.toml`` (metadata) beside the SQL it names.

The folder is found in the source tree first, then in the installed package (``amc_cltv/_workflows``).
"""

from __future__ import annotations

import tomllib
from functools import cache
from pathlib import Path
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from amc_cltv.errors import ConfigError

AMC_DATA_TYPES = Literal[
    "BINARY",
    "BOOLEAN",
    "BYTE",
    "DATE",
    "DECIMAL",
    "DOUBLE",
    "FLOAT",
    "INTEGER",
    "LONG",
    "SHORT",
    "STRING",
    "TIMESTAMP",
]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class ParameterSpec(_Strict):
    """One AMC input parameter, read in the SQL with ``CUSTOM_PARAMETER('name')``."""

    name: Annotated[str, Field(pattern=r"^[a-z][a-z0-9_]*$")]
    data_type: AMC_DATA_TYPES
    default: str
    description: str
    allowed: tuple[str, ...] = ()
    derived_from: str | None = None  # computed by amc-cltv from another parameter, never set by hand

    def as_input_parameter(self) -> dict[str, str]:
        """The AMC ``inputParameters`` entry."""
        return {
            "name": self.name,
            "dataType": self.data_type,
            "columnType": "DIMENSION",
            "defaultValue": self.default,
            "description": self.description,
            "displayName": self.name.replace("_", " "),
        }


class OutputColumn(_Strict):
    """One column of the result: its name (the CSV header, in order), the type the tool reads its cells as,
    and what it holds.

    It is not sent to AMC as ``outputColumns``: AMC checks those at compile time against the types it
    infers, and the result types of ``/``, ``AVG`` of a LONG and ``SECONDS_BETWEEN`` are not documented
    (docs/amc-api.md §5.4), so a declared type would be a guess there. ``data_type`` only says how the
    downloaded CSV is read (``amc_cltv.results``): a text cell becomes a number or stays text as declared
    here, never as a reader guesses from the values.
    """

    name: Annotated[str, Field(pattern=r"^[a-z][a-z0-9_]*$")]
    data_type: AMC_DATA_TYPES
    description: str

    def as_output_column(self) -> dict[str, str]:
        return {"name": self.name, "description": self.description}


class WorkflowDefinition(_Strict):
    """The contents of ``workflows/<name>.toml``."""

    name: str
    description: str
    sql: str
    audience: bool
    # The workflow's own workflowExecutionTimeoutSeconds, used only when the profile sets none (None: AMC's).
    execution_timeout_s: Annotated[int | None, Field(ge=900, le=86400)] = None
    segment: str | None = None  # the segment label an audience selects
    parameters: tuple[ParameterSpec, ...] = ()
    output_columns: Annotated[tuple[OutputColumn, ...], Field(min_length=1)]
    render: dict[str, bool] = Field(default_factory=dict)  # template flags fixed for this workflow
    # Outputs user_id (one row per user): AMC runs it only on synthetic data with disableAggregationControls.
    synthetic_only: bool = False
    # How often the workflow is meant to run; "monthly" has no AMC schedule (Daily/Weekly only): cron runs it.
    cadence: Literal["daily", "weekly", "monthly"] | None = None

    @model_validator(mode="after")
    def _synthetic_only_is_a_report(self) -> WorkflowDefinition:
        if self.synthetic_only and self.audience:
            raise ValueError("synthetic_only is for a reporting query; an audience always outputs user_id")
        return self


def workflows_dir() -> Path:
    """The ``workflows/`` folder: the source tree's, else the installed copy."""
    here = Path(__file__).resolve().parent.parent  # amc_cltv/
    for candidate in (here.parent / "workflows", here / "_workflows"):
        if candidate.is_dir() and any(candidate.glob("*.toml")):
            return candidate
    raise ConfigError("the workflows folder is missing from the installation")


@cache
def load_definitions(folder: Path | None = None) -> dict[str, WorkflowDefinition]:
    """Every workflow defined in ``folder`` (default: :func:`workflows_dir`), by name."""
    root = folder or workflows_dir()
    definitions: dict[str, WorkflowDefinition] = {}
    for path in sorted(root.glob("*.toml")):
        name = path.stem
        try:
            raw = tomllib.loads(path.read_text(encoding="utf-8"))
            definition = WorkflowDefinition.model_validate({"name": name, **raw})
        except tomllib.TOMLDecodeError as exc:
            raise ConfigError(f"{path.name}: not valid TOML: {exc}") from None
        except ValidationError as exc:
            error = exc.errors()[0]
            key = ".".join(str(part) for part in error["loc"])
            raise ConfigError(f"{path.name}: invalid workflow metadata at '{key}': {error['msg']}") from None
        if not (root / definition.sql).is_file():
            raise ConfigError(f"{path.name}: the SQL file {definition.sql} does not exist")
        definitions[name] = definition
    return definitions
