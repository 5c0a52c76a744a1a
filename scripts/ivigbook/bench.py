"""Timings: ``python -m ivigbook bench [--build-dir DIR] [--builds]``.

Always measured:

* loading and validating the real package (target under 1 s);
* loading and validating a generated package of 1,000 synthetic studies (target under 10 s).

With ``--builds`` (needs ``--build-dir``), the book is built in a subprocess through
``python -m ivigbook build`` from a copy of the book's sources in a temporary folder (so the
work tree is never touched): clean HTML build, no-change rebuild, rebuild after touching one
chapter, PDF, and HTML with 10 and with 1,000 synthetic studies (``IVIGBOOK_DATA_DIR``).

The table is printed and written as JSON to ``BUILD_DIR/bench.json`` when a build folder is
given. Timings are reported, not asserted: this is not a test.

:func:`generate_package` is reusable: it writes a VALID package of ``n`` synthetic studies,
every one marked fictitious (``first_author`` "Synthetic", IDs ``synthetic00001`` ...).
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import platform
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from ivigbook.validate import (
    BIBLIOGRAPHY,
    default_data_dir,
    find_descriptor,
    read_descriptor,
    run_validation,
)

ROOT = Path(__file__).resolve().parents[2]
SYNTHETIC = "Synthetic"
SYNTHETIC_TEXT = "Synthetic record (fictitious, generated for benchmarks and tests)"
#: Resources the generator writes; every other resource is copied from the source package.
GENERATED = ("studies", "outcomes", "responders", "source_checks")
#: Study kinds the generator cycles through: design and the arm/flag values that fit it.
_KINDS: tuple[dict[str, Any], ...] = (
    {
        "design": "placebo_controlled_trial",
        "randomised": "true",
        "blinded": "true",
        "placebo_controlled": "true",
        "crossover": "false",
        "controlled": "true",
        "retrospective": "false",
        "arms": (20, 10, 10),
        "comparator": "placebo",
    },
    {
        "design": "placebo_controlled_trial",
        "randomised": "true",
        "blinded": "true",
        "placebo_controlled": "true",
        "crossover": "true",
        "controlled": "true",
        "retrospective": "false",
        "arms": (12, 12, 0),
        "comparator": "placebo",
    },
    {
        "design": "case_series",
        "randomised": "false",
        "blinded": "false",
        "placebo_controlled": "false",
        "crossover": "false",
        "controlled": "false",
        "retrospective": "true",
        "arms": (5, 5, 0),
        "comparator": "",
    },
)


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


def _rows(
    fields: list[dict[str, Any]], known: dict[str, str]
) -> dict[str, str]:  # fill the rest generically
    return {f["name"]: known[f["name"]] if f["name"] in known else _filler(f) for f in fields}


def _write_csv(path: Path, fields: list[dict[str, Any]], rows: list[dict[str, str]]) -> None:
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow([f["name"] for f in fields])
        writer.writerows([row[f["name"]] for f in fields] for row in rows)


def generate_package(n: int, dest: str | os.PathLike[str], source: Path | None = None) -> Path:
    """Write a valid package of ``n`` synthetic studies into ``dest``; return ``dest``.

    The descriptor and the tables not about studies (search, judgements, claims, ...) are
    copied from ``source`` (default: the real data folder); studies, outcomes (two per study),
    responders and source checks (one each per study) and ``references.bib`` are generated.
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
    outcome_fields = _fields(package, "outcomes")
    by_name = {f["name"]: f for f in outcome_fields}
    measures = [str(v) for v in by_name["measure"]["constraints"]["enum"]][:2]
    result = _first_other(by_name["result"], "not_reported")
    basis = _first_other(by_name["result_basis"], "none")
    studies, outcomes, responders, checks, bib = [], [], [], [], []
    for i in range(1, n + 1):
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
            added_on="2024-01-26",
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
    _write_csv(paths["studies"], study_fields, studies)
    _write_csv(paths["outcomes"], outcome_fields, outcomes)
    _write_csv(paths["responders"], _fields(package, "responders"), responders)
    _write_csv(paths["source_checks"], _fields(package, "source_checks"), checks)
    (dest / BIBLIOGRAPHY).write_text("\n".join(bib), encoding="utf-8")
    return dest


# ---------------------------------------------------------------------------------------------
# Timing


def _timed(func: Callable[[], Any]) -> tuple[float, Any]:
    start = time.perf_counter()
    value = func()
    return time.perf_counter() - start, value


def _load_fresh(data_dir: Path) -> Any:
    from ivigbook.load import clear_cache, load

    clear_cache()
    return load(data_dir)


