"""The appraisal: risk of bias, summary of findings, harms, overlaps, the two readings of
"the two RCTs", verdicts on two bases, and one definition per concept.

Expected values are recomputed here from the CSV files with the standard library, never read
back from the library under test.
"""

from __future__ import annotations

import csv
import shutil
from pathlib import Path

import pytest
from conftest import run_make
from fixtures_living.living import DATA, package_with, read_rows

from ivigbook.analysis import appraisal, claims, cohorts, grade, summary
from ivigbook.analysis.claims import helpers
from ivigbook.analysis.claims.bases import checked_basis, evaluate_bases, letter_basis
from ivigbook.analysis.claims.ledger import evaluate
from ivigbook.data.load import load
from ivigbook.data.rules import CERTAINTY_LEVELS, GRADE_DOMAINS, ROB_DOMAINS
from ivigbook.figures.appraisal import rob_summary_chart, rob_traffic_light
from ivigbook.figures.theme import WIDTH

TRIAL_DESIGNS = {"placebo_controlled_trial", "controlled_trial"}


def raw(name: str, data: Path = DATA) -> list[dict[str, str]]:
    return read_rows(data / f"{name}.csv")


def is_true(value: str) -> bool:
    return value.strip().lower() == "true"


@pytest.fixture(scope="module")
def ev():
    return load(DATA)


# --- risk of bias ------------------------------------------------------------------------------


def test_every_study_of_the_letter_is_assessed() -> None:
    """A study of the letter without rows is an error; an added study may wait (not assessed)."""
    judged = {r["study_id"] for r in raw("risk_of_bias")}
    letter = [s["study_id"] for s in raw("studies") if s["included_by"] == "letter"]
    assert [s for s in letter if s not in judged] == []


def test_tool_follows_the_design_and_every_domain_is_judged() -> None:
    studies = {s["study_id"]: s for s in raw("studies")}
    rows: dict[str, dict[str, str]] = {}
    for r in raw("risk_of_bias"):
        rows.setdefault(r["study_id"], {})[r["domain"]] = r["tool"]
    for study_id, domains in rows.items():
        tools = set(domains.values())
        assert len(tools) == 1, study_id
        tool = tools.pop()
        expected = "rob1" if studies[study_id]["design"] in TRIAL_DESIGNS else "nrs"
        assert tool == expected, study_id
        assert set(domains) == set(ROB_DOMAINS[tool]), study_id


def test_cochrane_judgements_are_only_the_confirmed_ones() -> None:
    """Only the four judgements read in the stored Cochrane records are Cochrane's."""
    cochrane = {r["rob_id"] for r in raw("risk_of_bias") if r["source"] == "cochrane"}
    assert cochrane == {
        "dalakas1997-sequence_generation",
        "dalakas1997-allocation_concealment",
        "dalakas1997-blinding_participants",
        "dalakas2001-sequence_generation",
    }
    keys = {r["citation_key"] for r in raw("risk_of_bias") if r["source"] == "cochrane"}
    assert keys <= {"rose2015cochrane", "jones2016cochrane"}
    # the book's own judgements are recorded as such in judgements.csv
    tools = {j["value"] for j in raw("judgements") if j["table"] == "risk_of_bias"}
    assert {"rob1", "nrs"} <= tools


def test_rob_table_has_every_study_and_domain(ev) -> None:
    table = appraisal.rob_table(ev)
    expected = 0
    for s in raw("studies"):
        tool = "rob1" if s["design"] in TRIAL_DESIGNS else "nrs"
        expected += len(ROB_DOMAINS[tool])
    assert len(table) == expected
    judged = {(r["study_id"], r["domain"]): r["judgement"] for r in raw("risk_of_bias")}
    for row in table.itertuples():
        assert row.judgement == judged[(row.study_id, row.domain)]
        assert row.symbol in {"+", "?", "\u2212"}


def _chart_studies(chart) -> set[str]:
    spec = chart.to_dict()
    return {row["study"] for rows in spec["datasets"].values() for row in rows if "study" in row}


