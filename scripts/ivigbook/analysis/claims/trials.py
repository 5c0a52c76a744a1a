"""Checks of the letter's claims about the search and the controlled trials."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from ivigbook.analysis.appraisal import rct_readings
from ivigbook.analysis.claims.helpers import (
    MAX_LISTED,
    ObjectiveFacts,
    _describe_outcomes,
    _flag,
    _ids,
    _label,
    _result_is,
    _rows,
    _source_checks,
    decide,
    first_case,
    flagged,
    names,
    objective_results,
    reason,
    stated_results,
    study_names,
    study_outcomes,
    trials,
)
from ivigbook.analysis.claims.registry import (
    STRENGTH_SWALLOWING_EMG,
    STRENGTH_SWALLOWING_FUNCTION,
    STRENGTH_SWALLOWING_SERUM,
    CheckResult,
    Facts,
    check,
)
from ivigbook.analysis.vocabulary import CONTRADICTED, NOT_TESTABLE, PARTLY, SUPPORTED

if TYPE_CHECKING:
    from ivigbook.data.load import Evidence


@dataclass(frozen=True)
class SearchFacts(Facts):
    n_found: int | None
    n_included: int | None
    n_table: int
    n_unreported: int
    n_steps: int


@check(facts=SearchFacts)
def search_counts_match(ev: Evidence) -> CheckResult:
    """The search counts are reported and the included count matches Table I's rows."""
    search = ev.search.sort_values("step_order")
    reported = _flag(search["reported"])
    counted = search[reported & search["count"].notna()]
    identified = counted[counted["stage"].astype("string") == "identification"]
    included = counted[counted["stage"].astype("string") == "included"]
    missing = search[~reported]
    letter = ev.studies[ev.studies["included_by"].astype("string") == "letter"]
    rows = _rows(_ids("search", identified), _ids("search", included), _ids("search", missing))
    n_found = int(identified["count"].iloc[0]) if not identified.empty else None
    n_included = int(included["count"].iloc[-1]) if not included.empty else None
    facts = SearchFacts(n_found, n_included, len(letter), len(missing), len(search))
    if n_found is None or n_included is None:
        verdict, case = NOT_TESTABLE, "untestable"
    else:
        verdict, case = (SUPPORTED, "match") if n_included == len(letter) else (CONTRADICTED, "")
    missing_words = names(missing["label"].str.lower())
    return decide("search_counts_match", verdict, rows, facts, case=case, missing=missing_words)


@dataclass(frozen=True)
class RctFacts(Facts):
    n_randomised: int
    n_placebo: int
    randomised: str
    unstated: str
    text_rcts: str


@check(facts=RctFacts)
def rct_count_is_two(ev: Evidence) -> CheckResult:
    """Two randomised controlled trials: counted, and read both ways (``rct_readings``)."""
    s = ev.studies
    randomised = flagged(ev, "randomised")
    placebo = flagged(ev, "placebo_controlled")
    unknown = placebo[placebo["randomised"].isna()]
    readings = rct_readings(ev)
    by_id = dict(zip(s["study_id"].astype(str), _label(s), strict=True))
    j = ev.judgements
    judged = j[
        j["record_id"].isin(list(unknown["study_id"]) + readings["in_vitro"])
        & j["field"].str.contains("randomised|study type", regex=True).fillna(False).astype(bool)
    ]
    design = _source_checks(ev, placebo["study_id"], topic="design", verdict="adds")
    rows = _rows(
        _ids("studies", randomised),
        _ids("studies", unknown),
        _ids("judgements", judged),
        _ids("source_checks", design),
    )
    facts = RctFacts(
        len(randomised),
        len(placebo),
        study_names(randomised),
        study_names(unknown),
        study_names(s[s["study_id"].isin(readings["text"])]),
    )
    two = len(randomised) == 2
    inconsistent = two and bool(readings["in_vitro"]) and readings["text"] != readings["table"]
    unstated = two and not unknown.empty
    return decide(
        "rct_count_is_two",
        CONTRADICTED if not two else PARTLY if inconsistent or unstated else SUPPORTED,
        rows,
        facts,
        case="" if two else "count",
        own=names(design["source_says"].str.rstrip(".")) if not design.empty else None,
        **{k: names(by_id[i] for i in readings[k]) if inconsistent else None for k in readings},
        unknown=names(_label(unknown)) if unstated else None,
    )


