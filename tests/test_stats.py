"""Tests of ivigbook.stats: intervals, responder table, power and sample size, sentences.

Expected values are recomputed here independently: intervals from the beta distribution
(scipy), sample sizes from the closed-form normal formula, and counts from the raw CSV files
read with the csv module.
"""

from __future__ import annotations

import csv
import itertools
import math
from pathlib import Path

import pandas as pd
import pytest
from scipy.stats import beta, norm

from ivigbook.analysis.markers import marker_outcomes
from ivigbook.analysis.power import (
    exact_power,
    patients_per_arm,
    power_curve,
    power_for_arms,
    trial_arms,
)
from ivigbook.analysis.responders import (
    exact_ci,
    responder_row,
    responder_summary,
    responder_table,
    stated_share,
)
from ivigbook.analysis.summary import evidence_summary
from ivigbook.analysis.timing import timing_counts, timing_matrix
from ivigbook.data.load import load
from ivigbook.text.glue import as_mapping
from ivigbook.text.sentences import (
    count_verdicts,
    design_listing,
    improvement_sentence,
    objective_benefit_sentence,
    quoted_listing,
    range_phrase,
    verdict_sentence,
)

DATA = Path(__file__).resolve().parents[1] / "data"


def read_csv(name: str) -> list[dict[str, str]]:
    with (DATA / f"{name}.csv").open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def clopper_pearson(k: int, n: int, alpha: float = 0.05) -> tuple[float, float]:
    """The exact interval from the beta distribution's quantiles."""
    low = 0.0 if k == 0 else beta.ppf(alpha / 2, k, n - k + 1)
    high = 1.0 if k == n else beta.ppf(1 - alpha / 2, k + 1, n - k)
    return float(low), float(high)


def cohen_h(p1: float, p2: float) -> float:
    return 2 * math.asin(math.sqrt(p1)) - 2 * math.asin(math.sqrt(p2))


@pytest.fixture(scope="module")
def ev():
    return load()


# --------------------------------------------------------------------------------------
# Intervals


@pytest.mark.parametrize(("k", "n"), [(6, 19), (3, 16), (1, 6), (7, 16), (2, 9), (3, 4), (50, 200)])
def test_exact_ci_matches_beta_quantiles(k: int, n: int) -> None:
    low, high = exact_ci(k, n)
    exp_low, exp_high = clopper_pearson(k, n)
    assert low == pytest.approx(exp_low, abs=1e-10)
    assert high == pytest.approx(exp_high, abs=1e-10)
    assert low < k / n < high


@pytest.mark.parametrize("n", [1, 4, 17, 100])
def test_exact_ci_none_improved(n: int) -> None:
    low, high = exact_ci(0, n)
    assert low == 0.0
    # closed form for 0/n: 1 - (alpha/2)^(1/n)
    assert high == pytest.approx(1 - 0.025 ** (1 / n), abs=1e-10)


@pytest.mark.parametrize("n", [1, 4, 17, 100])
def test_exact_ci_all_improved(n: int) -> None:
    low, high = exact_ci(n, n)
    assert high == 1.0
    assert low == pytest.approx(0.025 ** (1 / n), abs=1e-10)


def test_exact_ci_other_confidence_level_is_narrower() -> None:
    low90, high90 = exact_ci(6, 19, confidence=0.90)
    low95, high95 = exact_ci(6, 19)
    assert low95 < low90 < high90 < high95
    assert (low90, high90) == pytest.approx(clopper_pearson(6, 19, alpha=0.10), abs=1e-10)


@pytest.mark.parametrize(("k", "n"), [(-1, 5), (6, 5), (0, 0)])
def test_exact_ci_rejects_impossible_counts(k: int, n: int) -> None:
    with pytest.raises(ValueError, match="successes"):
        exact_ci(k, n)


# --------------------------------------------------------------------------------------
# Shares in words


@pytest.mark.parametrize(
    ("text", "share"),
    [
        ("half", 0.5),
        ("Half", 0.5),
        ("one third", 1 / 3),
        ("all", 1.0),
        ("none", 0.0),
        ("Eighty-three percent", 0.83),
        ("twenty per cent", 0.20),
        ("28%", 0.28),
    ],
)
def test_stated_share(text: str, share: float) -> None:
    assert stated_share(text) == pytest.approx(share)


@pytest.mark.parametrize("text", ["Six", "Two", "2 of 14", "three", "most", "eighty-three"])
def test_counts_are_not_shares(text: str) -> None:
    assert stated_share(text) is None


