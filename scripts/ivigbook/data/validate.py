"""Validate the data package: ``python -m ivigbook validate [DATA_DIR]``.

Frictionless checks each table against the descriptor (``datapackage.yaml``, ``.yml`` or
``.json``): types, constraints, unique fields, primary and foreign keys. The book adds what it
reads more strictly (UTF-8 per line, the header by name, control characters, placeholders left
by ``new-study``, spellings of numbers and dates: :mod:`ivigbook.data.read`) and what a Table
Schema cannot express, the cross-table rules run afterwards on the typed rows
(:data:`~ivigbook.data.rules.CROSS_TABLE_RULES`). Every problem reads ``file:line: field:
message``, at the file's own line (a record spanning lines is reported at its first); the rules
in words are in ``data/README.md``.
"""

from __future__ import annotations

import argparse
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ivigbook import paths
from ivigbook.data.problems import BIBLIOGRAPHY, CITATION_FIELD, Problem
from ivigbook.data.read import Table, canonical_bytes, check_tables, open_table
from ivigbook.data.rules import Context, check_cross_tables
from ivigbook.data.schema import DescriptorError, check_descriptor, find_descriptor, read_descriptor


@dataclass
class Validation:
    """The outcome of validating a package: problems plus what could be read."""

    package: dict[str, Any] | None = None
    tables: dict[str, Table] = field(default_factory=dict)
    bib_keys: frozenset[str] | None = None
    problems: list[Problem] = field(default_factory=list)

    def summary(self) -> str:
        rows = sum(len(t.rows) for t in self.tables.values())
        counts = ", ".join(f"{name} {len(t.rows)}" for name, t in self.tables.items())
        return f"valid: {len(self.tables)} tables, {rows} rows ({counts})"


def run_validation(location: str | os.PathLike[str]) -> Validation:
    """Validate the package in folder ``location`` (or descriptor file ``location``)."""
    descriptor = find_descriptor(location)
    result = Validation()
    base = descriptor.parent
    try:
        result.package = read_descriptor(descriptor)
        check_descriptor(result.package, descriptor.name)
    except DescriptorError as exc:
        result.problems.extend(exc.problems)
        return result
    for resource in result.package["resources"]:
        result.tables[resource["name"]] = open_table(resource, base, result.problems)
    result.problems.extend(check_tables(result.tables, descriptor.name))
    needs_bib = any(CITATION_FIELD in t.field_names for t in result.tables.values())
    if needs_bib or (base / BIBLIOGRAPHY).exists():
        result.bib_keys = read_bibliography(base / BIBLIOGRAPHY, result.problems)
    check_cross_tables(Context(result.tables, result.bib_keys), descriptor.name, result.problems)
    order = {table.file: i for i, table in enumerate(result.tables.values())}
    result.problems.sort(key=lambda p: (order.get(p.file, -1), p.line or 0))
    return result


def read_bibliography(path: Path, problems: list[Problem]) -> frozenset[str] | None:
    """Entry keys of a BibTeX file, or ``None`` (with a problem) if it cannot be parsed."""
    from pybtex.database import parse_string
    from pybtex.errors import set_strict_mode

    try:
        text = path.read_bytes().decode("utf-8")
    except FileNotFoundError:
        problems.append(Problem(path.name, None, None, "missing", "missing file"))
        return None
    except UnicodeDecodeError as exc:
        msg = f"not valid UTF-8 ({exc.reason} at byte {exc.start})"
        problems.append(Problem(path.name, None, None, "encoding", msg))
        return None
    set_strict_mode(True)
    try:
        data = parse_string(text, "bibtex")
    except Exception as exc:  # pybtex raises several unrelated exception types
        message = " ".join(str(exc).split())
        problems.append(Problem(path.name, None, None, "bibtex", f"malformed BibTeX: {message}"))
        return None
    return frozenset(data.entries.keys())


def validate(location: str | os.PathLike[str]) -> list[Problem]:
    """Every problem of the package at ``location``; empty when it is valid."""
    return run_validation(location).problems


def default_data_dir() -> Path:
    """``$IVIGBOOK_DATA_DIR`` if set, else the repository's ``data/`` folder."""
    return paths.data_dir()


def rewrite_canonical(location: str | os.PathLike[str]) -> list[Path]:
    """Rewrite the package's CSV files that are not canonical; the paths rewritten."""
    base = Path(location)
    base = base.parent if base.is_file() else base
    changed = [
        p for p in sorted(base.glob("*.csv")) if canonical_bytes(raw := p.read_bytes()) != raw
    ]
    for path in changed:
        path.write_bytes(canonical_bytes(path.read_bytes()))
    return changed


def add_arguments(parser: argparse.ArgumentParser) -> None:
    where = "data package folder or descriptor (default: $IVIGBOOK_DATA_DIR or data/)"
    parser.add_argument("data_dir", nargs="?", default=None, help=where)
    rewrite = "first rewrite each CSV file in the canonical form (UTF-8 without a byte order mark, "
    rewrite += "LF line ends); without it no file is changed"
    parser.add_argument("--rewrite", action="store_true", help=rewrite)


def run(args: argparse.Namespace) -> int:
    location = Path(args.data_dir) if args.data_dir else default_data_dir()
    if getattr(args, "rewrite", False):
        for path in rewrite_canonical(location):
            print(f"rewritten in canonical form: {path}")
    result = run_validation(location)
    if result.problems:
        for problem in result.problems:
            print(problem)
        print(f"{len(result.problems)} problem(s) in {location}")
        return 1
    print(f"{location}: {result.summary()}")
    return 0
