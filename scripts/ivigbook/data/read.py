"""The package's CSV files, read strictly, checked by frictionless, reported in the book's form.

:func:`open_table` reads a file's bytes (UTF-8, reported per line; a byte order mark is
dropped), its records (strict CSV quoting; a semicolon-separated file named as such) and its
header (by name). :func:`check_tables` hands the records to frictionless, which checks them
against the Table Schema: types, ``required``, ``enum``, ``pattern``, ``minimum``/``maximum``,
lengths, ``unique``, primary keys and foreign keys between the tables. Each of its errors
becomes one :class:`Problem` at the file's line (:func:`_problem`); the book adds control
characters, placeholders and strict spellings of numbers and dates (:func:`_cell_problems`).
"""

from __future__ import annotations

import copy
import csv
import io
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import frictionless
from frictionless import FrictionlessException

from ivigbook.data.problems import _CONTROL, _SURROGATE, PLACEHOLDER, STRICT, Problem, shown
from ivigbook.data.schema import as_list

BOM = b"\xef\xbb\xbf"
SEMICOLON_MESSAGE = (
    "columns are separated by semicolons (;), not commas: save the file again as "
    '"CSV (comma delimited)", UTF-8, or set the list separator to a comma'
)


@dataclass
class Row:
    """A data row: the line it starts on, its typed values (``None`` when missing or invalid)."""

    line: int
    typed: dict[str, Any]
    misspelt: set[str] = field(default_factory=set)  # cells frictionless read but the book not


@dataclass
class Table:
    """A resource as read: its descriptor, records and typed rows (when the file is readable)."""

    resource: dict[str, Any]
    records: list[list[str]] = field(default_factory=list)  # the header, then the rows
    lines: list[int] = field(default_factory=list)  # frictionless row number -> file line
    rows: list[Row] = field(default_factory=list)
    readable: bool = False

    @property
    def name(self) -> str:
        return str(self.resource["name"])

    @property
    def file(self) -> str:
        return str(self.resource["path"])

    @property
    def fields(self) -> list[dict[str, Any]]:
        return list(self.resource["schema"]["fields"])

    @property
    def field_names(self) -> list[str]:
        return [f["name"] for f in self.fields]

    @property
    def header(self) -> list[str]:
        return self.records[0] if self.records else []


def read_rows(path: Path) -> tuple[list[str], list[dict[str, str]]]:
    """A CSV file's header and its rows as dictionaries (a byte order mark dropped)."""
    with path.open(encoding="utf-8-sig", newline="") as handle:
        reader = csv.DictReader(handle)
        return list(reader.fieldnames or []), list(reader)


def csv_text(header: list[str], rows: Iterable[dict[str, Any]], newline: str = "\n") -> str:
    """A CSV file's text: the header, then each row's cells in its order (missing ones empty)."""
    out = io.StringIO()
    writer = csv.DictWriter(out, header, restval="", extrasaction="ignore", lineterminator=newline)
    writer.writeheader()
    writer.writerows(rows)
    return out.getvalue()


def appending(path: Path, rows: Iterable[dict[str, Any]]) -> tuple[str, str]:
    """A CSV file's text and the text that appends ``rows`` to it, its own lines untouched: in
    its line ends (CRLF or LF), after a line end if its last line has none."""
    text = path.read_bytes().decode("utf-8")
    newline = "\r\n" if "\r\n" in text else "\n"
    header = next(csv.reader(io.StringIO(text.removeprefix("\ufeff"), newline="")), None)
    if not header:
        msg = f"{path.name} has no header line"
        raise ValueError(msg)
    new = csv_text(header, rows, newline).split(newline, 1)[1]
    return text, ("" if text.endswith(("\n", "\r")) else newline) + new


def canonical_bytes(raw: bytes) -> bytes:
    """The canonical form of a CSV file: no byte order mark, LF line ends, a final newline.

    Used only on request (``python -m ivigbook validate --rewrite``); reading accepts both.
    """
    raw = raw.removeprefix(BOM).replace(b"\r\n", b"\n")
    return raw if not raw or raw.endswith(b"\n") else raw + b"\n"