def _copy_sources(dest: Path) -> Path:
    ignore = shutil.ignore_patterns(
        ".git",
        ".venv",
        "_build",
        "dist",
        "node_modules",
        ".pytest_cache",
        ".ruff_cache",
        "__pycache__",
        ".ipynb_checkpoints",
        "tests",
    )
    shutil.copytree(ROOT, dest, ignore=ignore, symlinks=True)
    return dest


def _build(target: str, source: Path, build_dir: Path, env: dict[str, str]) -> dict[str, Any]:
    cmd = [
        sys.executable,
        "-m",
        "ivigbook",
        "build",
        target,
        "--build-dir",
        str(build_dir),
        "--source",
        str(source),
    ]
    start = time.perf_counter()
    proc = subprocess.run(cmd, env=env, capture_output=True, text=True, check=False)
    seconds = time.perf_counter() - start
    tail = (proc.stdout + proc.stderr).strip().splitlines()[-5:]
    return {
        "seconds": round(seconds, 2),
        "returncode": proc.returncode,
        "ok": proc.returncode == 0,
        "tail": tail if proc.returncode else [],
    }


def build_timings(work: Path, data_dir: Path) -> dict[str, dict[str, Any]]:
    """Book builds in ``work`` (a temporary folder); the repository's tree is not touched."""
    source = _copy_sources(work / "src")
    env = {**os.environ, "IVIGBOOK_DATA_DIR": str(data_dir)}
    out = work / "build"
    results = {
        "html clean": _build("html", source, out, env),
        "html no change": _build("html", source, out, env),
    }
    chapters = sorted((source / "chapters").glob("*.md"))
    if chapters:
        chapters[0].touch()
        results[f"html after touching {chapters[0].name}"] = _build("html", source, out, env)
    results["pdf"] = _build("pdf", source, out, env)
    for n in (10, 1000):
        data = generate_package(n, work / f"data-{n}", source=data_dir)
        env_n = {**env, "IVIGBOOK_DATA_DIR": str(data)}
        results[f"html clean, {n} synthetic studies"] = _build(
            "html", source, work / f"build-{n}", env_n
        )
    return results


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--data-dir", type=Path, default=None, help="package to time (default: data/)"
    )
    parser.add_argument("--build-dir", type=Path, default=None, help="where bench.json is written")
    parser.add_argument("--builds", action="store_true", help="also time book builds (slow)")
    parser.add_argument("-n", "--studies", type=int, default=1000, help="synthetic studies (1000)")


def run(args: argparse.Namespace) -> int:
    data_dir = args.data_dir or default_data_dir()
    results: dict[str, Any] = {
        "python": platform.python_version(),
        "machine": platform.machine(),
        "timings": {},
    }
    rows = []
    from ivigbook.load import DataPackageError

    try:
        _load_fresh(data_dir)
    except DataPackageError as exc:
        print(f"bench: {exc}")
        return 1
    seconds, _ = _timed(lambda: run_validation(data_dir))
    rows.append(("validate data/", seconds, 1.0))
    seconds, _ = _timed(lambda: _load_fresh(data_dir))
    rows.append(("load + validate data/", seconds, 1.0))
    with tempfile.TemporaryDirectory(prefix="ivigbook-bench-") as tmp:
        gen_seconds, synthetic = _timed(
            lambda: generate_package(args.studies, Path(tmp) / "data", source=data_dir)
        )
        rows.append((f"generate {args.studies} synthetic studies", gen_seconds, None))
        seconds, _ = _timed(lambda: _load_fresh(synthetic))
        rows.append((f"load + validate {args.studies} synthetic studies", seconds, 10.0))
        if args.builds:
            if args.build_dir is None:
                print("bench: --builds needs --build-dir")
                return 2
            for name, info in build_timings(Path(tmp), data_dir).items():
                rows.append((f"build: {name}", info["seconds"], None))
                results["timings"][f"build: {name}"] = info
    width = max(len(r[0]) for r in rows)
    print(f"{'step'.ljust(width)}  seconds  target")
    failed = False
    for name, secs, target in rows:
        mark = "" if target is None else (f"< {target:g}" + ("" if secs < target else "  MISSED"))
        failed |= target is not None and secs >= target
        print(f"{name.ljust(width)}  {secs:7.3f}  {mark}")
        results["timings"].setdefault(name, {"seconds": round(secs, 4), "target": target})
    if args.build_dir is not None:
        args.build_dir.mkdir(parents=True, exist_ok=True)
        target_file = args.build_dir / "bench.json"
        target_file.write_text(json.dumps(results, indent=2) + "\n", encoding="utf-8")
        print(f"wrote {target_file}")
    build_failed = any(
        not info.get("ok", True) for info in results["timings"].values() if isinstance(info, dict)
    )
    return 1 if failed or build_failed else 0
