"""Checks of the letter's claims about positive signals, timing, heterogeneity and markers."""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction
from typing import TYPE_CHECKING

import pandas as pd

from ivigbook.analysis.claims.helpers import (
    _STATED_PERCENT,
    ObjectiveFacts,
    _describe_outcomes,
    _flag,
    _ids,
    _label,
    _percent,
    _plural,
    _result_is,
    _rows,
    _source_checks,
    flagged,
    names,
    objective_results,
    study_names,
    study_outcomes,
)
from ivigbook.analysis.claims.registry import (
    MARKER_WORDS,
    STRENGTH_SWALLOWING_FUNCTION,
    STRENGTH_SWALLOWING_SERUM,
    CheckResult,
    Facts,
    check,
)
from ivigbook.analysis.vocabulary import (
    CONTRADICTED,
    MARKER_DOMAINS,
    NOT_TESTABLE,
    PARTLY,
    SUPPORTED,
)

if TYPE_CHECKING:
    from ivigbook.data.load import Evidence


def _named_crossover(ev: Evidence) -> pd.DataFrame:
    """The caption's "cross-over study by Dalakas et al.": first author Dalakas, crossover,
    one of the letter's references."""
    s = ev.studies
    return s[
        (s["first_author"].astype("string") == "Dalakas")
        & _flag(s["crossover"])
        & s["letter_ref"].notna()
    ]


def _not_one_crossover(study: pd.DataFrame, described: str, facts: Facts) -> CheckResult | None:
    """Not testable unless exactly one study is the named cross-over study (``described`` says
    how the claim names it)."""
    if len(study) == 1:
        return None
    return CheckResult(
        NOT_TESTABLE,
        f"{_plural(len(study), 'study matches', 'studies match')} {described} (one is needed).",
        _rows(_ids("studies", study)),
        facts,
    )


@dataclass(frozen=True)
class ThirdFacts(Facts):
    study: str
    improved: int | None
    n: int | None
    percent: str | None
    third: str | None
    abstract: str | None


@check(facts=ThirdFacts)
def one_third_of_crossover_improved(ev: Evidence) -> CheckResult:
    """'One third' of the Dalakas cross-over study, against the counts the data hold."""
    study = _named_crossover(ev)
    r = ev.responders[ev.responders["study_id"].isin(list(study["study_id"]))]
    source = r["source"].astype("string")
    counted = r[(source == "letter_table") & r["numerator"].notna() & r["denominator"].notna()]
    caption = r[(source == "letter_caption")]
    primary = r[source == "primary_source"]
    stated = [
        (p, found)
        for _, p in primary.iterrows()
        if (found := _STATED_PERCENT.search(str(p["stated_as"])))
    ]
    num = int(counted["numerator"].iloc[0]) if not counted.empty else None
    den = int(counted["denominator"].iloc[0]) if not counted.empty else None
    facts = ThirdFacts(
        study_names(study),
        num,
        den,
        _percent(Fraction(num, den)) if num is not None and den else None,
        f"{den / 3:.2f}" if den else None,
        f"{stated[-1][1].group(1)}%" if stated else None,
    )
    wrong = _not_one_crossover(
        study, "the caption's \u201ccross-over study by Dalakas et al.\u201d", facts
    )
    if wrong is not None:
        return wrong
    sid = study["study_id"].iloc[0]
    rows = _rows(_ids("studies", study), _ids("responders", counted), _ids("responders", caption))
    if num is None or den is None:
        return CheckResult(
            NOT_TESTABLE,
            f"Table I gives no count of improved patients for {sid}, so \u201cone third\u201d "
            "cannot be compared with anything.",
            rows,
            facts,
        )
    row = counted.iloc[0]
    share = Fraction(num, den)
    third = Fraction(den, 3)
    reason = (
        f"Table I says {row['stated_as'].lower()} of {den} patients improved "
        f"({num}/{den} = {_percent(share)}); one third of {den} is {float(third):.2f} patients "
        f"({_percent(Fraction(1, 3))})"
    )
    for p, found in stated:
        reason += (
            f"; the study's own abstract calls its {p['numerator']} of {p['denominator']} "
            f"{found.group(1)}%"
        )
    rows = _rows(rows, _ids("responders", primary))
    if share == Fraction(1, 3):
        return CheckResult(SUPPORTED, reason + ".", rows, facts)
    if round(third) == num:
        return CheckResult(
            SUPPORTED,
            reason + ". Note: \u201cone third\u201d rounds the table's own count (the nearest "
            "whole number to a third); a rounding is a note, not a reason to lower the verdict.",
            rows,
            facts,
        )
    return CheckResult(CONTRADICTED, reason + ", which is not about a third.", rows, facts)