def test_fictitious_trial_with_a_row_appears_and_a_study_without_rows_is_not_assessed(
    tmp_path: Path,
) -> None:
    pkg = package_with(tmp_path / "data", "positive_trial", "case_report")
    ev = load(pkg)
    table = appraisal.rob_table(ev)
    trial = table[table["study_id"] == "fictitious2026"]
    assert set(trial["tool"]) == {"rob1"}
    judged = trial.set_index("domain")["judgement"]
    assert judged["sequence_generation"] == "high"
    assert (judged.drop("sequence_generation") == "not_assessed").all()
    # The fixture's own additions (the real data's added studies have their rows).
    real = {s["study_id"] for s in raw("studies")}
    added = [s["study_id"] for s in raw("studies", pkg) if s["included_by"] != "letter"]
    case = [s for s in added if s != "fictitious2026" and s not in real]
    assert case
    for study_id in case:
        rows = table[table["study_id"] == study_id]
        assert set(rows["judgement"]) == {"not_assessed"}
        assert set(rows["tool"]) == {"nrs"}
    assert appraisal.unassessed_studies(ev, letter_only=True) == []
    assert set(case) <= set(appraisal.unassessed_studies(ev))
    drawn = _chart_studies(rob_traffic_light(table))
    labels = set(table.loc[table["study_id"].isin(["fictitious2026", *case]), "study"])
    assert labels <= drawn


def test_charts_fit_the_width(ev) -> None:
    spec = rob_traffic_light(appraisal.rob_table(ev)).to_dict()
    for panel in spec["vconcat"]:
        assert panel["width"] + 190 <= WIDTH
    summary_spec = rob_summary_chart(appraisal.rob_summary(ev)).to_dict()
    for panel in summary_spec["vconcat"]:
        assert panel["width"] <= WIDTH


def test_summary_shares_add_up(ev) -> None:
    s = appraisal.rob_summary(ev)
    totals = s.groupby(["tool", "domain"])["share"].sum()
    assert ((totals - 1).abs() < 1e-9).all()


# --- validation: required reasons ------------------------------------------------------------


def _blank(path: Path, key_field: str, key: str, field: str) -> int:
    with path.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
        header = list(rows[0])
    line = next(i for i, r in enumerate(rows, start=2) if r[key_field] == key)
    for r in rows:
        if r[key_field] == key:
            r[field] = ""
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=header, lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)
    return line


def test_make_validate_refuses_a_missing_reason(tmp_path: Path) -> None:
    pkg = tmp_path / "data"
    shutil.copytree(DATA, pkg)
    rob_line = _blank(pkg / "risk_of_bias.csv", "rob_id", "walter2000-other_bias", "support")
    harm_line = _blank(pkg / "overlaps.csv", "study_id", "zschuntzsch2012", "reason")
    with (pkg / "downgrades.csv").open(encoding="utf-8") as handle:
        lines = handle.read().splitlines()
    index = next(i for i, text in enumerate(lines) if text.startswith("swallowing,imprecision,"))
    lines[index] = "swallowing,imprecision,2,"
    (pkg / "downgrades.csv").write_text("\n".join(lines) + "\n", encoding="utf-8")
    done = run_make("validate", f"DATA_DIR={pkg}")
    assert done.returncode != 0
    out = done.stdout + done.stderr
    assert f"risk_of_bias.csv:{rob_line}: support: required value missing" in out
    assert f"overlaps.csv:{harm_line}: reason: required value missing" in out
    assert f"downgrades.csv:{index + 1}: reason: required value missing" in out


def test_certainty_must_follow_the_downgrades(tmp_path: Path) -> None:
    pkg = tmp_path / "data"
    shutil.copytree(DATA, pkg)
    text = (pkg / "downgrades.csv").read_text(encoding="utf-8")
    (pkg / "downgrades.csv").write_text(
        text.replace("strength,imprecision,2,", "strength,imprecision,0,"), encoding="utf-8"
    )
    from ivigbook import cli

    assert cli.main(["validate", str(pkg)]) == 1


# --- summary of findings -----------------------------------------------------------------------


