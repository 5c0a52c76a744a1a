"""Checks of the letter's claims about the search and the controlled trials."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from ivigbook.analysis.appraisal import rct_readings
from ivigbook.analysis.claims.helpers import (
    MAX_LISTED,
    ObjectiveFacts,
    _all,
    _describe_outcomes,
    _flag,
    _ids,
    _label,
    _plural,
    _result_is,
    _rows,
    _source_checks,
    flagged,
    names,
    objective_results,
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


# --- the checks ----------------------------------------------------------------------------


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
        return CheckResult(
            NOT_TESTABLE,
            "The search data do not give both the number of records found and the number of "
            "studies included.",
            rows,
            facts,
        )
    gaps = (
        f"{_plural(len(missing), 'step')} of the {len(search)}-step flow "
        f"({names(missing['label'].str.lower())}) are not reported, so the selection cannot "
        "be repeated"
    )
    if n_included == len(letter):
        return CheckResult(
            SUPPORTED,
            f"The letter reports {n_found} records found and {n_included} studies included, "
            f"and Table I has {len(letter)} rows. {gaps}.",
            rows,
            facts,
        )
    return CheckResult(
        CONTRADICTED,
        f"The letter reports {n_included} studies included, but Table I has {len(letter)} rows. "
        f"{gaps}.",
        rows,
        facts,
    )


@dataclass(frozen=True)
class RctFacts(Facts):
    n_randomised: int
    n_placebo: int
    randomised: str
    unstated: str
    text_rcts: str


@check(facts=RctFacts)
def rct_count_is_two(ev: Evidence) -> CheckResult:
    """Two randomised controlled trials: counted from the randomised flag, and read both ways.

    Read from Table I's labels, the two RCTs are the studies it calls randomised; read from
    the text, they are the placebo-controlled studies minus the one the text calls "in
    vitro" (:func:`ivigbook.analysis.appraisal.rct_readings`). Where the readings name
    different trials, the letter is inconsistent and the claim is partly supported.
    """
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
    rows = _rows(_ids("studies", randomised), _ids("studies", unknown), _ids("judgements", judged))
    n_rand, n_placebo = len(randomised), len(placebo)
    facts = RctFacts(
        n_rand,
        n_placebo,
        study_names(randomised),
        study_names(unknown),
        study_names(s[s["study_id"].isin(readings["text"])]),
    )
    first = (
        f"{_plural(n_rand, 'study is', 'studies are')} described as randomised "
        f"({study_names(randomised)}) and {n_placebo} as placebo-controlled"
    )
    design = _source_checks(ev, placebo["study_id"], topic="design", verdict="adds")
    own = (
        " The studies' own reports add: " + names(design["source_says"].str.rstrip(".")) + "."
        if not design.empty
        else ""
    )
    rows = _rows(rows, _ids("source_checks", design))
    if n_rand != 2:
        return CheckResult(CONTRADICTED, f"{first}, not two.{own}", rows, facts)
    notes = []
    if readings["in_vitro"] and readings["text"] != readings["table"]:
        notes.append(
            "Read from Table I's labels, the two RCTs are "
            f"{names(by_id[i] for i in readings['table'])}. Read from the text, which calls "
            f"{names(by_id[i] for i in readings['in_vitro'])} \u201ca small in vitro "
            "study\u201d although Table I lists it as a randomised trial, they are "
            f"{names(by_id[i] for i in readings['text'])}. Both readings give two, but they "
            "name different trials, so the letter is inconsistent with itself"
        )
    if not unknown.empty:
        notes.append(
            f"Table I also lists {names(_label(unknown))} as double blind and "
            "placebo-controlled without saying whether it was randomised: the trial evidence "
            f"is {n_placebo} placebo-controlled studies, not two"
        )
    if not notes:
        return CheckResult(SUPPORTED, f"{first}.{own}", rows, facts)
    return CheckResult(PARTLY, f"{first}. " + ". ".join(notes) + f".{own}", rows, facts)


@check(facts=ObjectiveFacts)
def no_objective_effect_in_trials(ev: Evidence) -> CheckResult:
    """No randomised or placebo-controlled trial improves an objective strength, swallowing
    or EMG outcome."""
    found = objective_results(
        ev,
        trials(ev),
        STRENGTH_SWALLOWING_EMG,
        "No study in the data is a controlled trial.",
        "No randomised or placebo-controlled trial reports a result for an objective "
        "strength, swallowing or EMG measure.",
        lambda gains: (
            f"{_plural(len(gains), 'objective outcome')} improved in a trial: "
            f"{_describe_outcomes(gains)}."
        ),
    )
    if found.decided is not None:
        return found.decided
    t, stated, trend = found.cohort, found.stated, found.trend
    blanket = stated[stated["result_basis"].astype("string") == "blanket"]
    other = _result_is(study_outcomes(ev, t, assessment="objective"), "not_clinically_relevant")
    differs = _source_checks(ev, t["study_id"], topic="result", verdict="differs")
    notes = []
    if not trend.empty:
        notes.append(_describe_outcomes(trend))
    if not other.empty:
        notes.append(_describe_outcomes(other))
    reason = (
        f"None of the {len(stated)} objective strength, swallowing or EMG results of the "
        f"{len(t)} randomised or placebo-controlled trials is an improvement"
    )
    reason += f"; the letter reports {names(notes)}." if notes else "."
    if not blanket.empty:
        reason += (
            f" {_plural(len(blanket), 'of these results comes', 'of these results come')} "
            "from a blanket statement, not a result stated for the measure."
        )
    if not differs.empty:
        reason += (
            " A checked primary source differs from the letter's result: "
            f"{names(differs['source_says'])}"
        )
    return CheckResult(
        SUPPORTED,
        reason.strip(),
        _rows(_ids("outcomes", stated), _ids("outcomes", other), _ids("source_checks", differs)),
        found.facts,
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
    if randomised.empty:
        return CheckResult(NOT_TESTABLE, "No study is flagged randomised.", facts=facts)
    if stated.empty:
        return CheckResult(
            NOT_TESTABLE,
            "No randomised trial reports a strength, swallowing or serum result.",
            _rows(_ids("studies", randomised)),
            facts,
        )
    if not effects.empty:
        return CheckResult(
            CONTRADICTED,
            f"A randomised trial reports an effect: {_describe_outcomes(effects)}.",
            _rows(_ids("outcomes", effects)),
            facts,
        )
    trend = _result_is(stated, "trend")
    blanket = stated[stated["result_basis"].astype("string") == "blanket"]
    base = (
        f"The {_plural(len(randomised), 'randomised trial')} report no improvement in any of "
        f"their {_plural(len(stated), 'strength, swallowing or serum result')}"
    )
    notes = []
    if not trend.empty:
        notes.append(f"the letter itself reports {_describe_outcomes(trend)}")
    for _, row in improvers.head(MAX_LISTED).iterrows():
        notes.append(
            f"{str(row['stated_as']).lower()} of {row['denominator']} patients improved on the "
            "same measure "
            f"({row['responder_id']}: \u201c{row['quote']}\u201d)"
        )
    if len(improvers) > MAX_LISTED:
        notes.append(
            f"{_plural(len(improvers) - MAX_LISTED, 'more responder statement')} of the same kind"
        )
    if missing:
        notes.append(f"no randomised trial measured {names(missing)}, so that part is untested")
    if not blanket.empty:
        notes.append(
            f"{_plural(len(blanket), 'result')} ({names(blanket['outcome_id'])}) rest only on "
            "a blanket statement"
        )
    rows = _rows(
        _ids("outcomes", stated), _ids("responders", improvers), _ids("studies", randomised)
    )
    if trend.empty and improvers.empty and not missing:
        return CheckResult(SUPPORTED, base + ".", rows, facts)
    return CheckResult(PARTLY, f"{base}, but {'; '.join(notes)}.", rows, facts)


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
    facts = SubjectiveFacts(
        len(placebo),
        len(effects),
        len(effects) - len(objective),
        len(symptoms),
        names(other["measure_letter"]),
        study_names(placebo),
        names(size["source_says"].str.rstrip("."))
        if not size.empty
        else "No checked source words the size of its effect",
    )
    if placebo.empty:
        return CheckResult(NOT_TESTABLE, "No study is flagged placebo-controlled.", facts=facts)
    if effects.empty:
        return CheckResult(
            CONTRADICTED,
            f"None of the {len(placebo)} placebo-controlled trials reports any effect, "
            "subjective or not.",
            _rows(_ids("studies", placebo)),
            facts,
        )
    rows = _rows(_ids("outcomes", effects))
    if not objective.empty:
        return CheckResult(
            CONTRADICTED,
            "A placebo-controlled trial reports an effect that is not subjective: "
            f"{_describe_outcomes(objective)}.",
            rows,
            facts,
        )
    base = (
        f"{_all(len(effects))} {'effect' if len(effects) == 1 else 'effects'} the "
        f"{_plural(len(placebo), 'placebo-controlled trial')} report"
        f"{'s' if len(placebo) == 1 else ''} "
        f"{'is' if len(effects) == 1 else 'are'} patient-reported ({_describe_outcomes(effects)})"
    )
    sized = (
        " The study's own report words the size differently: "
        + names(size["source_says"].str.rstrip("."))
        + "."
        if not size.empty
        else ""
    )
    rows = _rows(rows, _ids("source_checks", size))
    if other.empty:
        return CheckResult(SUPPORTED, base + "." + sized, rows, facts)
    return CheckResult(
        PARTLY,
        f"{base}; but not all are on a symptom score: "
        f"{names(other['measure_letter'])} is also reported"
        + (f", besides {names(symptoms['measure_letter'])}." if not symptoms.empty else "."),
        rows,
        facts,
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
    facts = NecrosisFacts(
        len(changed),
        len(clinical) - len(subjective_gain),
        len(objective_gain),
        len(subjective_gain),
        study_names(same),
    )
    if changed.empty:
        if _result_is(histology, "no_effect", "trend").empty:
            return CheckResult(
                NOT_TESTABLE,
                "No randomised or placebo-controlled trial reports a biopsy result.",
                _rows(_ids("outcomes", histology)),
                facts,
            )
        return CheckResult(
            CONTRADICTED,
            "Trials that took repeat biopsies report no change in necrotic fibres: "
            f"{_describe_outcomes(histology)}.",
            _rows(_ids("outcomes", histology)),
            facts,
        )
    rows = _rows(_ids("outcomes", changed), _ids("outcomes", clinical))
    base = (
        f"{names(_label(same))} reports {_describe_outcomes(changed)}, and "
        f"none of the {len(clinical) - len(subjective_gain)} measured clinical outcomes of the "
        "same trial improved"
    )
    if not objective_gain.empty:
        return CheckResult(
            CONTRADICTED,
            f"The same trial reports an objective clinical improvement: "
            f"{_describe_outcomes(objective_gain)}.",
            rows,
            facts,
        )
    if subjective_gain.empty:
        return CheckResult(SUPPORTED, base + ".", rows, facts)
    blanket = clinical[clinical["result_basis"].astype("string") == "blanket"]
    extra = (
        f" The strength results ({names(blanket['outcome_id'])}) come only from the caption's "
        "blanket statement."
        if not blanket.empty
        else ""
    )
    return CheckResult(
        PARTLY,
        f"{base}; but the same trial reports a patient-reported gain "
        f"({names(subjective_gain['quote'].map(lambda q: chr(8220) + q + chr(8221)))}), "
        f"so \u201cno clinical correlation\u201d holds only for measured outcomes.{extra}",
        rows,
        facts,
    )
