"""The descriptor (``datapackage.yaml``): found, parsed, and held to what the book can load.

Frictionless checks the descriptor against the Data Package standard when it reads each
resource (:mod:`ivigbook.data.read`); this module adds the limits of the book's loader (five
types, default formats, the constraints it knows) and the references between resources, with
one-line messages.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import yaml

from ivigbook.data.problems import (
    DESCRIPTOR_NAMES,
    SUPPORTED_CONSTRAINTS,
    SUPPORTED_TYPES,
    Problem,
)


class DescriptorError(Exception):
    """The descriptor cannot be read or describes something the book cannot load."""

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = problems
        super().__init__("\n".join(str(p) for p in problems))


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
            data = yaml.load(text, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))
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


def as_list(value: Any) -> list[Any]:
    """A Table Schema name list (``primaryKey``, key ``fields``), given as a list or one name."""
    if value is None:
        return []
    return [value] if isinstance(value, str) else list(value)


def check_descriptor(package: dict[str, Any], descriptor_name: str) -> None:
    """Raise :class:`DescriptorError` unless every resource is a CSV file with an inline
    schema of supported types and constraints whose foreign keys name existing fields."""
    problems: list[Problem] = []

    def bad(msg: str, fld: str | None = None) -> None:
        problems.append(Problem(descriptor_name, None, fld, "descriptor", msg))

    resources = package.get("resources")
    if not isinstance(resources, list) or not resources:
        bad("'resources' must be a non-empty list")
        raise DescriptorError(problems)
    fields_of: dict[str, list[str]] = {}
    supported = ", ".join(SUPPORTED_TYPES)
    for index, res in enumerate(resources):
        label = f"resource {res.get('name') or index + 1}" if isinstance(res, dict) else ""
        path = res.get("path") if isinstance(res, dict) else None
        schema = res.get("schema") if isinstance(res, dict) else None
        if not isinstance(res, dict) or not isinstance(res.get("name"), str):
            bad(f"resource {index + 1} is not a mapping with a name")
        elif res["name"] in fields_of:
            bad(f"{label}: name used twice")
        elif not isinstance(path, str) or not path or Path(path).is_absolute() or ".." in path:
            bad(f"{label}: 'path' must be a relative file path inside the package")
        elif not isinstance(schema, dict) or not isinstance(schema.get("fields"), list):
            bad(f"{label}: 'schema' must be an inline mapping with a 'fields' list")
        elif str(res.get("encoding", "utf-8")).lower().replace("_", "-") not in ("utf-8", "utf8"):
            bad(f"{label}: encoding {res['encoding']!r} is not supported (UTF-8 only)")
        elif "dialect" in res:
            bad(f"{label}: a CSV dialect is not supported (standard comma-separated CSV only)")
        else:
            fields = [f for f in schema["fields"] if isinstance(f, dict)]
            fields_of[res["name"]] = [str(f.get("name")) for f in fields]
            for fld in fields:
                name, ftype = fld.get("name"), fld.get("type", "string")
                if ftype not in SUPPORTED_TYPES:
                    bad(f"type {ftype!r} is not supported (supported: {supported})", name)
                if fld.get("format", "default") != "default":
                    bad(f"format {fld['format']!r} is not supported", name)
                if unknown := sorted(set(fld.get("constraints") or {}) - SUPPORTED_CONSTRAINTS):
                    bad(f"constraint(s) {', '.join(unknown)} not supported", name)
    for res in resources:
        if not isinstance(res, dict) or res.get("name") not in fields_of:
            continue
        for fk in res["schema"].get("foreignKeys") or []:
            ref = fk.get("reference") or {}
            target = ref.get("resource") or res["name"]
            if target not in fields_of:
                bad(f"resource {res['name']}: foreignKey references unknown resource {target!r}")
                continue
            for key in as_list(ref.get("fields")):
                if key not in fields_of[target]:
                    msg = f"foreignKey references unknown field {target}.{key}"
                    bad(f"resource {res['name']}: {msg}")
    if problems:
        raise DescriptorError(problems)