def test_certainty_recomputed_from_the_downgrades() -> None:
    levels: dict[str, int] = {}
    domains: dict[str, set[str]] = {}
    for d in raw("downgrades"):
        levels[d["outcome"]] = levels.get(d["outcome"], 0) + int(d["levels"])
        domains.setdefault(d["outcome"], set()).add(d["grade_domain"])
        assert d["reason"].strip()
    for f in raw("findings"):
        assert domains[f["outcome"]] == set(GRADE_DOMAINS)
        index = min(CERTAINTY_LEVELS.index(f["start"]) + levels[f["outcome"]], 3)
        assert f["certainty"] == CERTAINTY_LEVELS[index]


def test_findings_count_trials_and_patients_independently(ev) -> None:
    studies = {s["study_id"]: s for s in raw("studies")}
    trials = {k for k, s in studies.items() if s["design"] in TRIAL_DESIGNS}
    outcomes = raw("outcomes")
    harms = {h["study_id"] for h in raw("harms")}
    table = grade.findings_table(ev).set_index("outcome")
    for f in raw("findings"):
        domains = {d.strip() for d in f["outcome_domains"].split(";") if d.strip()}
        if domains:
            ids = {o["study_id"] for o in outcomes if o["domain"] in domains} & trials
        else:
            ids = harms & trials
        row = table.loc[f["outcome"]]
        assert row["n_trials"] == len(ids)
        assert row["n_participants"] == sum(int(studies[i]["n_total"]) for i in ids)
    # Cochrane gave no GRADE rating for strength: the book says its ratings are its own
    assert "no GRADE rating" in table.loc["strength", "cochrane_grade"]


def test_summary_of_findings_reasons_are_one_row_per_lowering_domain(ev) -> None:
    """The reasons table holds every downgrade that costs a level, and only those, in the
    summary's outcome order; the summary itself stays narrow (no reason text in it)."""
    order = [f["outcome"] for f in sorted(raw("findings"), key=lambda f: int(f["display_order"]))]
    label = dict(
        zip(
            grade.findings_table(ev)["outcome"],
            grade.findings_table(ev)["outcome_label"],
            strict=True,
        )
    )
    # every criterion of every outcome is shown, lowering or not, in the handbook's order
    domains = list(GRADE_DOMAINS)
    rows = sorted(
        raw("downgrades"),
        key=lambda d: (order.index(d["outcome"]), domains.index(d["grade_domain"])),
    )
    table = grade.downgrades_display(ev)
    assert len(table) == len(rows) == len(order) * len(domains)
    assert list(table["Outcome"]) == [label[d["outcome"]] for d in rows]
    assert list(table["Why"]) == [d["reason"] for d in rows]
    assert list(table["Levels"]) == [
        f"\u2212{d['levels']}" if int(d["levels"]) else "0" for d in rows
    ]
    summary_columns = list(grade.findings_display(ev).columns)
    assert len(summary_columns) == 4
    assert not any("lowered" in c.lower() or "cochrane" in c.lower() for c in summary_columns)


def test_reasons_print_as_a_list_under_each_outcome(ev) -> None:
    """Every lowering reason appears once, under its outcome, in the summary's order."""
    from ivigbook.text.markdown import downgrades_markdown

    table = grade.downgrades_display(ev)
    text = downgrades_markdown(table)
    heads = [line for line in text.splitlines() if line.startswith("- **")]
    assert heads == [f"- **{o}**" for o in dict.fromkeys(table["Outcome"])]
    items = [line for line in text.splitlines() if line.startswith("  - ")]
    assert len(items) == len(table)
    for line, (_, row) in zip(items, table.iterrows(), strict=True):
        assert row["Lowered for"] in line
        assert (row["Levels"] if row["Levels"] != "0" else "not lowered") in line
    assert downgrades_markdown(table.iloc[0:0]) == "No rating is lowered."


def test_cochrane_grades_sit_beside_the_books_ratings(ev) -> None:
    findings = raw("findings")
    table = grade.cochrane_display(ev)
    # the column names the review it quotes (its number, from the bibliography)
    (review,) = [c for c in table.columns if c.startswith("The Cochrane review (CD")]
    assert sorted(table[review]) == sorted(f["cochrane_grade"] for f in findings)
    facts = grade.findings_facts(ev)
    assert facts.n_outcomes == len(findings)
    not_estimable = [f for f in findings if f["cochrane_grade"].startswith("Not estimable")]
    assert facts.n_cochrane_not_estimable == len(not_estimable) > 0