# --------------------------------------------------------------------------------------
# Responder table, recomputed from the raw CSV


def test_responder_table_against_raw_csv(ev) -> None:
    raw = read_csv("responders")
    table = responder_table(ev).set_index("responder_id")
    assert list(table.index) == [r["responder_id"] for r in raw]
    for r in raw:
        row = table.loc[r["responder_id"]]
        if r["numerator"] and r["denominator"]:
            k, n = int(r["numerator"]), int(r["denominator"])
            low, high = clopper_pearson(k, n)
            assert row["share"] == pytest.approx(k / n)
            assert row["ci_low"] == pytest.approx(low, abs=1e-9)
            assert row["ci_high"] == pytest.approx(high, abs=1e-9)
            assert row["ci_note"] == "exact 95% CI"
        else:
            assert pd.isna(row["ci_low"])
            assert pd.isna(row["ci_high"])
            assert row["ci_note"].startswith("no CI")
            assert row["reason"] == r["denominator_basis"]
        assert row["from_letter"] == (r["source"] != "primary_source")


def test_responder_table_caveats_from_raw_csv(ev) -> None:
    studies = {s["study_id"]: s for s in read_csv("studies")}
    outcomes = {o["outcome_id"]: o for o in read_csv("outcomes")}
    blinding = {c["study_id"] for c in read_csv("source_checks") if c["topic"] == "blinding"}
    table = responder_table(ev).set_index("responder_id")
    words = {"true": "yes", "false": "no", "": "not reported"}
    for r in read_csv("responders"):
        row = table.loc[r["responder_id"]]
        study = studies[r["study_id"]]
        assert row["n_study"] == int(study["n_total"])
        assert row["controlled"] == words[study["controlled"]]
        assert row["blinded"] == words[study["blinded"]]
        assert row["assessment"] == outcomes[r["outcome_id"]]["assessment"]
        assert pd.notna(row["blinding_check"]) == (r["study_id"] in blinding)


def test_stated_share_without_count(ev) -> None:
    table = responder_table(ev).set_index("responder_id")
    half = table.loc["dalakas2001-r1"]  # "Half" of nineteen: no whole number
    assert half["share"] == pytest.approx(0.5)
    assert half["share_basis"] == "stated"
    assert pd.isna(half["ci_low"])
    assert half["ci_note"] == "no CI: number of patients not fixed"
    no_denominator = table.loc["foreman2017-r1"]
    assert no_denominator["ci_note"] == "no CI: neither count given"
    assert no_denominator["share"] == pytest.approx(0.83)


def test_responder_summary_counts(ev) -> None:
    raw = read_csv("responders")
    with_ci = [r for r in raw if r["numerator"] and r["denominator"]]
    widths = {
        r["responder_id"]: clopper_pearson(int(r["numerator"]), int(r["denominator"]))
        for r in with_ci
    }
    summary = responder_summary(responder_table(ev))
    assert summary.n_statements == len(raw)
    assert summary.n_ci == len(with_ci)
    assert summary.n_no_ci == len(raw) - len(with_ci)
    assert summary.n_primary == sum(r["source"] == "primary_source" for r in raw)
    assert summary.widest_width == pytest.approx(max(h - lo for lo, h in widths.values()))
    assert summary.narrowest_width == pytest.approx(min(h - lo for lo, h in widths.values()))
    assert all(isinstance(v, int | float | str) for v in as_mapping(summary).values())


def test_responder_row_is_plain_python(ev) -> None:
    row = responder_row(responder_table(ev), "dalakas1997-r1")
    assert type(row["numerator"]) is int
    assert type(row["from_letter"]) is bool
    assert type(row["ci_low"]) is float
    with pytest.raises(KeyError):
        responder_row(responder_table(ev), "nosuch-r1")


# --------------------------------------------------------------------------------------
# Power and sample size


@pytest.mark.parametrize(("p1", "p0"), [(6 / 19, 0.05), (6 / 19, 0.10), (0.5, 0.2), (0.3, 0.15)])
def test_patients_per_arm_matches_closed_form(p1: float, p0: float) -> None:
    # Two equal arms of n: the standard error of h is sqrt(2 / n).
    z = norm.ppf(1 - 0.05 / 2) + norm.ppf(0.8)
    expected = math.ceil(2 * (z / cohen_h(p1, p0)) ** 2)
    assert patients_per_arm(p1, p0) == expected


