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
    _result_is,
    _rows,
    _source_checks,
    decide,
    flagged,
    names,
    objective_results,
    reason,
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
    """The caption's "cross-over study by Dalakas et al." among the letter's references."""
    s = ev.studies
    return s[
        (s["first_author"].astype("string") == "Dalakas")
        & _flag(s["crossover"])
        & s["letter_ref"].notna()
    ]


def _not_one_crossover(check: str, study: pd.DataFrame, facts: Facts) -> CheckResult | None:
    """Not testable unless exactly one study is the named cross-over study."""
    if len(study) == 1:
        return None
    worded = reason("not_one_crossover", check=check, n=len(study))
    return CheckResult(NOT_TESTABLE, worded, _rows(_ids("studies", study)), facts)


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
    name = "one_third_of_crossover_improved"
    if (wrong := _not_one_crossover(name, study, facts)) is not None:
        return wrong
    sid = study["study_id"].iloc[0]
    caption = _ids("responders", r[source == "letter_caption"])
    rows = _rows(_ids("studies", study), _ids("responders", counted), caption)
    if num is None or den is None:
        return decide(name, NOT_TESTABLE, rows, facts, case="no_count", sid=sid)
    share, third = Fraction(num, den), Fraction(den, 3)
    case = "exact" if share == Fraction(1, 3) else "rounded" if round(third) == num else "other"
    return decide(
        name,
        CONTRADICTED if case == "other" else SUPPORTED,
        _rows(rows, _ids("responders", primary)),
        facts,
        case=case,
        sid=sid,
        stated=str(counted["stated_as"].iloc[0]).lower(),
        one_third=_percent(Fraction(1, 3)),
        abstracts=[
            {"num": p["numerator"], "den": p["denominator"], "percent": found.group(1)}
            for p, found in stated
        ],
    )


@dataclass(frozen=True)
class SwitchFacts(Facts):
    study: str
    comparator: str | None
    to_prednisone: str


