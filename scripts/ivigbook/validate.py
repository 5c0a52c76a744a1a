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
import csv
import datetime as dt
import importlib
import io
import json
import math
import os
import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

#: Descriptor file names looked for in a data folder, in this order.
DESCRIPTOR_NAMES = ("datapackage.yaml", "datapackage.yml", "datapackage.json")
#: The bibliography every ``citation_key`` field refers to, beside the descriptor.
BIBLIOGRAPHY = "references.bib"
#: Fields of this name, in any resource, must name an entry of :data:`BIBLIOGRAPHY`.
CITATION_FIELD = "citation_key"
#: Marker left in scaffolded rows; any cell containing it is an error.
PLACEHOLDER = "FILL IN"
#: Values longer than this are cut in messages.
MAX_SHOWN = 60

SUPPORTED_TYPES = ("string", "integer", "number", "boolean", "date")
SUPPORTED_CONSTRAINTS = {
    "required",
    "unique",
    "minimum",
    "maximum",
    "exclusiveMinimum",
    "exclusiveMaximum",
    "enum",
    "pattern",
    "minLength",
    "maxLength",
}
DEFAULT_TRUE = ("true", "True", "TRUE", "1")
DEFAULT_FALSE = ("false", "False", "FALSE", "0")
_INTEGER = re.compile(r"-?[0-9]+")
_NUMBER = re.compile(r"-?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][+-]?[0-9]+)?")
_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
_SURROGATE = re.compile("[\udc80-\udcff]")
_CONTROL = re.compile("[\x00-\x09\x0b\x0c\x0e-\x1f\x7f-\x9f]|\r(?!\n)")


# ---------------------------------------------------------------------------------------------
# Problems


@dataclass(frozen=True)
class Problem:
    """One broken rule: where (file, line, field), which rule, and the message."""

    file: str
    line: int | None
    field: str | None
    rule: str
    message: str

    def __str__(self) -> str:
        where = self.file if self.line is None else f"{self.file}:{self.line}"
        what = f"{self.field}: " if self.field else ""
        return f"{where}: {what}{self.message}"


class DataPackageError(Exception):
    """The data package is invalid; ``problems`` holds every problem found."""

    def __init__(self, problems: Iterable[Problem]) -> None:
        self.problems = list(problems)
        count = len(self.problems)
        lines = "\n".join(str(p) for p in self.problems)
        super().__init__(f"invalid data package ({count} problem(s)):\n{lines}")


def shown(value: Any) -> str:
    """``value`` as it appears in a message: quoted, control characters escaped, truncated."""
    text = str(value)
    if len(text) > MAX_SHOWN:
        text = text[: MAX_SHOWN - 1] + "…"
    text = _CONTROL.sub(lambda m: f"\\u{ord(m.group(0)):04x}", text)
    text = text.replace("\r", "\\r").replace("\n", "\\n")
    return f'"{text}"'


# ---------------------------------------------------------------------------------------------
# Descriptor


class DescriptorError(Exception):
    """The descriptor cannot be read or describes something this validator cannot check."""

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = problems
        super().__init__("\n".join(str(p) for p in problems))


@dataclass(frozen=True)
class FieldSpec:
    """A schema field, compiled: parser and constraints with values of the field's type."""

    name: str
    type: str
    description: str
    required: bool = False
    unique: bool = False
    enum: tuple[Any, ...] | None = None
    pattern: re.Pattern[str] | None = None
    bounds: tuple[tuple[str, Any], ...] = ()
    min_length: int | None = None
    max_length: int | None = None
    true_values: tuple[str, ...] = DEFAULT_TRUE
    false_values: tuple[str, ...] = DEFAULT_FALSE
    raw: dict[str, Any] = field(default_factory=dict, compare=False, repr=False)

    def parse(self, text: str) -> Any:
        """The typed value of a non-missing cell; ``ValueError`` if it is not of the type."""
        if self.type == "string":
            return text
        if self.type == "integer":
            if not _INTEGER.fullmatch(text):
                raise ValueError(text)
            return int(text)
        if self.type == "number":
            if not _NUMBER.fullmatch(text):
                raise ValueError(text)
            value = float(text)
            if not math.isfinite(value):
                raise ValueError(text)
            return value
        if self.type == "boolean":
            if text in self.true_values:
                return True
            if text in self.false_values:
                return False
            raise ValueError(text)
        if self.type == "date":
            if not _DATE.fullmatch(text):
                raise ValueError(text)
            return dt.date.fromisoformat(text)
        raise ValueError(text)  # pragma: no cover - types are checked when compiling


