"""The book's headlines (key messages, plain-language summary, "In short", conclusions) say
what the letter reports and what the checked primary sources add, computed from the data.

Each test changes the data (in memory, or in a copied package for the chapters) and checks
that the headline follows: a checked improvement removed disappears from the headlines; one
added appears; contradicted claims are counted on both bases where they differ; improvement
reports are counted as :mod:`ivigbook.analysis.cohorts` defines them, independently recounted
from the CSV here; an added study is placed before or after the letter's search by its year.
"""

from __future__ import annotations

import csv
from pathlib import Path

import pandas as pd
import pytest
from chapter_outputs import execute_chapter
from fixtures_living.living import DATA, package_with

from ivigbook.analysis import claims
from ivigbook.analysis.appraisal import participant_blinding
from ivigbook.analysis.changes import added_facts, letter_search_date
from ivigbook.analysis.claims.bases import (
    evaluate_bases,
    letter_basis,
    weak_results,
)
from ivigbook.analysis.cohorts import with_tables
from ivigbook.analysis.responders import responder_summary, responder_table
from ivigbook.analysis.summary import bases_verdicts, key_facts
from ivigbook.analysis.timing import times_given, timing_counts
from ivigbook.data.load import load
from ivigbook.text.answers import (
    biomarkers_in_short,
    conclusions_in_short,
    next_trial_in_short,
    timing_in_short,
)
from ivigbook.text.caveats import added_sentence, bases_sentence
from ivigbook.text.messages import bottom_line, key_messages, plain_summary


def _rows(name: str) -> list[dict[str, str]]:
    with (DATA / f"{name}.csv").open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


@pytest.fixture(scope="module")
def ev():
    return load()


def _expected_checked_trial_improvements() -> dict[str, set[str]]:
    """From the CSV alone: for each trial (its short label), the domains that a checked
    result turns into an objective improvement the letter's result is not."""
    outcomes = {o["outcome_id"]: o for o in _rows("outcomes")}
    studies = {s["study_id"]: s for s in _rows("studies")}
    out: dict[str, set[str]] = {}
    for row in _rows("checked_results"):
        o = outcomes[row["outcome_id"]]
        s = studies[o["study_id"]]
        if (
            row["result"] == "improved"
            and o["result"] != "improved"
            and o["assessment"] == "objective"
            and s["design"] in ("placebo_controlled_trial", "controlled_trial")
            and s["route"] == "intravenous"
        ):
            out.setdefault(f"{s['first_author']} {s['year']}", set()).add(o["domain"])
    return out


def _verdict_counts(table: pd.DataFrame, verdict: str) -> int:
    return int((table["verdict"].astype(str) == verdict).sum())


# --------------------------------------------------------------------------------------
# 1. A checked improvement on an objective measure is in the headlines, and only then


def test_headlines_name_the_checked_improvement(ev) -> None:
    expected = _expected_checked_trial_improvements()
    assert expected, "the data record a checked objective improvement in a trial"
    facts = key_facts(ev)
    assert {b.study: set(b.domains) for b in facts.checked_benefits if b.trial} == expected
    trials = key_messages(facts)["trials"]
    found = plain_summary(facts)["found"]
    for study, domains in expected.items():
        assert study in trials
        for domain in domains:
            assert domain in trials
            assert domain in found
    assert "As the letter reports them" in trials
    assert "counts follow the letter's results" in trials
    assert "improved on a measured test" in found


def test_without_the_check_the_headlines_say_no_benefit(ev) -> None:
    quiet = with_tables(
        ev,
        checked_results=ev.checked_results.iloc[0:0],
        checked_study_values=ev.checked_study_values.iloc[0:0],
    )
    facts = key_facts(quiet)
    assert facts.checked_benefits == ()
    trials = key_messages(facts)["trials"]
    assert "found no measured benefit" in trials
    assert "But one" not in trials
    assert "As the letter reports" not in trials
    assert "improved on a measured test" not in plain_summary(facts)["found"]
    bases = bases_verdicts(quiet)
    assert bases.n_contradicted_letter == bases.n_contradicted_checked
    verdicts = claims.evaluate(quiet)["verdict"].astype(str).value_counts().to_dict()
    text = conclusions_in_short(facts, verdicts, bases)
    assert "Once the primary sources are checked" not in text