@check(facts=SwitchFacts)
def improvement_lost_on_switch_to_prednisone(ev: Evidence) -> CheckResult:
    """Dalakas' IVIG patients lost their gain when switched to prednisone (or to placebo)."""
    study = _named_crossover(ev)
    s = ev.studies
    comparators = s["comparator"].astype("string").str
    to_prednisone = s[
        _flag(s["crossover"])
        & comparators.contains("prednisone", case=False, na=False)
        & ~comparators.contains("placebo", case=False, na=False)
    ]
    facts = SwitchFacts(
        study_names(study),
        str(study["comparator"].iloc[0]).lower() if len(study) == 1 else None,
        study_names(to_prednisone),
    )
    name = "improvement_lost_on_switch_to_prednisone"
    if (wrong := _not_one_crossover(name, study, facts)) is not None:
        return wrong
    sid, comparator = study["study_id"].iloc[0], str(study["comparator"].iloc[0]).lower()
    r = ev.responders
    stated = r[(r["study_id"] == sid) & (r["source"].astype("string") == "letter_table")]
    rows = _rows(_ids("studies", study), _ids("responders", stated))
    if stated.empty:
        return decide(name, NOT_TESTABLE, rows, facts, case="no_count", sid=sid)
    if "prednisone" in comparator and "placebo" not in comparator:
        return decide(name, SUPPORTED, rows, facts, case="supported", sid=sid)
    return decide(
        name,
        PARTLY,
        _rows(rows, _ids("studies", to_prednisone)),
        facts,
        case="partly",
        sid=sid,
        quote=str(stated["quote"].iloc[0]),
        elsewhere=names(_label(to_prednisone)) if not to_prednisone.empty else None,
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
    name = "half_endurance_none_in_control"
    if i is None or c is None:
        return decide(name, NOT_TESTABLE, rows, facts, case="missing")
    den = i["denominator"]
    source = str(c["source"]).replace("letter_", "")
    if pd.notna(c["numerator"]) and c["numerator"] > 0:
        return decide(name, CONTRADICTED, rows, facts, case="controls")
    if pd.notna(i["numerator"]):
        share = Fraction(int(i["numerator"]), int(den))
        verdict = SUPPORTED if share == Fraction(1, 2) else CONTRADICTED
        words = {"source": source, "i_num": i["numerator"], "percent": _percent(share)}
        return decide(name, verdict, rows, facts, case="counted", **words)
    half = Fraction(int(den), 2) if pd.notna(den) else None
    return decide(
        name,
        SUPPORTED if half is not None else PARTLY,
        rows,
        facts,
        case="stated",
        source=source,
        odd_half=f"{float(half):.1f}" if half is not None and half.denominator != 1 else None,
        subjective=(endurance["assessment"].astype("string") == "subjective").any(),
        unlisted=not _flag(endurance["listed_as_outcome"]).all(),
    )


@dataclass(frozen=True)
class UncontrolledFacts(Facts):
    n_positive: int
    n_uncontrolled: int
    without: str


@check(facts=UncontrolledFacts)
def uncontrolled_reports_positive(ev: Evidence) -> CheckResult:
    """Every case series and report reports a gain in strength, swallowing or serum values."""
    s = ev.studies
    uncontrolled = s[s["design"].astype("string").isin(["case_series", "case_report"])]
    outcomes = study_outcomes(ev, uncontrolled, STRENGTH_SWALLOWING_SERUM)
    gains = _result_is(outcomes, "improved", "subjective_improvement")
    positive = uncontrolled[uncontrolled["study_id"].isin(list(gains["study_id"]))]
    without = uncontrolled[~uncontrolled["study_id"].isin(list(gains["study_id"]))]
    facts = UncontrolledFacts(len(positive), len(uncontrolled), study_names(without))
    name = "uncontrolled_reports_positive"
    if uncontrolled.empty:
        return CheckResult(NOT_TESTABLE, reason(name, case="none"), facts=facts)
    other = study_outcomes(ev, without)
    case = SUPPORTED if without.empty else PARTLY if not positive.empty else CONTRADICTED
    return decide(
        name,
        case,
        _rows(_ids("outcomes", gains), _ids("studies", without), _ids("outcomes", other)),
        facts,
        case=case,
        n_objective=int((gains["assessment"].astype("string") == "objective").sum()),
        n_gains=len(gains),
        without=names(_label(without)),
        n_without=len(without),
        only=names(other["measure_letter"].str.lower()) if not other.empty else None,
    )


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
    facts = TimingFacts(study_names(stated), len(stated), len(s), len(unverifiable))
    return decide(
        "timing_of_responders",
        NOT_TESTABLE,
        _rows(_ids("studies", stated), _ids("source_checks", checks)),
        facts,
        labels=names(_label(stated)) if not stated.empty else None,
        sentence=stated["time_to_treatment_letter"].iloc[0] if not stated.empty else None,
        unverifiable=names(unverifiable["check_id"]) if not unverifiable.empty else None,
    )


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
    with_drugs = int(s["concomitant_treatment"].notna().sum())
    measures = ev.outcomes.groupby("measure", observed=True)["study_id"].nunique()
    common = measures[measures == n]
    top = measures.sort_values(ascending=False)
    timing = int(s["time_to_treatment_letter"].notna().sum())
    duration = int(s["disease_duration_letter"].notna().sum())
    facts = HeterogeneityFacts(n, len(doses), len(measures), len(common), with_drugs, timing)
    met = sum(
        (
            len(doses) > 1 or len(months) > 1 or varied > 0,
            0 < with_drugs < n,
            common.empty,
            timing <= n / 2 and duration <= n / 2,
        )
    )
    verdict = SUPPORTED if met == 4 else PARTLY if met else CONTRADICTED
    return decide(
        "studies_are_heterogeneous",
        NOT_TESTABLE if n < 2 else verdict,
        () if n < 2 else _rows(_ids("studies", s)),
        facts,
        n_months=len(months),
        n_varied=varied,
        n_no_dose=int(s["dose_g_per_kg_per_month"].isna().sum()),
        common=names(common.index) if not common.empty else None,
        top=top.index[0] if len(top) else None,
        n_top=int(top.iloc[0]) if len(top) else None,
        n_duration=duration,
    )


@check(facts=ObjectiveFacts)
def no_controlled_objective_benefit(ev: Evidence) -> CheckResult:
    """No controlled study reports an objective gain in strength, swallowing or function."""
    name = "no_controlled_objective_benefit"
    controlled = flagged(ev, "controlled")
    stated, trend, facts, decided = objective_results(
        ev, name, controlled, STRENGTH_SWALLOWING_FUNCTION
    )
    if decided is not None:
        return decided
    r = ev.responders
    primary = r[
        r["study_id"].isin(list(controlled["study_id"]))
        & (r["source"].astype("string") == "primary_source")
        & r["outcome_id"].isin(list(stated["outcome_id"]))
    ]
    differs = _source_checks(ev, controlled["study_id"], topic="result", verdict="differs")
    ids = (_ids("outcomes", stated), _ids("responders", primary), _ids("source_checks", differs))
    return decide(
        name,
        SUPPORTED,
        _rows(*ids),
        facts,
        trend=_describe_outcomes(trend) if not trend.empty else None,
        counts=names(primary["quote"].str.rstrip(".")) if not primary.empty else None,
        n_differs=len(differs),
        differs=names(differs["source_says"].str.rstrip(".")),
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
    facts = MarkerFacts(len(measured), len(s), len(markers), len(subgroups), len(by_marker))
    case = SUPPORTED if by_marker.empty else CONTRADICTED
    ids = [_ids("responders", by_marker)]
    if case == SUPPORTED:
        ids = [_ids("responders", subgroups), _ids("outcomes", markers)]
    return decide(
        "no_predictive_marker_reported",
        case,
        _rows(*ids),
        facts,
        case=case,
        by_marker=names(
            f"{row['responder_id']} (\u201c{row['group_letter']}\u201d)"
            for _, row in by_marker.iterrows()
        ),
        defined=names(f"\u201c{g}\u201d" for g in subgroups["group_letter"]),
    )