def test_harms_not_reported_where_the_sources_are_silent(ev) -> None:
    harms = {h["study_id"] for h in raw("harms")}
    table = appraisal.harms_by_study(ev)
    silent = table[table["kind"] == "not reported"]["study_id"]
    assert set(silent) == {s["study_id"] for s in raw("studies")} - harms
    amato = table[table["study_id"] == "amato1994"]
    assert "neutropenia" in amato["description"].iloc[0]


def test_harms_name_the_immunoglobulin_arm_by_its_route(ev) -> None:
    """An immunoglobulin arm is IVIG, or SCIg where the study gave it under the skin."""
    route = {s["study_id"]: s["route"] for s in raw("studies")}
    rows = [h for h in raw("harms") if h["arm"] == "ivig"]
    assert {route[h["study_id"]] for h in rows} == {"intravenous", "subcutaneous"}
    table = appraisal.harms_by_study(ev)
    for h in rows:
        shown = set(table.loc[table["study_id"] == h["study_id"], "arm"])
        expected = "SCIg" if route[h["study_id"]] == "subcutaneous" else "IVIG"
        assert expected in shown, h["harm_id"]
        assert ({"SCIg", "IVIG"} - {expected}).isdisjoint(shown), h["harm_id"]


def test_course_grams_reuse_the_dose(ev) -> None:
    doses = [
        float(s["dose_g_per_kg_per_month"]) for s in raw("studies") if s["dose_g_per_kg_per_month"]
    ]
    usual = max(set(doses), key=lambda d: (doses.count(d), d))
    grams = appraisal.course_grams(ev, 70, months=3)
    assert grams.month == usual * 70
    assert grams.course == usual * 70 * 3
    assert grams.year == usual * 70 * 12


# --- overlaps, readings, definitions -----------------------------------------------------------


def test_patient_totals_with_and_without_overlaps(ev) -> None:
    studies = raw("studies")
    overlapping = {o["study_id"] for o in raw("overlaps")}
    total = sum(int(s["n_total"]) for s in studies)
    once = sum(int(s["n_total"]) for s in studies if s["study_id"] not in overlapping)
    assert appraisal.patient_totals(ev).patients_all == total
    assert appraisal.patient_totals(ev).patients_once == once
    assert once < total


def test_two_readings_of_the_two_rcts(ev) -> None:
    letter = [s for s in raw("studies") if s["included_by"] == "letter"]
    in_vitro = {
        part.strip()
        for j in raw("judgements")
        if j["table"] == "studies" and j["value"] == "in vitro"
        for part in j["record_id"].split(";")
    }
    table = [s["study_id"] for s in letter if is_true(s["randomised"])]
    text = [
        s["study_id"]
        for s in letter
        if is_true(s["placebo_controlled"]) and s["study_id"] not in in_vitro
    ]
    readings = appraisal.rct_readings(ev)
    assert readings["table"] == table
    assert readings["text"] == text
    assert len(table) == len(text) == 2
    assert table != text
    ledger = claims.evaluate(ev).set_index("claim_id")
    reason = ledger.loc["rct_count", "reason"]
    assert "in vitro" in reason
    assert ledger.loc["rct_count", "verdict"] == "partly supported"


def test_one_definition_of_trial_and_improvement(ev) -> None:
    studies = raw("studies")
    trials = {s["study_id"] for s in studies if s["design"] in TRIAL_DESIGNS}
    controlled = {s["study_id"] for s in studies if is_true(s["controlled"])}
    improved = {
        o["study_id"]
        for o in raw("outcomes")
        if o["assessment"] == "objective" and o["result"] == "improved"
    }
    assert set(helpers.trials(ev)["study_id"]) == trials
    assert set(cohorts.trial_studies(ev)["study_id"]) == trials
    assert cohorts.studies_with_improvement(ev) == improved
    counts = summary.evidence_summary(ev)
    assert counts.n_trials == len(trials)
    assert counts.n_trials_objective_benefit == len(trials & improved)
    assert counts.n_controlled_objective_benefit == len(controlled & improved)
    assert counts.n_uncontrolled_objective_benefit == len(improved - controlled)