@dataclass(frozen=True)
class SwitchFacts(Facts):
    study: str
    comparator: str | None
    to_prednisone: str


@check(facts=SwitchFacts)
def improvement_lost_on_switch_to_prednisone(ev: Evidence) -> CheckResult:
    """The letter's text says Dalakas' IVIG patients lost their gain when switched to
    prednisone alone; its Table I says the cross-over was to placebo."""
    study = _named_crossover(ev)
    s = ev.studies
    to_prednisone = s[
        _flag(s["crossover"])
        & s["comparator"].astype("string").str.contains("prednisone", case=False, na=False)
        & ~s["comparator"].astype("string").str.contains("placebo", case=False, na=False)
    ]
    facts = SwitchFacts(
        study_names(study),
        str(study["comparator"].iloc[0]).lower() if len(study) == 1 else None,
        study_names(to_prednisone),
    )
    wrong = _not_one_crossover(
        study, "a cross-over study by Dalakas et al. among the letter's references", facts
    )
    if wrong is not None:
        return wrong
    row = study.iloc[0]
    sid, comparator = row["study_id"], str(row["comparator"]).lower()
    r = ev.responders
    stated = r[(r["study_id"] == sid) & (r["source"].astype("string") == "letter_table")]
    rows = _rows(_ids("studies", study), _ids("responders", stated))
    if stated.empty:
        return CheckResult(
            NOT_TESTABLE,
            f"Table I reports no patients who improved in {sid}, so the switch cannot be checked.",
            rows,
            facts,
        )
    if "prednisone" in comparator and "placebo" not in comparator:
        return CheckResult(
            SUPPORTED,
            f"Table I reports patients of {sid} who improved on IVIG and lost it on the "
            f"comparator, which was {comparator}.",
            rows,
            facts,
        )
    quote = str(stated["quote"].iloc[0])
    elsewhere = (
        "no cross-over study in the data switched patients from IVIG to prednisone alone"
        if to_prednisone.empty
        else f"cross-over to prednisone alone is recorded only for {names(_label(to_prednisone))}"
    )
    return CheckResult(
        PARTLY,
        f"Table I does report a gain that was lost on switching in the cross-over study "
        f"{sid} (\u201c{quote}\u201d), but the switch was to {comparator}, not to "
        f"prednisone alone; {elsewhere}.",
        _rows(rows, _ids("studies", to_prednisone)),
        facts,
    )


def _count(value: object) -> int | None:
    return int(value) if pd.notna(value) else None  # type: ignore[call-overload]


@dataclass(frozen=True)
class EnduranceFacts(Facts):
    ivig_stated: str | None
    n_ivig: int | None
    half: str | None
    controls_improved: int | None
    n_controls: int | None


