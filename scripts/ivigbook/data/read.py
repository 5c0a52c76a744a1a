"""Reading one CSV file of the package against its schema, cell by cell, and the checks
that need the whole package's tables (foreign keys, bibliography keys).
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ivigbook.data.problems import _CONTROL, _SURROGATE, PLACEHOLDER, Problem, shown
from ivigbook.data.schema import FieldSpec, ResourceSpec

# ---------------------------------------------------------------------------------------------
# Tables


@dataclass
class Row:
    """A data row: the line it starts on, its typed values (``None`` when missing or invalid)."""

    line: int
    typed: dict[str, Any]


@dataclass
class Table:
    """A resource as read: its spec and its rows (only when the file could be read)."""

    spec: ResourceSpec
    rows: list[Row] = field(default_factory=list)
    readable: bool = False
    invalid_cells: set[tuple[int, str]] = field(default_factory=set)

    @property
    def file(self) -> str:
        return self.spec.path


BOM = b"\xef\xbb\xbf"


def _decode(raw: bytes, file: str, problems: list[Problem]) -> str:
    # A spreadsheet program's "CSV UTF-8" starts with a byte order mark: read it as UTF-8.
    # CRLF line ends need nothing here: the csv reader accepts both.
    if raw.startswith(BOM):
        raw = raw[len(BOM) :]
    text = raw.decode("utf-8", errors="surrogateescape")
    if _SURROGATE.search(text):
        for number, line in enumerate(text.split("\n"), start=1):
            found = _SURROGATE.findall(line)
            if found:
                bytes_ = " ".join(f"0x{ord(c) - 0xDC00:02X}" for c in found[:5])
                problems.append(
                    Problem(file, number, None, "encoding", f"not valid UTF-8 (byte(s) {bytes_})")
                )
        text = _SURROGATE.sub("\ufffd", text)
    return text


def _check_cell(
    spec: FieldSpec,
    text: str,
    missing: tuple[str, ...],
    file: str,
    line: int,
    problems: list[Problem],
) -> tuple[Any, bool]:
    """Typed value of a cell and whether it is valid; every problem is appended."""
    ok = True

    def bad(rule: str, msg: str) -> None:
        nonlocal ok
        ok = False
        problems.append(Problem(file, line, spec.name, rule, msg))

    control = _CONTROL.search(text)
    if control:
        code = f"U+{ord(control.group(0)[0]):04X}"
        bad("control", f"control character {code} not allowed, in value {shown(text)}")
    if PLACEHOLDER in text:
        bad("placeholder", f'placeholder "{PLACEHOLDER}" not filled in, in value {shown(text)}')
    if text in missing:
        if spec.required:
            bad("required", "required value missing")
        return None, ok
    try:
        value = spec.parse(text)
    except ValueError:
        bad("type", f"type {spec.type} violated by value {shown(text)}")
        return None, False
    if spec.enum is not None and value not in spec.enum:
        choices = ", ".join(str(v) for v in spec.enum)
        bad("enum", f"enum [{choices}] violated by value {shown(text)}")
    if spec.pattern is not None and not spec.pattern.fullmatch(value):
        bad("pattern", f'pattern "{spec.pattern.pattern}" violated by value {shown(text)}')
    for key, bound in spec.bounds:
        if bound is None:
            continue
        broken = {
            "minimum": value < bound,
            "maximum": value > bound,
            "exclusiveMinimum": value <= bound,
            "exclusiveMaximum": value >= bound,
        }[key]
        if broken:
            bad(key, f"{key} {bound} violated by value {shown(text)}")
    if spec.max_length is not None and len(value) > spec.max_length:
        bad(
            "maxLength",
            f"maxLength {spec.max_length} violated by value {shown(text)} "
            f"({len(value)} characters)",
        )
    if spec.min_length is not None and len(value) < spec.min_length:
        bad(
            "minLength",
            f"minLength {spec.min_length} violated by value {shown(text)} "
            f"({len(value)} characters)",
        )
    return value, ok


SEMICOLON_MESSAGE = (
    "columns are separated by semicolons (;), not commas: save the file again as "
    '"CSV (comma delimited)", UTF-8, or set the list separator to a comma'
)


def semicolon_delimited(header: list[str], expected: list[str]) -> bool:
    """The header is one cell that splits on ``;`` into more known column names than it has.

    A spreadsheet program in many locales writes semicolons; a comma-separated header never
    has a single cell holding two of the schema's column names.
    """
    if len(header) != 1 or ";" not in header[0]:
        return False
    names = [name.strip() for name in header[0].split(";")]
    return sum(name in expected for name in names) >= 2


def canonical_bytes(raw: bytes) -> bytes:
    """The canonical form of a CSV file: no byte order mark, LF line ends, a final newline.

    Used only on request (``python -m ivigbook validate --rewrite``); reading accepts both.
    """
    if raw.startswith(BOM):
        raw = raw[len(BOM) :]
    raw = raw.replace(b"\r\n", b"\n")
    return raw if not raw or raw.endswith(b"\n") else raw + b"\n"


def read_table(spec: ResourceSpec, base: Path, problems: list[Problem]) -> Table:
    """Read and check one CSV resource against its schema (every problem of the file)."""
    table = Table(spec)
    file = spec.path
    path = base / spec.path
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        problems.append(Problem(file, None, None, "missing", "missing file"))
        return table
    except OSError as exc:
        problems.append(Problem(file, None, None, "missing", f"cannot be read ({exc.strerror})"))
        return table
    text = _decode(raw, file, problems)
    if not text.strip():
        problems.append(Problem(file, None, None, "empty", "empty file (no header line)"))
        return table
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    try:
        header = next(reader)
    except csv.Error as exc:
        problems.append(Problem(file, reader.line_num, None, "csv", f"malformed CSV: {exc}"))
        return table
    expected = spec.field_names
    if semicolon_delimited(header, expected):
        problems.append(Problem(file, 1, None, "csv", SEMICOLON_MESSAGE))
        return table
    seen: set[str] = set()
    for name in header:
        if name in seen:
            problems.append(Problem(file, 1, name, "header", "column appears twice"))
        seen.add(name)
        if name not in expected:
            problems.append(Problem(file, 1, name, "header", "extra column not in the schema"))
    for name in expected:
        if name not in seen:
            problems.append(Problem(file, 1, name, "header", "missing column"))
    present = [n for n in header if n in expected]
    if set(present) == set(expected) and present != expected and len(header) == len(set(header)):
        problems.append(
            Problem(
                file,
                1,
                None,
                "header",
                f"columns not in the schema's order ({', '.join(expected)})",
            )
        )
    position = {name: header.index(name) for name in expected if name in header}
    fields = {f.name: f for f in spec.fields}
    first_seen: dict[str, dict[Any, int]] = {f.name: {} for f in spec.fields if f.unique}
    pk_seen: dict[tuple[Any, ...], int] = {}
    pk_single_unique = len(spec.primary_key) == 1 and fields[spec.primary_key[0]].unique
    previous = reader.line_num
    while True:
        try:
            cells = next(reader)
        except StopIteration:
            break
        except csv.Error as exc:
            problems.append(Problem(file, previous + 1, None, "csv", f"malformed CSV: {exc}"))
            return table
        line = previous + 1
        previous = reader.line_num
        if not cells:
            problems.append(Problem(file, line, None, "blank", "blank line"))
            continue
        if len(cells) != len(header):
            problems.append(
                Problem(
                    file,
                    line,
                    None,
                    "cells",
                    f"{len(cells)} cells, but the header has {len(header)}",
                )
            )
        values: dict[str, Any] = {}
        for name, index in position.items():
            text_value = cells[index] if index < len(cells) else ""
            value, ok = _check_cell(
                fields[name], text_value, spec.missing_values, file, line, problems
            )
            values[name] = value
            if not ok:
                table.invalid_cells.add((line, name))
        for name in expected:
            values.setdefault(name, None)
        for name, seen_values in first_seen.items():
            value = values[name]
            if value is None:
                continue
            if value in seen_values:
                problems.append(
                    Problem(
                        file,
                        line,
                        name,
                        "unique",
                        f"unique violated by value {shown(value)} "
                        f"(first on line {seen_values[value]})",
                    )
                )
            else:
                seen_values[value] = line
        if spec.primary_key:
            key = tuple(values[k] for k in spec.primary_key)
            for k in spec.primary_key:
                if (
                    values[k] is None
                    and not fields[k].required
                    and (line, k) not in table.invalid_cells
                ):
                    problems.append(
                        Problem(file, line, k, "primaryKey", "primaryKey value missing")
                    )
            if None not in key:
                if key in pk_seen and not pk_single_unique:
                    problems.append(
                        Problem(
                            file,
                            line,
                            ", ".join(spec.primary_key),
                            "primaryKey",
                            f"primaryKey violated by value "
                            f"{shown(', '.join(map(str, key)))} "
                            f"(first on line {pk_seen[key]})",
                        )
                    )
                pk_seen.setdefault(key, line)
        table.rows.append(Row(line, values))
    table.readable = True
    return table


def check_foreign_keys(tables: dict[str, Table], problems: list[Problem]) -> None:
    for table in tables.values():
        if not table.readable:
            continue
        for fk_fields, ref_resource, ref_fields in table.spec.foreign_keys:
            target = tables.get(ref_resource)
            if target is None or not target.readable:
                continue
            known = {tuple(r.typed[k] for k in ref_fields) for r in target.rows}
            for row in table.rows:
                key = tuple(row.typed[k] for k in fk_fields)
                if None in key or key in known:
                    continue
                ref = f"{ref_resource}.{', '.join(ref_fields)}"
                problems.append(
                    Problem(
                        table.file,
                        row.line,
                        ", ".join(fk_fields),
                        "foreignKey",
                        f"foreignKey to {ref} violated by value {shown(', '.join(map(str, key)))}",
                    )
                )


def read_bibliography(path: Path, problems: list[Problem]) -> frozenset[str] | None:
    """Entry keys of a BibTeX file, or ``None`` (with a problem) if it cannot be parsed."""
    from pybtex.database import parse_string
    from pybtex.errors import set_strict_mode

    name = path.name
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        problems.append(Problem(name, None, None, "missing", "missing file"))
        return None
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        problems.append(
            Problem(
                name, None, None, "encoding", f"not valid UTF-8 ({exc.reason} at byte {exc.start})"
            )
        )
        return None
    set_strict_mode(True)
    try:
        data = parse_string(text, "bibtex")
    except Exception as exc:  # pybtex raises several unrelated exception types
        message = " ".join(str(exc).split())
        problems.append(Problem(name, None, None, "bibtex", f"malformed BibTeX: {message}"))
        return None
    return frozenset(data.entries.keys())
