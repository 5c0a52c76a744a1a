"""The living review on real records: the update search's counts, the route of
immunoglobulin, the added study across the book's tables, and the guidance table.

Expected values are computed here from the CSV files themselves (``raw``), not from the
library, so each test can fail when the library and the data disagree.
"""

from __future__ import annotations

import csv
import shutil
from pathlib import Path

import pytest
from fixtures_living.living import DATA, FLIPPED_BY_POSITIVE_TRIAL, package_with, read_rows

from ivigbook.analysis import claims
from ivigbook.analysis.changes import added_table, changed_verdicts, release_level
from ivigbook.analysis.cohorts import (
    controlled_studies,
    ivig_evidence,
    labels_by_id,
    trial_studies,
)
from ivigbook.analysis.evidence import overall_results, table_one
from ivigbook.analysis.guidance import guidance_counts, guidance_display, letter_candidates
from ivigbook.analysis.search import (
    currency,
    screened_records,
    update_search_flow,
    update_searches,
)
from ivigbook.analysis.summary import evidence_summary
from ivigbook.data.load import Evidence, load
from ivigbook.data.validate import validate


def raw(name: str, data: Path = DATA) -> list[dict[str, str]]:
    return read_rows(data / f"{name}.csv")


@pytest.fixture(scope="module")
def ev() -> Evidence:
    return load(DATA)


def verdicts(evidence: Evidence) -> dict[str, str]:
    table = claims.evaluate(evidence)
    return dict(zip(table["claim_id"], table["verdict"].astype(str), strict=True))


def set_column(path: Path, key: str, row_id: str, field: str, value: str) -> None:
    with path.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    header = list(rows[0])
    hits = [r for r in rows if r[key] == row_id]
    assert len(hits) == 1
    hits[0][field] = value
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=header, lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)


# --- the update search -------------------------------------------------------------------


def test_update_search_counts_add_up() -> None:
    searches = raw("update_searches")
    assert searches
    for search in searches:
        sid = search["search_id"]
        steps = {
            r["step_id"]: int(r["count"]) for r in raw("update_search") if r["search_id"] == sid
        }
        records = [r for r in raw("screened_records") if r["search_id"] == sid]
        # Records found by other methods than the queries (PRISMA 2020) count where recorded.
        identified = steps["records_identified"] + steps.get("records_other_methods", 0)
        assert identified - steps["duplicates_removed"] == len(records)
        assert steps["records_screened"] == len(records)
        by = {d: sum(r["decision"] == d for r in records) for d in {r["decision"] for r in records}}
        assert steps["excluded_screening"] == by.get("excluded_screening", 0)
        assert steps["already_included"] == by.get("already_included", 0)
        assert steps["excluded_assessment"] == by.get("excluded_assessment", 0)
        assert steps["studies_included"] == by.get("included", 0)
        assert steps["records_assessed"] == steps["excluded_assessment"] + steps["studies_included"]
        # Every excluded record says why; every included one is a study added by an update.
        assert all(r["reason"].strip() for r in records)
        updates = {s["study_id"] for s in raw("studies") if s["included_by"] == "update"}
        assert {r["study_id"] for r in records if r["decision"] == "included"} <= updates
        letter = {s["study_id"] for s in raw("studies") if s["included_by"] == "letter"}
        assert {r["study_id"] for r in records if r["decision"] == "already_included"} <= letter


def test_update_search_says_it_was_not_run_on_pubmed(ev: Evidence) -> None:
    for row in raw("update_searches"):
        if row["run_against"] == "stored_copies":
            assert row["note"].startswith("A preliminary search of stored copies of public records")
            assert "not a search of PubMed" in row["note"]
            assert "the PubMed update is pending" in row["note"]
        assert "[tiab]" in row["pubmed_query"]
    assert update_searches(ev)[-1].run_against in {"stored_copies", "pubmed"}


def test_flow_and_search_dates_follow_the_data(ev: Evidence) -> None:
    runs = sorted(raw("update_searches"), key=lambda r: r["run_on"])
    assert [str(day.date()) for day, _ in currency(ev).searches] == [r["run_on"] for r in runs]
    assert [against for _, against in currency(ev).searches] == [r["run_against"] for r in runs]
    screened = {r["search_id"] for r in raw("update_search")}
    latest = [r for r in runs if r["search_id"] in screened][-1]
    steps = [r for r in raw("update_search") if r["search_id"] == latest["search_id"]]
    flow = update_search_flow(ev)
    assert flow["count_text"].tolist() == [
        r["count"] for r in sorted(steps, key=lambda r: int(r["step_order"]))
    ]
    assert len(screened_records(ev)) == len(raw("screened_records"))


@pytest.mark.parametrize("step", ["records_screened", "studies_included"])
def test_a_count_that_does_not_add_up_is_refused(tmp_path: Path, step: str) -> None:
    """One more than the data's count of a step is refused, naming the step and the count."""
    data = tmp_path / "data"
    shutil.copytree(DATA, data)
    path = data / "update_search.csv"
    with path.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    for row in rows:
        if row["step_id"] == step:
            value = str(int(row["count"]) + 1)
            row["count"] = value
    message = f"{step} ({value}) must equal"
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(rows[0]), lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)
    found = [str(p) for p in validate(data)]
    assert found
    assert any(message in p for p in found), found