@pytest.mark.parametrize(("p1", "p0"), [(6 / 19, 0.05), (6 / 19, 0.15), (0.5, 0.2)])
def test_sample_size_is_inverse_of_power(p1: float, p0: float) -> None:
    n = patients_per_arm(p1, p0, alpha=0.05, power=0.8)
    assert power_for_arms(p1, p0, n, n) >= 0.8
    assert power_for_arms(p1, p0, n - 1, n - 1) < 0.8


def test_power_matches_normal_formula() -> None:
    h = cohen_h(6 / 19, 0.05)
    n1, n2 = 19, 17
    se = math.sqrt(1 / n1 + 1 / n2)
    z = norm.ppf(0.975)
    expected = norm.sf(z - abs(h) / se) + norm.cdf(-z - abs(h) / se)
    assert power_for_arms(6 / 19, 0.05, n1, n2) == pytest.approx(expected, abs=1e-9)


def test_power_increases_with_patients() -> None:
    powers = [power_for_arms(6 / 19, 0.05, n, n) for n in range(2, 200)]
    assert all(b > a for a, b in itertools.pairwise(powers))
    assert powers[0] < 0.2
    assert powers[-1] > 0.99


def test_more_patients_needed_for_smaller_difference() -> None:
    sizes = [patients_per_arm(6 / 19, p0) for p0 in (0.05, 0.10, 0.15, 0.20)]
    assert sizes == sorted(sizes)
    assert len(set(sizes)) == len(sizes)


def test_equal_rates_are_rejected() -> None:
    with pytest.raises(ValueError, match="differ"):
        patients_per_arm(0.2, 0.2)
    with pytest.raises(ValueError, match="arms"):
        power_for_arms(0.3, 0.1, 0, 10)


@pytest.mark.parametrize(("n1", "n2"), [(5, 5), (16, 6), (12, 12)])
def test_exact_power_keeps_the_size(n1: int, n2: int) -> None:
    # Under no difference, Fisher's exact test rejects at most alpha of the time.
    assert exact_power(0.3, 0.3, n1, n2) <= 0.05


def test_exact_power_against_direct_enumeration() -> None:
    # 3 vs 3 patients: the only tables Fisher's test rejects at 0.05 two-sided would need
    # p <= 0.05; with 3 per arm the smallest two-sided p is 0.1, so power is 0.
    assert exact_power(0.9, 0.1, 3, 3) == 0.0
    # 10 vs 10 with a large difference: high power, and below the normal approximation.
    exact = exact_power(0.9, 0.1, 10, 10)
    assert 0.8 < exact < power_for_arms(0.9, 0.1, 10, 10)


def test_trial_arms_from_raw_csv(ev) -> None:
    raw = [s for s in read_csv("studies") if s["controlled"] == "true"]
    arms = trial_arms(ev).set_index("study_id")
    assert sorted(arms.index) == sorted(s["study_id"] for s in raw)
    for s in raw:
        row = arms.loc[s["study_id"]]
        if s["crossover"] == "true":
            assert row["n_ivig_arm"] == row["n_control_arm"] == int(s["n_total"])
        else:
            assert row["n_ivig_arm"] == int(s["n_ivig"])
            assert row["n_control_arm"] == int(s["n_control"])


def test_power_curve_shape() -> None:
    curve = power_curve(0.3, (0.05, 0.1), range(5, 10))
    assert len(curve) == 10
    assert set(curve["scenario"]) == {"5% without IVIG", "10% without IVIG"}


# --------------------------------------------------------------------------------------
# Timing, markers, conclusions


def test_timing_counts_from_raw_csv(ev) -> None:
    raw = read_csv("studies")
    expected = {
        "time_to_treatment": sum(bool(s["time_to_treatment_letter"]) for s in raw),
        "disease_duration": sum(bool(s["disease_duration_letter"]) for s in raw),
        "treatment_duration": sum(
            bool(s["treatment_duration_letter"] or s["treatment_months"]) for s in raw
        ),
        "concomitant_treatment": sum(bool(s["concomitant_treatment"]) for s in raw),
    }
    assert timing_counts(ev) == expected
    matrix = timing_matrix(ev)
    assert len(matrix) == len(raw) * len(expected)
    assert set(matrix.loc[~matrix["reported"], "letter_words"]) == {"not reported"}


