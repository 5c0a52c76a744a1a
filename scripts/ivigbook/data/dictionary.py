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
    """``data/README.md``: package, licence, tables and fields, validation rules."""
    out = [f"# {_clean(package.get('title') or package.get('name'))}", ""]
    out += [
        "<!-- Generated from datapackage.yaml by `python -m ivigbook dictionary --write`"
        " (make dictionary). Do not edit by hand. -->",
        "",
        _clean(package.get("description")),
        "",
    ]
    out += [f"- Name: `{package['name']}`"] if package.get("name") else []
    out += [f"- Version: {package['version']}"] if package.get("version") else []
    for lic in package.get("licenses") or []:
        path = f" (<{lic['path']}>)" if lic.get("path") else ""
        out.append(f"- Licence: {lic.get('title') or lic.get('name')}{path}")
    out += [f"- Source: {_clean(src.get('title'))}" for src in package.get("sources") or []]
    out += ["", "## Tables", "", "| Table | File | Rows are | Fields |", "|---|---|---|---|"]
    out += [
        f"| [{res['name']}](#{res['name'].replace('_', '-')}) | `{res['path']}` | "
        f"{_cell(_clean(res.get('description')))} | {len(res['schema']['fields'])} |"
        for res in package["resources"]
    ]
    out += [
        "",
        f"Every identifier in a `citation_key` field is the key of an entry in "
        f"`{BIBLIOGRAPHY}` (BibTeX).",
        "",
    ]
    frame = dictionary_frame(package)
    for res in package["resources"]:
        out += [f"## {res['name']}", "", f"File `{res['path']}`. {_clean(res.get('description'))}"]
        out += ["", *_keys(res), "", "| Field | Type | Required | Constraints | Description |"]
        out.append("|---|---|---|---|---|")
        out += [
            f"| `{row.field}` | {row.type} | {'yes' if row.required else 'no'} | "
            f"{_cell(row.constraints)} | {_cell(row.description)} |"
            for row in frame[frame["resource"] == res["name"]].itertuples(index=False)
        ]
        out.append("")
    true, false = (", ".join(_value(v) for v in values) for values in (DEFAULT_TRUE, DEFAULT_FALSE))
    generic = [
        "Files are UTF-8 (a byte order mark is ignored).",
        "Line 1 is the header: every field above is a column, in the order above; no other "
        "column. Line numbers in messages are those of the file; a record with a line break "
        "inside a quoted cell is reported at its first line.",
        "An empty cell is a missing value. A required field may not be missing.",
        "`integer`: digits with an optional leading minus. `number`: a decimal with optional "
        f"exponent (no NaN or infinity). `date`: `YYYY-MM-DD`. `boolean`: {true} for true and "
        f"{false} for false (the Table Schema defaults; the data uses `true` and `false`).",
        "Constraints as listed: unique, one of an enumeration, pattern (the whole value), "
        "minimum/maximum, length in characters. Primary keys are unique and present; foreign "
        "keys name an existing row.",
        "No cell holds a control character (tab included); a line break is allowed only "
        "inside a quoted cell.",
        f'No cell contains the placeholder "{PLACEHOLDER}" left by `python -m ivigbook new-study`.',
    ]
    out += [
        "## Validation",
        "",
        "`python -m ivigbook validate data` (or `make validate`) checks the package and prints "
        "every problem as `file:line: field: rule broken by value`, or a one-line summary. "
        "The book's loader runs the same checks before any chapter sees the data.",
        "",
        "Generic rules (Table Schema: frictionless checks types, constraints and keys; the "
        "book adds the rest), from the schema above:",
        "",
        *(f"- {line}" for line in generic),
        "",
        "Rules across fields and tables:",
        "",
        *(f"- **{rule.name}.** {rule.words}" for rule in CROSS_TABLE_RULES),
        "",
        "## Adding a study",
        "",
        "`python -m ivigbook new-study ID` (or `make new-study ID=...`) appends a study row and "
        "an outcome row whose placeholders fail validation until every one is filled in; see "
        "`templates/new-study.md`.",
        "",
    ]
    return "\n".join(out)


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
