"""The descriptor (``datapackage.yaml``) compiled into field and resource specs.

Every resource, field, type and constraint the validator checks comes from here.
"""

from __future__ import annotations

import datetime as dt
import json
import math
import os
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from ivigbook.data.problems import (
    _DATE,
    _INTEGER,
    _NUMBER,
    DEFAULT_FALSE,
    DEFAULT_TRUE,
    DESCRIPTOR_NAMES,
    SUPPORTED_CONSTRAINTS,
    SUPPORTED_TYPES,
    Problem,
)

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