# --- verdicts on two bases ---------------------------------------------------------------------


def test_letter_basis_has_no_checks_and_checked_basis_applies_them(ev) -> None:
    letter = letter_basis(ev)
    assert letter.checked_results.empty
    assert letter.checked_study_values.empty
    assert "primary_source" not in set(letter.responders["source"].astype(str))
    # the source checks stay on the letter's basis as notes only: no verdict moves without them
    from ivigbook.analysis.changes import with_tables

    bare = with_tables(letter, source_checks=letter.source_checks.iloc[0:0])
    assert list(evaluate(letter)["verdict"]) == list(evaluate(bare)["verdict"])
    checked = checked_basis(ev).outcomes.set_index("outcome_id")
    for row in raw("checked_results"):
        assert checked.loc[row["outcome_id"], "result"] == row["result"]
    studies = checked_basis(ev).studies.set_index("study_id")
    for row in raw("checked_study_values"):
        assert bool(studies.loc[row["study_id"], row["field"]]) == (row["value"] == "true")
    original = {o["outcome_id"]: o["result"] for o in raw("outcomes")}
    changed = [r for r in raw("checked_results") if original[r["outcome_id"]] != r["result"]]
    assert changed


def test_differing_verdicts_say_so_in_one_sentence(ev) -> None:
    table = evaluate_bases(ev)
    assert table["differs"].any()
    for row in table.itertuples():
        if row.differs:
            assert row.difference.count(". ") == 0
            assert str(row.verdict_letter) in row.difference
            assert str(row.verdict_checked) in row.difference
        else:
            assert row.difference == ""
    # with no checked result, both bases agree on the letter's data
    j = ev.checked_results
    from ivigbook.analysis.changes import with_tables

    quiet = with_tables(
        ev, checked_results=j.iloc[0:0], checked_study_values=ev.checked_study_values.iloc[0:0]
    )
    moved = evaluate_bases(quiet)
    # ... except where a study's own report words what it found differently (a qualification)
    worded = moved["reason_checked"].str.contains("words it differently", regex=False)
    assert not moved.loc[~worded, "differs"].any()
    assert (moved.loc[worded, "verdict_checked"].astype(str) == claims.QUALIFIED).all()


# --- study names ---------------------------------------------------------------------------


def test_a_study_whose_record_names_no_author_is_named_by_route_and_design(ev) -> None:
    """Labels never read "not reported": such a study is named by its route and design."""
    studies = raw("studies")
    nameless = [s for s in studies if s["first_author"].strip().lower() == "not reported"]
    assert nameless, "the data hold no study without an author (the case this test is for)"
    labels = dict(zip(ev.studies["study_id"], cohorts.study_labels(ev.studies), strict=True))
    short = cohorts.short_labels_by_id(ev)
    for s in nameless:
        abbreviation = {"intravenous": "IVIG", "subcutaneous": "SCIg"}[s["route"]]
        name = f"{abbreviation} {s['design'].replace('_', ' ')}"
        # A record that shows no year either: the name alone.
        dated = f"{name} {s['year']}" if s["year"] else name
        assert labels[s["study_id"]] == f"{dated} (added)"
        assert short[s["study_id"]] == dated
    assert not any("not reported" in label.lower() for label in labels.values())
    named = [s for s in studies if s not in nameless and not s["letter_ref"]]
    for s in named:
        assert labels[s["study_id"]].startswith(f"{s['first_author']} {s['year']}")


