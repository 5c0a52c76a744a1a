"""Scaffold a new study: ``python -m ivigbook new-study ID`` (``make new-study ID=...``).

Appends to the data folder's CSV files, in schema order:

* ``studies.csv``: one row with ``study_id`` = ID, ``included_by`` = ``update``, ``added_on`` =
  today and ``letter_ref`` empty (added studies are not in the letter); every other cell holds
  the placeholder ``FILL IN``;
* ``outcomes.csv``: one row with ``study_id`` = ID and ``FILL IN`` everywhere else.

The validator rejects any cell containing ``FILL IN``, so neither ``make validate`` nor the book
build passes until a contributor has replaced every placeholder with a value, or with nothing
where the field is optional and the source does not say. Instructions: ``data/templates/
new-study.md``; the field descriptions are in ``data/README.md``.
"""

from __future__ import annotations

import argparse
import datetime as dt
import re
from pathlib import Path
from typing import Any

from ivigbook.data.problems import PLACEHOLDER
from ivigbook.data.read import appending, read_rows
from ivigbook.data.schema import DescriptorError, find_descriptor, read_descriptor
from ivigbook.data.validate import default_data_dir

STUDIES = "studies"
OUTCOMES = "outcomes"
TEMPLATE = Path("templates") / "new-study.md"


class NewStudyError(Exception):
    """The study cannot be scaffolded (bad or existing ID, unreadable files)."""


def _resource(package: dict[str, Any], name: str) -> dict[str, Any]:
    for res in package["resources"]:
        if res["name"] == name:
            return res
    msg = f"the descriptor has no resource {name!r}"
    raise NewStudyError(msg)


def template_rows(package: dict[str, Any], study_id: str, today: dt.date) -> dict[str, dict]:
    """The rows to append, by resource name: field name -> cell text."""
    studies = _resource(package, STUDIES)
    fields = {f["name"]: f for f in studies["schema"]["fields"]}
    pattern = (fields["study_id"].get("constraints") or {}).get("pattern")
    if pattern and not re.fullmatch(pattern, study_id):
        msg = f"study ID {study_id!r} does not match the schema's pattern {pattern}"
        raise NewStudyError(msg)
    known = {"letter_ref": "", "included_by": "update", "added_on": today.isoformat()}
    study = dict.fromkeys(fields, PLACEHOLDER) | {k: v for k, v in known.items() if k in fields}
    outcome = {f["name"]: PLACEHOLDER for f in _resource(package, OUTCOMES)["schema"]["fields"]}
    return {STUDIES: study | {"study_id": study_id}, OUTCOMES: outcome | {"study_id": study_id}}


def append_rows(data_dir: Path, study_id: str, today: dt.date | None = None) -> dict[str, str]:
    """Append the template rows for ``study_id``; return file name -> appended text."""
    descriptor = find_descriptor(data_dir)
    package = read_descriptor(descriptor)
    base = descriptor.parent
    rows = template_rows(package, study_id, today or dt.date.today())
    studies_path = base / _resource(package, STUDIES)["path"]
    if study_id in {row.get("study_id") for row in read_rows(studies_path)[1]}:
        msg = f"study {study_id!r} is already in {studies_path.name}"
        raise NewStudyError(msg)
    planned: dict[Path, str] = {}
    for name, row in rows.items():
        path = base / _resource(package, name)["path"]
        planned[path] = appending(path, [row])[1]
    for path, text in planned.items():
        with path.open("a", encoding="utf-8", newline="") as handle:
            handle.write(text)
    return {path.name: text for path, text in planned.items()}


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "study_id", help="new study's ID: first author's surname + year, e.g. smith2027"
    )
    parser.add_argument("--data-dir", default=None, help="data package folder (default: data/)")
    parser.add_argument(
        "--dry-run", action="store_true", help="print the rows instead of appending them"
    )


def run(args: argparse.Namespace) -> int:
    data_dir = Path(args.data_dir) if args.data_dir else default_data_dir()
    try:
        if args.dry_run:
            package = read_descriptor(find_descriptor(data_dir))
            for name, row in template_rows(package, args.study_id, dt.date.today()).items():
                print(f"{name}: {row}")
            return 0
        appended = append_rows(data_dir, args.study_id)
    except (NewStudyError, DescriptorError, OSError, ValueError) as exc:
        print(f"new-study: {exc}")
        return 1
    for name, text in appended.items():
        print(f"appended to {name}: {text.strip()}")
    print(
        f'Now replace every "{PLACEHOLDER}" (with a value, or with nothing where the field is '
        f"optional and the source does not say), add the study's entry to references.bib, and run "
        f"`make validate` until it passes. Steps: {data_dir / TEMPLATE}."
    )
    return 0
