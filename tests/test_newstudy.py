"""``new-study`` scaffolding: rows are appended, and stay invalid until filled in."""

from __future__ import annotations

import csv
import datetime as dt
import shutil
from pathlib import Path

import pytest
import yaml
from chapter_outputs import execute_chapter

from ivigbook import cli
from ivigbook.data import load, newstudy
from ivigbook.data.problems import PLACEHOLDER, DataPackageError
from ivigbook.data.validate import validate

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(autouse=True)
def fresh_cache() -> None:
    load.clear_cache()


def rows(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def test_appends_rows_that_fail_validation(pkg: Path) -> None:
    assert validate(pkg) == []
    newstudy.append_rows(pkg, "smith2027", today=dt.date(2027, 3, 1))
    study = rows(pkg / "studies.csv")[-1]
    assert study["study_id"] == "smith2027"
    assert study["included_by"] == "update"
    assert study["added_on"] == "2027-03-01"
    assert study["letter_ref"] == ""
    assert study["first_author"] == PLACEHOLDER
    outcome = rows(pkg / "outcomes.csv")[-1]
    assert outcome["study_id"] == "smith2027"
    found = [str(p) for p in validate(pkg)]
    # Every placeholder cell is reported, on the new rows' lines (studies 5, outcomes 7).
    placeholders = [f for f in found if 'placeholder "FILL IN" not filled in' in f]
    n_study = sum(1 for v in study.values() if v == PLACEHOLDER)
    n_outcome = sum(1 for v in outcome.values() if v == PLACEHOLDER)
    assert len(placeholders) == n_study + n_outcome
    assert "studies.csv:5: first_author: required value missing" not in found
    assert (
        'studies.csv:5: first_author: placeholder "FILL IN" not filled in, in value "FILL IN"'
        in found
    )
    assert any(f.startswith("outcomes.csv:7: measure: ") for f in found)
    with pytest.raises(DataPackageError):
        load.load(pkg)


def test_filled_in_rows_validate(pkg: Path) -> None:
    newstudy.append_rows(pkg, "smith2027", today=dt.date(2027, 3, 1))
    text = (pkg / "studies.csv").read_text(encoding="utf-8")
    head, last = text.rstrip("\n").rsplit("\n", 1)
    header = text.splitlines()[0].split(",")
    filled = dict(zip(header, last.split(","), strict=True))
    filled.update(
        first_author="Synthetic",
        citation_key="gamma2003",
        study_type_letter="Synthetic",
        design="case_series",
        controlled="false",
        n_total="3",
        n_total_letter="Three",
        n_ivig="3",
        n_control="0",
        dose_letter="Synthetic",
        outcome_measures_letter="MMT",
        key_results_letter="Synthetic",
        weaknesses_letter="-",
        route="intravenous",
    )
    filled = {k: ("" if v == PLACEHOLDER else v) for k, v in filled.items()}
    (pkg / "studies.csv").write_text(
        head + "\n" + ",".join(filled[h] for h in header) + "\n", encoding="utf-8"
    )
    out = (pkg / "outcomes.csv").read_text(encoding="utf-8").rstrip("\n").rsplit("\n", 1)[0]
    out += "\nsmith2027-mmt,smith2027,mmt,MMT,strength,objective,true,no_effect,explicit,None.\n"
    (pkg / "outcomes.csv").write_text(out, encoding="utf-8")
    assert [str(p) for p in validate(pkg)] == []


def test_rejects_existing_and_malformed_ids(pkg: Path) -> None:
    before = (pkg / "studies.csv").read_bytes()
    with pytest.raises(newstudy.NewStudyError, match="already"):
        newstudy.append_rows(pkg, "alpha2001")
    with pytest.raises(newstudy.NewStudyError, match="pattern"):
        newstudy.append_rows(pkg, "Smith 2027")
    assert (pkg / "studies.csv").read_bytes() == before


def test_keeps_crlf_and_adds_missing_final_newline(pkg: Path) -> None:
    path = pkg / "judgements.csv"  # untouched; studies gets CRLF, outcomes loses its last newline
    studies = pkg / "studies.csv"
    studies.write_bytes(studies.read_bytes().replace(b"\n", b"\r\n"))
    outcomes = pkg / "outcomes.csv"
    outcomes.write_bytes(outcomes.read_bytes().rstrip(b"\n"))
    newstudy.append_rows(pkg, "smith2027")
    assert studies.read_bytes().endswith(b"\r\n")
    assert b"\n" not in studies.read_bytes().replace(b"\r\n", b"")
    assert rows(outcomes)[-2]["outcome_id"] == "gamma2003-mmt"
    assert rows(outcomes)[-1]["study_id"] == "smith2027"
    assert path.is_file()


def test_cli(pkg: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert cli.main(["new-study", "smith2027", "--data-dir", str(pkg), "--dry-run"]) == 0
    assert "smith2027" in capsys.readouterr().out
    assert rows(pkg / "studies.csv")[-1]["study_id"] == "gamma2003"
    assert cli.main(["new-study", "smith2027", "--data-dir", str(pkg)]) == 0
    assert "FILL IN" in capsys.readouterr().out
    assert cli.main(["new-study", "smith2027", "--data-dir", str(pkg)]) == 1
    assert "already" in capsys.readouterr().out
    assert cli.main(["validate", str(pkg)]) == 1


def test_template_instructions_exist() -> None:
    text = (ROOT / "data" / "templates" / "new-study.md").read_text(encoding="utf-8")
    assert "make new-study ID=" in text
    assert PLACEHOLDER in text


def test_adding_a_study_chapter_counts(tmp_path: Path) -> None:
    """The contributor chapter's numbers, against the descriptor and the CSV files read here
    and the validator run on a scaffolded copy of the data."""
    values = execute_chapter("adding-a-study")["values"]
    data = ROOT / "data"
    package = yaml.safe_load((data / "datapackage.yaml").read_text(encoding="utf-8"))
    (studies,) = [r for r in package["resources"] if r["name"] == "studies"]
    fields = studies["schema"]["fields"]
    required = [f for f in fields if (f.get("constraints") or {}).get("required")]
    assert values["add_n_study_fields"] == len(fields)
    assert values["add_n_required_study_fields"] == len(required)
    assert values["add_n_judgements"] == len(rows(data / "judgements.csv"))
    # One cell per field; the prose names the four the command fills in.
    assert values["add_n_cells"] == len(fields)
    assert values["add_n_prefilled"] == 4

    copy = tmp_path / "data"
    shutil.copytree(data, copy)
    newstudy.append_rows(copy, "example2099")
    problems = validate(copy)
    assert values["add_n_problems"] == len(problems)
    assert values["add_n_placeholder_problems"] == sum(
        'placeholder "FILL IN" not filled in' in p.message for p in problems
    )
    assert values["add_n_rules"] == len({p.rule for p in problems})

    added = [s for s in rows(data / "studies.csv") if s["included_by"] == "update"]
    if not added:
        assert values["add_example_sentence"].startswith("No study has been added")
        return
    example = min(added, key=lambda s: s["added_on"])
    outcomes = rows(data / "outcomes.csv")
    mine = {o["outcome_id"] for o in outcomes if o["study_id"] == example["study_id"]}
    ids = mine | {example["study_id"]}
    judged = [
        j
        for j in rows(data / "judgements.csv")
        if {r.strip() for r in j["record_id"].split(";")} & ids
    ]
    assert values["add_example_n_outcomes"] == len(mine)
    assert values["add_example_n_judgements"] == len(judged)
    assert f" of {example['n_total']} patients, " in values["add_example_sentence"]
    assert f"by the {example['route']} route." in values["add_example_sentence"]
