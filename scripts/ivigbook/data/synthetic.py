"""A valid data package of ``n`` synthetic studies, for benchmarks and tests.

:func:`generate_package` writes it; every study is marked fictitious (``first_author``
"Synthetic", IDs ``synthetic00001`` ...).
"""

from __future__ import annotations

import os
import shutil
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from ivigbook.data.problems import BIBLIOGRAPHY, CITATION_FIELD
from ivigbook.data.read import csv_text, read_rows
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
#: Copied tables whose rows name the real studies: emptied when the real studies are not kept.
_NAMES_STUDIES = ("screened_records", "update_search")


def _filler(fld: dict[str, Any], text: bool) -> str:
    """A valid value for a field the generator does not know: with ``text``, the synthetic
    text in a string field; else empty unless required."""
    c, kind = fld.get("constraints") or {}, fld.get("type", "string")
    if text and kind == "string":
        return SYNTHETIC_TEXT[: c.get("maxLength", 1000)]
    if not c.get("required"):
        return ""
    if "enum" in c:
        return str(c["enum"][0])
    if kind in ("integer", "number"):
        return str(
            max(int(c.get("minimum", 1)), 0) if kind == "integer" else float(c.get("minimum", 1))
        )
    if kind in ("boolean", "date"):
        return "false" if kind == "boolean" else str(c.get("minimum", "2024-01-26"))
    if "pattern" in c:
        msg = f"generate_package: no value for new required field {fld['name']!r} with a pattern"
        raise ValueError(msg)
    return SYNTHETIC[: c.get("maxLength", len(SYNTHETIC))]


def _row(fields: list[dict[str, Any]], known: dict[str, str], text: bool = False) -> dict[str, str]:
    """A row of ``known`` values, the other fields filled generically (:func:`_filler`)."""
    return {f["name"]: known[f["name"]] if f["name"] in known else _filler(f, text) for f in fields}


def _write_csv(path: Path, fields: list[dict[str, Any]], rows: list[dict[str, str]]) -> None:
    path.write_text(csv_text([f["name"] for f in fields], rows), encoding="utf-8")


def _detach(resource: dict[str, Any], path: Path) -> None:
    """A copied table keeps no reference to the real studies or the real bibliography: rows
    that point at a generated table (a study, an outcome, a source check) or name the real
    studies go; claims about named studies become general; citations are emptied."""
    schema, edited = resource["schema"], ("scope_studies", CITATION_FIELD)
    keys = schema.get("foreignKeys") or []
    drop = resource["name"] in _NAMES_STUDIES or any(
        (fk.get("reference") or {}).get("resource") in GENERATED for fk in keys
    )
    if drop or {f["name"] for f in schema["fields"]} & set(edited):
        rows = [] if drop else read_rows(path)[1]
        for row in rows:
            row.update({name: "" for name in edited if name in row})
        _write_csv(path, schema["fields"], rows)


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
    descriptor = find_descriptor(find_descriptor(source or default_data_dir()).parent)
    source_dir, package, dest = descriptor.parent, read_descriptor(descriptor), Path(dest)
    dest.mkdir(parents=True, exist_ok=True)
    shutil.copy2(descriptor, dest / descriptor.name)
    fields = {res["name"]: list(res["schema"]["fields"]) for res in package["resources"]}
    paths = {res["name"]: dest / res["path"] for res in package["resources"]}
    for res in package["resources"]:
        if res["name"] not in GENERATED and (source_dir / res["path"]).is_file():
            shutil.copy2(source_dir / res["path"], paths[res["name"]])
            if not keep_studies:
                _detach(res, paths[res["name"]])
    enums = {
        f["name"]: [str(v) for v in (f.get("constraints") or {}).get("enum", [])]
        for f in fields["outcomes"]
    }
    measures = enums["measure"][:2]
    result = next(v for v in enums["result"] if v != "not_reported")
    basis = next(v for v in enums["result_basis"] if v != "none")
    rows: dict[str, list[dict[str, str]]] = {name: [] for name in GENERATED}
    bib: list[str] = []
    if keep_studies:
        rows = {
            name: read_rows(source_dir / paths[name].relative_to(dest))[1] for name in GENERATED
        }
        if (source_dir / BIBLIOGRAPHY).is_file():
            bib.append((source_dir / BIBLIOGRAPHY).read_text(encoding="utf-8"))
    start = len(rows["studies"]) + 1
    added_on = next(f for f in fields["studies"] if f["name"] == "added_on")
    letter_date = date.fromisoformat(str(added_on["constraints"]["minimum"]))
    # Kept studies: additions dated from the day after the last one (as in a living review),
    # spread up to today; else all on the day of the letter's search.
    letter_date = max([letter_date, *(date.fromisoformat(r["added_on"]) for r in rows["studies"])])
    first, span = (1, max((date.today() - letter_date).days, 1)) if keep_studies else (0, 0)
    for i in range(start, n + 1):
        sid = f"synthetic{i:05d}"
        kind = _KINDS[i % len(_KINDS)]
        total, ivig, control = kind["arms"]
        study = {k: v for k, v in kind.items() if k != "arms"} | {
            "study_id": sid,
            "letter_ref": "",
            "first_author": SYNTHETIC,
            "year": "",
            "citation_key": sid,
            "n_total": str(total),
            "n_ivig": str(ivig),
            "n_control": str(control),
            "n_total_letter": SYNTHETIC,
            "included_by": "update",
            "route": "intravenous",
            "added_on": str(letter_date + timedelta(first + (i - start) * span // (n - start + 1))),
            "dose_g_per_kg_per_month": "2",
            "treatment_months": "3",
            "regimen_varied": "false",
        }
        rows["studies"].append(_row(fields["studies"], study, text=True))
        for measure in measures:
            outcome = {"outcome_id": f"{sid}-{measure}", "study_id": sid, "measure": measure}
            outcome |= {"measure_letter": SYNTHETIC, "listed_as_outcome": "true"}
            outcome |= {"result": result, "result_basis": basis, "quote": SYNTHETIC_TEXT}
            rows["outcomes"].append(_row(fields["outcomes"], outcome))
        responder = {"responder_id": f"{sid}-r1", "study_id": sid, "group": "ivig"}
        responder |= {
            "outcome_id": f"{sid}-{measures[0]}",
            "numerator": "1",
            "denominator": str(ivig),
        }
        responder |= dict.fromkeys(("group_letter", "stated_as"), SYNTHETIC)
        responder |= dict.fromkeys(("denominator_basis", "quote"), SYNTHETIC_TEXT)
        rows["responders"].append(_row(fields["responders"], responder))
        check = {"check_id": f"{sid}-c1", "study_id": sid, "citation_key": sid}
        check |= dict.fromkeys(("letter_says", "source_says"), SYNTHETIC_TEXT)
        rows["source_checks"].append(_row(fields["source_checks"], check))
        bib.append(
            f"@misc{{{sid},\n  title = {{Synthetic study {i} (fictitious, generated for "
            f"benchmarks)}},\n  note = {{Not a real publication}}\n}}\n"
        )
    for name in GENERATED:
        _write_csv(paths[name], fields[name], rows[name])
    (dest / BIBLIOGRAPHY).write_text("\n".join(bib), encoding="utf-8")
    return dest
