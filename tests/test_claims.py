"""The claim checks (``ivigbook.claims``) and the living-review helpers (``ivigbook.changes``).

Expected verdicts on the real data are the book's reading of the letter, written here by hand;
the counts a reason must state are recomputed from the raw CSV files with the csv module.
Mutations use fictitious data only (``tests/fixtures_living``, first author "Fictitious"),
in temporary copies of the package or in memory; ``data/`` is never written.
"""

from __future__ import annotations

import csv
from fractions import Fraction
from pathlib import Path

import pandas as pd
import pytest
from fixtures_living.living import DATA, FLIPPED_BY_POSITIVE_TRIAL, package_with, read_rows
from reader_text import IDENTIFIER

from ivigbook.analysis import claims
from ivigbook.analysis.changes import (
    STUDY_TABLES,
    added_since_letter,
    added_summary,
    added_table,
    changed_verdicts,
    changelog_rule,
    letter_search_date,
    problems_with_edit,
    release_level,
    restrict,
    scaffold_problems,
    with_tables,
)
from ivigbook.analysis.claims.bases import evaluate_bases
from ivigbook.analysis.cohorts import labels_by_id
from ivigbook.data.load import DataPackageError, Evidence, load
from ivigbook.data.templates import MAX_WORDS, fill, placeholders, template_problems

#: The verdicts on the letter's data, as the book reads the letter.
EXPECTED = {
    "search_counts": "supported",
    "rct_count": "partly supported",
    "rcts_no_objective_effect": "supported",
    "all_trials_no_effect": "partly supported",
    # The letter's NSS clause is about Walter 2000 (its ref. 5) and is judged on it alone.
    "nss_moderate_only": "supported",
    "necrosis_no_clinical_correlation": "partly supported",
    # A rounding ("one third" of 19) or a wording ("half" of 19) is a note, not a downgrade.
    "one_third_improved": "supported",
    "improvement_lost_on_switch": "partly supported",
    # The controls' "none" is read from the very sentence checked: only the IVIG side can be
    # checked, so the claim is partly supported (ivigbook.analysis.claims.ledger.circular).
    "half_endurance_none_control": "partly supported",
    "case_reports_promising": "partly supported",
    "responders_started_earlier": "not testable",
    "studies_heterogeneous": "supported",
    "no_statistical_evidence": "supported",
    "no_biomarkers": "supported",
}


def raw(name: str) -> list[dict[str, str]]:
    return read_rows(DATA / f"{name}.csv")


def is_true(value: str) -> bool:
    return value.strip().lower() in {"true", "1"}


@pytest.fixture(scope="module")
def ev() -> Evidence:
    return load(DATA)


@pytest.fixture(scope="module")
def ledger(ev: Evidence) -> pd.DataFrame:
    return claims.evaluate(ev).set_index("claim_id")


def verdicts(evidence: Evidence) -> dict[str, str]:
    table = claims.evaluate(evidence)
    return dict(zip(table["claim_id"], table["verdict"].astype(str), strict=True))


def set_cell(evidence: Evidence, table: str, row_id: str, field: str, value: object) -> Evidence:
    """``evidence`` with one cell changed in memory."""
    frame = evidence.tables[table].copy()
    key = claims.KEYS[table]
    hit = frame[key] == row_id
    assert int(hit.sum()) == 1, f"{table} has no single row {row_id}"
    frame.loc[hit, field] = value
    return with_tables(evidence, **{table: frame})


def drop_rows(evidence: Evidence, table: str, *row_ids: str) -> Evidence:
    frame = evidence.tables[table]
    kept = frame[~frame[claims.KEYS[table]].isin(row_ids)].reset_index(drop=True)
    assert len(kept) == len(frame) - len(row_ids)
    return with_tables(evidence, **{table: kept})


# --- the registry ------------------------------------------------------------------------


def test_every_claim_names_a_registered_check() -> None:
    used = {row["check"] for row in raw("claims")}
    assert used <= set(claims.CHECKS), used - set(claims.CHECKS)


def test_every_registered_check_is_used() -> None:
    used = {row["check"] for row in raw("claims")}
    assert set(claims.CHECKS) <= used, set(claims.CHECKS) - used


def test_the_expected_verdicts_cover_every_claim() -> None:
    assert {row["claim_id"] for row in raw("claims")} == set(EXPECTED)


def test_check_result_refuses_an_unknown_verdict() -> None:
    with pytest.raises(ValueError, match="verdict must be one of"):
        claims.CheckResult("probably", "no reason")


