"""The chapters introduction, search, evidence and trials: glued numbers and figures.

Expected values are recomputed here from the raw CSV files with the csv module, never
taken from ivigbook. A second set of tests runs the chapters on a temporary copy of the data
package with one FICTITIOUS study added (tests/fixtures_evidence/) and checks that the
counts follow, without any change to the chapters.
"""

from __future__ import annotations

import csv
import re
import shutil
from collections import Counter
from pathlib import Path

import pytest
from chapter_outputs import ROOT, code_cell_sources, execute_chapter

from ivigbook.analysis import vocabulary

DATA = ROOT / "data"
FIXTURES = Path(__file__).resolve().parent / "fixtures_evidence"
TRIAL_DESIGNS = {"placebo_controlled_trial", "controlled_trial"}
DESIGNS = [
    "placebo_controlled_trial",
    "controlled_trial",
    "case_control",
    "open_label",
    "case_series",
    "case_report",
]
CHAPTER_FIGURES = {
    "introduction": "fig-intro-dose",
    "search": "fig-search-flow",
    "evidence": "fig-evidence-map",
    "trials": "fig-trials-matrix",
}


def rows(data_dir: Path, name: str) -> list[dict[str, str]]:
    with (data_dir / f"{name}.csv").open(encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f))


def expected(data_dir: Path) -> dict[str, object]:
    """Key numbers recomputed from the raw CSVs."""
    studies = rows(data_dir, "studies")
    search = {r["step_id"]: r for r in rows(data_dir, "search")}
    trials = [s for s in studies if s["design"] in TRIAL_DESIGNS]
    doses = Counter(
        float(s["dose_g_per_kg_per_month"]) for s in studies if s["dose_g_per_kg_per_month"]
    )
    top = max(doses.values())
    usual = max(d for d, n in doses.items() if n == top)
    return {
        "n_studies": len(studies),
        "n_patients": sum(int(s["n_total"]) for s in studies),
        "per_design": {d: sum(s["design"] == d for s in studies) for d in DESIGNS},
        "records_identified": int(search["records_identified"]["count"]),
        "studies_included_search": int(search["studies_included"]["count"]),
        "from_letter": sum(s["included_by"] == "letter" for s in studies),
        "letter_patients": sum(int(s["n_total"]) for s in studies if s["included_by"] == "letter"),
        "added": sum(s["included_by"] == "update" for s in studies),
        "unreported_steps": sum(r["reported"] == "false" for r in search.values()),
        "trial_patients": sum(int(s["n_total"]) for s in trials),
        "n_trials": len(trials),
        "n_placebo": sum(s["placebo_controlled"] == "true" for s in trials),
        "n_randomised": sum(s["randomised"] == "true" for s in trials),
        "usual_dose": usual,
        "n_usual": doses[usual],
        "n_with_dose": sum(doses.values()),
    }


def body_weight() -> float:
    """BODY_WEIGHT_KG as the introduction's parameters cell sets it: a number someone typed,
    or the book's one illustrative weight (``vocabulary.ILLUSTRATIVE_BODY_WEIGHT_KG``)."""
    found = [
        m.group(1)
        for src in code_cell_sources("introduction")
        for m in re.finditer(
            r"^BODY_WEIGHT_KG\s*=\s*([0-9.]+|ILLUSTRATIVE_BODY_WEIGHT_KG)\b", src, flags=re.M
        )
    ]
    assert len(found) == 1, "the introduction sets BODY_WEIGHT_KG exactly once"
    if found[0] == "ILLUSTRATIVE_BODY_WEIGHT_KG":
        return float(vocabulary.ILLUSTRATIVE_BODY_WEIGHT_KG)
    return float(found[0])


# --------------------------------------------------------------------------------------
# The real data


def test_known_values_of_the_letter() -> None:
    """Anchors from the letter itself (its text and Table I), not from the code."""
    exp = expected(DATA)
    assert exp["records_identified"] == 226
    assert exp["studies_included_search"] == 10
    assert exp["from_letter"] == 10
    assert exp["n_studies"] == 10 + exp["added"]
    assert exp["n_placebo"] == 3
    assert exp["n_randomised"] == 2
    assert exp["trial_patients"] == 19 + 36 + 22


def test_introduction_dose() -> None:
    exp = expected(DATA)
    out = execute_chapter("introduction")
    weight = body_weight()
    assert out["intro_body_weight_kg"] == pytest.approx(weight)
    assert out["intro_dose_usual"] == pytest.approx(exp["usual_dose"])
    assert out["intro_dose_n_usual"] == exp["n_usual"]
    assert out["intro_dose_n_with_dose"] == exp["n_with_dose"]
    assert out["intro_n_studies"] == exp["n_studies"]
    assert out["intro_grams_per_month"] == pytest.approx(exp["usual_dose"] * weight)
    assert out["intro_grams_per_year"] == pytest.approx(exp["usual_dose"] * weight * 12)