def test_records_found_by_other_methods_count_towards_those_screened(tmp_path: Path) -> None:
    """The optional step "records_other_methods" enters the sum: without its row, the records
    screened no longer add up, and the message names the steps summed."""
    other = [r for r in raw("update_search") if r["step_id"] == "records_other_methods"]
    assert other, "no search records other methods (the case this test is for)"
    data = tmp_path / "data"
    shutil.copytree(DATA, data)
    path = data / "update_search.csv"
    with path.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    kept = [r for r in rows if r["step_id"] != "records_other_methods"]
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(rows[0]), lineterminator="\n")
        writer.writeheader()
        writer.writerows(kept)
    found = [str(p) for p in validate(data)]
    identified = sum(int(r["count"]) for r in kept if r["step_id"] == "records_identified") - sum(
        int(r["count"]) for r in kept if r["step_id"] == "duplicates_removed"
    )
    assert any(
        f"must equal records_identified - duplicates_removed ({identified})" in p for p in found
    ), found


def test_an_included_record_must_name_its_study(tmp_path: Path) -> None:
    data = tmp_path / "data"
    shutil.copytree(DATA, data)
    included = next(r for r in raw("screened_records") if r["decision"] == "included")
    set_column(data / "screened_records.csv", "record_id", included["record_id"], "study_id", "")
    found = [str(p) for p in validate(data)]
    assert found == [
        f"screened_records.csv:{1 + raw('screened_records').index(included) + 1}: study_id: "
        "required when decision is included"
    ]


# --- route: the IVIG claims are computed over intravenous studies only -------------------


def test_letter_studies_are_intravenous_and_additions_record_a_route() -> None:
    for study in raw("studies"):
        assert study["route"] in {"intravenous", "subcutaneous"}
        if study["included_by"] == "letter":
            assert study["route"] == "intravenous"


def test_ivig_view_drops_subcutaneous_studies_everywhere(ev: Evidence) -> None:
    scig = {s["study_id"] for s in raw("studies") if s["route"] == "subcutaneous"}
    assert scig, "the real data hold a subcutaneous study"
    view = ivig_evidence(ev)
    for name, frame in view.tables.items():
        if "study_id" in frame.columns and name != "claims":
            assert not scig & set(frame["study_id"].dropna().astype(str)), name
    assert len(view.studies) == len(raw("studies")) - len(scig)
    assert not scig & set(trial_studies(ev)["study_id"])
    assert not scig & set(controlled_studies(ev)["study_id"])


def test_a_subcutaneous_trial_moves_no_ivig_verdict(tmp_path: Path) -> None:
    # The fictitious positive trial flips the trial claims when intravenous ...
    iv = load(package_with(tmp_path / "iv" / "data", "positive_trial"))
    assert set(changed_verdicts(iv)["claim_id"]) == FLIPPED_BY_POSITIVE_TRIAL
    # ... and moves nothing when the same trial gave immunoglobulin subcutaneously.
    data = package_with(tmp_path / "sc" / "data", "positive_trial")
    set_column(data / "studies.csv", "study_id", "fictitious2026", "route", "subcutaneous")
    sc = load(data)
    assert changed_verdicts(sc).empty
    assert verdicts(sc) == verdicts(load(DATA))
    assert release_level(sc) == "minor"
    summary = evidence_summary(sc)
    assert summary.n_studies == len(raw("studies")) + 1
    ivig_trials = [
        s
        for s in raw("studies")
        if s["design"] in {"placebo_controlled_trial", "controlled_trial"}
        and s["route"] == "intravenous"
    ]
    assert summary.n_trials == len(ivig_trials)
    assert summary.n_trial_patients == sum(int(s["n_total"]) for s in ivig_trials)


# --- the added study everywhere -----------------------------------------------------------


def test_added_studies_appear_in_table_one_the_map_the_counts_and_what_changed(
    ev: Evidence,
) -> None:
    added = [s for s in raw("studies") if s["included_by"] == "update"]
    assert added
    table = table_one(ev)
    assert len(table) == len(raw("studies"))
    assert table["Included by"].tolist().count("update") == len(added)
    overall = overall_results(ev)
    assert {s["study_id"] for s in added} <= set(overall["study_id"].astype(str))
    summary = evidence_summary(ev)
    assert summary.n_studies == len(raw("studies"))
    assert summary.n_added == len(added)
    shown = added_table(ev)
    labels = labels_by_id(ev)  # studies are shown by their labels, never their ids
    assert shown["Study"].tolist() == [labels[s["study_id"]] for s in added]
    for study in added:
        row = shown[shown["Study"] == labels[study["study_id"]]].iloc[0]
        assert str(row["Patients"]) == study["n_total"]
        assert row["Route"].lower().startswith(study["route"])
    assert changed_verdicts(ev).empty


# --- guidance -----------------------------------------------------------------------------


def test_guidance_table_follows_the_data(ev: Evidence) -> None:
    rows = raw("guidance")
    table = guidance_display(ev)
    assert len(table) == len(rows)
    # Each source keeps its identifier; a DOI is printed once, in the References, so a cited
    # document's source names it as cited and keeps its PMID, not its DOI.
    keys = zip(table["Body"], table["Year"], strict=True)
    sources = dict(zip(keys, table["Source"], strict=True))
    for r in rows:
        source = sources[(r["body"], r["year"] or "not reported")]
        for part in (p.strip() for p in r["identifier"].split(";")):
            if r["citation_key"] and part.startswith("DOI 10."):
                assert part not in source, (r["guidance_id"], source)
            else:
                assert part in source, (r["guidance_id"], part, source)
    counts = guidance_counts(ev)
    assert counts["n_against"] == sum(r["direction"] == "against" for r in rows)
    assert counts["n_candidates"] == sum(r["letter_candidate"] == "true" for r in rows)
    candidates = letter_candidates(ev)
    assert (candidates["A candidate?"] == "candidate").sum() == counts["n_candidates"]
    # No guidance is declared the letter's statement: candidates stay candidates.
    assert set(candidates["A candidate?"]) <= {"candidate", "unlikely"}
    years = [int(r["year"]) for r in rows if r["year"]]
    assert table["Year"].iloc[0] == str(max(years))
