"""The book's identity (title, version, date, authors, licences), read from CITATION.cff."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import yaml

from ivigbook.paths import ROOT, SLUG

CITATION_FILE = ROOT / "CITATION.cff"

# CITATION.cff's `license` is the prose and data's (CFF reads a list as "OR"); the code's is
# stated here and in LICENSE. tests/test_citation.py checks both against the files.
CODE_LICENCE = "MIT"
LICENCE_FILES = {"CC-BY-4.0": "LICENSE-CC-BY-4.0.md", "MIT": "LICENSE"}


@dataclass(frozen=True)
class BookMetadata:
    """The book's identity as CITATION.cff states it (title, version, date, authors, licences)."""

    title: str
    version: str
    date_released: dt.date
    authors: tuple[str, ...]
    licence: str  # prose and data (SPDX id, from CITATION.cff)
    code_licence: str  # code (SPDX id)
    abstract: str
    keywords: tuple[str, ...]

    @property
    def licences(self) -> tuple[str, ...]:
        """Every licence in the book, content first."""
        return (self.licence, self.code_licence)

    @property
    def author_text(self) -> str:
        return "; ".join(self.authors)

    @property
    def release_date(self) -> str:
        """ISO date, e.g. 2026-11-25."""
        return self.date_released.isoformat()

    @property
    def release_date_long(self) -> str:
        """Date for prose and title pages, e.g. 25 November 2026."""
        return f"{self.date_released.day} {self.date_released:%B %Y}"

    @property
    def archive_name(self) -> str:
        return f"{SLUG}-{self.version}"

    def citation_text(self, *, markdown: bool = False) -> str:
        """An APA-style reference to this version of the book."""
        title = f"*{self.title}*" if markdown else self.title
        return (
            f"{self.author_text}. ({self.date_released.year}). {title} "
            f"(Version {self.version}) [Evidence book]."
        )

    def bibtex(self) -> str:
        """A BibTeX entry for this version."""
        key = f"ivigsibm{self.date_released.year}v{self.version.replace('.', '_')}"
        authors = " and ".join(f"{{{name}}}" for name in self.authors)
        month = f"{self.date_released:%b}".lower()
        note = (
            f"Version {self.version}, released {self.release_date}. "
            f"Prose and data {self.licence}, code {self.code_licence}."
        )
        lines = [
            f"@misc{{{key},",
            f"  author    = {{{authors}}},",
            f"  title     = {{{{{self.title}}}}},",
            f"  year      = {{{self.date_released.year}}},",
            f"  month     = {month},",
            f"  version   = {{{self.version}}},",
            f"  note      = {{{note}}},",
            "}",
        ]
        return "\n".join(lines)


def _iso_dates(value: Any) -> Any:
    """YAML turns an unquoted 2026-11-25 into a date; the CFF schema wants strings."""
    if isinstance(value, dict):
        return {key: _iso_dates(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_iso_dates(item) for item in value]
    if isinstance(value, dt.date):
        return value.isoformat()
    return value


def load_citation(path: Path = CITATION_FILE) -> dict[str, Any]:
    """CITATION.cff as plain JSON-like data (dates as ISO strings)."""
    with path.open(encoding="utf-8") as handle:
        data = yaml.safe_load(handle)
    if not isinstance(data, dict):
        msg = f"{path} is not a YAML mapping"
        raise ValueError(msg)
    return _iso_dates(data)


def _author_name(author: dict[str, Any]) -> str:
    if "name" in author:
        return str(author["name"])
    parts = [author.get("given-names"), author.get("name-particle"), author.get("family-names")]
    return " ".join(str(part) for part in parts if part)


@cache
def _cached(path: Path) -> BookMetadata:
    data = load_citation(path)
    missing = [key for key in ("title", "version", "date-released", "license") if key not in data]
    if missing:
        msg = f"{path} lacks {', '.join(missing)}"
        raise ValueError(msg)
    licence = data["license"]
    if not isinstance(licence, str):
        msg = f"{path}: `license` must be one SPDX id (the prose and data licence)"
        raise ValueError(msg)
    return BookMetadata(
        title=str(data["title"]),
        version=str(data["version"]),
        date_released=dt.date.fromisoformat(data["date-released"]),
        authors=tuple(_author_name(author) for author in data["authors"]),
        licence=licence,
        code_licence=CODE_LICENCE,
        abstract=" ".join(str(data.get("abstract", "")).split()),
        keywords=tuple(data.get("keywords", ())),
    )


def book_metadata(path: Path | None = None) -> BookMetadata:
    """The book's metadata as CITATION.cff states it."""
    return _cached((path or CITATION_FILE).resolve())


__all__ = ["CITATION_FILE", "SLUG", "BookMetadata", "book_metadata", "load_citation"]