@check(facts=EnduranceFacts)
def half_endurance_none_in_control(ev: Evidence) -> CheckResult:
    """Half of the IVIG group and none of the control group reported more endurance."""
    o = ev.outcomes
    endurance = o[o["measure"].astype("string") == "endurance_adl"]
    r = ev.responders
    r = r[r["outcome_id"].isin(list(endurance["outcome_id"]))]
    group = r["group"].astype("string")
    ivig, control = r[group == "ivig"], r[group == "control"]
    rows = _rows(_ids("outcomes", endurance), _ids("responders", ivig), _ids("responders", control))
    i = ivig.iloc[0] if not ivig.empty else None
    c = control.iloc[0] if not control.empty else None
    n_ivig = _count(i["denominator"]) if i is not None else None
    facts = EnduranceFacts(
        str(i["stated_as"]) if i is not None else None,
        n_ivig,
        f"{n_ivig / 2:g}" if n_ivig is not None else None,
        _count(c["numerator"]) if c is not None else None,
        _count(c["denominator"]) if c is not None else None,
    )
    if i is None or c is None:
        return CheckResult(
            NOT_TESTABLE,
            "The data do not hold both an IVIG-group and a control-group count for endurance.",
            rows,
            facts,
        )
    if pd.notna(c["numerator"]) and c["numerator"] > 0:
        return CheckResult(
            CONTRADICTED,
            f"{c['numerator']} of {c['denominator']} controls reported more endurance, not none.",
            rows,
            facts,
        )
    control_text = (
        f"the letter's {str(c['source']).replace('letter_', '')} says none of the "
        f"{c['denominator']} controls did (0 of {c['denominator']})"
    )
    den = i["denominator"]
    if pd.notna(i["numerator"]):
        share = Fraction(int(i["numerator"]), int(den))
        verdict = SUPPORTED if share == Fraction(1, 2) else CONTRADICTED
        return CheckResult(
            verdict,
            f"{i['numerator']} of {den} IVIG patients ({_percent(share)}) and {control_text}.",
            rows,
            facts,
        )
    half = Fraction(int(den), 2) if pd.notna(den) else None
    whole = half is not None and half.denominator == 1
    listed = endurance[~_flag(endurance["listed_as_outcome"])]
    subjective = endurance[endurance["assessment"].astype("string") == "subjective"]
    reason = (
        f"The control side holds: {control_text}. The IVIG side is stated only as "
        f"\u201c{i['stated_as']}\u201d of {den}"
        + (
            ""
            if whole or half is None
            else f", which is {float(half):.1f} patients, not a whole number"
        )
        + ", so the count cannot be recovered"
    )
    if not subjective.empty:
        reason += "; endurance was patient-reported (the letter says reported)"
    if not listed.empty:
        reason += " and is not among the trial's listed outcome measures"
    reason += (
        ". Note: \u201chalf\u201d of an odd group is a wording, not an error; the claim "
        "matches the letter's table, so this is a note, not a reason to lower the verdict"
    )
    return CheckResult(SUPPORTED if half is not None else PARTLY, reason + ".", rows, facts)


@dataclass(frozen=True)
class UncontrolledFacts(Facts):
    n_positive: int
    n_uncontrolled: int
    without: str


@check(facts=UncontrolledFacts)
def uncontrolled_reports_positive(ev: Evidence) -> CheckResult:
    """Every case series and case report reports an improvement in strength, swallowing or
    serum values."""
    s = ev.studies
    uncontrolled = s[s["design"].astype("string").isin(["case_series", "case_report"])]
    outcomes = study_outcomes(ev, uncontrolled, STRENGTH_SWALLOWING_SERUM)
    gains = _result_is(outcomes, "improved", "subjective_improvement")
    positive = uncontrolled[uncontrolled["study_id"].isin(list(gains["study_id"]))]
    without = uncontrolled[~uncontrolled["study_id"].isin(list(gains["study_id"]))]
    facts = UncontrolledFacts(len(positive), len(uncontrolled), study_names(without))
    if uncontrolled.empty:
        return CheckResult(
            NOT_TESTABLE, "The data hold no case series or case report.", facts=facts
        )
    objective = gains[gains["assessment"].astype("string") == "objective"]
    rows = _rows(_ids("outcomes", gains), _ids("studies", without))
    base = (
        f"{len(positive)} of {len(uncontrolled)} case series and case reports report an "
        f"improvement in strength, swallowing or serum values "
        f"({_plural(len(objective), 'objective result')} among {len(gains)})"
    )
    if without.empty:
        return CheckResult(SUPPORTED, base + "; none has a control group.", rows, facts)
    other = study_outcomes(ev, without)
    what = (
        f"; {names(_label(without))} report{'s' if len(without) == 1 else ''} only "
        f"{names(other['measure_letter'].str.lower()) if not other.empty else 'no outcome'}"
    )
    verdict = PARTLY if not positive.empty else CONTRADICTED
    return CheckResult(verdict, base + what + ".", _rows(rows, _ids("outcomes", other)), facts)


