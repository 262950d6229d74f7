"""docs/benchmarks.md holds only figures `make bench` writes: every generated section has its bench module,
every module its section, and no measured table lives outside the generated blocks (where the next
`make bench` would leave it stale). Commentary goes between the blocks."""

from __future__ import annotations

import importlib
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DOC = ROOT / "docs" / "benchmarks.md"
BLOCK = re.compile(r"<!-- bench:([\w-]+):start -->.*?<!-- bench:\1:end -->", re.S)


def test_every_generated_section_has_its_bench_module_and_the_reverse() -> None:
    text = DOC.read_text()
    sections = BLOCK.findall(text)
    modules = sorted(path.stem for path in (ROOT / "bench").glob("*_bench.py"))
    written = sorted(importlib.import_module(f"bench.{name}").SECTION for name in modules)
    assert sorted(sections) == written


def test_no_figures_outside_the_generated_blocks() -> None:
    """Outside the blocks: no table and no "Measured …" stamp (hand-typed figures go stale unseen)."""
    outside = BLOCK.sub("", DOC.read_text())
    assert not [line for line in outside.splitlines() if line.lstrip().startswith("|")]
    assert "Measured " not in outside