def test_marker_outcomes_from_raw_csv(ev) -> None:
    raw = [o for o in read_csv("outcomes") if o["domain"] in ("serum", "histology")]
    markers = marker_outcomes(ev)
    assert len(markers) == len(raw)
    assert (markers["letter_words"] == "not reported").sum() == sum(not o["quote"] for o in raw)
    # a checked primary source's result replaces the letter's in its own column only
    checked = {r["outcome_id"]: r["result"] for r in read_csv("checked_results")}
    words = {"no_effect": "No effect", "improved": "Improved", "not_reported": "Not reported"}
    assert any(o["outcome_id"] in checked for o in raw)
    for o, row in zip(raw, markers.itertuples(), strict=True):
        result = checked.get(o["outcome_id"], o["result"])
        if result in words:
            assert row.checked_result == words[result], o["outcome_id"]
        if o["outcome_id"] in checked and checked[o["outcome_id"]] != o["result"]:
            assert row.checked_result != row.result, o["outcome_id"]


def test_evidence_summary_from_raw_csv(ev) -> None:
    studies = read_csv("studies")
    outcomes = read_csv("outcomes")
    trial_designs = {"placebo_controlled_trial", "controlled_trial"}
    trials = [s for s in studies if s["design"] in trial_designs]
    controlled = [s for s in studies if s["controlled"] == "true"]
    benefit = {
        o["study_id"]
        for o in outcomes
        if o["assessment"] == "objective" and o["result"] == "improved"
    }
    summary = evidence_summary(ev)
    assert summary.n_studies == len(studies)
    assert summary.n_trials == len(trials)
    assert summary.n_trial_patients == sum(int(s["n_total"]) for s in trials)
    assert summary.n_trials_objective_benefit == sum(s["study_id"] in benefit for s in trials)
    assert summary.n_controlled == len(controlled)
    assert summary.n_controlled_objective_benefit == sum(
        s["study_id"] in benefit for s in controlled
    )
    assert summary.n_uncontrolled_objective_benefit == len(
        benefit - {s["study_id"] for s in controlled}
    )
    # Without a control group: IVIG studies only (a study by another route is in n_studies).
    uncontrolled = [s for s in studies if s["controlled"] != "true" and s["route"] == "intravenous"]
    assert any(s["route"] != "intravenous" for s in studies)
    assert summary.n_uncontrolled == len(uncontrolled)
    assert summary.n_uncontrolled_patients == sum(int(s["n_total"]) for s in uncontrolled)
    assert summary.n_added == sum(
        s["included_by"] == "update" or s["added_on"] > "2024-01-26" for s in studies
    )
    assert all(type(v) is int for v in as_mapping(summary).values())


def _one_sentence(text: str) -> None:
    assert text[0].isupper() or text[0].isdigit(), text
    assert text.endswith("."), text
    assert ". " not in text, text


@pytest.mark.parametrize("args", [(3, 77, 0), (3, 77, 3), (3, 77, 1), (3, 77, 2), (1, 1, 0)])
def test_objective_benefit_sentence(args: tuple) -> None:
    n, patients, k = args
    text = objective_benefit_sentence(n, patients, k, "controlled trials")
    _one_sentence(text)
    # The group with its patients (noun agreeing), then how many of it: none, all or k.
    assert f"{n} controlled trials ({patients} patient{'' if patients == 1 else 's'})" in text
    how = "None of the" if k == 0 else "All of the" if k == n else f"{k} of the"
    assert text.startswith(how)
    assert f" {'reports' if k in (0, 1) else 'report'} an objective improvement" in text
    assert "no controlled trials" in objective_benefit_sentence(0, 0, 0, "controlled trials")


def test_added_sentence_counts_in_words(ev) -> None:
    from dataclasses import replace

    from ivigbook.analysis.changes import added_facts
    from ivigbook.text.caveats import added_sentence

    facts = added_facts(ev)
    assert added_sentence(replace(facts, n_added=0)).startswith("No study has been added")
    for n, start in ((1, "One study has been added"), (3, "Three studies have been added")):
        assert added_sentence(replace(facts, n_added=n)).startswith(start)
    assert added_sentence(replace(facts, n_added=13)).startswith("13 studies have been added")


def test_verdict_counts_and_sentence() -> None:
    evaluated = pd.DataFrame(
        {"verdict": ["supported", "supported", "contradicted", "partly supported"]}
    )
    counts = count_verdicts(evaluated)
    assert list(counts["verdict"]) == [
        "supported",
        "supported with a qualification",
        "partly supported",
        "contradicted",
        "not testable",
    ]
    assert list(counts["claims"]) == [2, 0, 1, 1, 0]
    # Facts and shape: the total, each verdict with its count and a verb that agrees, in the
    # order of VERDICTS, zero counts left out; one sentence.
    text = verdict_sentence(counts)
    assert "4 claims" in text
    parts = ["2 are supported", "1 is partly supported", "1 is contradicted"]
    assert all(p in text for p in parts)
    assert [text.index(p) for p in parts] == sorted(text.index(p) for p in parts)
    assert "qualification" not in text
    assert "not testable" not in text
    assert text.endswith(".")
    assert text.count(". ") == 0
    every = verdict_sentence({"supported": 2})
    assert every.startswith("All 2 claims")
    assert "supported" in every
    assert every.endswith(".")
    assert "no claims" in verdict_sentence({"supported": 0})
    with pytest.raises(ValueError, match="unknown verdicts"):
        count_verdicts(pd.DataFrame({"verdict": ["maybe"]}))


