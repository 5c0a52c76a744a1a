"""The validator and the loader, on malformed copies of a small valid package.

The package is ``tests/fixtures/package`` (synthetic, fictitious rows) with the REAL descriptor
``data/datapackage.yaml``, so every test runs against the schema the book uses. Line numbers
of the fixture files are fixed: studies.csv has alpha2001 on line 2, beta2002 on 3, gamma2003
on 4; outcomes.csv has a record on lines 4-5 (a quoted cell with a line break), so the next
record starts on line 6.
"""

from __future__ import annotations

import csv
import io
import json
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest
import yaml
from conftest import FIXTURE_PACKAGE, copy_fixture_package

from ivigbook import cli
from ivigbook.data import load
from ivigbook.data.problems import MAX_SHOWN, PLACEHOLDER, DataPackageError
from ivigbook.data.validate import default_data_dir, rewrite_canonical, validate

ROOT = Path(__file__).resolve().parents[1]
DESCRIPTOR = ROOT / "data" / "datapackage.yaml"
SCHEMA = yaml.safe_load(DESCRIPTOR.read_text(encoding="utf-8"))


def constraint(resource: str, field: str, key: str):
    for res in SCHEMA["resources"]:
        if res["name"] == resource:
            for fld in res["schema"]["fields"]:
                if fld["name"] == field:
                    return fld["constraints"][key]
    raise KeyError((resource, field, key))


@pytest.fixture(autouse=True)
def fresh_cache() -> None:
    load.clear_cache()


def problems(path: Path) -> list[str]:
    return [str(p) for p in validate(path)]


def edit(path: Path, old: str, new: str) -> None:
    """Replace ``old`` (which must occur exactly once) in a file."""
    text = path.read_text(encoding="utf-8")
    assert text.count(old) == 1, f"{old!r} occurs {text.count(old)} times in {path.name}"
    path.write_text(text.replace(old, new), encoding="utf-8")


def set_cell(
    path: Path, key: str, field: str, value: str, quoting: int = csv.QUOTE_MINIMAL
) -> None:
    """Set one cell of the row whose first cell is ``key`` (rewrites with the csv module)."""
    with path.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.reader(handle))
    column = rows[0].index(field)
    hits = [row for row in rows[1:] if row[0] == key]
    assert len(hits) == 1
    hits[0][column] = value
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\n", quoting=quoting).writerows(rows)
    path.write_text(buffer.getvalue(), encoding="utf-8")


def only(pkg: Path, expected: str) -> None:
    found = problems(pkg)
    assert found == [expected]


# --- the good package -------------------------------------------------------------------------


def test_fixture_header_matches_schema() -> None:
    for res in SCHEMA["resources"]:
        header = (FIXTURE_PACKAGE / res["path"]).read_text(encoding="utf-8").splitlines()[0]
        assert header.split(",") == [f["name"] for f in res["schema"]["fields"]], res["name"]


def test_good_package_passes(pkg: Path) -> None:
    assert problems(pkg) == []