@dataclass(frozen=True)
class ResourceSpec:
    name: str
    path: str
    fields: tuple[FieldSpec, ...]
    missing_values: tuple[str, ...]
    primary_key: tuple[str, ...]
    foreign_keys: tuple[tuple[tuple[str, ...], str, tuple[str, ...]], ...]

    @property
    def field_names(self) -> list[str]:
        return [f.name for f in self.fields]


def find_descriptor(location: str | os.PathLike[str]) -> Path:
    """The descriptor file for a data folder (or the file itself if given one)."""
    path = Path(location)
    if path.is_file():
        return path
    for name in DESCRIPTOR_NAMES:
        if (path / name).is_file():
            return path / name
    return path / DESCRIPTOR_NAMES[0]


def read_descriptor(path: Path) -> dict[str, Any]:
    """Parse a YAML or JSON descriptor; :class:`DescriptorError` with a one-line message."""
    name = path.name
    try:
        text = path.read_bytes().decode("utf-8")
    except FileNotFoundError:
        raise DescriptorError([Problem(name, None, None, "missing", "missing file")]) from None
    except UnicodeDecodeError as exc:
        msg = f"not valid UTF-8 ({exc.reason} at byte {exc.start})"
        raise DescriptorError([Problem(name, None, None, "encoding", msg)]) from None
    if not text.strip():
        raise DescriptorError([Problem(name, None, None, "empty", "empty file")])
    if path.suffix == ".json":
        try:
            data = json.loads(text)
        except json.JSONDecodeError as exc:
            msg = f"malformed JSON: {exc.msg} (column {exc.colno})"
            raise DescriptorError([Problem(name, exc.lineno, None, "json", msg)]) from None
    else:
        try:
            data = yaml.safe_load(text)
        except yaml.YAMLError as exc:
            mark = getattr(exc, "problem_mark", None)
            line = mark.line + 1 if mark is not None else None
            problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
            msg = f"malformed YAML: {problem}"
            raise DescriptorError([Problem(name, line, None, "yaml", msg)]) from None
    if not isinstance(data, dict):
        msg = "descriptor must be a mapping with a 'resources' list"
        raise DescriptorError([Problem(name, None, None, "descriptor", msg)])
    return data


def _as_list(value: Any) -> list[Any]:
    if value is None:
        return []
    return [value] if isinstance(value, str) else list(value)