def open_table(resource: dict[str, Any], base: Path, problems: list[Problem]) -> Table:
    """Read a CSV file's bytes, records and header; the table is readable if frictionless may
    go on to check its rows (:func:`check_tables`)."""
    table = Table(resource)

    def bad(line: int | None, name: str | None, rule: str, msg: str) -> Table:
        problems.append(Problem(table.file, line, name, rule, msg))
        return table

    try:
        raw = (base / table.file).read_bytes().removeprefix(BOM)
    except FileNotFoundError:
        return bad(None, None, "missing", "missing file")
    except OSError as exc:
        return bad(None, None, "missing", f"cannot be read ({exc.strerror})")
    text = raw.decode("utf-8", errors="surrogateescape")
    for number, line in enumerate(text.split("\n"), start=1):
        if found := _SURROGATE.findall(line):
            bytes_ = " ".join(f"0x{ord(c) - 0xDC00:02X}" for c in found[:5])
            bad(number, None, "encoding", f"not valid UTF-8 (byte(s) {bytes_})")
    text = _SURROGATE.sub("\ufffd", text)
    if not text.strip():
        return bad(None, None, "empty", "empty file (no header line)")
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    table.lines, previous = [0], 0
    try:
        for record in reader:
            table.records.append(record)
            table.lines.append(previous + 1)
            previous = reader.line_num
    except csv.Error as exc:
        return bad(previous + 1, None, "csv", f"malformed CSV: {exc}")
    header, expected = table.header, table.field_names
    # A spreadsheet in many locales writes semicolons: the header is then one cell holding
    # several of the schema's names.
    if len(header) == 1 and sum(n.strip() in expected for n in header[0].split(";")) >= 2:
        return bad(1, None, "csv", SEMICOLON_MESSAGE)
    for index, name in enumerate(header):
        if name in header[:index]:
            bad(1, name, "header", "column appears twice")
        if name not in expected:
            bad(1, name, "header", "extra column not in the schema")
    for name in (n for n in expected if n not in header):
        bad(1, name, "header", "missing column")
    present = [n for n in header if n in expected]
    if set(present) == set(expected) and present != expected and len(header) == len(set(header)):
        bad(1, None, "header", f"columns not in the schema's order ({', '.join(expected)})")
    # Frictionless matches columns to fields by name: not with a name twice, or none at all.
    table.readable = len(set(header)) == len(header) and bool(set(header) & set(expected))
    return table


def _frictionless_resource(table: Table, readable: set[str]) -> frictionless.Resource:
    descriptor = copy.deepcopy(table.resource["schema"])
    descriptor["foreignKeys"] = [  # a key into an unreadable table is not checked
        fk
        for fk in descriptor.get("foreignKeys") or []
        if ((fk.get("reference") or {}).get("resource") or table.name) in readable
    ]
    schema = frictionless.Schema.from_descriptor(descriptor)
    schema.fields_match = "partial"  # columns matched by name: open_table checks the header
    for fld in schema.fields:
        if fld.type == "number":
            fld.float_number = True
    return frictionless.Resource(data=_Records(table.records), name=table.name, schema=schema)


class _Records(list[list[str]]):
    """The rows handed to frictionless, shared by the copies it makes of a resource to check
    foreign keys (nothing changes them): copying them was most of its time."""

    def __deepcopy__(self, memo: dict[int, Any]) -> _Records:
        return self


def check_tables(tables: dict[str, Table], descriptor_name: str) -> list[Problem]:
    """Frictionless's checks of every readable table (with the foreign keys between them) and
    the book's cell checks, in the book's form; fills in each table's typed rows."""
    readable = {name for name, table in tables.items() if table.readable}
    try:
        resources = [_frictionless_resource(t, readable) for t in tables.values() if t.readable]
    except FrictionlessException as exc:
        for table in tables.values():
            table.readable = False
        return [
            Problem(descriptor_name, None, None, "descriptor", e.message) for e in exc.to_errors()
        ]
    problems: list[Problem] = []
    for resource in frictionless.Package(resources=resources).resources:
        problems.extend(_check_table(resource, tables[str(resource.name)], descriptor_name))
    return problems


def _check_table(resource: frictionless.Resource, table: Table, descriptor: str) -> list[Problem]:
    position = {name: index for index, name in enumerate(table.field_names)}
    found: list[Problem] = []
    rows: dict[int, Row] = {}

    def on_row(row: Any) -> None:
        if not row.cells:
            return  # a blank line: frictionless reports it
        values, line = row.to_dict(), table.lines[row.row_number]
        here = rows[row.row_number] = Row(line, {n: values.get(n) for n in table.field_names})
        for fld, text in zip(row.fields, row.cells, strict=False):
            invalid = fld.name in row.error_cells or fld.name not in position
            for problem in _cell_problems(table.file, line, fld, text, invalid):
                if problem.rule == "type":
                    here.typed[fld.name] = None
                    here.misspelt.add(fld.name)
                found.append(problem)

    report = resource.validate(on_row=on_row, limit_errors=0)
    for error in [*report.errors, *(e for task in report.tasks for e in task.errors)]:
        found.extend(_problem(error, table, rows, descriptor))
    table.rows = [rows[number] for number in sorted(rows)]
    unique = dict.fromkeys(found)  # a row short of cells: one problem, not one a missing cell
    return sorted(unique, key=lambda p: (p.line or 0, position.get(p.field or "", -1)))


