"""Rendering a workflow's SQL template into the exact SQL uploaded to AMC.

The template language is deliberately tiny, and every rendered line remembers the file and line it came
from, so the lint can name them:

- ``{{name}}`` is replaced by a value (table names: which conversions table, the ``_for_audiences`` twins);
- a line ``--#include FILE`` is replaced by that file, rendered (shared customer inputs, segment rules);
- lines between ``--#if FLAG`` and ``--#endif`` are kept only when FLAG is true.

Directive lines never reach the rendered SQL.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from amc_cltv.errors import ConfigError

_PLACEHOLDER = re.compile(r"\{\{\s*([a-z_]+)\s*\}\}")
_DIRECTIVE = re.compile(r"^\s*--#(include|if|endif)\b\s*(\S*)\s*$")

# The AMC tables a template may name through a placeholder.
BASE_TABLES = ("sponsored_ads_traffic", "dsp_impressions", "amazon_attributed_events_by_traffic_time")
AUDIENCE_SUFFIX = "_for_audiences"
# The template flags and their defaults; a workflow's metadata may fix them under [render].
TEMPLATE_FLAGS = {"new_to_brand_only": False}


@dataclass(frozen=True)
class Origin:
    """Where a rendered line came from."""

    file: str
    line: int

    def __str__(self) -> str:
        return f"{self.file}:{self.line}"


@dataclass(frozen=True)
class RenderedSql:
    sql: str
    origins: tuple[Origin, ...]  # one per line of ``sql``


def table_names(*, shopping_insights: bool, audience: bool) -> dict[str, str]:
    """The placeholder values for the AMC tables.

    Revenue comes from ``conversions_all`` with shopping insights, else from ``conversions``; an audience
    reads only the ``_for_audiences`` twins. These change table names, so AMC parameters cannot carry them:
    they are rendered before upload.
    """
    suffix = AUDIENCE_SUFFIX if audience else ""
    names = {table: table + suffix for table in BASE_TABLES}
    names["conversions"] = ("conversions_all" if shopping_insights else "conversions") + suffix
    return names


def render_template(folder: Path, file: str, values: dict[str, str], flags: dict[str, bool]) -> RenderedSql:
    """Render ``folder/file``; raises ConfigError on an unknown placeholder, flag or include."""
    lines: list[str] = []
    origins: list[Origin] = []
    _render_into(folder, file, values, flags, lines, origins, stack=())
    return RenderedSql("\n".join(lines), tuple(origins))


def _render_into(
    folder: Path,
    file: str,
    values: dict[str, str],
    flags: dict[str, bool],
    lines: list[str],
    origins: list[Origin],
    stack: tuple[str, ...],
) -> None:
    if file in stack:
        raise ConfigError(f"{file}: includes itself ({' -> '.join((*stack, file))})")
    path = folder / file
    if not path.is_file():
        raise ConfigError(f"{stack[-1] if stack else file}: included file {file} does not exist")
    keeping: list[bool] = []
    for number, text in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        directive = _DIRECTIVE.match(text)
        if directive:
            kind, argument = directive.groups()
            if kind == "if":
                if argument not in flags:
                    raise ConfigError(f"{file}:{number}: unknown flag {argument!r}")
                keeping.append(flags[argument])
            elif kind == "endif":
                if not keeping:
                    raise ConfigError(f"{file}:{number}: --#endif without --#if")
                keeping.pop()
            elif all(keeping):
                _render_into(folder, argument, values, flags, lines, origins, (*stack, file))
            continue
        if not all(keeping):
            continue
        lines.append(_substitute(text, values, f"{file}:{number}"))
        origins.append(Origin(file, number))
    if keeping:
        raise ConfigError(f"{file}: --#if without --#endif")


def _substitute(text: str, values: dict[str, str], where: str) -> str:
    def replace(match: re.Match[str]) -> str:
        name = match.group(1)
        if name not in values:
            raise ConfigError(f"{where}: unknown placeholder {{{{{name}}}}}")
        return values[name]

    return _PLACEHOLDER.sub(replace, text)