def test_cli_exit_0_and_summary(pkg: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert cli.main(["validate", str(pkg)]) == 0
    out = capsys.readouterr().out.strip().splitlines()
    assert len(out) == 1
    assert f"{len(SCHEMA['resources'])} tables" in out[0]
    assert "studies 3" in out[0]


def test_cli_exit_1_lists_every_problem(pkg: Path, capsys: pytest.CaptureFixture[str]) -> None:
    set_cell(pkg / "studies.csv", "alpha2001", "first_author", "")
    set_cell(pkg / "search.csv", "records", "count", "many")
    assert cli.main(["validate", str(pkg)]) == 1
    out = capsys.readouterr().out
    assert "studies.csv:2: first_author: required value missing" in out
    assert 'search.csv:3: count: type integer violated by value "many"' in out


def test_cli_subprocess_malformed_yaml_no_traceback(pkg: Path) -> None:
    (pkg / "datapackage.yaml").write_text("name: x\nresources: [\n", encoding="utf-8")
    proc = subprocess.run(
        [sys.executable, "-m", "ivigbook", "validate", str(pkg)],
        capture_output=True,
        text=True,
        check=False,
        cwd=ROOT,
    )
    assert proc.returncode == 1
    assert "Traceback" not in proc.stdout + proc.stderr
    assert proc.stdout.startswith("datapackage.yaml:")
    assert "malformed YAML" in proc.stdout


# --- files and encoding -----------------------------------------------------------------------


def test_missing_file(pkg: Path) -> None:
    (pkg / "judgements.csv").unlink()
    only(pkg, "judgements.csv: missing file")


def test_empty_file(pkg: Path) -> None:
    (pkg / "claims.csv").write_bytes(b"")
    only(pkg, "claims.csv: empty file (no header line)")


def test_header_only_file_is_valid_and_empty(pkg: Path) -> None:
    path = pkg / "judgements.csv"
    path.write_text(path.read_text(encoding="utf-8").splitlines()[0] + "\n", encoding="utf-8")
    assert problems(pkg) == []


def test_non_utf8_bytes(pkg: Path) -> None:
    path = pkg / "studies.csv"
    raw = path.read_bytes()
    lines = raw.split(b"\n")
    lines[2] = lines[2].replace(b"Synthetic dose", b"Synth\xe9tic dose")
    path.write_bytes(b"\n".join(lines))
    only(pkg, "studies.csv:3: not valid UTF-8 (byte(s) 0xE9)")


def test_byte_order_mark_is_read_as_utf8(pkg: Path) -> None:
    # A spreadsheet's "CSV UTF-8" starts with a BOM: the file reads as if it had none.
    path = pkg / "search.csv"
    path.write_bytes(b"\xef\xbb\xbf" + path.read_bytes())
    assert problems(pkg) == []
    ev = load.load(pkg)
    assert next(iter(ev.search.columns)) == "step_id"  # not "\ufeffstep_id"


def test_crlf_line_ends_are_read(pkg: Path) -> None:
    path = pkg / "studies.csv"
    before = load.load(pkg).studies.copy()
    load.clear_cache()
    path.write_bytes(path.read_bytes().replace(b"\n", b"\r\n"))
    assert problems(pkg) == []
    after = load.load(pkg).studies
    pd.testing.assert_frame_equal(before, after)


def test_bom_and_crlf_rewritten_only_on_request(pkg: Path) -> None:
    path = pkg / "studies.csv"
    original = path.read_bytes()
    spreadsheet = b"\xef\xbb\xbf" + original.replace(b"\n", b"\r\n")
    path.write_bytes(spreadsheet)
    assert problems(pkg) == []
    assert path.read_bytes() == spreadsheet  # validating changes nothing
    assert rewrite_canonical(pkg) == [path]
    assert path.read_bytes() == original
    assert rewrite_canonical(pkg) == []


def test_semicolon_file_refused_with_one_message(pkg: Path) -> None:
    path = pkg / "studies.csv"
    rows = list(csv.reader(io.StringIO(path.read_text(encoding="utf-8"))))
    out = io.StringIO()
    csv.writer(out, delimiter=";", lineterminator="\r\n").writerows(rows)
    path.write_text(out.getvalue(), encoding="utf-8")
    found = [p for p in problems(pkg) if p.startswith("studies.csv")]
    assert len(found) == 1, found
    assert "semicolons" in found[0]
    assert "comma" in found[0]


def test_malformed_yaml_descriptor(pkg: Path) -> None:
    text = DESCRIPTOR.read_text(encoding="utf-8")
    (pkg / "datapackage.yaml").write_text(text + "\n  bad: [unclosed\n", encoding="utf-8")
    found = problems(pkg)
    assert len(found) == 1
    assert found[0].startswith("datapackage.yaml:")
    assert ": malformed YAML: " in found[0]


def test_json_descriptor_is_read(pkg: Path) -> None:
    (pkg / "datapackage.yaml").unlink()
    (pkg / "datapackage.json").write_text(json.dumps(SCHEMA, indent=2), encoding="utf-8")
    assert problems(pkg) == []


def test_malformed_json_descriptor(pkg: Path) -> None:
    (pkg / "datapackage.yaml").unlink()
    lines = json.dumps(SCHEMA, indent=2).splitlines()
    assert lines[1].endswith(",")  # "name": "...",
    lines[1] = lines[1][:-1]
    (pkg / "datapackage.json").write_text("\n".join(lines), encoding="utf-8")
    found = problems(pkg)
    assert len(found) == 1
    assert found[0].startswith("datapackage.json:3: malformed JSON: Expecting ',' delimiter")


def test_descriptor_missing(tmp_path: Path) -> None:
    only(tmp_path, "datapackage.yaml: missing file")


def edit_field(pkg: Path, resource: str, field: str, change) -> None:
    """Change one field's descriptor (a dict) in the package's YAML descriptor."""
    schema = yaml.safe_load((pkg / "datapackage.yaml").read_text(encoding="utf-8"))
    res = next(r for r in schema["resources"] if r["name"] == resource)
    change(next(f for f in res["schema"]["fields"] if f["name"] == field))
    (pkg / "datapackage.yaml").write_text(yaml.safe_dump(schema), encoding="utf-8")


def test_descriptor_unsupported_type(pkg: Path) -> None:
    edit_field(pkg, "studies", "year", lambda f: f.update(type="year"))
    found = problems(pkg)
    assert len(found) == 1
    assert found[0].startswith("datapackage.yaml: year: type 'year' is not supported")


def test_descriptor_unknown_constraint(pkg: Path) -> None:
    edit_field(pkg, "studies", "first_author", lambda f: f["constraints"].update(startsWith="A"))
    only(pkg, "datapackage.yaml: first_author: constraint(s) startsWith not supported")


def test_descriptor_bad_foreign_key(pkg: Path) -> None:
    schema = yaml.safe_load((pkg / "datapackage.yaml").read_text(encoding="utf-8"))
    outcomes = next(r for r in schema["resources"] if r["name"] == "outcomes")
    outcomes["schema"]["foreignKeys"][0]["reference"]["resource"] = "trials"
    (pkg / "datapackage.yaml").write_text(yaml.safe_dump(schema), encoding="utf-8")
    only(
        pkg, "datapackage.yaml: resource outcomes: foreignKey references unknown resource 'trials'"
    )


# --- header -----------------------------------------------------------------------------------


def _rewrite_columns(path: Path, transform) -> None:
    with path.open(encoding="utf-8", newline="") as handle:
        rows = [transform(row) for row in csv.reader(handle)]
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\n").writerows(rows)
    path.write_text(buffer.getvalue(), encoding="utf-8")


def test_missing_column(pkg: Path) -> None:
    path = pkg / "studies.csv"
    index = path.read_text(encoding="utf-8").splitlines()[0].split(",").index("year")
    _rewrite_columns(path, lambda row: row[:index] + row[index + 1 :])
    only(pkg, "studies.csv:1: year: missing column")


def test_extra_column(pkg: Path) -> None:
    _rewrite_columns(
        pkg / "judgements.csv", lambda row: [*row, "notes" if row[0] == "judgement_id" else "x"]
    )
    only(pkg, "judgements.csv:1: notes: extra column not in the schema")


def test_column_order_matters(pkg: Path) -> None:
    _rewrite_columns(pkg / "judgements.csv", lambda row: [row[1], row[0], *row[2:]])
    found = problems(pkg)
    assert len(found) == 1
    assert found[0].startswith(
        "judgements.csv:1: columns not in the schema's order (judgement_id, table,"
    )


def test_row_with_too_few_cells(pkg: Path) -> None:
    edit(pkg / "judgements.csv", ",Synthetic reason,Synthetic source\n", ",Synthetic reason\n")
    found = problems(pkg)
    assert "judgements.csv:2: 6 cells, but the header has 7" in found
    assert "judgements.csv:2: source: required value missing" in found


# --- cells: required, types, constraints ----------------------------------------------------


# One edited cell, one problem: (file, row key, field, new value, the problem).
ONE_CELL_PROBLEMS = [
    # cells: required, types, constraints
    pytest.param(
        "studies.csv",
        "beta2002",
        "first_author",
        "",
        "studies.csv:3: first_author: required value missing",
        id="empty_required_cell",
    ),
    pytest.param(
        "studies.csv",
        "beta2002",
        "n_total",
        "ten",
        'studies.csv:3: n_total: type integer violated by value "ten"',
        id="wrong_type_integer",
    ),
    pytest.param(
        "studies.csv",
        "gamma2003",
        "controlled",
        "yes",
        'studies.csv:4: controlled: type boolean violated by value "yes"',
        id="wrong_type_boolean",
    ),
    pytest.param(
        "studies.csv",
        "alpha2001",
        "added_on",
        "2024-02-30",
        'studies.csv:2: added_on: type date violated by value "2024-02-30"',
        id="wrong_type_date",
    ),
    pytest.param(
        "studies.csv",
        "alpha2001",
        "added_on",
        "01/02/2024",
        'studies.csv:2: added_on: type date violated by value "01/02/2024"',
        id="date_format_is_iso",
    ),
    pytest.param(
        "studies.csv",
        "alpha2001",
        "dose_g_per_kg_per_month",
        "2,0",
        'studies.csv:2: dose_g_per_kg_per_month: type number violated by value "2,0"',
        id="wrong_type_number",
    ),
    pytest.param(
        "studies.csv",
        "alpha2001",
        "dose_g_per_kg_per_month",
        "NaN",
        'studies.csv:2: dose_g_per_kg_per_month: type number violated by value "NaN"',
        id="number_nan_rejected",
    ),
    pytest.param(
        "search.csv",
        "records",
        "step_id",
        "strategy",
        'search.csv:3: step_id: unique violated by value "strategy" (first on line 2)',
        id="duplicate_id",
    ),
    pytest.param(
        "studies.csv",
        "beta2002",
        "letter_ref",
        "1",
        'studies.csv:3: letter_ref: unique violated by value "1" (first on line 2)',
        id="duplicate_unique_integer",
    ),
    pytest.param(
        "studies.csv",
        "gamma2003",
        "first_author",
        PLACEHOLDER,
        f'studies.csv:4: first_author: placeholder "FILL IN" not filled in, '
        f'in value "{PLACEHOLDER}"',
        id="placeholder_rejected",
    ),
    # keys
    pytest.param(
        "source_checks.csv",
        "alpha2001-c1",
        "study_id",
        "delta2004",
        "source_checks.csv:2: study_id: foreignKey to studies.study_id violated by value "
        '"delta2004"',
        id="broken_foreign_key",
    ),
    pytest.param(
        "responders.csv",
        "gamma2003-r1",
        "outcome_id",
        "gamma2003-qmt",
        "responders.csv:4: outcome_id: foreignKey to outcomes.outcome_id violated by value "
        '"gamma2003-qmt"',
        id="broken_foreign_key_to_outcomes",
    ),
    pytest.param(
        "source_checks.csv",
        "alpha2001-c1",
        "citation_key",
        "nobody2000",
        'source_checks.csv:2: citation_key: no entry in references.bib for value "nobody2000"',
        id="unknown_citation_key",
    ),
    # cross-table rules
    pytest.param(
        "studies.csv",
        "beta2002",
        "n_control",
        "5",
        "studies.csv:3: n_total: n_ivig + n_control (6 + 5) must equal n_total, "
        'violated by value "10"',
        id="inconsistent_arms",
    ),
    pytest.param(
        "studies.csv",
        "alpha2001",
        "n_ivig",
        "11",
        "studies.csv:2: n_ivig: crossover study needs n_ivig == n_total (12), violated by "
        'value "11"',
        id="crossover_arms",
    ),
    pytest.param(
        "studies.csv",
        "alpha2001",
        "n_control",
        "2",
        'studies.csv:2: n_control: crossover study needs n_control == 0, violated by value "2"',
        id="crossover_has_no_control_group",
    ),
    pytest.param(
        "studies.csv",
        "beta2002",
        "letter_ref",
        "",
        "studies.csv:3: included_by: included_by letter needs a letter_ref, violated by "
        'value "letter"',
        id="included_by_letter_needs_letter_ref",
    ),
    pytest.param(
        "studies.csv",
        "gamma2003",
        "letter_ref",
        "3",
        "studies.csv:4: included_by: included_by update needs an empty letter_ref, "
        'violated by value "update"',
        id="update_study_has_no_letter_ref",
    ),
    pytest.param(
        "responders.csv",
        "beta2002-r1",
        "numerator",
        "7",
        "responders.csv:2: numerator: numerator must not exceed denominator (6), violated "
        'by value "7"',
        id="numerator_above_denominator",
    ),
    pytest.param(
        "responders.csv",
        "beta2002-r2",
        "denominator",
        "5",
        "responders.csv:3: denominator: denominator must not exceed the study's n_control "
        '(4), violated by value "5"',
        id="denominator_above_arm",
    ),
    pytest.param(
        "responders.csv",
        "beta2002-r1",
        "denominator",
        "7",
        "responders.csv:2: denominator: denominator must not exceed the study's n_ivig "
        '(6), violated by value "7"',
        id="denominator_above_ivig_arm",
    ),
    pytest.param(
        "responders.csv",
        "gamma2003-r1",
        "group",
        "control",
        "responders.csv:4: group: group control needs a study with n_control > 0 "
        '(gamma2003 has 0), violated by value "control"',
        id="control_group_needs_control_arm",
    ),
    pytest.param(
        "responders.csv",
        "gamma2003-r1",
        "outcome_id",
        "beta2002-swallowing",
        "responders.csv:4: outcome_id: outcome belongs to study beta2002, not gamma2003, "
        'violated by value "beta2002-swallowing"',
        id="responder_outcome_of_other_study",
    ),
    pytest.param(
        "outcomes.csv",
        "gamma2003-mmt",
        "quote",
        "",
        "outcomes.csv:6: quote: quote required when result is improved",
        id="quote_required_unless_not_reported",
    ),
    pytest.param(
        "search.csv",
        "included",
        "step_order",
        "4",
        "search.csv:4: step_order: steps must run 1..n without gaps: step 3 missing before "
        'value "4"',
        id="search_gap",
    ),
    pytest.param(
        "search.csv",
        "strategy",
        "step_order",
        "4",
        "search.csv:3: step_order: steps must run 1..n without gaps: step 1 missing before "
        'value "2"',
        id="search_must_start_at_one",
    ),
    pytest.param(
        "search.csv",
        "strategy",
        "count",
        "5",
        'search.csv:2: count: must be empty when reported is false, violated by value "5"',
        id="search_unreported_step_has_no_count",
    ),
    pytest.param(
        "search.csv",
        "records",
        "quote",
        "",
        "search.csv:3: quote: quote required when reported is true",
        id="search_reported_step_needs_quote",
    ),
]


@pytest.mark.parametrize(("file", "key", "field", "value", "expected"), ONE_CELL_PROBLEMS)
def test_one_cell_edit_gives_one_problem(
    pkg: Path, file: str, key: str, field: str, value: str, expected: str
) -> None:
    set_cell(pkg / file, key, field, value)
    only(pkg, expected)


@pytest.mark.parametrize("text", ["1.0", "+3", " 3", "3 ", "1e2"])
def test_integer_spellings_rejected(pkg: Path, text: str) -> None:
    set_cell(pkg / "search.csv", "included", "count", text)
    only(pkg, f'search.csv:4: count: type integer violated by value "{text}"')


@pytest.mark.parametrize(("true", "false"), [("True", "False"), ("TRUE", "FALSE"), ("1", "0")])
def test_table_schema_default_booleans_accepted(pkg: Path, true: str, false: str) -> None:
    set_cell(pkg / "studies.csv", "alpha2001", "randomised", true)
    set_cell(pkg / "studies.csv", "gamma2003", "controlled", false)
    assert problems(pkg) == []
    ev = load.load(pkg)
    assert ev.studies["randomised"].iloc[0] is True or bool(ev.studies["randomised"].iloc[0])
    assert not bool(ev.studies["controlled"].iloc[2])


def test_below_minimum(pkg: Path) -> None:
    minimum = constraint("studies", "year", "minimum")
    set_cell(pkg / "studies.csv", "alpha2001", "year", str(minimum - 1))
    only(pkg, f'studies.csv:2: year: minimum {minimum} violated by value "{minimum - 1}"')


def test_above_maximum(pkg: Path) -> None:
    maximum = constraint("studies", "letter_ref", "maximum")
    set_cell(pkg / "studies.csv", "beta2002", "letter_ref", str(maximum + 1))
    only(pkg, f'studies.csv:3: letter_ref: maximum {maximum} violated by value "{maximum + 1}"')


def test_date_minimum(pkg: Path) -> None:
    minimum = str(constraint("studies", "added_on", "minimum"))
    set_cell(pkg / "studies.csv", "gamma2003", "added_on", "2020-01-01")
    only(pkg, f'studies.csv:4: added_on: minimum {minimum} violated by value "2020-01-01"')


def test_unknown_enum_value(pkg: Path) -> None:
    choices = ", ".join(constraint("studies", "design", "enum"))
    set_cell(pkg / "studies.csv", "gamma2003", "design", "rct")
    only(pkg, f'studies.csv:4: design: enum [{choices}] violated by value "rct"')


def test_pattern_violation(pkg: Path) -> None:
    pattern = constraint("outcomes", "outcome_id", "pattern")
    set_cell(pkg / "outcomes.csv", "alpha2001-mmt", "outcome_id", "alpha2001_mmt")
    only(pkg, f'outcomes.csv:2: outcome_id: pattern "{pattern}" violated by value "alpha2001_mmt"')


def test_too_long_text(pkg: Path) -> None:
    limit = constraint("studies", "first_author", "maxLength")
    value = "S" * (limit + 1)
    set_cell(pkg / "studies.csv", "gamma2003", "first_author", value)
    shown = "S" * (MAX_SHOWN - 1) + "…"
    only(
        pkg,
        f'studies.csv:4: first_author: maxLength {limit} violated by value "{shown}" '
        f"({limit + 1} characters)",
    )


@pytest.mark.parametrize(
    ("char", "code"),
    [("\t", "0009"), ("\x00", "0000"), ("\x1b", "001B"), ("\x85", "0085"), ("\r", "000D")],
)
def test_control_character(pkg: Path, char: str, code: str) -> None:
    # Quote every cell: a bare carriage return outside quotes would end the record.
    path = pkg / "studies.csv"
    set_cell(path, "gamma2003", "key_results_letter", f"Synthetic{char}results", csv.QUOTE_ALL)
    only(
        pkg,
        f"studies.csv:4: key_results_letter: control character U+{code} not allowed, "
        f'in value "Synthetic\\u{code.lower()}results"',
    )


def test_line_break_inside_quoted_cell_is_allowed(pkg: Path) -> None:
    set_cell(pkg / "studies.csv", "gamma2003", "key_results_letter", "Synthetic\r\nresults")
    assert problems(pkg) == []


# --- line numbers and several errors -----------------------------------------------------------


def test_multiline_cell_line_numbers(pkg: Path) -> None:
    set_cell(pkg / "outcomes.csv", "gamma2003-mmt", "listed_as_outcome", "maybe")
    set_cell(pkg / "outcomes.csv", "beta2002-swallowing", "assessment", "guess")
    choices = ", ".join(constraint("outcomes", "assessment", "enum"))
    assert problems(pkg) == [
        f'outcomes.csv:4: assessment: enum [{choices}] violated by value "guess"',
        'outcomes.csv:6: listed_as_outcome: type boolean violated by value "maybe"',
    ]


def test_several_errors_in_one_file_all_reported(pkg: Path) -> None:
    path = pkg / "studies.csv"
    set_cell(path, "alpha2001", "first_author", "")
    set_cell(path, "beta2002", "controlled", "perhaps")
    set_cell(path, "gamma2003", "added_on", "yesterday")
    set_cell(path, "gamma2003", "citation_key", "Gamma")
    pattern = constraint("studies", "citation_key", "pattern")
    assert problems(pkg) == [
        "studies.csv:2: first_author: required value missing",
        'studies.csv:3: controlled: type boolean violated by value "perhaps"',
        f'studies.csv:4: citation_key: pattern "{pattern}" violated by value "Gamma"',
        'studies.csv:4: added_on: type date violated by value "yesterday"',
        'studies.csv:4: citation_key: no entry in references.bib for value "Gamma"',
    ]


def test_errors_in_several_files_all_reported(pkg: Path) -> None:
    (pkg / "judgements.csv").unlink()
    set_cell(pkg / "search.csv", "strategy", "stage", "")
    found = problems(pkg)
    assert "judgements.csv: missing file" in found
    assert "search.csv:2: stage: required value missing" in found


# --- keys -------------------------------------------------------------------------------------


def test_malformed_bibtex(pkg: Path) -> None:
    edit(
        pkg / "references.bib",
        "(fictitious)},\n  year  = {2002}",
        "(fictitious)},\n  year  = {2002",
    )
    found = problems(pkg)
    assert len(found) == 1
    assert found[0].startswith("references.bib: malformed BibTeX: ")


def test_missing_bibtex(pkg: Path) -> None:
    (pkg / "references.bib").unlink()
    only(pkg, "references.bib: missing file")


# --- cross-table rules ------------------------------------------------------------------------


def test_uncontrolled_study_has_no_control_group(pkg: Path) -> None:
    set_cell(pkg / "studies.csv", "gamma2003", "n_total", "5")
    set_cell(pkg / "studies.csv", "gamma2003", "n_control", "1")
    only(
        pkg,
        'studies.csv:4: n_control: uncontrolled study needs n_control == 0, violated by value "1"',
    )


def test_result_basis_none_iff_not_reported(pkg: Path) -> None:
    set_cell(pkg / "outcomes.csv", "alpha2001-qmt", "result_basis", "explicit")
    set_cell(pkg / "outcomes.csv", "gamma2003-mmt", "result_basis", "none")
    assert problems(pkg) == [
        "outcomes.csv:3: result_basis: result not_reported needs result_basis none, violated by "
        'value "explicit"',
        "outcomes.csv:6: result_basis: result_basis none needs result not_reported, violated by "
        'value "none"',
    ]


def test_claim_check_must_be_registered(pkg: Path) -> None:
    set_cell(pkg / "claims.csv", "fixture_claim", "check", "no_such_check")
    problems = [str(p) for p in validate(pkg)]
    assert len(problems) == 1, problems
    assert problems[0].startswith("claims.csv:2: check: enum")
    assert '"no_such_check"' in problems[0]


def test_rule_needing_a_field_the_schema_lost(pkg: Path) -> None:
    schema = yaml.safe_load((pkg / "datapackage.yaml").read_text(encoding="utf-8"))
    search = next(r for r in schema["resources"] if r["name"] == "search")
    search["schema"]["fields"] = [f for f in search["schema"]["fields"] if f["name"] != "reported"]
    (pkg / "datapackage.yaml").write_text(yaml.safe_dump(schema), encoding="utf-8")
    found = problems(pkg)
    assert "datapackage.yaml: search.reported: rule search needs this field" in found


# --- the loader -------------------------------------------------------------------------------


def test_load_types(pkg: Path) -> None:
    ev = load.load(pkg)
    studies = ev.studies
    assert list(studies.columns) == [f["name"] for f in SCHEMA["resources"][0]["schema"]["fields"]]
    assert studies["study_id"].dtype == "string"
    assert studies["n_total"].dtype == "Int64"
    assert studies["dose_g_per_kg_per_month"].dtype == "Float64"
    assert studies["controlled"].dtype == "boolean"
    assert pd.api.types.is_datetime64_any_dtype(studies["added_on"])
    design = studies["design"].dtype
    assert isinstance(design, pd.CategoricalDtype)
    assert design.ordered
    assert list(design.categories) == constraint("studies", "design", "enum")
    assert studies["n_total"].tolist() == [12, 10, 4]
    assert studies["letter_ref"].isna().tolist() == [False, False, True]
    assert studies["added_on"].iloc[0] == pd.Timestamp("2024-02-01")
    assert ev.outcomes["quote"].iloc[2] == "Synthetic quotation\nthat spans two lines."
    assert ev["responders"]["numerator"].tolist()[:2] == [3, 0]
    assert {name: len(table) for name, table in ev.tables.items()} == {
        "studies": 3,
        "outcomes": 4,
        "responders": 3,
        "search": 3,
        "source_checks": 1,
        "judgements": 1,
        "risk_of_bias": 0,
        "findings": 0,
        "grade_statements": 16,
        "downgrades": 0,
        "harms": 0,
        "overlaps": 0,
        "checked_results": 0,
        "checked_study_values": 0,
        "claims": 1,
        "criteria": 5,
        "search_queries": 2,
        "update_searches": 1,
        "update_search": 8,
        "screened_records": 18,
        "screening_worksheet": 0,
        "guidance": 5,
        "planning": 2,
    }
    assert ev.bib_keys == frozenset({"alpha2001", "beta2002", "gamma2003"})
    assert ev.data_dir == pkg.resolve()


def test_load_helpers(pkg: Path) -> None:
    ev = load.load(pkg)
    assert ev.field("studies", "n_total")["description"].startswith("Number of patients")
    assert ev.enum("outcomes", "result") == constraint("outcomes", "result", "enum")
    assert ev.resource("search")["schema"]["primaryKey"] == ["step_id"]
    assert ev.resource_names == [r["name"] for r in SCHEMA["resources"]]
    with pytest.raises(AttributeError):
        _ = ev.no_such_table


def test_load_invalid_raises_with_every_problem(pkg: Path) -> None:
    set_cell(pkg / "studies.csv", "alpha2001", "first_author", "")
    set_cell(pkg / "search.csv", "records", "count", "many")
    with pytest.raises(DataPackageError) as info:
        load.load(pkg)
    messages = [str(p) for p in info.value.problems]
    assert messages == [
        "studies.csv:2: first_author: required value missing",
        'search.csv:3: count: type integer violated by value "many"',
    ]
    assert "studies.csv:2: first_author" in str(info.value)


def test_load_cache_and_copies(pkg: Path) -> None:
    first = load.load(pkg)
    first.studies.loc[0, "first_author"] = "Changed"
    second = load.load(pkg)
    assert second.studies.loc[0, "first_author"] == "Synthetic"
    assert second.studies is not first.studies
    # A changed file is noticed (size and modification time are part of the cache key).
    set_cell(pkg / "studies.csv", "alpha2001", "first_author", "Synthetica")
    assert load.load(pkg).studies.loc[0, "first_author"] == "Synthetica"


def test_load_default_from_environment(pkg: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("IVIGBOOK_DATA_DIR", str(pkg))
    assert load.load().data_dir == pkg.resolve()
    monkeypatch.delenv("IVIGBOOK_DATA_DIR")
    assert default_data_dir() == ROOT / "data"


def test_evidence_is_frozen(pkg: Path) -> None:
    ev = load.load(pkg)
    with pytest.raises(AttributeError):
        ev.data_dir = Path()  # type: ignore[misc]
    with pytest.raises(TypeError):
        ev.tables["studies"] = ev.studies  # type: ignore[index]


# --- the synthetic generator (bench) ----------------------------------------------------------


def test_generated_package_is_valid_and_fictitious(tmp_path: Path) -> None:
    from ivigbook.data.synthetic import generate_package

    source = copy_fixture_package(tmp_path / "source")
    dest = generate_package(30, tmp_path / "synthetic", source=source)
    assert problems(dest) == []
    ev = load.load(dest)
    assert len(ev.studies) == 30
    assert set(ev.studies["first_author"]) == {"Synthetic"}
    assert ev.studies["study_id"].str.startswith("synthetic").all()
    assert len(ev.outcomes) == 60
    assert len(ev.responders) == 30
    assert ev.studies["crossover"].any()
    assert (ev.studies["n_control"] > 0).any()


# --- what frictionless reports, in the book's form ----------------------------------------------


def test_blank_line_is_one_problem(pkg: Path) -> None:
    edit(
        pkg / "judgements.csv",
        "judgement_id,table,record_id,field,value,reason,source\n",
        "judgement_id,table,record_id,field,value,reason,source\n\n",
    )
    only(pkg, "judgements.csv:2: blank line")


def test_composite_primary_key_repeated(pkg: Path) -> None:
    row = "alpha2001,beta2002,possible,Synthetic reason for the overlap\n"
    (pkg / "overlaps.csv").write_text(
        "study_id,overlaps_with,status,reason\n" + row + row, encoding="utf-8"
    )
    only(
        pkg,
        "overlaps.csv:3: study_id, overlaps_with: primaryKey violated by value "
        '"alpha2001, beta2002" (first on line 2)',
    )


def test_no_foreign_key_problem_against_an_unreadable_table(pkg: Path) -> None:
    (pkg / "outcomes.csv").write_bytes(b"")
    found = problems(pkg)
    assert found[0] == "outcomes.csv: empty file (no header line)"
    assert not [p for p in found if "foreignKey" in p], found


def test_number_read_by_frictionless_but_not_the_book_is_one_problem(pkg: Path) -> None:
    # frictionless reads " 3" as 3 and "NaN" as a number; the book reports each once, as a type.
    set_cell(pkg / "studies.csv", "alpha2001", "n_total", " 12")
    only(pkg, 'studies.csv:2: n_total: type integer violated by value " 12"')


def test_column_twice_is_one_problem(pkg: Path) -> None:
    # Frictionless matches columns by name, which a repeated name defeats: the header says it.
    _rewrite_columns(pkg / "judgements.csv", lambda row: [*row, row[-1]])
    only(pkg, "judgements.csv:1: source: column appears twice")


# --- appending rows to a package's CSV file (new-study, search record) -----------------------


@pytest.mark.parametrize(("bom", "newline", "final"), [("", "\n", True), ("\ufeff", "\r\n", False)])
def test_appending_keeps_the_file_as_it_is(
    tmp_path: Path, bom: str, newline: str, final: bool
) -> None:
    from ivigbook.data.read import appending

    lines = ["id,text", 'a,"two' + newline + 'lines"']
    text = bom + newline.join(lines) + (newline if final else "")
    path = tmp_path / "table.csv"
    path.write_bytes(text.encode("utf-8"))
    old, new = appending(path, [{"text": "x, y", "id": "b"}])
    assert old == text
    assert new == ("" if final else newline) + 'b,"x, y"' + newline
    (tmp_path / "empty.csv").write_bytes(b"")
    with pytest.raises(ValueError, match=r"empty\.csv has no header line"):
        appending(tmp_path / "empty.csv", [])