def test_an_added_check_on_strength_reaches_the_headlines(ev) -> None:
    """A new checked result (here: a trial's strength measure improved) flows into the key
    message with no chapter edit."""
    o = ev.outcomes
    trial_ids = {
        s
        for s, d in zip(ev.studies["study_id"], ev.studies["design"], strict=True)
        if d in ("placebo_controlled_trial", "controlled_trial")
    }
    strength = o[
        o["study_id"].isin(trial_ids)
        & (o["domain"] == "strength")
        & (o["assessment"] == "objective")
        & (o["result"] != "improved")
    ].iloc[0]
    check = ev.source_checks[ev.source_checks["study_id"] == strength["study_id"]].iloc[0]
    row = pd.DataFrame(
        [
            {
                "check_id": check["check_id"],
                "outcome_id": strength["outcome_id"],
                "result": "improved",
                "outcome_role": "primary",
                "multiplicity": "not_reported",
                "summary": "strength improved (a test row, not a source's result)",
            }
        ]
    ).astype(ev.checked_results.dtypes.to_dict())
    more = with_tables(ev, checked_results=pd.concat([ev.checked_results, row], ignore_index=True))
    facts = key_facts(more)
    domains = {d for b in facts.checked_benefits for d in b.domains}
    assert "strength" in domains
    assert "muscle strength" in key_messages(facts)["trials"]
    assert "muscle strength" not in key_messages(key_facts(ev))["trials"].split("But", 1)[1]


def test_a_copied_package_without_the_check_changes_the_home_page(tmp_path: Path) -> None:
    """The home page and the trials chapter, executed on a copy of the data without any
    checked result: no checked improvement is mentioned; with the real data it is."""
    data = package_with(tmp_path / "data")
    path = data / "checked_results.csv"
    header = path.read_text(encoding="utf-8").splitlines()[0]
    path.write_text(header + "\n", encoding="utf-8")
    quiet = execute_chapter("index", data_dir=data)["values"]
    real = execute_chapter("index")["values"]
    expected = _expected_checked_trial_improvements()
    for study in expected:
        assert study in real["km_trials"]
        assert study not in quiet["km_trials"]
    assert "found no measured benefit" in quiet["km_trials"]
    assert "measured test" not in quiet["pls_found"]
    trials = execute_chapter("trials", data_dir=data)["values"]["tr_in_short"]
    assert not any(study in trials for study in expected)


# --------------------------------------------------------------------------------------
# 2. Contradicted claims on both bases