@dataclass(frozen=True)
class TimingFacts(Facts):
    stated: str
    n_stated: int
    n_studies: int
    n_unverifiable: int


@check(facts=TimingFacts)
def timing_of_responders(ev: Evidence) -> CheckResult:
    """Responders started IVIG closer to diagnosis. The data hold statements, not times."""
    s = ev.studies
    stated = s[s["time_to_treatment_letter"].notna()]
    checks = _source_checks(ev, stated["study_id"])
    unverifiable = checks[checks["verdict"].astype("string") == "unverifiable"]
    rows = _rows(_ids("studies", stated), _ids("source_checks", checks))
    reason = (
        f"No study in the data gives times from diagnosis to IVIG for responders and "
        f"non-responders; {len(stated)} of the {len(s)} studies "
        f"{'says' if len(stated) == 1 else 'say'} anything about timing"
    )
    if not stated.empty:
        reason += (
            f" ({names(_label(stated))}, only as the letter's sentence "
            f"\u201c{stated['time_to_treatment_letter'].iloc[0]}\u201d)"
        )
    if not unverifiable.empty:
        reason += (
            f", and the source check finds the letter's figures for this study unverifiable "
            f"from the published abstract ({names(unverifiable['check_id'])})"
        )
    facts = TimingFacts(study_names(stated), len(stated), len(s), len(unverifiable))
    return CheckResult(NOT_TESTABLE, reason + ".", rows, facts)


@dataclass(frozen=True)
class HeterogeneityFacts(Facts):
    n_studies: int
    n_doses: int
    n_measures: int
    n_common: int
    n_concomitant: int
    n_timing: int


@check(facts=HeterogeneityFacts)
def studies_are_heterogeneous(ev: Evidence) -> CheckResult:
    """The studies differ in regimen, concomitant drugs and outcomes; few report timing."""
    s = ev.studies
    n = len(s)
    doses = s["dose_g_per_kg_per_month"].dropna().unique()
    months = s["treatment_months"].dropna().unique()
    varied = int(_flag(s["regimen_varied"]).sum())
    no_dose = int(s["dose_g_per_kg_per_month"].isna().sum())
    with_drugs = int(s["concomitant_treatment"].notna().sum())
    measures = ev.outcomes.groupby("measure", observed=True)["study_id"].nunique()
    common = measures[measures == n]
    top = measures.sort_values(ascending=False)
    timing = int(s["time_to_treatment_letter"].notna().sum())
    duration = int(s["disease_duration_letter"].notna().sum())
    facts = HeterogeneityFacts(n, len(doses), len(measures), len(common), with_drugs, timing)
    if n < 2:
        return CheckResult(NOT_TESTABLE, "Fewer than two studies: nothing to compare.", facts=facts)
    tests = {
        "regimen": len(doses) > 1 or len(months) > 1 or varied > 0,
        "drugs": 0 < with_drugs < n,
        "outcomes": common.empty,
        "timing": timing <= n / 2 and duration <= n / 2,
    }
    parts = [
        f"regimens: {len(doses)} distinct monthly doses and {len(months)} treatment durations "
        f"among the studies that give one, {varied} with a varied regimen and {no_dose} "
        "without a single monthly dose",
        f"{with_drugs} of {n} report concomitant treatment",
        f"{len(measures)} different outcome measures, "
        + (
            f"none used by every study (the commonest, {top.index[0]}, by {int(top.iloc[0])})"
            if common.empty
            else f"{names(common.index)} used by all"
        ),
        f"{timing} of {n} state when IVIG started relative to diagnosis and {duration} state "
        "disease duration, so heterogeneity in these two cannot be shown, only their absence",
    ]
    met = sum(tests.values())
    verdict = SUPPORTED if met == len(tests) else PARTLY if met else CONTRADICTED
    return CheckResult(
        verdict,
        f"Across the {n} studies: " + "; ".join(parts) + ".",
        _rows(_ids("studies", s)),
        facts,
    )