def test_harms_are_counted_over_the_ivig_studies(ev) -> None:
    """The harms sentence counts IVIG studies; the table still lists every study."""
    studies = raw("studies")
    ivig = {s["study_id"] for s in studies if s["route"] == "intravenous"}
    with_rows = {h["study_id"] for h in raw("harms")}
    assert with_rows - ivig, "no harms row of a study by another route (the case this is for)"
    counts = appraisal.harm_counts(ev)
    assert counts.n_with_harms == len(ivig & with_rows)
    assert counts.n_without_harms == len(ivig - with_rows)
    assert set(appraisal.harms_by_study(ev)["study_id"]) == {s["study_id"] for s in studies}


# --- ratings that cannot go stale ------------------------------------------------------------


def test_every_rating_records_the_trials_it_was_made_on(ev) -> None:
    """Today every rating is current: its rated_on lists exactly the outcome's trials."""
    assert grade.stale_ratings(ev).empty
    for row in raw("findings"):
        now = set(grade.finding_studies(ev, row["outcome"])["study_id"])
        assert set(grade.rated_on(row)) == now, row["outcome"]


def test_a_positive_trial_makes_the_strength_rating_say_it_predates_it(tmp_path: Path) -> None:
    """A contributor adds a large randomised trial with positive objective results: the strength
    row, its key message and the conclusions say the rating predates it, until re-rated."""
    from ivigbook.text.messages import key_messages

    before = load(DATA)
    after = load(package_with(tmp_path / "data", "positive_trial"))
    name = cohorts.short_labels_by_id(after)["fictitious2026"]
    stale = grade.stale_ratings(after).set_index("outcome")
    assert "strength" in stale.index
    assert name in stale.loc["strength", "stale"]
    row = grade.findings_display(after).set_index("Outcome").loc["Muscle strength"]
    assert row["Certainty (the book's rating)"] == grade.NOT_RERATED
    assert f"Not yet re-rated since {name} was added" in row["What the evidence shows"]
    old = grade.findings_display(before).set_index("Outcome").loc["Muscle strength"]
    assert row["What the evidence shows"] != old["What the evidence shows"]
    # the key message on certainty (home page and conclusions) says so, and no longer rates
    # strength as it did
    message = key_messages(summary.key_facts(after))["certainty"]
    assert f"muscle strength is not yet re-rated since {name.lower()} was added" in message.lower()
    old_message = key_messages(summary.key_facts(before))["certainty"]
    assert "for muscle strength" in old_message
    assert "for muscle strength" not in message
    # ... and the strength sentence of the appraisal
    facts = grade.findings_facts(after)
    assert facts.strength_certainty == grade.NOT_RERATED.lower()
    assert facts.strength_statement.startswith("Not yet re-rated")
    # an outcome the trial did not measure keeps its rating
    assert "swallowing" not in stale.index


def test_every_finding_is_stated_in_grade_words(ev) -> None:
    table = grade.findings_table(ev)
    for row in table.itertuples():
        if row.certainty == "very_low":
            assert "very uncertain" in row.statement, row.outcome
        assert row.outcome_label.lower() in row.statement.lower(), row.outcome
    strength = table.set_index("outcome").loc["strength"]
    assert strength["certainty"] == "very_low"
    # no estimate exists (Cochrane: not estimable), so GRADE's statement names no effect size
    assert strength["statement"] == (
        "The evidence is very uncertain about the effect of IVIG on muscle strength."
    )


def test_strength_rating_follows_the_handbook(ev) -> None:
    """Imprecision is very serious with no estimate; indirectness is judged (duration,
    co-intervention); the level follows from the levels (the validator checks the sum)."""
    d = {(r["outcome"], r["grade_domain"]): r for r in raw("downgrades")}
    assert int(d[("strength", "imprecision")]["levels"]) == 2
    assert int(d[("strength", "indirectness")]["levels"]) >= 1
    assert "prednisone" in d[("strength", "indirectness")]["reason"]
    assert "month" in d[("strength", "indirectness")]["reason"]


# --- improvements that cannot be credited to IVIG alone ------------------------------------


def _confounding_high() -> set[str]:
    return {
        r["study_id"]
        for r in raw("risk_of_bias")
        if r["domain"] == "confounding" and r["judgement"] == "high"
    }


