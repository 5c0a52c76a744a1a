"""Validate the data package: ``python -m ivigbook validate [DATA_DIR]``.

The validator is driven by the descriptor (``datapackage.yaml``, ``.yml`` or ``.json``): every
resource, field, type and constraint comes from there. It implements the generic Table Schema
rules itself (no frictionless at run time, so validation stays fast and its messages name the
file, the line, the field, the rule and the value), then the project's cross-table rules, which
a Table Schema cannot express (:data:`CROSS_TABLE_RULES`).

Decisions, documented here and in ``data/README.md``:

* **Encoding.** UTF-8 strictly. A byte order mark is an error (line 1); every line holding bytes
  that are not UTF-8 is an error with its line number.
* **Header.** Line 1. Every schema field must be a column, no other column may appear, names
  may not repeat, and the columns must be in the schema's order (as frictionless requires by
  default; it also keeps diffs of the CSV files readable).
* **Line numbers** are those of the file: the header is line 1 and a record that spans several
  lines (a quoted cell with a line break) is reported at its first line.
* **Missing values** are the schema's ``missingValues`` (here ``""``).
* **Types.** ``string``; ``integer`` as ``-?[0-9]+`` (no ``+``, no spaces, no ``1.0``);
  ``number`` as a decimal with optional exponent (``NaN`` and ``INF`` are rejected); ``boolean``
  as the field's ``trueValues``/``falseValues`` or the Table Schema defaults ``true``, ``True``,
  ``TRUE``, ``1`` / ``false``, ``False``, ``FALSE``, ``0``; ``date`` as ``YYYY-MM-DD`` (a real
  calendar date). Other types and formats are reported as unsupported in the descriptor.
* **Constraints.** ``required``, ``unique``, ``minimum``, ``maximum``, ``exclusiveMinimum``,
  ``exclusiveMaximum``, ``enum``, ``pattern`` (whole value, as in Table Schema), ``minLength``,
  ``maxLength`` (in characters); an unknown constraint is a descriptor error, never ignored.
* **Control characters.** No cell may hold a control character (Unicode category Cc: U+0000 to
  U+001F, U+007F to U+009F), tab included, with one exception: a line break (LF, or CRLF)
  inside a quoted cell, which is how a multi-line quotation is written.
* **Placeholders.** No cell may contain :data:`PLACEHOLDER` (``FILL IN``): rows scaffolded by
  ``python -m ivigbook new-study`` stay invalid until every placeholder is replaced.
"""

from __future__ import annotations

import argparse
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ivigbook.data.problems import BIBLIOGRAPHY, CITATION_FIELD, Problem
from ivigbook.data.read import (
    Table,
    canonical_bytes,
    check_foreign_keys,
    read_bibliography,
    read_table,
)
from ivigbook.data.rules import Context, check_cross_tables
from ivigbook.data.schema import (
    DescriptorError,
    ResourceSpec,
    compile_package,
    find_descriptor,
    read_descriptor,
)
from ivigbook.paths import ROOT

# ---------------------------------------------------------------------------------------------
# The whole package


@dataclass
class Validation:
    """The outcome of validating a package: problems plus what could be read."""

    descriptor_path: Path
    package: dict[str, Any] | None = None
    resources: list[ResourceSpec] = field(default_factory=list)
    tables: dict[str, Table] = field(default_factory=dict)
    bib_keys: frozenset[str] | None = None
    problems: list[Problem] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems

    def summary(self) -> str:
        rows = sum(len(t.rows) for t in self.tables.values())
        counts = ", ".join(f"{name} {len(t.rows)}" for name, t in self.tables.items())
        return f"valid: {len(self.tables)} tables, {rows} rows ({counts})"


def run_validation(location: str | os.PathLike[str]) -> Validation:
    """Validate the package in folder ``location`` (or descriptor file ``location``)."""
    descriptor = find_descriptor(location)
    result = Validation(descriptor)
    base = descriptor.parent
    try:
        result.package = read_descriptor(descriptor)
        result.resources = compile_package(result.package, descriptor.name)
    except DescriptorError as exc:
        result.problems.extend(exc.problems)
        return result
    for spec in result.resources:
        file_problems: list[Problem] = []
        result.tables[spec.name] = read_table(spec, base, file_problems)
        result.problems.extend(file_problems)
    check_foreign_keys(result.tables, result.problems)
    needs_bib = any(CITATION_FIELD in s.field_names for s in result.resources)
    if needs_bib or (base / BIBLIOGRAPHY).exists():
        result.bib_keys = read_bibliography(base / BIBLIOGRAPHY, result.problems)
    check_cross_tables(Context(result.tables, result.bib_keys), descriptor.name, result.problems)
    order = {spec.path: i for i, spec in enumerate(result.resources)}
    result.problems.sort(key=lambda p: (order.get(p.file, -1), p.line or 0))
    return result


def validate(location: str | os.PathLike[str]) -> list[Problem]:
    """Every problem of the package at ``location``; empty when it is valid."""
    return run_validation(location).problems


def default_data_dir() -> Path:
    """``$IVIGBOOK_DATA_DIR`` if set, else the repository's ``data/`` folder."""
    env = os.environ.get("IVIGBOOK_DATA_DIR")
    if env:
        return Path(env).expanduser().resolve()
    return ROOT / "data"


def rewrite_canonical(location: str | os.PathLike[str]) -> list[Path]:
    """Rewrite the package's CSV files that are not canonical; the paths rewritten."""
    base = Path(location)
    base = base.parent if base.is_file() else base
    changed = []
    for path in sorted(base.glob("*.csv")):
        raw = path.read_bytes()
        new = canonical_bytes(raw)
        if new != raw:
            path.write_bytes(new)
            changed.append(path)
    return changed


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "data_dir",
        nargs="?",
        default=None,
        help="data package folder or descriptor (default: $IVIGBOOK_DATA_DIR "
        "or the repository's data/)",
    )
    parser.add_argument(
        "--rewrite",
        action="store_true",
        help="first rewrite each CSV file in the canonical form (UTF-8 without a byte order "
        "mark, LF line ends); without it no file is changed",
    )


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
