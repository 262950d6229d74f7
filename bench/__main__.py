"""Run every ``bench/*_bench.py`` module's ``main()`` and update its section of ``docs/benchmarks.md``.

A module's ``main(argv)`` returns the Markdown body of its section; its ``SECTION`` names the section.
Sections live between ``<!-- bench:NAME:start -->`` and ``<!-- bench:NAME:end -->`` markers, so each
module rewrites only its own figures. ``python -m bench sandbox`` runs only ``sandbox_bench``; ``--quick``
is passed on to the modules (fewer repeats and sizes, for a smoke run).
"""

from __future__ import annotations

import importlib
import os
import platform
import re
import sys
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DOC = ROOT / "docs" / "benchmarks.md"
TITLE = (
    "# Benchmarks\n\nFigures written by `make bench` (`python -m bench`); each section says how it was "
    "measured.\n"
)


def machine() -> str:
    """One line describing the machine: kernel, CPUs, memory."""
    memory = ""
    try:
        pages, page_size = os.sysconf("SC_PHYS_PAGES"), os.sysconf("SC_PAGE_SIZE")
        memory = f", {pages * page_size / 2**30:.1f} GiB RAM"
    except (ValueError, OSError, AttributeError):
        pass
    kernel = " ".join(part for part in platform.uname() if part)
    return f"`{kernel}`, {os.cpu_count()} CPUs{memory}, Python {platform.python_version()}"


def update_section(text: str, name: str, body: str) -> str:
    """``text`` with the section ``name`` replaced by ``body`` (appended when it is not there yet)."""
    start, end = f"<!-- bench:{name}:start -->", f"<!-- bench:{name}:end -->"
    block = f"{start}\n{body.rstrip()}\n{end}"
    pattern = re.compile(re.escape(start) + r".*?" + re.escape(end), re.DOTALL)
    if pattern.search(text):
        return pattern.sub(lambda _: block, text)
    return text.rstrip() + "\n\n" + block + "\n"


def modules(only: list[str]) -> list[str]:
    names = sorted(p.stem for p in Path(__file__).parent.glob("*_bench.py"))
    return [n for n in names if not only or n.removesuffix("_bench") in only or n in only]


def main(argv: list[str]) -> int:
    flags = [a for a in argv if a.startswith("--")]
    only = [a for a in argv if not a.startswith("--")]
    text = DOC.read_text() if DOC.exists() else TITLE
    for name in modules(only):
        module = importlib.import_module(f"bench.{name}")
        print(f"running bench.{name} ...", file=sys.stderr, flush=True)
        body = module.main(flags)
        stamp = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
        title, _, rest = body.partition("\n")
        if not title.startswith("#"):
            title, rest = "", body
        stamped = f"{title}\n\nMeasured {stamp} on {machine()}.\n{rest}"
        text = update_section(text, module.SECTION, stamped.lstrip())
        DOC.parent.mkdir(parents=True, exist_ok=True)
        DOC.write_text(text)
    print(f"updated {DOC.relative_to(ROOT)}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