# --------------------------------------------------------------------------------------
# Wording that follows the data


def test_design_listing_plural_and_zero() -> None:
    counts = {"placebo_controlled_trial": 3, "controlled_trial": 0, "open_label": 1}
    assert design_listing(counts) == "3 placebo-controlled trials and 1 open-label study"
    assert design_listing({"case_series": 1, "case_report": 2}) == (
        "1 case series and 2 case reports"
    )
    assert design_listing({"case_report": 0}) == "no studies"


def test_quoted_listing_and_range_phrase() -> None:
    assert quoted_listing(["half", "half", "none"]) == "\u201chalf\u201d and \u201cnone\u201d"
    assert quoted_listing([]) == ""
    assert range_phrase(2, 6, "month", "months") == "2 to 6 months"
    assert range_phrase(3.0, 3.0, "month", "months") == "3 months"
    assert range_phrase(1, 1, "month", "months") == "1 month"


@pytest.mark.parametrize("args", [(0, 0, 5), (1, 1, 5), (4, 4, 5), (5, 4, 5), (2, 1, 5), (2, 0, 5)])
def test_improvement_sentence(args: tuple) -> None:
    n, k, without = args
    text = improvement_sentence(n, k, without)
    _one_sentence(text)
    if n == 0:
        assert text.startswith("No study reports an improvement")
        return
    # The count with a verb that agrees; then where those studies lie: none, it, all or k.
    assert text.startswith(f"{n} {'study reports' if n == 1 else 'studies report'} an improvement")
    where = text.split("; ", 1)[1]
    if k == 0:
        assert where.startswith("none of them")
        return
    assert f"the {without} studies without a control group" in where
    assert where.startswith(
        "it is one" if k == n == 1 else "all of them are" if k == n else f"{k} of them "
    )
    if k != n:
        assert f"of them {'is' if k == 1 else 'are'} among" in where


# --------------------------------------------------------------------------------------
# Counts in sentences: noun and verb agree with the number (no "Label: 5" lists).


@pytest.mark.parametrize(("n_with", "n_without"), [(5, 6), (1, 0), (0, 1)])
def test_harms_sentence(n_with: int, n_without: int) -> None:
    from ivigbook.prose import words
    from ivigbook.text.sentences import harms_sentence

    text = harms_sentence(n_with, n_without)
    # Both counts in words, each with a noun and verb that agree with it; one sentence.
    for n, rest in ((n_with, "adverse event"), (n_without, "none")):
        noun = "study reports" if n == 1 else "studies report"
        assert f"{words(n)} {noun} " in text.lower()
        assert text.lower().index(f"{words(n)} {noun}") < text.index(rest)
    assert text[0].isupper()
    assert text.endswith(".")
    assert text.count(". ") == 0


def test_unreported_steps_sentence() -> None:
    from dataclasses import replace

    from ivigbook.analysis.search import search_facts
    from ivigbook.text.answers import unreported_steps_sentence

    facts = search_facts(load())
    text = unreported_steps_sentence(facts)
    assert text.startswith("The letter does not report ")
    assert all(label[0].lower() + label[1:] in text for label in facts.unreported_labels)
    none = replace(facts, steps_unreported=0, unreported_labels=(), without_count_labels=())
    every = unreported_steps_sentence(none)
    assert every.startswith("The letter reports every step")
    assert every.endswith(".")
    assert "does not report" not in every
    assert "no number" not in every


def test_signals_counts_sentence() -> None:
    from dataclasses import replace

    from ivigbook.text.answers import signals_counts_sentence

    summary = responder_summary(responder_table(load()))
    text = signals_counts_sentence(summary)
    assert ":" not in text
    one = signals_counts_sentence(replace(summary, n_uncontrolled=1, n_subjective=2))
    # The counts in words, each noun and verb agreeing with its count; one sentence.
    assert one.startswith("One statement comes from studies without a control group")
    assert "two statements are about a measure" in one
    assert one.endswith(".")
    assert one.count(". ") == 0
