"""How the report's code reads: small section builders (no function over 60 lines in amc_cltv/report)."""

from __future__ import annotations

import ast
from pathlib import Path

import amc_cltv.report

MAX_LINES = 60


def test_no_function_in_the_report_package_is_longer_than_60_lines() -> None:
    """Section builders stay short: the shared steps live in amc_cltv/report/builder.py."""
    long = []
    for path in sorted(Path(amc_cltv.report.__file__).parent.glob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                length = (node.end_lineno or node.lineno) - node.lineno + 1
                if length > MAX_LINES:
                    long.append(f"{path.name}:{node.lineno} {node.name} ({length} lines)")
    assert long == []