@check(facts=ObjectiveFacts)
def no_objective_effect_in_trials(ev: Evidence) -> CheckResult:
    """No randomised or placebo-controlled trial improves an objective strength, swallowing
    or EMG outcome."""
    name = "no_objective_effect_in_trials"
    t = trials(ev)
    stated, trend, facts, decided = objective_results(ev, name, t, STRENGTH_SWALLOWING_EMG)
    if decided is not None:
        return decided
    blanket = stated[stated["result_basis"].astype("string") == "blanket"]
    other = _result_is(study_outcomes(ev, t, assessment="objective"), "not_clinically_relevant")
    differs = _source_checks(ev, t["study_id"], topic="result", verdict="differs")
    notes = [_describe_outcomes(frame) for frame in (trend, other) if not frame.empty]
    ids = (_ids("outcomes", stated), _ids("outcomes", other), _ids("source_checks", differs))
    return decide(
        name,
        SUPPORTED,
        _rows(*ids),
        facts,
        notes=names(notes) if notes else None,
        n_blanket=len(blanket),
        differs=names(differs["source_says"].str.rstrip(".")) if not differs.empty else None,
    )


@dataclass(frozen=True)
class RandomisedFacts(Facts):
    n_randomised: int
    n_results: int
    n_effects: int
    improved_patients: str
    untested: str


@check(facts=RandomisedFacts)
def no_effect_in_trials_on_strength_swallowing_serum(ev: Evidence) -> CheckResult:
    """No randomised trial reports any effect on strength, swallowing or serum values."""
    randomised = flagged(ev, "randomised")
    stated = stated_results(study_outcomes(ev, randomised, STRENGTH_SWALLOWING_SERUM))
    effects = _result_is(stated, "improved", "subjective_improvement")
    r = ev.responders
    improvers = r[
        r["outcome_id"].isin(list(stated["outcome_id"]))
        & r["group"].astype("string").isin(["ivig", "subgroup"])
        & r["source"].astype("string").str.startswith("letter")
        & (r["numerator"].fillna(0) > 0)
    ]
    missing = [d for d in STRENGTH_SWALLOWING_SERUM if d not in set(stated["domain"].astype(str))]
    facts = RandomisedFacts(
        len(randomised),
        len(stated),
        len(effects),
        names(
            f"{str(row['stated_as']).lower()} of {row['denominator']} patients"
            for _, row in improvers.iterrows()
        ),
        names(missing),
    )
    trend = _result_is(stated, "trend")
    blanket = stated[stated["result_basis"].astype("string") == "blanket"]
    rows = _rows(
        _ids("outcomes", stated), _ids("responders", improvers), _ids("studies", randomised)
    )
    case, verdict, rows = first_case(
        {
            "no_trial": (randomised.empty, NOT_TESTABLE, ()),
            "no_result": (stated.empty, NOT_TESTABLE, _rows(_ids("studies", randomised))),
            "effect": (not effects.empty, CONTRADICTED, _rows(_ids("outcomes", effects))),
            "supported": (trend.empty and improvers.empty and not missing, SUPPORTED, rows),
            "partly": (True, PARTLY, rows),
        }
    )
    return decide(
        "no_effect_in_trials_on_strength_swallowing_serum",
        verdict,
        rows,
        facts,
        case=case,
        effects=_describe_outcomes(effects),
        trend=_describe_outcomes(trend) if not trend.empty else None,
        improvers=[
            {
                "stated": str(row["stated_as"]).lower(),
                "den": row["denominator"],
                "id": row["responder_id"],
                "quote": row["quote"],
            }
            for _, row in improvers.head(MAX_LISTED).iterrows()
        ],
        n_more=max(len(improvers) - MAX_LISTED, 0),
        missing=names(missing) if missing else None,
        n_blanket=len(blanket),
        blanket=names(blanket["outcome_id"]),
    )


@dataclass(frozen=True)
class SubjectiveFacts(Facts):
    n_placebo: int
    n_effects: int
    n_subjective: int
    n_symptom_score: int
    others: str
    trial: str
    size_checked: str


