"""A valid data package of ``n`` synthetic studies, for benchmarks and tests.

:func:`generate_package` writes it; every study is marked fictitious (``first_author``
"Synthetic", IDs ``synthetic00001`` ...).
"""

from __future__ import annotations

import csv
import os
import re
import shutil
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from ivigbook.data.problems import BIBLIOGRAPHY, CITATION_FIELD
from ivigbook.data.schema import find_descriptor, read_descriptor
from ivigbook.data.validate import default_data_dir

SYNTHETIC = "Synthetic"
SYNTHETIC_TEXT = "Synthetic record (fictitious, generated for benchmarks and tests)"
#: Resources the generator writes; every other resource is copied from the source package.
GENERATED = ("studies", "outcomes", "responders", "source_checks")
#: Study kinds the generator cycles through: design and the arm/flag values that fit it.
_FLAGS = ("randomised", "blinded", "placebo_controlled", "crossover", "controlled", "retrospective")
_KINDS: tuple[dict[str, Any], ...] = tuple(
    {"design": design, **dict(zip(_FLAGS, flags.split(), strict=True))}
    | {"arms": arms, "comparator": comparator}
    for design, flags, arms, comparator in (
        ("placebo_controlled_trial", "true true true false true false", (20, 10, 10), "placebo"),
        ("placebo_controlled_trial", "true true true true true false", (12, 12, 0), "placebo"),
        ("case_series", "false false false false false true", (5, 5, 0), ""),
    )
)


def _cited_entries(source_dir: Path, package: dict[str, Any]) -> list[str]:
    """The source's bibliography entries cited by the copied (not generated) tables."""
    keys: set[str] = set()
    for res in package["resources"]:
        path = source_dir / res["path"]
        if res["name"] in GENERATED or not path.is_file():
            continue
        keys |= {r.get(CITATION_FIELD) or "" for r in _read_rows(path)} - {""}
    real_bib = source_dir / BIBLIOGRAPHY
    if not keys or not real_bib.is_file():
        return []
    text = real_bib.read_text(encoding="utf-8")
    return [
        m.group(0)
        for key in sorted(keys)
        if (m := re.search(r"@\w+\{" + re.escape(key) + r",.*?\n\}\n?", text, flags=re.S))
    ]


def _fields(package: dict[str, Any], resource: str) -> list[dict[str, Any]]:
    for res in package["resources"]:
        if res["name"] == resource:
            return list(res["schema"]["fields"])
    msg = f"the descriptor has no resource {resource!r}"
    raise KeyError(msg)


def _filler(fld: dict[str, Any]) -> str:
    """A valid value for a field the generator does not know (empty unless required)."""
    c = fld.get("constraints") or {}
    if not c.get("required"):
        return ""
    if "enum" in c:
        return str(c["enum"][0])
    kind = fld.get("type", "string")
    if kind == "integer":
        return str(max(int(c.get("minimum", 1)), 0))
    if kind == "number":
        return str(float(c.get("minimum", 1)))
    if kind == "boolean":
        return "false"
    if kind == "date":
        return str(c.get("minimum", "2024-01-26"))
    if "pattern" in c:
        msg = f"generate_package: no value for new required field {fld['name']!r} with a pattern"
        raise ValueError(msg)
    return SYNTHETIC[: c.get("maxLength", len(SYNTHETIC))]


def _first_other(fld: dict[str, Any], avoid: str) -> str:
    values = [str(v) for v in (fld.get("constraints") or {}).get("enum", [])]
    return next(v for v in values if v != avoid)


def _rows(fields: list[dict[str, Any]], known: dict[str, str]) -> dict[str, str]:
    """A row of ``known`` values, the other fields filled generically."""
    return {f["name"]: known[f["name"]] if f["name"] in known else _filler(f) for f in fields}