def test_confounded_improvements_are_the_uncontrolled_ones_with_confounding_high(ev) -> None:
    """Recomputed from the CSV files: IVIG studies without a control group, with an objective
    improvement, whose confounding is judged high; each row carries the judgement's support."""
    studies = raw("studies")
    uncontrolled = {
        s["study_id"] for s in studies if s["route"] == "intravenous" and s["controlled"] == "false"
    }
    improved = {
        o["study_id"]
        for o in raw("outcomes")
        if o["assessment"] == "objective" and o["result"] == "improved"
    }
    expected = uncontrolled & improved & _confounding_high()
    rows = appraisal.confounded_improvements(ev)
    assert set(rows["study_id"]) == expected
    support = {
        r["study_id"]: r["support"] for r in raw("risk_of_bias") if r["domain"] == "confounding"
    }
    assert dict(zip(rows["study_id"], rows["support"], strict=True)) == {
        sid: support[sid] for sid in expected
    }


def test_the_balloon_dilation_series_is_said_to_be_confounded_by_the_dilation(ev) -> None:
    """The added case series gave IVIG, then balloon dilation: its improvement is named in
    the caveat with the dilation, and the caveat goes when its confounding is not high."""
    from ivigbook.text.caveats import confounding_caveat

    assert "balloondilation" in _confounding_high()
    text = confounding_caveat(ev)
    assert "balloon dilation" in text
    assert "cannot be credited to IVIG alone" in text
    rob = ev.risk_of_bias.copy()
    rob.loc[rob["rob_id"] == "balloondilation-confounding", "judgement"] = "unclear"
    lowered = cohorts.with_tables(ev, risk_of_bias=rob)
    assert "balloon dilation" not in confounding_caveat(lowered)


def test_letter_only_figures_are_marked_wherever_shown(ev) -> None:
    """Foreman 2017's IBM figures come from the letter only (its scope check is
    unverifiable): the responder sources and the caveat say so; without the check, neither."""
    from ivigbook.analysis.responders import responder_table
    from ivigbook.analysis.vocabulary import LETTER_ONLY_NOTE
    from ivigbook.text.caveats import letter_only_caveat

    unverifiable = {
        c["study_id"]
        for c in raw("source_checks")
        if c["topic"] == "scope" and c["verdict"] == "unverifiable"
    }
    assert "foreman2017" in unverifiable
    table = responder_table(ev)
    marked = set(table.loc[table["source_label"].str.contains(LETTER_ONLY_NOTE), "study_id"])
    letter_rows = {r["study_id"] for r in raw("responders") if r["source"] != "primary_source"}
    assert marked == unverifiable & letter_rows
    assert "Foreman 2017" in letter_only_caveat(ev)
    checks = ev.source_checks[ev.source_checks["topic"].astype(str) != "scope"]
    without = cohorts.with_tables(ev, source_checks=checks.reset_index(drop=True))
    assert letter_only_caveat(without) == ""
    assert not responder_table(without)["source_label"].str.contains(LETTER_ONLY_NOTE).any()


def test_a_study_has_one_name_everywhere(ev) -> None:
    """A study of the letter is named as its short label everywhere ("Dalakas 1997"), never
    "Dalakas et al. (3)"; without a known year by its author and design ("Cherin case
    series"), never "n.d." or a placeholder; its record in the bibliography is cited by the
    same name in tables."""
    labels = dict(zip(ev.studies["study_id"], cohorts.study_labels(ev.studies), strict=True))
    short = cohorts.short_labels_by_id(ev)
    cited = cohorts.citation_labels(ev)
    for s in raw("studies"):
        label = labels[s["study_id"]]
        for placeholder in (" et al.", "n.d.", "(ref."):
            assert placeholder not in label
        if s["letter_ref"]:
            assert label == short[s["study_id"]]
        if s["year"]:
            assert label.startswith(short[s["study_id"]])
            assert s["year"] in label
        elif cohorts.authors_reported(s["first_author"]):
            design = s["design"].replace("_", " ")
            assert short[s["study_id"]] == f"{s['first_author']} {design}"
        else:  # no author in the record: named by route and design, never "not reported"
            assert "not reported" not in short[s["study_id"]]
        assert cited[s["citation_key"]] == short[s["study_id"]]
