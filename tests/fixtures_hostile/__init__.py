"""Hostile data for the quality gates: a copy of data/ whose study text fields carry HTML,
JavaScript and LaTeX payloads. They are valid strings, so validation must accept them; the
book must show them as text and never run or typeset them as code.

    from fixtures_hostile import derive_hostile
    derive_hostile(ROOT / "data", tmp_path / "data")
"""

from __future__ import annotations

import csv
import io
import shutil
from pathlib import Path

SCRIPT = "<script>window.__pwned=1</script>"
IMG = '<img src=x onerror="window.__pwned=1">'
JS_LINK = '<a href="javascript:window.__pwned=1">js-link</a> [md-link](javascript:window.__pwned=1)'
LATEX_SPECIALS = r"& % $ # _ { } ~ ^ \ "
LATEX_INPUT = r"\input{/etc/passwd}"
LATEX_WRITE = r"\write18{touch /tmp/pwned}"
LATEX = f"{LATEX_SPECIALS}{LATEX_INPUT} {LATEX_WRITE}"
PWNED_FILE = Path("/tmp/pwned")

#: The HTML payloads a reader must see as text somewhere in the site.
HTML_PAYLOADS = (SCRIPT, IMG, '<a href="javascript:window.__pwned=1">js-link</a>')
#: The LaTeX payloads the PDF must show literally.
LATEX_PAYLOADS = (LATEX_SPECIALS.strip(), LATEX_INPUT, LATEX_WRITE)

#: (study row index, field, text appended to the field's value). Every field stays within its
#: maxLength in data/datapackage.yaml.
INJECTIONS = (
    (0, "first_author", SCRIPT),
    (0, "key_results_letter", SCRIPT),
    (0, "outcome_measures_letter", IMG),
    (0, "weaknesses_letter", LATEX),
    (0, "study_type_letter", JS_LINK),
    (1, "key_results_letter", f"{IMG} {LATEX}"),
    (1, "weaknesses_letter", f"{JS_LINK} {LATEX}"),
)


def read_rows(path: Path) -> tuple[list[str], list[dict[str, str]]]:
    with path.open(encoding="utf-8", newline="") as f:
        reader = csv.DictReader(f)
        return list(reader.fieldnames or []), list(reader)


def write_rows(path: Path, fields: list[str], rows: list[dict[str, str]]) -> None:
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=fields, lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    path.write_text(buffer.getvalue(), encoding="utf-8")


def copy_data(source: Path, target: Path) -> Path:
    shutil.copytree(source, target, ignore=shutil.ignore_patterns("__pycache__"))
    return target


def derive_hostile(source: Path, target: Path) -> Path:
    """Copy ``source`` (a data package folder) to ``target`` and inject the payloads."""
    copy_data(source, target)
    fields, rows = read_rows(target / "studies.csv")
    for index, field, payload in INJECTIONS:
        rows[index][field] = f"{rows[index][field]} {payload}".strip()
    write_rows(target / "studies.csv", fields, rows)
    return target


def set_cell(data_dir: Path, index: int, field: str, value: str) -> None:
    """Overwrite one studies.csv cell (for the negative validation tests)."""
    fields, rows = read_rows(data_dir / "studies.csv")
    rows[index][field] = value
    write_rows(data_dir / "studies.csv", fields, rows)
