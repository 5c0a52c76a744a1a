"""The data dictionary, generated from the descriptor: ``python -m ivigbook dictionary``.

:func:`dictionary_frame` gives one row per field for the book's appendix;
:func:`readme_text` gives ``data/README.md`` (written with ``--write``; a test checks that the
file is up to date with the schema).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from ivigbook.data.problems import BIBLIOGRAPHY, DEFAULT_FALSE, DEFAULT_TRUE, PLACEHOLDER
from ivigbook.data.rules import CROSS_TABLE_RULES
from ivigbook.data.schema import DescriptorError, as_list, find_descriptor, read_descriptor
from ivigbook.data.validate import default_data_dir
from ivigbook.prose import document

README = "README.md"


def _clean(text: Any) -> str:
    return " ".join(str(text or "").split())


def _value(value: Any) -> str:
    return f"`{value}`"


#: Each bound or length constraint in words, in the order they are listed.
_BOUNDS = {"minimum": "at least {}", "exclusiveMinimum": "more than {}", "maximum": "at most {}"}
_BOUNDS |= {"exclusiveMaximum": "less than {}", "minLength": "at least {} characters"}
_BOUNDS |= {"maxLength": "at most {} characters"}


def constraints_in_words(fld: dict[str, Any]) -> str:
    """A field's constraints as a short English phrase ("" when it has none)."""
    c = fld.get("constraints") or {}
    words = ["unique"] if c.get("unique") else []
    if "enum" in c:
        words.append("one of " + ", ".join(_value(v) for v in c["enum"]))
    if "pattern" in c:
        words.append(f"matches {_value(c['pattern'])}")
    words += [phrase.format(c[key]) for key, phrase in _BOUNDS.items() if key in c]
    return "; ".join(words)


def dictionary_frame(package: dict[str, Any]) -> Any:
    """One row per field: resource, field, type, required, constraints (words), description."""
    import pandas as pd

    columns = ["resource", "field", "type", "required", "constraints", "description"]
    rows = [
        (
            res["name"],
            fld["name"],
            fld.get("type", "string"),
            bool((fld.get("constraints") or {}).get("required", False)),
            constraints_in_words(fld),
            _clean(fld.get("description")),
        )
        for res in package["resources"]
        for fld in res["schema"]["fields"]
    ]
    frame = pd.DataFrame(rows, columns=columns)
    return frame.astype({c: "boolean" if c == "required" else "string" for c in columns})


def _cell(text: str) -> str:
    return text.replace("|", "\\|")


def _keys(res: dict[str, Any]) -> list[str]:
    schema = res["schema"]
    lines = []
    if pk := as_list(schema.get("primaryKey")):
        lines.append(f"Primary key: {', '.join(_value(k) for k in pk)}.")
    for fk in schema.get("foreignKeys") or []:
        ref = fk["reference"]
        target = ", ".join(
            f"`{ref.get('resource') or res['name']}.{f}`" for f in as_list(ref["fields"])
        )
        lines.append(
            f"Foreign key: {', '.join(_value(f) for f in as_list(fk['fields']))} → {target}."
        )
    return lines


def readme_text(package: dict[str, Any]) -> str:
    """``data/README.md`` (worded in ``prose/data-readme.jinja``)."""
    frame = dictionary_frame(package)
    resources = [
        {
            "name": res["name"],
            "path": res["path"],
            "description": _clean(res.get("description")),
            "key_lines": _keys(res),
            "fields": [
                {
                    **row._asdict(),
                    "constraints": _cell(row.constraints),
                    "description": _cell(row.description),
                }
                for row in frame[frame["resource"] == res["name"]].itertuples(index=False)
            ],
        }
        for res in package["resources"]
    ]
    tables = [
        {
            **r,
            "anchor": r["name"].replace("_", "-"),
            "description": _cell(r["description"]),
            "n_fields": len(r["fields"]),
        }
        for r in resources
    ]
    true, false = (", ".join(_value(v) for v in values) for values in (DEFAULT_TRUE, DEFAULT_FALSE))
    return document(
        "data-readme",
        "readme",
        title=_clean(package.get("title") or package.get("name")),
        description=_clean(package.get("description")),
        name=package.get("name"),
        version=package.get("version"),
        licences=[
            (lic.get("title") or lic.get("name"))
            + (f" (<{lic['path']}>)" if lic.get("path") else "")
            for lic in package.get("licenses") or []
        ],
        sources=[_clean(src.get("title")) for src in package.get("sources") or []],
        tables=tables,
        resources=resources,
        true_words=true,
        false_words=false,
        placeholder=PLACEHOLDER,
        bibliography=BIBLIOGRAPHY,
        rules=CROSS_TABLE_RULES,
    )


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "data_dir", nargs="?", default=None, help="data package folder (default: data/)"
    )
    parser.add_argument("--write", action="store_true", help=f"write {README} in the data folder")


def run(args: argparse.Namespace) -> int:
    location = Path(args.data_dir) if args.data_dir else default_data_dir()
    descriptor = find_descriptor(location)
    try:
        text = readme_text(read_descriptor(descriptor))
    except DescriptorError as exc:
        print(exc)
        return 1
    if args.write:
        target = descriptor.parent / README
        target.write_text(text, encoding="utf-8")
        print(f"wrote {target}")
    else:
        sys.stdout.write(text)
    return 0