def _compile_field(raw: dict[str, Any], where: str, problems: list[Problem]) -> FieldSpec | None:
    def bad(msg: str) -> None:
        problems.append(Problem(where, None, raw.get("name"), "descriptor", msg))

    name, ftype = raw.get("name"), raw.get("type", "string")
    if not isinstance(name, str) or not name:
        bad("field without a name")
        return None
    if ftype not in SUPPORTED_TYPES:
        bad(f"type {ftype!r} is not supported (supported: {', '.join(SUPPORTED_TYPES)})")
        return None
    if raw.get("format", "default") != "default":
        bad(f"format {raw['format']!r} is not supported")
        return None
    for key in ("bareNumber", "decimalChar", "groupChar"):
        if key in raw:
            bad(f"{key} is not supported")
    spec = FieldSpec(name=name, type=ftype, description=str(raw.get("description", "")), raw=raw)
    true_values = tuple(raw.get("trueValues", DEFAULT_TRUE))
    false_values = tuple(raw.get("falseValues", DEFAULT_FALSE))
    constraints = raw.get("constraints") or {}
    if not isinstance(constraints, dict):
        bad("constraints must be a mapping")
        return None
    unknown = sorted(set(constraints) - SUPPORTED_CONSTRAINTS)
    if unknown:
        bad(f"constraint(s) {', '.join(unknown)} not supported")
    probe = FieldSpec(
        name=name, type=ftype, description="", true_values=true_values, false_values=false_values
    )

    def typed(value: Any, what: str) -> Any:
        if isinstance(value, dt.date) and ftype == "date":
            return value
        if isinstance(value, bool) and ftype == "boolean":
            return value
        if (
            isinstance(value, int | float)
            and not isinstance(value, bool)
            and ftype
            in (
                "integer",
                "number",
            )
        ):
            return value
        try:
            return probe.parse(str(value))
        except ValueError:
            bad(f"{what} {value!r} is not a valid {ftype}")
            return None

    bounds = []
    for key in ("minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum"):
        if key in constraints:
            if ftype not in ("integer", "number", "date"):
                bad(f"{key} is not supported for type {ftype}")
                continue
            bounds.append((key, typed(constraints[key], key)))
    enum = None
    if "enum" in constraints:
        enum = tuple(typed(v, "enum value") for v in _as_list(constraints["enum"]))
    pattern = None
    if "pattern" in constraints:
        if ftype != "string":
            bad(f"pattern is not supported for type {ftype}")
        else:
            try:
                pattern = re.compile(constraints["pattern"])
            except re.error as exc:
                bad(f"pattern {constraints['pattern']!r} is not a valid regular expression: {exc}")
    lengths = {}
    for key in ("minLength", "maxLength"):
        if key in constraints:
            if ftype != "string":
                bad(f"{key} is not supported for type {ftype}")
            elif not isinstance(constraints[key], int) or constraints[key] < 0:
                bad(f"{key} must be a non-negative integer")
            else:
                lengths[key] = constraints[key]
    return FieldSpec(
        name=spec.name,
        type=spec.type,
        description=spec.description,
        required=bool(constraints.get("required", False)),
        unique=bool(constraints.get("unique", False)),
        enum=enum,
        pattern=pattern,
        bounds=tuple(bounds),
        min_length=lengths.get("minLength"),
        max_length=lengths.get("maxLength"),
        true_values=true_values,
        false_values=false_values,
        raw=raw,
    )


def compile_package(package: dict[str, Any], descriptor_name: str) -> list[ResourceSpec]:
    """Check the descriptor's structure and compile each resource; raise DescriptorError."""
    problems: list[Problem] = []

    def bad(msg: str, fld: str | None = None) -> None:
        problems.append(Problem(descriptor_name, None, fld, "descriptor", msg))

    resources = package.get("resources")
    if not isinstance(resources, list) or not resources:
        bad("'resources' must be a non-empty list")
        raise DescriptorError(problems)
    specs: list[ResourceSpec] = []
    names: set[str] = set()
    for index, res in enumerate(resources):
        if not isinstance(res, dict):
            bad(f"resource {index + 1} is not a mapping")
            continue
        name, path = res.get("name"), res.get("path")
        label = f"resource {name or index + 1}"
        if not isinstance(name, str) or not name:
            bad(f"{label}: no name")
            continue
        if name in names:
            bad(f"{label}: name used twice")
        names.add(name)
        if not isinstance(path, str) or not path or Path(path).is_absolute() or ".." in path:
            bad(f"{label}: 'path' must be a relative file path inside the package")
            continue
        if str(res.get("encoding", "utf-8")).lower().replace("_", "-") not in ("utf-8", "utf8"):
            bad(f"{label}: encoding {res['encoding']!r} is not supported (UTF-8 only)")
        if "dialect" in res:
            bad(f"{label}: a CSV dialect is not supported (standard comma-separated CSV only)")
        schema = res.get("schema")
        if not isinstance(schema, dict) or not isinstance(schema.get("fields"), list):
            bad(f"{label}: 'schema' must be an inline mapping with a 'fields' list")
            continue
        fields = []
        for raw in schema["fields"]:
            if not isinstance(raw, dict):
                bad(f"{label}: a field is not a mapping")
                continue
            compiled = _compile_field(raw, descriptor_name, problems)
            if compiled is not None:
                fields.append(compiled)
        field_names = [f.name for f in fields]
        for dup in sorted({n for n in field_names if field_names.count(n) > 1}):
            bad(f"{label}: field name used twice", dup)
        missing_values = tuple(str(v) for v in schema.get("missingValues", [""]))
        primary_key = tuple(_as_list(schema.get("primaryKey")))
        for key in primary_key:
            if key not in field_names:
                bad(f"{label}: primaryKey field {key!r} is not a field")
        foreign_keys = []
        for fk in schema.get("foreignKeys") or []:
            fk_fields = tuple(_as_list(fk.get("fields")))
            ref = fk.get("reference") or {}
            ref_resource = ref.get("resource") or name
            ref_fields = tuple(_as_list(ref.get("fields")))
            if not fk_fields or len(fk_fields) != len(ref_fields):
                bad(f"{label}: foreignKey {fk_fields} must name as many fields as it references")
                continue
            for key in fk_fields:
                if key not in field_names:
                    bad(f"{label}: foreignKey field {key!r} is not a field")
            foreign_keys.append((fk_fields, ref_resource, ref_fields))
        specs.append(
            ResourceSpec(
                name, path, tuple(fields), missing_values, primary_key, tuple(foreign_keys)
            )
        )
    by_name = {s.name: s for s in specs}
    for spec in specs:
        for _, ref_resource, ref_fields in spec.foreign_keys:
            target = by_name.get(ref_resource)
            if target is None:
                bad(
                    f"resource {spec.name}: foreignKey references unknown resource {ref_resource!r}"
                )
                continue
            for key in ref_fields:
                if key not in target.field_names:
                    bad(
                        f"resource {spec.name}: foreignKey references unknown field "
                        f"{ref_resource}.{key}"
                    )
    if problems:
        raise DescriptorError(problems)
    return specs


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