@check(facts=SubjectiveFacts)
def only_subjective_effects_in_trials(ev: Evidence) -> CheckResult:
    """Every effect a placebo-controlled trial reports is subjective, on a symptom score."""
    placebo = flagged(ev, "placebo_controlled")
    effects = _result_is(study_outcomes(ev, placebo), "improved", "subjective_improvement")
    objective = effects[effects["assessment"].astype("string") != "subjective"]
    symptoms = effects[effects["domain"].astype("string") == "symptoms"]
    other = effects[effects["domain"].astype("string") != "symptoms"]
    size = _source_checks(ev, placebo["study_id"], topic="effect_size")
    sized = names(size["source_says"].str.rstrip(".")) if not size.empty else None
    facts = SubjectiveFacts(
        len(placebo),
        len(effects),
        len(effects) - len(objective),
        len(symptoms),
        names(other["measure_letter"]),
        study_names(placebo),
        sized or reason("no_size_checked"),
    )
    with_size = _rows(_ids("outcomes", effects), _ids("source_checks", size))
    case, verdict, rows = first_case(
        {
            "no_trial": (placebo.empty, NOT_TESTABLE, ()),
            "no_effect": (effects.empty, CONTRADICTED, _rows(_ids("studies", placebo))),
            "objective": (not objective.empty, CONTRADICTED, _rows(_ids("outcomes", effects))),
            "supported": (other.empty, SUPPORTED, with_size),
            "partly": (True, PARTLY, with_size),
        }
    )
    return decide(
        "only_subjective_effects_in_trials",
        verdict,
        rows,
        facts,
        case=case,
        effects=_describe_outcomes(objective if case == "objective" else effects),
        sized=sized,
        other=names(other["measure_letter"]),
        symptoms=names(symptoms["measure_letter"]) if not symptoms.empty else None,
    )


@dataclass(frozen=True)
class NecrosisFacts(Facts):
    n_changed: int
    n_measured: int
    n_improved: int
    n_reported: int
    trial: str


@check(facts=NecrosisFacts)
def necrosis_without_clinical_effect(ev: Evidence) -> CheckResult:
    """A trial reports a histological change with IVIG and no clinical effect."""
    t = trials(ev)
    histology = study_outcomes(ev, t, ["histology"])
    changed = _result_is(histology, "improved", "not_clinically_relevant")
    # The trial the claim is about: the one with the change, else those that took biopsies.
    same = t[t["study_id"].isin(list((histology if changed.empty else changed)["study_id"]))]
    clinical = study_outcomes(ev, same, STRENGTH_SWALLOWING_FUNCTION)
    objective_gain = _result_is(
        clinical[clinical["assessment"].astype("string") == "objective"], "improved"
    )
    subjective_gain = _result_is(clinical, "subjective_improvement", "improved")
    subjective_gain = subjective_gain[subjective_gain["assessment"].astype("string") != "objective"]
    n_measured = len(clinical) - len(subjective_gain)
    facts = NecrosisFacts(
        len(changed), n_measured, len(objective_gain), len(subjective_gain), study_names(same)
    )
    rows = _rows(_ids("outcomes", changed), _ids("outcomes", clinical))
    biopsies = _rows(_ids("outcomes", histology))
    case, verdict, rows = first_case(
        {
            "no_biopsy": (
                changed.empty and _result_is(histology, "no_effect", "trend").empty,
                NOT_TESTABLE,
                biopsies,
            ),
            "no_change": (changed.empty, CONTRADICTED, biopsies),
            "objective": (not objective_gain.empty, CONTRADICTED, rows),
            "supported": (subjective_gain.empty, SUPPORTED, rows),
            "partly": (True, PARTLY, rows),
        }
    )
    blanket = clinical[clinical["result_basis"].astype("string") == "blanket"]
    return decide(
        "necrosis_without_clinical_effect",
        verdict,
        rows,
        facts,
        case=case,
        described=_describe_outcomes(objective_gain if case == "objective" else histology),
        trial=names(_label(same)),
        changed=_describe_outcomes(changed),
        quotes=names(f"\u201c{q}\u201d" for q in subjective_gain["quote"]),
        blanket=names(blanket["outcome_id"]) if not blanket.empty else None,
    )
