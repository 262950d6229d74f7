"""Every reference to a document points into the repository, and every cited page and section exists.

The citation syntax is described in docs/README.md: ``docs/<page>.md``, optionally followed by ``§N.M`` (a
numbered heading) or ``#anchor`` (the anchor GitHub derives from a heading); inside docs/, relative Markdown
links (``[text](<page>.md#anchor)``).
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
DOCS = ROOT / "docs"
SUFFIXES = {".py", ".sql", ".toml", ".md"}
SKIPPED_DIRS = {"results", "build", "dist", "node_modules", "__pycache__"}
THIS_FILE = Path(__file__).resolve()

CITATION = re.compile(r"docs/([\w.-]+\.md)(?:#([\w-]+)|\s*§\s*(\d+(?:\.\d+)*))?")
DOCS_LINK = re.compile(r"\]\(([\w.-]+\.md)(?:#([\w-]+))?\)")
# A file or folder of the repository named in a document (configs/ is left out: users add their own there).
REPOSITORY_PATH = re.compile(r"`((?:amc_cltv|tests|workflows|bench|docs|examples)/[\w./-]*)`")
NUMBERED_HEADING = re.compile(r"^#+\s+(\d+(?:\.\d+)*)\.?\s")
# The names of the project's documents, or phrases naming them, written without their docs/ path.
OUTSIDE_REFERENCES = (
    re.compile(r"(?<!\]\()(?<![\w/\[-])(segments|amc-api|contract|reliability(?:-policy)?|report)\.md\b"),
    re.compile(r"reliability[ -]policy", re.IGNORECASE),
    re.compile(r"\bthe contract\b(?!.*docs/contract\.md)", re.IGNORECASE),
    re.compile(r"\.\./shared\b"),
)


@dataclass(frozen=True)
class Citation:
    source: Path
    line: int
    page: str
    anchor: str | None
    section: str | None

    def __str__(self) -> str:
        where = f"{self.source.relative_to(ROOT)}:{self.line}"
        anchor = f"#{self.anchor}" if self.anchor else ""
        section = f" §{self.section}" if self.section else ""
        target = self.page + anchor + section
        return f"{where}: docs/{target}"


def _project_files() -> list[Path]:
    files = []
    for folder, dirs, names in os.walk(ROOT):
        dirs[:] = [d for d in dirs if not (d.startswith(".") or d in SKIPPED_DIRS or d.endswith(".egg-info"))]
        files += [Path(folder, name) for name in names if Path(name).suffix in SUFFIXES]
    return sorted(path for path in files if path.resolve() != THIS_FILE)


def github_anchor(heading: str) -> str:
    """The anchor GitHub gives a Markdown heading: lower case, punctuation dropped, spaces to hyphens."""
    text = re.sub(r"[^\w\- ]", "", heading.strip().lower())
    return text.replace(" ", "-")


def _headings(page: Path) -> tuple[set[str], set[str]]:
    """The anchors and the section numbers of a page's headings (code blocks skipped)."""
    anchors: set[str] = set()
    numbers: set[str] = set()
    in_code = False
    for line in page.read_text(encoding="utf-8").splitlines():
        if line.startswith("```"):
            in_code = not in_code
            continue
        if in_code or not line.startswith("#"):
            continue
        anchors.add(github_anchor(line.lstrip("#")))
        number = NUMBERED_HEADING.match(line)
        if number:
            numbers.add(number.group(1))
    return anchors, numbers


def _citations(path: Path) -> list[Citation]:
    found = []
    in_docs = path.parent == DOCS
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        for match in CITATION.finditer(line):
            found.append(Citation(path, number, match.group(1), match.group(2), match.group(3)))
        if in_docs:
            for match in DOCS_LINK.finditer(line):
                found.append(Citation(path, number, match.group(1), match.group(2), None))
    return found


def _broken(citation: Citation) -> str | None:
    page = DOCS / citation.page
    if not page.is_file():
        return f"{citation}: no such page in docs/"
    anchors, numbers = _headings(page)
    if citation.anchor and citation.anchor not in anchors:
        return f"{citation}: no heading with that anchor (headings' anchors: docs/{citation.page})"
    if citation.section and citation.section not in numbers:
        return f"{citation}: no section numbered {citation.section} in docs/{citation.page}"
    return None


def test_every_cited_page_and_section_exists() -> None:
    """A citation of a docs/ page, section number or anchor that does not exist fails with file and line."""
    citations = [citation for path in _project_files() for citation in _citations(path)]
    assert len(citations) > 50, "the citation scanner found almost nothing: is the pattern broken?"
    broken = [problem for citation in citations if (problem := _broken(citation))]
    assert not broken, "broken documentation citations:\n" + "\n".join(broken)


def test_no_document_is_cited_as_if_it_lived_outside_the_repository() -> None:
    """Bare document names and phrases such as "the reliability policy" must cite their docs/ page."""
    offending = []
    for path in _project_files():
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
            if any(pattern.search(line) for pattern in OUTSIDE_REFERENCES):
                offending.append(f"{path.relative_to(ROOT)}:{number}: {line.strip()}")
    advice = "cite documents as docs/<page>.md §N or docs/<page>.md#anchor (see docs/README.md):\n"
    assert not offending, advice + "\n".join(offending)


def test_every_repository_path_named_in_the_docs_exists() -> None:
    """``amc_cltv/...``, ``tests/...`` and the like, quoted in a document, name files that exist."""
    documents = [*sorted(DOCS.glob("*.md")), ROOT / "README.md", ROOT / "workflows" / "README.md"]
    missing = []
    for document in documents:
        for number, line in enumerate(document.read_text(encoding="utf-8").splitlines(), start=1):
            for match in REPOSITORY_PATH.finditer(line):
                path = match.group(1).rstrip("/")
                if not any(char in path for char in "<>*{}") and not (ROOT / path).exists():
                    missing.append(f"{document.relative_to(ROOT)}:{number}: {path}")
    assert not missing, "documents name files that do not exist:\n" + "\n".join(missing)


@pytest.mark.parametrize(
    ("line", "problem"),
    [
        ("see docs/amc-api.md §2.4", None),
        ("see docs/amc-api.md §99.1", "no section numbered 99.1"),
        ("see docs/segments.md#5-workflow-segmentation", None),
        ("see docs/segments.md#no-such-heading", "no heading with that anchor"),
        ("see docs/" + "missing" + ".md", "no such page"),  # in parts: this file cites no missing page
    ],
)
def test_the_checker_itself(line: str, problem: str | None) -> None:
    """The scanner reads numbers and anchors as docs/README.md documents them, and says what is wrong."""
    source = ROOT / "tests" / "cited.py"
    matches = list(CITATION.finditer(line))
    citations = [Citation(source, 1, match.group(1), match.group(2), match.group(3)) for match in matches]
    assert len(citations) == 1
    result = _broken(citations[0])
    if problem is None:
        assert result is None
    else:
        assert result is not None and problem in result


@pytest.mark.parametrize(
    ("line", "outside"),
    [
        ("# the segment rules (segments.md)", True),
        ("# Layer 1 of the reliability policy", True),
        ("# the contract's exit code", True),
        ("# the contract's exit code (docs/contract.md §4)", False),
        ("# see docs/segments.md §5", False),
        ("[segments §5](segments.md#5-workflow-segmentation)", False),
    ],
)
def test_outside_reference_patterns(line: str, outside: bool) -> None:
    assert any(pattern.search(line) for pattern in OUTSIDE_REFERENCES) is outside