def _decode(raw: bytes, file: str, problems: list[Problem]) -> str:
    if raw.startswith(b"\xef\xbb\xbf"):
        problems.append(
            Problem(
                file,
                1,
                None,
                "encoding",
                "file starts with a byte order mark (BOM); save as UTF-8 without BOM",
            )
        )
        raw = raw[3:]
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


# ---------------------------------------------------------------------------------------------
# Cross-table rules


@dataclass(frozen=True)
class CrossRule:
    """A rule a Table Schema cannot express: the fields it needs and a check."""

    name: str
    words: str
    needs: dict[str, tuple[str, ...]]
    check: Callable[[Context], Iterator[Problem]]


@dataclass
class Context:
    tables: dict[str, Table]
    bib_keys: frozenset[str] | None

    def rows(self, resource: str) -> list[Row]:
        return self.tables[resource].rows

    def file(self, resource: str) -> str:
        return self.tables[resource].file


def _arms(ctx: Context) -> Iterator[Problem]:
    file = ctx.file("studies")
    for row in ctx.rows("studies"):
        v = row.typed
        total, ivig, control = v["n_total"], v["n_ivig"], v["n_control"]
        if None in (total, ivig, control):
            continue
        if v["crossover"] is True:
            if ivig != total:
                yield Problem(
                    file,
                    row.line,
                    "n_ivig",
                    "arms",
                    f"crossover study needs n_ivig == n_total ({total}), "
                    f"violated by value {shown(ivig)}",
                )
            if control != 0:
                yield Problem(
                    file,
                    row.line,
                    "n_control",
                    "arms",
                    f"crossover study needs n_control == 0, violated by value {shown(control)}",
                )
        elif ivig + control != total:
            yield Problem(
                file,
                row.line,
                "n_total",
                "arms",
                f"n_ivig + n_control ({ivig} + {control}) must equal n_total, "
                f"violated by value {shown(total)}",
            )
        if v["controlled"] is False and control != 0:
            yield Problem(
                file,
                row.line,
                "n_control",
                "arms",
                f"uncontrolled study needs n_control == 0, violated by value {shown(control)}",
            )


def _included_by(ctx: Context) -> Iterator[Problem]:
    file = ctx.file("studies")
    for row in ctx.rows("studies"):
        included, ref = row.typed["included_by"], row.typed["letter_ref"]
        if included is None:
            continue
        if (included == "letter") != (ref is not None):
            msg = (
                "included_by letter needs a letter_ref"
                if included == "letter"
                else f"included_by {included} needs an empty letter_ref"
            )
            yield Problem(
                file,
                row.line,
                "included_by",
                "included_by",
                f"{msg}, violated by value {shown(included)}",
            )