def test_contradicted_counts_on_both_bases_appear_when_they_differ(ev) -> None:
    n_letter = _verdict_counts(claims.evaluate(letter_basis(ev)), claims.CONTRADICTED)
    weighed = evaluate_bases(ev)
    n_checked = int((weighed["verdict_checked"].astype(str) == claims.CONTRADICTED).sum())
    assert n_letter != n_checked, "the real data's two bases differ on contradicted claims"
    bases = bases_verdicts(ev)
    assert (bases.n_contradicted_letter, bases.n_contradicted_checked) == (n_letter, n_checked)
    facts = key_facts(ev)
    verdicts = claims.evaluate(ev)["verdict"].astype(str).value_counts().to_dict()
    text = conclusions_in_short(facts, verdicts, bases)
    words = ("none", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine")
    assert f"{words[n_letter]} of its {len(ev.claims)} checked claims" in text
    assert f"checked, {words[n_checked]} " in text
    sentence = bases_sentence(bases)
    assert "letter's own evidence" in sentence
    verb = "claim is" if n_checked == 1 else "claims are"
    assert f"{words[n_checked]} {verb} contradicted" in sentence
    # no claim is contradicted by a weak result (one secondary, unadjusted measure)
    weak = {f"outcomes:{o}" for o in weak_results(ev)["outcome_id"]}
    contradicted = weighed[weighed["verdict_checked"].astype(str) == claims.CONTRADICTED]
    for rows in contradicted["rows_checked"]:
        assert not weak & set(str(rows).split("; "))


def checked_basis_verdicts() -> pd.DataFrame:
    """Each claim's verdict on both bases, from the two evaluations run separately."""
    ev = load(DATA)
    letter = claims.evaluate(letter_basis(ev))[["claim_id", "verdict"]]
    weighed = evaluate_bases(ev)[["claim_id", "verdict_checked", "reason_checked"]]
    both = letter.merge(weighed, on="claim_id").rename(columns={"verdict": "verdict_letter"})
    return both.astype(str)


def test_the_ledger_and_conclusions_glue_both_bases() -> None:
    ledger = execute_chapter("claims-ledger")["values"]
    conclusions = execute_chapter("conclusions")["values"]
    for sentence in (ledger["cl_bases_sentence"], conclusions["con_bases_sentence"]):
        assert sentence.startswith("These verdicts rest on the letter's own evidence.")
        assert "With the primary sources checked" in sentence
    # The ledger's summary gives the central claim's verdict on both bases.
    bases = {r["claim_id"]: r for _, r in checked_basis_verdicts().iterrows()}
    central = bases["rcts_no_objective_effect"]
    assert ledger["cl_verdict_rcts_no_objective_effect"] == central["verdict_letter"]
    assert ledger["cl_checked_verdict_rcts_no_objective_effect"] == central["verdict_checked"]
    assert central["verdict_letter"] != central["verdict_checked"]
    # the checked verdict weighs the one swallowing result: it qualifies, not contradicts,
    # and the reason's first sentence says what the result is and why it does not overturn it
    assert central["verdict_checked"] == claims.QUALIFIED
    first = central["reason_checked"].split(". ")[0]
    assert "swallowing" in first
    assert "does not overturn" in first
    # so does the letter's central conclusion ("no statistical evidence for the use of IVIG")
    central = bases["no_statistical_evidence"]
    assert central["verdict_checked"] == claims.QUALIFIED
    assert "swallowing" in central["reason_checked"].split(". ")[0]


# --------------------------------------------------------------------------------------
# 3. Improvement reports: IVIG-treated groups, at least one patient, each result once


def test_improvement_reports_recounted_from_the_csv(ev) -> None:
    seen: set[tuple[str, str, str]] = set()
    studies = {s["study_id"]: s for s in _rows("studies")}
    outcomes = {o["outcome_id"]: o for o in _rows("outcomes")}
    weak = 0
    for r in _rows("responders"):
        if r["group"] not in ("ivig", "subgroup"):
            continue
        if r["numerator"] != "":
            if int(r["numerator"]) == 0:
                continue
        elif r["stated_as"].strip().lower() in ("none", "zero", "0", "0%"):
            continue
        key = (r["study_id"], r["outcome_id"], r["group"])
        if key in seen:
            continue
        seen.add(key)
        uncontrolled = studies[r["study_id"]]["controlled"] != "true"
        weak += uncontrolled or outcomes[r["outcome_id"]]["assessment"] != "objective"
    summary = responder_summary(responder_table(ev))
    assert summary.n_reports == len(seen) < summary.n_statements
    assert summary.n_reports_weak == weak
    message = key_messages(key_facts(ev))["signals"]
    assert f"{weak} of the {len(seen)} reports that patients on IVIG improved" in message


# --------------------------------------------------------------------------------------
# 4-9. Biomarkers, added studies, search caveat, guidance, timing, blinding


def test_biomarkers_answer_does_not_say_measured_after_treatment() -> None:
    text = biomarkers_in_short(7, 6, "supported")
    assert "after treatment, not before" not in text
    assert "only as changes with treatment" in text
    assert "predictor of response" in text


def test_added_study_is_placed_by_its_year_against_the_search(ev) -> None:
    search = letter_search_date(ev)
    added = [s for s in _rows("studies") if s["included_by"] == "update"]
    facts = added_facts(ev)
    assert facts.n_added == len(added)
    before = sum(int(s["year"]) < search.year for s in added if s["year"])
    assert facts.n_published_before == before
    text = added_sentence(facts)
    if len(added) == 1 and before == 1:
        assert f"published in {added[0]['year']}, before the letter's search" in text
        assert "since the letter" not in text
    # the same study dated after the search reads "after"
    later = ev.studies.copy()
    later.loc[later["included_by"] == "update", "year"] = search.year + 1
    moved = added_sentence(added_facts(with_tables(ev, studies=later)))
    assert "before the letter's search" not in moved
    if len(added) == 1:
        assert f"published in {search.year + 1}, after the letter's search" in moved
    assert added_sentence(added_facts(with_tables(ev, studies=ev.studies.iloc[0:0]))).startswith(
        "No study has been added"
    )


def test_home_states_how_current_the_evidence_is_exactly() -> None:
    rows = _rows("update_searches")
    values = execute_chapter("index")["values"]
    text = values["home_currency"]
    letter = max(s["added_on"] for s in _rows("studies") if s["included_by"] == "letter")
    assert letter == "2024-01-26"
    assert "The letter's search of PubMed/MEDLINE ran on 26 January 2024." in text
    for row in rows:
        day = pd.Timestamp(row["run_on"])
        assert f"{day.day} {day:%B %Y}" in text
    if not any(r["run_against"] == "pubmed" for r in rows):
        assert text.endswith("the PubMed update is pending.")
    if any(r["run_against"] == "stored_copies" for r in rows):
        assert "a preliminary search of stored copies of public records on" in text
    assert "current to" not in text


def test_conditional_guidance_says_superseded_and_its_situation(ev) -> None:
    rows = [g for g in _rows("guidance") if g["direction"] == "conditional_for"]
    caution = key_messages(key_facts(ev))["caution"]
    for g in rows:
        # the situation as the guidance table paraphrases it: not quoted as the document's words
        situation = g["recommendation"].split(";")[0].strip().rstrip(".")
        assert situation[:1].lower() + situation[1:] in caution
        assert "\u201c" + situation not in caution
    if any("superseded" in (g["body"] + g["identifier"]).lower() for g in rows):
        assert "superseded edition" in caution
    current = ev.guidance.copy()
    current["body"] = current["body"].str.replace("(superseded edition)", "", regex=False)
    current["identifier"] = current["identifier"].str.replace("(superseded)", "", regex=False)
    assert "superseded" not in key_messages(key_facts(with_tables(ev, guidance=current)))["caution"]


def test_timing_answer_says_no_time_is_given(ev) -> None:
    reporting = [s for s in _rows("studies") if s["time_to_treatment_letter"].strip()]
    with_digits = [s for s in reporting if any(c.isdigit() for c in s["time_to_treatment_letter"])]
    assert times_given(ev) == len(with_digits)
    text = timing_in_short(timing_counts(ev), len(ev.studies), "not testable", times_given(ev))
    assert "records the time from diagnosis" not in text
    if len(reporting) == 1 and not with_digits:
        assert "says anything about when treatment started" in text
        assert "it gives no time" in text
    dated = ev.studies.copy()
    dated.loc[dated["time_to_treatment_letter"].notna(), "time_to_treatment_letter"] = (
        "IVIG started 6 months after diagnosis"
    )
    other = with_tables(ev, studies=dated)
    assert "no time" not in timing_in_short(
        timing_counts(other), len(dated), "not testable", times_given(other)
    )


def test_best_case_blinding_is_the_books_judgement_with_its_reason(ev) -> None:
    rob = [
        r
        for r in _rows("risk_of_bias")
        if r["study_id"] == "dalakas1997" and r["domain"] == "blinding_participants"
    ]
    assert len(rob) == 1
    text = next_trial_in_short(84, 60, 29, 0.08, participant_blinding(ev, "dalakas1997"))
    assert "largely failed" not in text
    assert "In the book's judgement its blinding was weak" in text
    assert rob[0]["support"].rstrip(".")[1:] in text
    # a review's judgement names the review (its number is in the bibliography entry's DOI)
    bib = (DATA / "references.bib").read_text(encoding="utf-8")
    entry = next(
        e for e in bib.split("@") if e.split("{", 1)[-1].startswith(rob[0]["citation_key"] + ",")
    )
    number = entry.split("CD", 1)[1][:6] if rob[0]["source"] == "cochrane" else ""
    rater = f"The Cochrane review CD{number}" if number else "The book"
    assert f"{rater} rates that domain {rob[0]['judgement']}" in text


def test_several_added_studies_are_placed_by_count() -> None:
    from ivigbook.analysis.changes import AddedFacts

    facts = AddedFacts(
        n_added=3,
        search_date="1 March 2020",
        n_published_before=2,
        n_published_same_year=0,
        n_published_after=1,
        n_year_unknown=0,
        n_not_ivig=1,
        single_year=None,
        other_routes=("subcutaneous",),
    )
    text = added_sentence(facts)
    assert text.startswith("Three studies have been added")
    assert "2 were published before the letter's search of 1 March 2020 and 1 after it" in text
    assert "1 of them gave immunoglobulin under the skin" in text
    short = added_sentence(facts, with_date=False)
    assert "1 March 2020" not in short


# --------------------------------------------------------------------------------------
# 5. One page, one count: studies without a control group are IVIG studies


def test_the_evidence_page_counts_the_same_studies_without_a_control_group() -> None:
    """The answer, the map's sentence and the summary name one number of studies without a
    control group (IVIG only), and the answer accounts for every study of the data."""
    studies = _rows("studies")
    ivig = [s for s in studies if s["route"] == "intravenous"]
    without = [s for s in ivig if s["controlled"] != "true"]
    other_route = len(studies) - len(ivig)
    assert other_route > 0, "the data hold no study by another route (the case this is for)"
    values = execute_chapter("evidence")["values"]
    n = len(without)
    assert f"the {n} studies without a control group" in values["ev_improvement_sentence"]
    assert f"the {n} studies without a control group (" in values["ev_uncontrolled_sentence"]
    words = ["no", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine"]
    in_short = values["ev_in_short"]
    assert f"{words[n]} studies without one" in in_short
    assert f"{words[other_route]} study of immunoglobulin not given into a vein" in in_short
    assert f"holds {len(studies)} studies" in in_short


def test_tables_name_chapters_as_words(ev) -> None:
    """The ledger's Chapter column reads "Trials", "Next trial", never "next-trial"."""
    table = claims.chapter_verdicts(ev)
    chapters = [r["chapter"] for r in _rows("claims")]
    expected = [c[:1].upper() + c[1:].replace("-", " ") for c in chapters]
    assert sorted(table["Chapter"]) == sorted(expected)
    assert not any("-" in c or c.islower() for c in table["Chapter"])


# --------------------------------------------------------------------------------------
# The bottom line: the answer, how sure, what guidance says (home page, first screen)


def _word(n: int) -> str:
    from ivigbook.prose import words

    return words(n)


def test_the_bottom_line_answers_from_the_data(ev) -> None:
    facts = key_facts(ev)
    line = bottom_line(facts)
    assert set(line) == {"answer", "certainty", "guidance"}
    assert f"{_word(facts.n_trials)} controlled trials" in line["answer"]
    assert f"{facts.n_trial_patients} patients" in line["answer"]
    if facts.n_trials_objective_benefit == 0:
        assert "no clear benefit" in line["answer"]
    levels = {level for level, _ in facts.certainty}
    assert any(level in line["certainty"] for level in levels)
    assert "GRADE" in line["certainty"]
    assert f"of the {_word(facts.n_guidance)} guidance documents" in line["guidance"]
    assert line["guidance"].lower().startswith(_word(facts.n_guidance_against).lower())


def test_a_positive_trial_changes_the_bottom_line(tmp_path: Path) -> None:
    """A positive randomised trial added as data: the answer counts its benefit and the
    strength rating says it predates it."""
    after = key_facts(load(package_with(tmp_path / "data", "positive_trial")))
    line = bottom_line(after)
    assert after.n_trials_objective_benefit >= 1
    assert "found a measured benefit" in line["answer"]
    assert "no clear benefit" not in line["answer"]
    assert "not yet re-rated" in line["certainty"]