def _read_rows(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def _write_csv(path: Path, fields: list[dict[str, Any]], rows: list[dict[str, str]]) -> None:
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow([f["name"] for f in fields])
        writer.writerows([row[f["name"]] for f in fields] for row in rows)


#: Copied tables whose rows name the real studies: emptied when the real studies are not kept.
_NAMES_STUDIES = ("screened_records", "update_search")


def _refers_to_generated(resource: dict[str, Any]) -> bool:
    """Whether a table's rows point at rows of a generated table (a study, an outcome, a
    source check): such rows name the real studies, so a package without them drops them."""
    keys = (resource.get("schema") or {}).get("foreignKeys") or []
    return any((fk.get("reference") or {}).get("resource") in GENERATED for fk in keys)


def _detach_copied_tables(package: dict[str, Any], paths: dict[str, Path]) -> None:
    """Copied tables keep no reference to the real studies or the real bibliography."""
    for res in package["resources"]:
        name = res["name"]
        if name in GENERATED or not paths[name].is_file():
            continue
        fields = _fields(package, name)
        names = [f["name"] for f in fields]
        if name in _NAMES_STUDIES or _refers_to_generated(res):
            _write_csv(paths[name], fields, [])
        elif "scope_studies" in names:  # a claim about named real studies becomes general
            rows = _read_rows(paths[name])
            for row in rows:
                row["scope_studies"] = ""
            _write_csv(paths[name], fields, rows)
        elif "citation_key" in names:
            rows = _read_rows(paths[name])
            for row in rows:
                row["citation_key"] = ""
            _write_csv(paths[name], fields, rows)


def generate_package(
    n: int,
    dest: str | os.PathLike[str],
    source: Path | None = None,
    *,
    keep_studies: bool = False,
) -> Path:
    """Write a valid package of ``n`` synthetic studies into ``dest``; return ``dest``.

    The descriptor and the tables not about studies (search, judgements, claims, ...) are
    copied from ``source`` (default: the real data folder); studies, outcomes (two per study),
    responders and source checks (one each per study) and ``references.bib`` are generated.

    With ``keep_studies``, the source's own studies (and their outcomes, responders, checks
    and references) are kept and synthetic studies added after them, ``n`` studies in all:
    a package the book's chapters, which name the letter's studies, can be built from. The
    additions are dated after the letter's search, spread up to today, as a living review's are.
    """
    source_dir = find_descriptor(source or default_data_dir()).parent
    descriptor = find_descriptor(source_dir)
    package = read_descriptor(descriptor)
    dest = Path(dest)
    dest.mkdir(parents=True, exist_ok=True)
    shutil.copy2(descriptor, dest / descriptor.name)
    for res in package["resources"]:
        if res["name"] not in GENERATED and (source_dir / res["path"]).is_file():
            shutil.copy2(source_dir / res["path"], dest / res["path"])
    study_fields = _fields(package, "studies")
    paths_of = {res["name"]: res["path"] for res in package["resources"]}
    outcome_fields = _fields(package, "outcomes")
    by_name = {f["name"]: f for f in outcome_fields}
    measures = [str(v) for v in by_name["measure"]["constraints"]["enum"]][:2]
    result = _first_other(by_name["result"], "not_reported")
    basis = _first_other(by_name["result_basis"], "none")
    studies, outcomes, responders, checks, bib = [], [], [], [], []
    start = 1
    if keep_studies:
        kept = {name: _read_rows(source_dir / paths_of[name]) for name in GENERATED}
        studies, outcomes = kept["studies"], kept["outcomes"]
        responders, checks = kept["responders"], kept["source_checks"]
        real_bib = source_dir / BIBLIOGRAPHY
        if real_bib.is_file():
            bib.append(real_bib.read_text(encoding="utf-8"))
        start = len(studies) + 1
    else:
        bib.extend(_cited_entries(source_dir, package))
    added_on = next(f for f in study_fields if f["name"] == "added_on")
    letter_date = date.fromisoformat(str(added_on["constraints"]["minimum"]))
    if keep_studies and studies:  # additions come after the last real one, as in a living review
        letter_date = max(letter_date, *(date.fromisoformat(r["added_on"]) for r in studies))
    # Kept studies: additions dated from the day after, spread up to today; else all on the day.
    first, span = (1, max((date.today() - letter_date).days, 1)) if keep_studies else (0, 0)
    for i in range(start, n + 1):
        sid = f"synthetic{i:05d}"
        kind = _KINDS[i % len(_KINDS)]
        total, ivig, control = kind["arms"]
        known = {k: v for k, v in kind.items() if k != "arms"}
        known.update(
            study_id=sid,
            letter_ref="",
            first_author=SYNTHETIC,
            year="",
            citation_key=sid,
            n_total=str(total),
            n_ivig=str(ivig),
            n_control=str(control),
            n_total_letter=SYNTHETIC,
            included_by="update",
            route="intravenous",
            added_on=str(letter_date + timedelta(first + (i - start) * span // (n - start + 1))),
            dose_g_per_kg_per_month="2",
            treatment_months="3",
            regimen_varied="false",
        )
        for fld in study_fields:
            if fld.get("type", "string") == "string" and fld["name"] not in known:
                max_length = (fld.get("constraints") or {}).get("maxLength", 1000)
                known[fld["name"]] = SYNTHETIC_TEXT[:max_length]
        studies.append(_rows(study_fields, known))
        for measure in measures:
            outcomes.append(
                _rows(
                    outcome_fields,
                    {
                        "outcome_id": f"{sid}-{measure}",
                        "study_id": sid,
                        "measure": measure,
                        "measure_letter": SYNTHETIC,
                        "listed_as_outcome": "true",
                        "result": result,
                        "result_basis": basis,
                        "quote": SYNTHETIC_TEXT,
                    },
                )
            )
        responders.append(
            _rows(
                _fields(package, "responders"),
                {
                    "responder_id": f"{sid}-r1",
                    "study_id": sid,
                    "outcome_id": f"{sid}-{measures[0]}",
                    "group": "ivig",
                    "group_letter": SYNTHETIC,
                    "stated_as": SYNTHETIC,
                    "numerator": "1",
                    "denominator": str(ivig),
                    "denominator_basis": SYNTHETIC_TEXT,
                    "quote": SYNTHETIC_TEXT,
                },
            )
        )
        checks.append(
            _rows(
                _fields(package, "source_checks"),
                {
                    "check_id": f"{sid}-c1",
                    "study_id": sid,
                    "letter_says": SYNTHETIC_TEXT,
                    "source_says": SYNTHETIC_TEXT,
                    "citation_key": sid,
                },
            )
        )
        bib.append(
            f"@misc{{{sid},\n  title = {{Synthetic study {i} (fictitious, generated for "
            f"benchmarks)}},\n  note = {{Not a real publication}}\n}}\n"
        )
    paths = {res["name"]: dest / res["path"] for res in package["resources"]}
    if not keep_studies:
        _detach_copied_tables(package, paths)
    _write_csv(paths["studies"], study_fields, studies)
    _write_csv(paths["outcomes"], outcome_fields, outcomes)
    _write_csv(paths["responders"], _fields(package, "responders"), responders)
    _write_csv(paths["source_checks"], _fields(package, "source_checks"), checks)
    (dest / BIBLIOGRAPHY).write_text("\n".join(bib), encoding="utf-8")
    return dest