#: (chapter, glued value, key of :func:`expected`): counts a chapter glues, against the CSVs.
GLUED_COUNTS = [
    ("search", "search_records_identified", "records_identified"),
    ("search", "search_studies_included", "studies_included_search"),
    ("search", "search_studies_now", "n_studies"),
    ("search", "search_studies_from_letter", "from_letter"),
    ("search", "search_studies_added", "added"),
    ("search", "search_steps_unreported", "unreported_steps"),
    ("trials", "tr_n_patients", "trial_patients"),
    ("trials", "tr_n_trials", "n_trials"),
    ("trials", "tr_n_placebo", "n_placebo"),
    ("trials", "tr_n_randomised", "n_randomised"),
]


@pytest.mark.parametrize(("chapter", "glued", "key"), GLUED_COUNTS)
def test_glued_count_is_the_csv_count(chapter: str, glued: str, key: str) -> None:
    assert execute_chapter(chapter)[glued] == expected(DATA)[key]


def test_search_has_unreported_steps() -> None:
    assert expected(DATA)["unreported_steps"] > 0


def test_evidence_counts() -> None:
    exp = expected(DATA)
    out = execute_chapter("evidence")
    assert out["ev_n_studies"] == exp["n_studies"]
    assert out["ev_n_patients"] == exp["n_patients"]
    # Table I's own studies and patients, told apart from the added ones.
    assert out["ev_n_letter_studies"] == exp["from_letter"]
    assert out["ev_n_letter_patients"] == exp["letter_patients"]
    for design, n in exp["per_design"].items():
        assert out[f"ev_n_{design}"] == n, design
    overall = sum(
        out[f"ev_n_{r}"] for r in ("improved", "no_effect", "trend", "not_clinically_relevant")
    )
    assert overall <= exp["n_studies"]


def test_evidence_overall_results() -> None:
    """The overall result, recomputed from outcomes.csv with the documented rule."""
    rank = ["improved", "trend", "not_clinically_relevant", "no_effect", "subjective_improvement"]
    outcomes = rows(DATA, "outcomes")
    counts: Counter[str] = Counter()
    for study in rows(DATA, "studies"):
        mine = [o for o in outcomes if o["study_id"] == study["study_id"]]
        for assessment in ("objective", "unclear", "subjective"):
            found = [
                o["result"]
                for o in mine
                if o["assessment"] == assessment and o["result"] != "not_reported"
            ]
            if found:
                counts[min(found, key=rank.index)] += 1
                break
        else:
            counts["not_reported"] += 1
    out = execute_chapter("evidence")
    for result in ("improved", "no_effect", "trend", "not_clinically_relevant"):
        assert out[f"ev_n_{result}"] == counts[result], result


def test_trials_surface_the_two_rcts_inconsistency() -> None:
    # the inconsistency the chapter surfaces: "two RCTs" in the text vs the table's flags
    assert execute_chapter("trials")["tr_n_placebo"] != 2


@pytest.mark.parametrize("name", sorted(CHAPTER_FIGURES))
def test_chapter_glues_its_figure(name: str) -> None:
    out = execute_chapter(name)
    assert CHAPTER_FIGURES[name] in out.figures
    text = (ROOT / "chapters" / f"{name}.md").read_text(encoding="utf-8")
    assert f":::{{glue:figure}} {CHAPTER_FIGURES[name]}" in text
    assert f":name: {CHAPTER_FIGURES[name]}" in text


# --------------------------------------------------------------------------------------
# A fictitious study added to a copy of the data


def _append_csv(target: Path, fixture: Path) -> None:
    with fixture.open(encoding="utf-8", newline="") as f:
        reader = csv.DictReader(f)
        new = list(reader)
    with target.open(encoding="utf-8", newline="") as f:
        header = next(csv.reader(f))
    assert reader.fieldnames == header, f"{fixture.name}: header differs from {target.name}"
    with target.open("a", encoding="utf-8", newline="") as f:
        writer = csv.DictWriter(f, header, lineterminator="\n")
        writer.writerows(new)


@pytest.fixture(scope="module")
def data_with_fictitious_study(tmp_path_factory: pytest.TempPathFactory) -> Path:
    target = tmp_path_factory.mktemp("data-fictitious") / "data"
    shutil.copytree(DATA, target)
    _append_csv(target / "studies.csv", FIXTURES / "studies.csv")
    _append_csv(target / "outcomes.csv", FIXTURES / "outcomes.csv")
    with (target / "references.bib").open("a", encoding="utf-8") as f:
        f.write((FIXTURES / "references.bib").read_text(encoding="utf-8"))
    return target


def test_fixture_is_labelled_fictitious() -> None:
    (study,) = rows(FIXTURES, "studies")
    assert study["first_author"] == "Fictitious"
    assert study["included_by"] == "update"
    assert not any(s["first_author"] == "Fictitious" for s in rows(DATA, "studies"))