def test_registering_a_name_twice_fails() -> None:
    def search_counts_match(ev: Evidence) -> claims.CheckResult:  # same name as a real check
        return claims.CheckResult(claims.SUPPORTED, "")

    with pytest.raises(ValueError, match="registered twice"):
        claims.check(search_counts_match)


def test_importing_claims_does_not_import_the_loader_or_altair() -> None:
    import subprocess
    import sys

    code = (
        "import sys, ivigbook.analysis.claims; "
        "print(sorted(m for m in ('ivigbook.data.load', 'altair') if m in sys.modules))"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout
    assert out.strip() == "[]"


# --- the real data -----------------------------------------------------------------------


@pytest.mark.parametrize(("claim_id", "verdict"), sorted(EXPECTED.items()))
def test_verdict_on_the_letters_data(ledger: pd.DataFrame, claim_id: str, verdict: str) -> None:
    assert ledger.loc[claim_id, "verdict"] == verdict, ledger.loc[claim_id, "reason"]


def test_evaluate_shape(ledger: pd.DataFrame) -> None:
    with (DATA / "claims.csv").open(encoding="utf-8", newline="") as handle:
        header = next(csv.reader(handle))
    # The claim's own columns, then what the check computes; the check's name and the
    # templates are inputs, not results.
    carried = [c for c in header if c != "check" and not c.startswith("reason_template")]
    computed = ["verdict", "short_reason", "reason", "deciding_rows"]
    assert list(ledger.reset_index().columns) == carried + computed
    assert list(ledger["verdict"].cat.categories) == list(claims.VERDICTS)
    assert ledger["reason"].str.len().min() > 40
    assert [row["claim_id"] for row in raw("claims")] == list(ledger.index)


# --- short reasons: templates in the data, filled with the checks' facts -------------------

#: Longest short reason once filled: the template's 25 words plus study names and measures.
MAX_FILLED_WORDS = 40


def test_every_placeholder_is_a_fact_of_the_named_check() -> None:
    unknown = []
    for row in raw("claims"):
        facts = set(claims.fact_names(row["check"]))
        for field in ("reason_template", "reason_template_untestable"):
            unknown += [
                f"{row['claim_id']}.{field}: {{{name}}}"
                for name in placeholders(row[field])
                if name not in facts
            ]
    assert not unknown, f"placeholders that the claim's check does not provide: {unknown}"


def test_every_check_returns_its_registered_facts(ev: Evidence) -> None:
    for name, func in claims.CHECKS.items():
        assert claims.fact_names(name), f"{name} registers no facts"
        assert type(func(ev).facts) is claims.FACTS[name], name


def test_template_filling() -> None:
    assert fill("{n:trial} and {m:trial}", {"n": 1, "m": 3}, "-") == "1 trial and 3 trials"
    assert fill("{n:study/studies}", {"n": 2}, "-") == "2 studies"
    assert fill("{n:study} and {m:biopsy}", {"n": 2, "m": 1}, "-") == "2 studies and 1 biopsy"
    assert fill("{names} ({n})", {"names": "Dalakas 1997", "n": None}, "not reported") == (
        "Dalakas 1997 (not reported)"
    )
    with pytest.raises(KeyError):
        fill("{missing}", {}, "-")
    assert template_problems("{n} of {m:result} improved.") == []
    assert template_problems("{n of {m} improved.")
    assert template_problems("{Name}")
    assert template_problems(" ".join(["word"] * (MAX_WORDS + 1)))


def test_make_validate_refuses_a_broken_template(ev: Evidence) -> None:
    problems = problems_with_edit(ev, "claims", "rct_count", "reason_template", "{n_placebo")
    assert problems["rule"].tolist() == ["reason_template"]
    line = 2 + [c["claim_id"] for c in raw("claims")].index("rct_count")
    assert problems["printed"].iloc[0].startswith(f"claims.csv:{line}: reason_template: ")


def _check_short_reasons(evidence: Evidence) -> list[str]:
    """Problems of the filled short reasons: leftovers, ids, code names, length."""
    problems = []
    for row in claims.evaluate(evidence).itertuples():
        text = str(row.short_reason)
        if "{" in text or "}" in text or "None" in text or "nan" in text.split():
            problems.append(f"{row.claim_id}: not filled: {text!r}")
        if IDENTIFIER.search(text):
            problems.append(f"{row.claim_id}: an id or code name: {IDENTIFIER.findall(text)}")
        if len(text.split()) > MAX_FILLED_WORDS:
            problems.append(f"{row.claim_id}: {len(text.split())} words")
    return problems


def test_short_reasons_read_plainly_on_the_real_data(ev: Evidence) -> None:
    assert not _check_short_reasons(ev)


def test_short_reasons_read_plainly_whatever_the_verdict(ev: Evidence) -> None:
    """Every verdict a mutation of the tests reaches, the short reason still fills and reads."""
    mutations = [
        set_cell(ev, "outcomes", "walter2000-mmt", "result", "improved"),
        set_cell(ev, "outcomes", "dalakas2001-biopsy_necrosis", "result", "no_effect"),
        set_cell(ev, "responders", "dalakas1997-r1", "numerator", 3),
        drop_rows(ev, "responders", "dalakas1997-r1"),
        set_cell(ev, "responders", "dalakas2001-r2", "numerator", 2),
        set_cell(ev, "search", "studies_included", "count", 9),
        set_cell(ev, "search", "records_identified", "count", pd.NA),
        set_cell(ev, "studies", "walter2000", "randomised", True),
        set_cell(
            ev, "responders", "foreman2017-r1", "group_letter", "patients with anti-cN1A antibodies"
        ),
    ]
    seen = {(c, v) for e in [ev, *mutations] for c, v in verdicts(e).items()}
    # "supported with a qualification" is reached on the evidence as checked, by weighing
    checked = {str(v) for v in evaluate_bases(ev)["verdict_checked"]}
    assert {v for _, v in seen} | checked == set(claims.VERDICTS)  # every verdict is reached
    problems = [p for e in mutations for p in _check_short_reasons(e)]
    assert not problems, problems


def test_short_reasons_state_the_data_counts(ledger: pd.DataFrame) -> None:
    """Numbers in the short reasons are the data's, recounted here from the CSV files."""
    studies = {s["study_id"]: s for s in raw("studies")}
    trials = {
        i
        for i, s in studies.items()
        if s["design"] in {"placebo_controlled_trial", "controlled_trial"}
        and s["route"] == "intravenous"
    }
    objective = [
        o
        for o in raw("outcomes")
        if o["study_id"] in trials
        and o["assessment"] == "objective"
        and o["domain"] in {"strength", "swallowing", "electrophysiology"}
        and o["result"] != "not_reported"
    ]
    improved = sum(o["result"] == "improved" for o in objective)
    short = ledger.loc["rcts_no_objective_effect", "short_reason"]
    assert short.startswith(f"{improved} of {len(objective)} objective")
    assert f"in the {len(trials)} controlled trials" in short
    table = next(
        r
        for r in raw("responders")
        if r["source"] == "letter_table"
        and studies[r["study_id"]]["first_author"] == "Dalakas"
        and is_true(studies[r["study_id"]]["crossover"])
        and r["numerator"]
    )
    first = studies[table["study_id"]]
    third = ledger.loc["one_third_improved", "short_reason"]
    assert f"{table['numerator']} of {table['denominator']} patients in " in third
    assert f"{first['first_author']} {first['year']}" in third
    unknown = [
        s for s in studies.values() if is_true(s["placebo_controlled"]) and not s["randomised"]
    ]
    rct = ledger.loc["rct_count", "short_reason"]
    for s in unknown:
        assert f"{s['first_author']} {s['year']}" in rct
    assert "dalakas" not in " ".join(ledger["short_reason"])


def test_a_positive_trial_changes_the_short_reason(with_positive_trial: Evidence) -> None:
    short = claims.evaluate(with_positive_trial).set_index("claim_id")["short_reason"]
    assert not short["rcts_no_objective_effect"].startswith("0 of")
    assert "Fictitious 2026" in short["rct_count"]


def test_deciding_rows_exist_in_the_raw_files(ledger: pd.DataFrame) -> None:
    ids = {
        table: {row[key] for row in raw(table)}
        for table, key in claims.KEYS.items()
        if (DATA / f"{table}.csv").is_file()
    }
    for claim_id, rows in ledger["deciding_rows"].items():
        items = [item for item in str(rows).split("; ") if item]
        if ledger.loc[claim_id, "verdict"] != "not testable":
            assert items, f"{claim_id} names no deciding row"
        for item in items:
            table, row_id = item.split(":", 1)
            assert row_id in ids[table], f"{claim_id}: {item} is not a row"


def test_rct_count_reason_counts(ledger: pd.DataFrame) -> None:
    studies = raw("studies")
    randomised = [s for s in studies if is_true(s["randomised"])]
    placebo = [s for s in studies if is_true(s["placebo_controlled"])]
    unknown = [s["study_id"] for s in placebo if s["randomised"] == ""]
    reason = ledger.loc["rct_count", "reason"]
    assert f"{len(randomised)} studies are described as randomised" in reason
    assert f"{len(placebo)} as placebo-controlled" in reason
    assert unknown
    for study_id in unknown:
        assert study_id in reason
        assert f"studies:{study_id}" in ledger.loc["rct_count", "deciding_rows"]


def test_one_third_compares_with_the_table_and_the_abstract(ledger: pd.DataFrame) -> None:
    studies = {s["study_id"]: s for s in raw("studies")}
    crossover = [
        s["study_id"]
        for s in studies.values()
        if s["first_author"] == "Dalakas" and is_true(s["crossover"]) and s["letter_ref"]
    ]
    assert len(crossover) == 1
    rows = [r for r in raw("responders") if r["study_id"] == crossover[0]]
    table = next(r for r in rows if r["source"] == "letter_table" and r["numerator"])
    num, den = int(table["numerator"]), int(table["denominator"])
    assert Fraction(num, den) != Fraction(1, 3)
    reason = ledger.loc["one_third_improved", "reason"]
    assert f"{num}/{den} = {num / den:.1%}" in reason
    assert f"{den / 3:.2f} patients" in reason
    abstract = next(r for r in rows if r["source"] == "primary_source")
    assert abstract["stated_as"].rstrip("%") + "%" in reason


def test_half_of_an_odd_group_is_not_a_count(ledger: pd.DataFrame) -> None:
    endurance = {o["outcome_id"] for o in raw("outcomes") if o["measure"] == "endurance_adl"}
    ivig = next(
        r for r in raw("responders") if r["outcome_id"] in endurance and r["group"] == "ivig"
    )
    assert ivig["numerator"] == ""
    assert int(ivig["denominator"]) % 2 == 1
    assert (
        f"{int(ivig['denominator']) / 2:.1f} patients"
        in (ledger.loc["half_endurance_none_control", "reason"])
    )


def test_no_objective_effect_scans_every_trial_outcome(ledger: pd.DataFrame) -> None:
    trials = {
        s["study_id"]
        for s in raw("studies")
        if is_true(s["randomised"]) or is_true(s["placebo_controlled"])
    }
    expected = {
        f"outcomes:{o['outcome_id']}"
        for o in raw("outcomes")
        if o["study_id"] in trials
        and o["assessment"] == "objective"
        and o["domain"] in {"strength", "swallowing", "electrophysiology"}
        and o["result"] != "not_reported"
    }
    assert expected
    assert not any(
        o["result"] == "improved"
        for o in raw("outcomes")
        if f"outcomes:{o['outcome_id']}" in expected
    )
    deciding = set(ledger.loc["rcts_no_objective_effect", "deciding_rows"].split("; "))
    assert expected <= deciding
    reason = ledger.loc["rcts_no_objective_effect", "reason"]
    assert f"None of the {len(expected)} objective" in reason
    assert "non-significant trend" in reason
    assert "without clinical relevance" in reason


def test_search_counts_reason(ledger: pd.DataFrame) -> None:
    search = {row["step_id"]: row for row in raw("search")}
    letter_studies = [s for s in raw("studies") if s["included_by"] == "letter"]
    reason = ledger.loc["search_counts", "reason"]
    assert f"{search['records_identified']['count']} records found" in reason
    assert f"Table I has {len(letter_studies)} rows" in reason
    unreported = [row for row in search.values() if row["reported"] == "false"]
    assert f"{len(unreported)} steps of the {len(search)}-step flow" in reason


def test_case_reports_reason_names_the_exception(ledger: pd.DataFrame) -> None:
    # The letter's claims are about IVIG: subcutaneous studies are outside every claim.
    uncontrolled = [
        s
        for s in raw("studies")
        if s["design"] in {"case_series", "case_report"} and s["route"] == "intravenous"
    ]
    outcomes = raw("outcomes")
    positive = {
        o["study_id"]
        for o in outcomes
        if o["domain"] in {"strength", "swallowing", "serum"}
        and o["result"] in {"improved", "subjective_improvement"}
    }
    with_gain = [s for s in uncontrolled if s["study_id"] in positive]
    without = [s["study_id"] for s in uncontrolled if s["study_id"] not in positive]
    reason = ledger.loc["case_reports_promising", "reason"]
    assert f"{len(with_gain)} of {len(uncontrolled)} case series" in reason
    assert without
    for study_id in without:
        assert study_id in reason


def test_chapter_verdicts(ev: Evidence) -> None:
    per_chapter = {}
    for row in raw("claims"):
        per_chapter[row["chapter"]] = per_chapter.get(row["chapter"], 0) + 1
    for chapter, n in per_chapter.items():
        table = claims.chapter_verdicts(ev, chapter)
        assert list(table.columns) == ["Claim (quote)", "Verdict", "Why"]
        assert len(table) == n
        assert table["Claim (quote)"].str.startswith("\u201c").all()
    everything = claims.chapter_verdicts(ev)
    assert len(everything) == sum(per_chapter.values())
    assert "Chapter" in everything.columns
    with pytest.raises(ValueError, match="unknown chapter"):
        claims.chapter_verdicts(ev, "appendix")
    assert claims.chapter_verdicts(ev, "search").shape[0] == per_chapter["search"]


def test_verdict_counts_add_up(ev: Evidence) -> None:
    counts = claims.verdict_counts(ev)
    assert int(counts["claims"].sum()) == len(raw("claims"))
    chapters = {row["chapter"] for row in raw("claims")}
    assert set(counts["chapter"]) == chapters
    assert len(counts) == len(chapters) * len(claims.VERDICTS)


def test_letter_numbers(ev: Evidence) -> None:
    studies = raw("studies")
    numbers = claims.letter_numbers(ev)
    assert numbers["n_randomised"] == sum(is_true(s["randomised"]) for s in studies)
    assert numbers["n_placebo"] == sum(is_true(s["placebo_controlled"]) for s in studies)
    assert numbers["n_double_blind_placebo"] == sum(
        is_true(s["placebo_controlled"]) and is_true(s["blinded"]) for s in studies
    )
    assert numbers["n_randomised"] != numbers["n_placebo"]
    table = claims.internal_inconsistencies(ev)
    assert len(table) == 3
    assert table["The data show"].str.len().min() > 20


# --- mutations: whole studies, through a temporary package ---------------------------------


@pytest.fixture(scope="module")
def with_positive_trial(tmp_path_factory: pytest.TempPathFactory) -> Evidence:
    return load(package_with(tmp_path_factory.mktemp("positive") / "data", "positive_trial"))


@pytest.fixture(scope="module")
def with_case_report(tmp_path_factory: pytest.TempPathFactory) -> Evidence:
    return load(package_with(tmp_path_factory.mktemp("case") / "data", "case_report"))


def test_a_positive_trial_contradicts_the_trial_claims(with_positive_trial: Evidence) -> None:
    after = verdicts(with_positive_trial)
    for claim_id in FLIPPED_BY_POSITIVE_TRIAL:
        assert after[claim_id] == "contradicted", claim_id
    for claim_id, verdict in EXPECTED.items():
        if claim_id not in FLIPPED_BY_POSITIVE_TRIAL:
            assert after[claim_id] == verdict, claim_id
    reason = claims.evaluate(with_positive_trial).set_index("claim_id")
    assert "fictitious2026" in reason.loc["rcts_no_objective_effect", "reason"]
    assert "outcomes:fictitious2026-mmt" in reason.loc["rcts_no_objective_effect", "deciding_rows"]


def test_a_case_report_changes_no_trial_verdict(with_case_report: Evidence) -> None:
    after = verdicts(with_case_report)
    assert after == EXPECTED
    reason = claims.evaluate(with_case_report).set_index("claim_id")
    uncontrolled = [
        s
        for s in raw("studies")
        if s["design"] in {"case_series", "case_report"} and s["route"] == "intravenous"
    ]
    assert (
        f"of {len(uncontrolled) + 1} case series" in reason.loc["case_reports_promising", "reason"]
    )


def real_additions() -> list[str]:
    """Studies the real data added since the letter (independent of the library)."""
    return [s["study_id"] for s in raw("studies") if s["included_by"] == "update"]


def test_what_changed_with_a_positive_trial(with_positive_trial: Evidence) -> None:
    added = added_since_letter(with_positive_trial)
    assert list(added["study_id"]) == [*real_additions(), "fictitious2026"]
    changed = changed_verdicts(with_positive_trial)
    assert set(changed["claim_id"]) == FLIPPED_BY_POSITIVE_TRIAL
    assert set(changed["verdict_now"].astype(str)) == {"contradicted"}
    assert release_level(with_positive_trial) == "major"
    assert "Fictitious 2026" in added_summary(with_positive_trial)
    # Studies are shown by their labels, never their ids.
    labels = labels_by_id(with_positive_trial)
    assert added_table(with_positive_trial)["Study"].tolist() == [
        labels[i] for i in [*real_additions(), "fictitious2026"]
    ]
    assert not set(added_table(with_positive_trial)["Study"]) & set(labels.index)


def test_what_changed_with_a_case_report(with_case_report: Evidence) -> None:
    assert list(added_since_letter(with_case_report)["study_id"]) == [
        *real_additions(),
        "fictitiouscase2026",
    ]
    assert changed_verdicts(with_case_report).empty
    assert release_level(with_case_report) == "minor"


def test_restrict_drops_the_added_study_everywhere(with_positive_trial: Evidence) -> None:
    letter = restrict(with_positive_trial)
    assert "fictitious2026" not in set(letter.studies["study_id"])
    for name in STUDY_TABLES:
        assert "fictitious2026" not in set(letter.tables[name]["study_id"])
    letter_ids = {s["study_id"] for s in raw("studies") if s["included_by"] == "letter"}
    assert len(letter.studies) == len(letter_ids)
    assert len(letter.outcomes) == sum(o["study_id"] in letter_ids for o in raw("outcomes"))
    for study_id in real_additions():
        assert study_id not in set(letter.studies["study_id"])
        assert study_id not in set(letter.outcomes["study_id"])
    # every row of a dropped study, in each table whose rows belong to one study
    row_keys = {
        "outcomes": "outcome_id",
        "responders": "responder_id",
        "source_checks": "check_id",
        "risk_of_bias": "rob_id",
        "harms": "harm_id",
    }
    assert set(row_keys) == set(STUDY_TABLES)
    dropped = {s["study_id"] for s in raw("studies")} - letter_ids
    for table, key in row_keys.items():
        dropped |= {r[key] for r in raw(table) if r["study_id"] not in letter_ids}
    kept = [
        j
        for j in raw("judgements")
        if not {r.strip() for r in j["record_id"].split(";")} <= dropped
    ]
    assert len(letter.judgements) == len(kept)


def test_an_invalid_study_is_refused(tmp_path: Path) -> None:
    with pytest.raises(DataPackageError) as info:
        load(package_with(tmp_path / "data", "invalid_study"))
    text = str(info.value)
    assert "design: enum" in text
    assert 'violated by value "rct"' in text
    assert "crossover study needs n_ivig == n_total (12)" in text


def test_the_real_data_added_studies_move_no_verdict(ev: Evidence) -> None:
    added = [
        s for s in raw("studies") if s["included_by"] == "update" or s["added_on"] > "2024-01-26"
    ]
    assert list(added_since_letter(ev)["study_id"]) == [s["study_id"] for s in added]
    # Every real addition so far is subcutaneous (or uncontrolled): no IVIG verdict may move.
    if all(s["route"] == "subcutaneous" for s in added):
        assert changed_verdicts(ev).empty
        assert release_level(ev) == ("minor" if added else "none")
    assert str(letter_search_date(ev).date()) == max(
        s["added_on"] for s in raw("studies") if s["included_by"] == "letter"
    )


# --- mutations: single cells, in memory -------------------------------------------------------


def test_rct_count_flips_with_walters_randomisation(ev: Evidence) -> None:
    # Walter not randomised: still partly supported, because the text's reading (refs 3 and 5,
    # with ref 4 called "in vitro") names other trials than Table I's labels (refs 3 and 4).
    assert verdicts(set_cell(ev, "studies", "walter2000", "randomised", False))["rct_count"] == (
        "partly supported"
    )
    # Without the "in vitro" label as well, the two readings agree and the count holds.
    j = ev.judgements
    no_label = with_tables(
        set_cell(ev, "studies", "walter2000", "randomised", False),
        judgements=j[j["value"].astype(str) != "in vitro"].reset_index(drop=True),
    )
    assert verdicts(no_label)["rct_count"] == "supported"
    assert verdicts(set_cell(ev, "studies", "walter2000", "randomised", True))["rct_count"] == (
        "contradicted"
    )


def test_an_objective_gain_in_a_trial_contradicts(ev: Evidence) -> None:
    after = verdicts(set_cell(ev, "outcomes", "walter2000-mmt", "result", "improved"))
    assert after["rcts_no_objective_effect"] == "contradicted"
    assert after["no_statistical_evidence"] == "contradicted"
    assert after["nss_moderate_only"] == "contradicted"
    # Walter is not flagged randomised, so the caption's claim about randomised trials holds.
    assert after["all_trials_no_effect"] == EXPECTED["all_trials_no_effect"]


def test_necrosis_claim_follows_the_same_trial(ev: Evidence) -> None:
    quiet = set_cell(ev, "outcomes", "dalakas2001-endurance_adl", "result", "no_effect")
    assert verdicts(quiet)["necrosis_no_clinical_correlation"] == "supported"
    gain = set_cell(ev, "outcomes", "dalakas2001-mmt", "result", "improved")
    assert verdicts(gain)["necrosis_no_clinical_correlation"] == "contradicted"
    no_change = set_cell(ev, "outcomes", "dalakas2001-biopsy_necrosis", "result", "no_effect")
    assert verdicts(no_change)["necrosis_no_clinical_correlation"] == "contradicted"


def test_only_subjective_effects_without_endurance(ev: Evidence) -> None:
    fewer = drop_rows(ev, "responders", "dalakas2001-r1", "dalakas2001-r2")
    fewer = drop_rows(fewer, "outcomes", "dalakas2001-endurance_adl")
    assert verdicts(fewer)["nss_moderate_only"] == "supported"


def test_one_third_flips_with_the_count(ev: Evidence) -> None:
    assert verdicts(set_cell(ev, "responders", "dalakas1997-r1", "numerator", 3))[
        "one_third_improved"
    ] == ("contradicted")
    gone = drop_rows(ev, "responders", "dalakas1997-r1")
    assert verdicts(gone)["one_third_improved"] == "not testable"


def test_half_flips_when_a_control_improved(ev: Evidence) -> None:
    after = verdicts(set_cell(ev, "responders", "dalakas2001-r2", "numerator", 2))
    assert after["half_endurance_none_control"] == "contradicted"


def test_case_reports_all_positive(ev: Evidence) -> None:
    edited = set_cell(ev, "outcomes", "foreman2017-favourable_response", "domain", "strength")
    assert verdicts(edited)["case_reports_promising"] == "supported"


def test_timing_stays_untestable_and_counts_statements(ev: Evidence) -> None:
    edited = set_cell(ev, "studies", "foreman2017", "time_to_treatment_letter", pd.NA)
    result = claims.CHECKS["timing_of_responders"](edited)
    assert result.verdict == "not testable"
    assert f"0 of the {len(raw('studies'))} studies" in result.reason


def test_heterogeneity_needs_differing_concomitant_drugs(ev: Evidence) -> None:
    frame = ev.studies.copy()
    frame["concomitant_treatment"] = pd.array([pd.NA] * len(frame), dtype="string")
    edited = with_tables(ev, studies=frame)
    assert verdicts(edited)["studies_heterogeneous"] == "partly supported"


def test_a_marker_defined_subgroup_contradicts_no_biomarkers(ev: Evidence) -> None:
    edited = set_cell(
        ev, "responders", "foreman2017-r1", "group_letter", "patients with anti-cN1A antibodies"
    )
    assert verdicts(edited)["no_biomarkers"] == "contradicted"


def test_search_counts_flip(ev: Evidence) -> None:
    fewer = set_cell(ev, "search", "studies_included", "count", 9)
    assert verdicts(fewer)["search_counts"] == "contradicted"
    missing = set_cell(ev, "search", "records_identified", "count", pd.NA)
    assert verdicts(missing)["search_counts"] == "not testable"


def test_with_tables_refuses_unknown_tables(ev: Evidence) -> None:
    with pytest.raises(KeyError, match="unknown tables"):
        with_tables(ev, trials=ev.studies)


# --- the contributor walkthrough's helpers -------------------------------------------------


def test_scaffold_problems_come_from_a_copy(ev: Evidence) -> None:
    before = (DATA / "studies.csv").read_bytes()
    problems = scaffold_problems(ev, "example2099")
    assert (DATA / "studies.csv").read_bytes() == before
    assert (problems["rule"] == "placeholder").sum() > 0
    n_studies = len(raw("studies"))
    assert problems["printed"].str.startswith(f"studies.csv:{n_studies + 2}: ").any()


def test_problems_with_edit_reports_one_problem(ev: Evidence) -> None:
    problems = problems_with_edit(ev, "studies", "walter2000", "design", "rct")
    assert len(problems) == 1
    line = 2 + [s["study_id"] for s in raw("studies")].index("walter2000")
    assert problems["printed"].iloc[0].startswith(f"studies.csv:{line}: design: enum")


def test_changelog_rule_is_read_from_the_changelog() -> None:
    text = changelog_rule()
    raw_text = (DATA.parent / "CHANGELOG.md").read_text(encoding="utf-8")
    assert text in raw_text
    assert "MAJOR" in text
    assert "MINOR" in text


def test_fixture_csvs_use_the_real_headers() -> None:
    for folder in ("positive_trial", "case_report", "invalid_study"):
        for part in (Path(__file__).parent / "fixtures_living" / folder).glob("*.csv"):
            with part.open(encoding="utf-8", newline="") as handle:
                header = next(csv.reader(handle))
            with (DATA / part.name).open(encoding="utf-8", newline="") as handle:
                real = next(csv.reader(handle))
            assert set(header) <= set(real), part
            for row in read_rows(part):
                if "first_author" in row:
                    assert row["first_author"] == "Fictitious"


#: Longest text a ledger cell may hold with 1,000 studies: a reason that lists every row it
#: rests on grows with the data, and a table cell of tens of thousands of characters is
#: neither readable on the site nor printable in the PDF.
MAX_CELL_CHARS = 2_000


def test_ledger_cells_stay_short_with_a_thousand_studies(tmp_path: Path) -> None:
    from ivigbook.data.synthetic import generate_package

    many = load(generate_package(1000, tmp_path / "many", keep_studies=True))
    shown = {
        "ledger": claims.evaluate(many).reset_index(),
        "chapter verdicts": claims.chapter_verdicts(many),
    }
    too_long = [
        f"{name}: {column} of row {i} has {len(str(value)):,} characters"
        for name, table in shown.items()
        for column in table.columns
        if column != "deciding_rows"  # the full list, kept as data; shown shortened
        for i, value in enumerate(table[column])
        if len(str(value)) > MAX_CELL_CHARS
    ]
    assert not too_long, too_long


def test_a_claims_scope_names_studies_of_the_data(tmp_path: Path) -> None:
    """A claim about named studies (scope_studies) must name studies the data hold."""
    from ivigbook import cli

    pkg = package_with(tmp_path / "data")
    path = pkg / "claims.csv"
    rows = read_rows(path)
    scoped = [r for r in rows if r["scope_studies"]]
    assert scoped, "the real data scope at least one claim"
    text = path.read_text(encoding="utf-8")
    path.write_text(
        text.replace(f",{scoped[0]['scope_studies']}\n", ",nosuchstudy2099\n"), encoding="utf-8"
    )
    assert cli.main(["validate", str(pkg)]) == 1


def test_a_scoped_claim_is_judged_on_its_studies_alone(ev: Evidence) -> None:
    """The NSS clause is about Walter 2000: its verdict does not move when another trial's
    result changes."""
    ledger = claims.evaluate(ev).set_index("claim_id")
    scope = ledger.loc["nss_moderate_only", "scope_studies"]
    assert scope == "walter2000"
    other = set_cell(ev, "outcomes", "dalakas2001-endurance_adl", "result", "improved")
    assert (
        claims.evaluate(other).set_index("claim_id").loc["nss_moderate_only", "verdict"]
        == (ledger.loc["nss_moderate_only", "verdict"])
    )
    mine = set_cell(ev, "outcomes", "walter2000-mmt", "result", "improved")
    assert (
        claims.evaluate(mine).set_index("claim_id").loc["nss_moderate_only", "verdict"]
        != (ledger.loc["nss_moderate_only", "verdict"])
    )


# --- the long reasons: macros in prose/claims.jinja ---------------------------------------


def test_every_check_has_a_reason_macro_that_takes_its_facts_by_name() -> None:
    """Each registered check words its long reason with the macro of its name; a macro
    argument named like one of the check's facts receives that fact, so it must mean it."""
    from ivigbook.prose import environment

    module = environment().get_template("claims.jinja").module
    for name in claims.CHECKS:
        macro = getattr(module, name, None)
        assert macro is not None, f"prose/claims.jinja has no macro {name}"
        assert "case" in macro.arguments or len(macro.arguments) > 1, name
        shared = set(macro.arguments) & set(claims.fact_names(name))
        assert shared, f"the macro {name} takes none of its check's facts"


def test_a_long_list_in_the_living_review_is_cut_and_counted() -> None:
    """Past eight items, the sentence on moved verdicts names eight and counts the rest, like
    the claims' reasons (:func:`ivigbook.analysis.claims.names`); fewer are all named."""
    from ivigbook.prose import sentence

    moves = [
        {"quote": f"claim {i}", "before": "supported", "now": "contradicted"} for i in range(11)
    ]
    text = sentence("changes", "changes_summary", moves=moves)
    assert text.startswith("11 claims' verdicts differ")
    assert "claim 7" in text
    assert "claim 8" not in text
    assert text.endswith("and 3 more.")
    two = sentence("changes", "changes_summary", moves=moves[:2])
    assert "\u201cclaim 0\u201d (supported \u2192 contradicted) and \u201cclaim 1\u201d" in two
    assert sentence("changes", "changes_summary", moves=[]).startswith("No claim's verdict")


def test_the_reason_of_the_weighed_result_says_why_it_does_not_overturn(ev: Evidence) -> None:
    """With the sources checked, a claim kept on the credible evidence opens its reason with
    one sentence per weak result's study, naming why it is weak."""
    table = evaluate_bases(ev)
    weighed = table[table["weighed"]]
    assert not weighed.empty
    for reason in weighed["reason_checked"]:
        lead = reason.split(": ", 1)[0]
        assert "does not overturn the claim" in lead or "do not overturn the claim" in lead
        assert "multiple comparisons" in reason or "primary" in reason