@check(facts=ObjectiveFacts)
def no_controlled_objective_benefit(ev: Evidence) -> CheckResult:
    """No controlled study reports an objective improvement in strength, swallowing or
    function."""
    found = objective_results(
        ev,
        flagged(ev, "controlled"),
        STRENGTH_SWALLOWING_FUNCTION,
        "No study has a comparison group or period.",
        "No controlled study reports an objective strength, swallowing or function result.",
        lambda gains: (
            f"A controlled study reports an objective improvement: {_describe_outcomes(gains)}."
        ),
    )
    if found.decided is not None:
        return found.decided
    controlled, stated, trend = found.cohort, found.stated, found.trend
    r = ev.responders
    primary = r[
        r["study_id"].isin(list(controlled["study_id"]))
        & (r["source"].astype("string") == "primary_source")
        & r["outcome_id"].isin(list(stated["outcome_id"]))
    ]
    differs = _source_checks(ev, controlled["study_id"], topic="result", verdict="differs")
    reason = (
        f"None of the {len(stated)} objective strength, swallowing or function results of the "
        f"{len(controlled)} controlled studies is an improvement"
    )
    notes = []
    if not trend.empty:
        notes.append(_describe_outcomes(trend))
    if not primary.empty:
        notes.append(
            "the checked primary sources add patient-level counts: "
            + names(primary["quote"].str.rstrip("."))
        )
    if not differs.empty:
        lead = "a primary source differs: " if len(differs) == 1 else "primary sources differ: "
        notes.append(lead + names(differs["source_says"].str.rstrip(".")))
    reason += (" (" + "; ".join(notes) + ")") if notes else ""
    reason += ". The data hold reported results, not statistical tests."
    return CheckResult(
        SUPPORTED,
        reason,
        _rows(
            _ids("outcomes", stated), _ids("responders", primary), _ids("source_checks", differs)
        ),
        found.facts,
    )


@dataclass(frozen=True)
class MarkerFacts(Facts):
    n_measured: int
    n_studies: int
    n_results: int
    n_subgroups: int
    n_by_marker: int


@check(facts=MarkerFacts)
def no_predictive_marker_reported(ev: Evidence) -> CheckResult:
    """No study reports a marker that separates responders from non-responders."""
    s = ev.studies
    markers = study_outcomes(ev, s, MARKER_DOMAINS)
    r = ev.responders
    subgroups = r[r["group"].astype("string") == "subgroup"]
    by_marker = subgroups[
        subgroups["group_letter"]
        .str.lower()
        .map(lambda text: any(word in f" {text}" for word in MARKER_WORDS))
        .astype(bool)
    ]
    measured = s[s["study_id"].isin(list(markers["study_id"]))]
    rows = _rows(_ids("responders", subgroups), _ids("outcomes", markers))
    facts = MarkerFacts(len(measured), len(s), len(markers), len(subgroups), len(by_marker))
    if not by_marker.empty:
        return CheckResult(
            CONTRADICTED,
            "A study reports responders grouped by a marker: "
            + names(
                f"{row['responder_id']} (\u201c{row['group_letter']}\u201d)"
                for _, row in by_marker.iterrows()
            )
            + ".",
            _rows(_ids("responders", by_marker)),
            facts,
        )
    defined = (
        names(f"\u201c{g}\u201d" for g in subgroups["group_letter"])
        if not subgroups.empty
        else "none"
    )
    return CheckResult(
        SUPPORTED,
        f"{len(measured)} of {len(s)} studies measured a serum or biopsy marker "
        f"({_plural(len(markers), 'result')}), all as outcomes of treatment, none as a "
        "predictor; the only responder subgroups in the data are defined by treatment, not "
        f"by a marker ({defined}). This says what these studies report, not that no marker "
        "exists elsewhere.",
        rows,
        facts,
    )