def _cell_problems(file: str, line: int, fld: Any, text: Any, invalid: bool) -> Iterator[Problem]:
    """The book's checks of one cell's text, beyond Table Schema."""
    text = "" if text is None else str(text)
    if control := _CONTROL.search(text):
        code = f"U+{ord(control.group(0)[0]):04X}"
        msg = f"control character {code} not allowed, in value {shown(text)}"
        yield Problem(file, line, fld.name, "control", msg)
    if PLACEHOLDER in text:
        msg = f'placeholder "{PLACEHOLDER}" not filled in, in value {shown(text)}'
        yield Problem(file, line, fld.name, "placeholder", msg)
    strict = STRICT.get(fld.type)
    if strict and not invalid and text not in fld.missing_values and not strict.fullmatch(text):
        msg = f"type {fld.type} violated by value {shown(text)}"
        yield Problem(file, line, fld.name, "type", msg)


def _problem(error: Any, table: Table, rows: dict[int, Row], descriptor: str) -> Iterator[Problem]:
    """One frictionless error in the book's form (none for what :func:`open_table` or the cell
    checks report, nor for a key with a missing part: its own field reports it)."""
    kind, file, name = error.type, table.file, getattr(error, "field_name", None)
    number = getattr(error, "row_number", None)
    row = rows.get(number) if number is not None else None
    line = table.lines[number] if number is not None else None
    cell, note = getattr(error, "cell", ""), getattr(error, "note", "")
    fields = {f["name"]: f.get("constraints") or {} for f in table.fields}
    first = re.search(r"position (\d+)", note)
    then = f" (first on line {table.lines[int(first.group(1))]})" if first else ""
    key = as_list(table.resource["schema"].get("primaryKey"))
    rule = re.search(r'constraint "(\w+)"', note)
    if kind == "type-error":
        ftype = next(f.get("type", "string") for f in table.fields if f["name"] == name)
        yield Problem(file, line, name, "type", f"type {ftype} violated by value {shown(cell)}")
    elif kind == "constraint-error" and rule and row and name not in row.misspelt:
        rule_name, bound = rule.group(1), fields[name].get(rule.group(1))
        if rule_name == "required":
            yield Problem(file, line, name, rule_name, "required value missing")
            return
        if rule_name == "enum":
            bound = f"[{', '.join(str(v) for v in bound or ())}]"
        elif rule_name == "pattern":
            bound = f'"{bound}"'
        length = f" ({len(cell)} characters)" if rule_name.endswith("Length") else ""
        msg = f"{rule_name} {bound} violated by value {shown(cell)}{length}"
        yield Problem(file, line, name, rule_name, msg)
    elif kind == "unique-error":
        yield Problem(file, line, name, "unique", f"unique violated by value {shown(cell)}{then}")
    elif kind == "primary-key" and row and not first:
        for k in key:
            if row.typed[k] is None and not fields[k].get("required"):
                yield Problem(file, line, k, "primaryKey", "primaryKey value missing")
    elif kind == "primary-key" and row and (len(key) > 1 or not fields[key[0]].get("unique")):
        values = shown(", ".join(str(row.typed[k]) for k in key))
        msg = f"primaryKey violated by value {values}{then}"
        yield Problem(file, line, ", ".join(key), "primaryKey", msg)
    elif kind == "foreign-key" and row and None not in (row.typed[k] for k in error.field_names):
        ref = f"{error.reference_name}.{', '.join(error.reference_field_names)}"
        values = shown(", ".join(map(str, error.field_cells)))
        msg = f"foreignKey to {ref} violated by value {values}"
        yield Problem(file, line, ", ".join(error.field_names), "foreignKey", msg)
    elif kind == "blank-row":
        yield Problem(file, line, None, "blank", "blank line")
    elif kind in ("missing-cell", "extra-cell"):
        msg = f"{len(error.cells)} cells, but the header has {len(table.header)}"
        yield Problem(file, line, None, "cells", msg)
    elif number is None and not kind.endswith(
        ("-label", "-header")
    ):  # the descriptor, as frictionless reads it
        yield Problem(descriptor, None, name, kind, error.message)