def test_added_study_changes_counts(data_with_fictitious_study: Path) -> None:
    old, new = expected(DATA), expected(data_with_fictitious_study)
    assert new["n_studies"] == old["n_studies"] + 1
    assert new["added"] == old["added"] + 1

    search = execute_chapter("search", data_with_fictitious_study)
    assert search["search_studies_now"] == new["n_studies"]
    assert search["search_studies_added"] == new["added"]
    assert search["search_studies_from_letter"] == new["from_letter"] == old["from_letter"]
    assert search["search_records_identified"] == old["records_identified"]

    evidence = execute_chapter("evidence", data_with_fictitious_study)
    assert evidence["ev_n_studies"] == new["n_studies"]
    assert evidence["ev_n_patients"] == new["n_patients"]
    assert evidence["ev_n_letter_studies"] == old["from_letter"]
    assert evidence["ev_n_letter_patients"] == old["letter_patients"]
    assert (
        evidence["ev_n_placebo_controlled_trial"] == new["per_design"]["placebo_controlled_trial"]
    )
    assert (
        evidence["ev_n_improved"] == execute_chapter("evidence")["ev_n_improved"] + 1
    )  # the fictitious trial reports an objective improvement

    trials = execute_chapter("trials", data_with_fictitious_study)
    assert trials["tr_n_patients"] == new["trial_patients"] != old["trial_patients"]
    assert trials["tr_n_placebo"] == new["n_placebo"] == old["n_placebo"] + 1
    assert trials["tr_n_randomised"] == new["n_randomised"]

    intro = execute_chapter("introduction", data_with_fictitious_study)
    assert intro["intro_n_studies"] == new["n_studies"]
    assert intro["intro_dose_n_with_dose"] == new["n_with_dose"] == old["n_with_dose"] + 1


def test_wording_follows_an_added_study(data_with_fictitious_study: Path) -> None:
    """Sentences whose wording depends on the data change with it; the letter's own counts
    (studies in Table I, its placebo-controlled and randomised trials) do not."""
    old, new = expected(DATA), expected(data_with_fictitious_study)
    now = execute_chapter("evidence")
    added = execute_chapter("evidence", data_with_fictitious_study)
    n_trials = new["per_design"]["placebo_controlled_trial"]
    assert f"{n_trials} placebo-controlled trials" in added["ev_design_listing"]
    assert added["ev_improvement_sentence"] != now["ev_improvement_sentence"]
    assert now["ev_controlled_sentence"].startswith("None of the")
    assert not added["ev_controlled_sentence"].startswith("None of the")

    trials = execute_chapter("trials", data_with_fictitious_study)
    assert trials["tr_letter_n_placebo"] == old["n_placebo"]
    assert trials["tr_letter_n_randomised"] == old["n_randomised"]
    assert trials["tr_n_objective_benefit"] == 1
    assert "One of them found a benefit on an objective measure" in trials["tr_in_short"]
    printed = " ".join(
        str(output.get("data", {}).get("text/plain", ""))
        for cell in trials.notebook.cells
        for output in cell.get("outputs", [])
    )
    assert "Fictitious" in printed, "the added trial's finding is not in the findings table"

    intro = execute_chapter("introduction", data_with_fictitious_study)
    assert intro["intro_n_letter_studies"] == old["from_letter"]

    home = execute_chapter("index", data_with_fictitious_study)
    assert "one of them found a measured benefit" in home["km_trials"]


def test_letter_counts_in_the_real_data() -> None:
    exp = expected(DATA)
    trials = execute_chapter("trials")
    assert trials["tr_letter_n_placebo"] == exp["n_placebo"]
    assert trials["tr_letter_n_randomised"] == exp["n_randomised"]
    assert execute_chapter("introduction")["intro_n_letter_studies"] == exp["from_letter"]


def test_evidence_chapter_shows_the_caveats_of_its_signals() -> None:
    """Where the evidence chapter shows results as signals, it says which rest on the letter
    alone (Foreman's IBM figures) and which are confounded (the balloon dilation)."""
    out = execute_chapter("evidence")
    assert "Foreman 2017" in out["ev_letter_only"]
    assert "letter's only" in out["ev_letter_only"]
    assert "balloon dilation" in out["ev_confounding"]
    assert "cannot be credited to IVIG alone" in out["ev_confounding"]


def test_search_chapter_counts_records_found_by_other_methods() -> None:
    """The records found by other methods than the queries are counted from the data."""
    with (DATA / "update_search.csv").open(encoding="utf-8", newline="") as handle:
        steps = [r for r in csv.DictReader(handle) if r["step_id"] == "records_other_methods"]
    out = execute_chapter("search")
    n = sum(int(r["count"]) for r in steps)
    assert out["upd_records_other_methods"] == n
    assert ("found" in out["upd_other_methods"]) == (n > 0)