def _responders(ctx: Context) -> Iterator[Problem]:
    file = ctx.file("responders")
    studies = {r.typed["study_id"]: r.typed for r in ctx.rows("studies")}
    outcomes = {r.typed["outcome_id"]: r.typed for r in ctx.rows("outcomes")}
    for row in ctx.rows("responders"):
        v = row.typed
        num, den, group = v["numerator"], v["denominator"], v["group"]
        if num is not None and den is not None and num > den:
            yield Problem(
                file,
                row.line,
                "numerator",
                "responders",
                f"numerator must not exceed denominator ({den}), violated by value {shown(num)}",
            )
        study = studies.get(v["study_id"])
        outcome = outcomes.get(v["outcome_id"])
        if (
            outcome is not None
            and v["study_id"] is not None
            and outcome["study_id"] != v["study_id"]
        ):
            yield Problem(
                file,
                row.line,
                "outcome_id",
                "responders",
                f"outcome belongs to study {outcome['study_id']}, not "
                f"{v['study_id']}, violated by value {shown(v['outcome_id'])}",
            )
        if study is None or group is None:
            continue
        arm_field = "n_control" if group == "control" else "n_ivig"
        arm = study[arm_field]
        if group == "control" and arm is not None and arm <= 0:
            yield Problem(
                file,
                row.line,
                "group",
                "responders",
                f"group control needs a study with n_control > 0 "
                f"({v['study_id']} has {arm}), violated by value {shown(group)}",
            )
        elif den is not None and arm is not None and den > arm:
            yield Problem(
                file,
                row.line,
                "denominator",
                "responders",
                f"denominator must not exceed the study's {arm_field} ({arm}), "
                f"violated by value {shown(den)}",
            )


def _outcomes(ctx: Context) -> Iterator[Problem]:
    file = ctx.file("outcomes")
    for row in ctx.rows("outcomes"):
        result, basis, quote = row.typed["result"], row.typed["result_basis"], row.typed["quote"]
        if result is None or basis is None:
            continue
        if (basis == "none") != (result == "not_reported"):
            msg = (
                "result_basis none needs result not_reported"
                if basis == "none"
                else "result not_reported needs result_basis none"
            )
            yield Problem(
                file,
                row.line,
                "result_basis",
                "outcomes",
                f"{msg}, violated by value {shown(basis)}",
            )
        if result != "not_reported" and quote is None:
            yield Problem(
                file, row.line, "quote", "outcomes", f"quote required when result is {result}"
            )


def _search(ctx: Context) -> Iterator[Problem]:
    file = ctx.file("search")
    rows = [r for r in ctx.rows("search") if r.typed["step_order"] is not None]
    orders = sorted(r.typed["step_order"] for r in rows)
    if orders:
        present = set(orders)
        for gap in (k for k in range(1, orders[-1] + 1) if k not in present):
            after = min(
                (r for r in rows if r.typed["step_order"] > gap),
                key=lambda r: r.typed["step_order"],
            )
            yield Problem(
                file,
                after.line,
                "step_order",
                "search",
                f"steps must run 1..n without gaps: step {gap} missing before value "
                f"{shown(after.typed['step_order'])}",
            )
    for row in ctx.rows("search"):
        v = row.typed
        if v["reported"] is False:
            for name in ("count", "quote"):
                if v[name] is not None:
                    yield Problem(
                        file,
                        row.line,
                        name,
                        "search",
                        f"must be empty when reported is false, violated by value {shown(v[name])}",
                    )
        elif v["reported"] is True and v["quote"] is None:
            yield Problem(file, row.line, "quote", "search", "quote required when reported is true")


def check_registry() -> dict[str, Any]:
    """The claim checks, ``ivigbook.claims.CHECKS``, imported only when needed."""
    module = importlib.import_module("ivigbook.claims")
    return dict(module.CHECKS)


def _claims(ctx: Context) -> Iterator[Problem]:
    file = ctx.file("claims")
    rows = [r for r in ctx.rows("claims") if r.typed["check"] is not None]
    if not rows:
        return
    try:
        registry = check_registry()
    except Exception as exc:  # any failure to import is reported, never ignored
        yield Problem(
            file,
            rows[0].line,
            "check",
            "claims",
            f"cannot import the registry ivigbook.claims.CHECKS ({type(exc).__name__}: {exc})",
        )
        return
    for row in rows:
        name = row.typed["check"]
        if name not in registry:
            yield Problem(
                file,
                row.line,
                "check",
                "claims",
                f"must name a function in ivigbook.claims.CHECKS, violated by value {shown(name)}",
            )


def _citations(ctx: Context) -> Iterator[Problem]:
    if ctx.bib_keys is None:
        return
    for table in ctx.tables.values():
        if CITATION_FIELD not in table.spec.field_names or not table.readable:
            continue
        for row in table.rows:
            key = row.typed[CITATION_FIELD]
            if key is not None and key not in ctx.bib_keys:
                yield Problem(
                    table.file,
                    row.line,
                    CITATION_FIELD,
                    "citation",
                    f"no entry in {BIBLIOGRAPHY} for value {shown(key)}",
                )


#: The project's rules beyond Table Schema, in the order they are checked and documented.
CROSS_TABLE_RULES: tuple[CrossRule, ...] = (
    CrossRule(
        "arms",
        "Arms add up. In a crossover study (crossover true) every patient had IVIG: n_ivig "
        "equals n_total and n_control is 0. Otherwise n_ivig + n_control equals n_total. An "
        "uncontrolled study (controlled false) has n_control 0.",
        {"studies": ("n_total", "n_ivig", "n_control", "crossover", "controlled")},
        _arms,
    ),
    CrossRule(
        "included_by",
        "A study has a letter_ref exactly when included_by is letter.",
        {"studies": ("included_by", "letter_ref")},
        _included_by,
    ),
    CrossRule(
        "responders",
        "Responder counts fit their study. numerator is at most denominator; denominator is "
        "at most the arm it counts (n_ivig for groups ivig and subgroup, n_control for "
        "control); a control-group count needs a study with n_control above 0; the outcome "
        "(outcome_id) belongs to the same study as the count.",
        {
            "responders": ("numerator", "denominator", "group", "study_id", "outcome_id"),
            "studies": ("study_id", "n_ivig", "n_control"),
            "outcomes": ("outcome_id", "study_id"),
        },
        _responders,
    ),
    CrossRule(
        "outcomes",
        "An outcome's result_basis is none exactly when its result is not_reported, and it "
        "has a quote unless its result is not_reported.",
        {"outcomes": ("result", "result_basis", "quote")},
        _outcomes,
    ),
    CrossRule(
        "search",
        "The search steps' step_order runs 1, 2, ... n without gaps. A step the letter does "
        "not report (reported false) has no count and no quote; a reported step has a quote.",
        {"search": ("step_order", "reported", "count", "quote")},
        _search,
    ),
    CrossRule(
        "claims",
        "Each claim's check names a function registered in ivigbook.claims.CHECKS.",
        {"claims": ("check",)},
        _claims,
    ),
    CrossRule(
        "citation",
        f"Every {CITATION_FIELD} (in any table) is the key of an entry in {BIBLIOGRAPHY}, "
        "which must parse as BibTeX.",
        {},
        _citations,
    ),
)


def check_cross_tables(ctx: Context, descriptor_name: str, problems: list[Problem]) -> None:
    for rule in CROSS_TABLE_RULES:
        runnable = True
        for resource, names in rule.needs.items():
            table = ctx.tables.get(resource)
            if table is None:
                problems.append(
                    Problem(
                        descriptor_name,
                        None,
                        None,
                        "descriptor",
                        f"rule {rule.name} needs resource {resource!r}",
                    )
                )
                runnable = False
                continue
            for name in names:
                if name not in table.spec.field_names:
                    problems.append(
                        Problem(
                            descriptor_name,
                            None,
                            f"{resource}.{name}",
                            "descriptor",
                            f"rule {rule.name} needs this field",
                        )
                    )
                    runnable = False
            if not table.readable:
                runnable = False
        if runnable:
            problems.extend(rule.check(ctx))


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
    return Path(__file__).resolve().parents[2] / "data"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "data_dir",
        nargs="?",
        default=None,
        help="data package folder or descriptor (default: $IVIGBOOK_DATA_DIR "
        "or the repository's data/)",
    )


def run(args: argparse.Namespace) -> int:
    location = Path(args.data_dir) if args.data_dir else default_data_dir()
    result = run_validation(location)
    if result.problems:
        for problem in result.problems:
            print(problem)
        print(f"{len(result.problems)} problem(s) in {location}")
        return 1
    print(f"{location}: {result.summary()}")
    return 0
