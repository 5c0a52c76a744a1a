"""The letter's claims, checked against the data.

Each row of ``claims.csv`` names a check: a function registered here with :func:`check` in
:data:`CHECKS`. A check takes the loaded :class:`~ivigbook.load.Evidence` and returns a
:class:`CheckResult`: a verdict (one of :data:`VERDICTS`), a plain-language reason whose
counts are computed from the data, and the rows that decide it (``"table:row_id"``).

Checks are general over the data: they scan every study by its design flags and every
outcome by its domain, assessment and result, so adding a study can change a verdict.
Only a claim about one named study (the caption's "cross-over study by Dalakas et al.")
looks that study up, by first author, design and its place in the letter's Table I.

Verdicts are computed at build time, never stored::

    from ivigbook import claims
    claims.evaluate(ev)                      # one row per claim
    claims.chapter_verdicts(ev, "trials")    # display-ready, for one chapter

Importing this module is cheap and does not import :mod:`ivigbook.load` (the validator
imports :data:`CHECKS` while loading).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from fractions import Fraction
from typing import TYPE_CHECKING

import pandas as pd

if TYPE_CHECKING:
    from ivigbook.load import Evidence

__all__ = [
    "CHECKS",
    "VERDICTS",
    "CheckResult",
    "chapter_verdicts",
    "check",
    "evaluate",
    "names",
    "verdict_counts",
]

SUPPORTED = "supported"
PARTLY = "partly supported"
CONTRADICTED = "contradicted"
NOT_TESTABLE = "not testable"
#: The verdicts, in display order.
VERDICTS = (SUPPORTED, PARTLY, CONTRADICTED, NOT_TESTABLE)

#: Primary key of each resource, used to name deciding rows ("studies:dalakas1997").
KEYS = {
    "studies": "study_id",
    "outcomes": "outcome_id",
    "responders": "responder_id",
    "search": "step_id",
    "source_checks": "check_id",
    "judgements": "judgement_id",
    "claims": "claim_id",
}

#: Domains of the clinical outcomes the letter's claims are about.
STRENGTH_SWALLOWING_EMG = ("strength", "swallowing", "electrophysiology")
STRENGTH_SWALLOWING_SERUM = ("strength", "swallowing", "serum")
STRENGTH_SWALLOWING_FUNCTION = ("strength", "swallowing", "function")
#: Domains whose measures are markers (serum values, biopsy findings).
MARKER_DOMAINS = ("serum", "histology")
#: Words that would mark a responder group as defined by a marker rather than by treatment.
MARKER_WORDS = ("marker", "antibod", "anti-", "predict", "biopsy", "serum", " ck")


@dataclass(frozen=True)
class CheckResult:
    """What a check decides: verdict, reason (plain language) and the deciding rows."""

    verdict: str
    reason: str
    deciding_rows: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        if self.verdict not in VERDICTS:
            msg = f"verdict must be one of {VERDICTS}, not {self.verdict!r}"
            raise ValueError(msg)


Check = Callable[["Evidence"], CheckResult]
#: check name (as in claims.csv) -> function
CHECKS: dict[str, Check] = {}


def check(func: Check) -> Check:
    """Register a check under its function name."""
    if func.__name__ in CHECKS:
        msg = f"check {func.__name__!r} registered twice"
        raise ValueError(msg)
    CHECKS[func.__name__] = func
    return func


# --- helpers -------------------------------------------------------------------------------


def _flag(series: pd.Series) -> pd.Series:
    """A nullable boolean column as plain booleans, missing counted as false."""
    return series.astype("boolean").fillna(False).astype(bool)


def _ids(table: str, frame: pd.DataFrame) -> list[str]:
    return [f"{table}:{value}" for value in frame[KEYS[table]]]


def _rows(*groups: Iterable[str]) -> tuple[str, ...]:
    """Deciding rows, de-duplicated, first occurrence kept."""
    seen: dict[str, None] = {}
    for group in groups:
        for item in group:
            seen.setdefault(item, None)
    return tuple(seen)


#: Longest list a reason or table cell spells out; beyond it the rest is counted, so that a
#: ledger over hundreds of studies stays readable (and typesets in the PDF).
MAX_LISTED = 8


def names(values: Iterable[object], limit: int = MAX_LISTED) -> str:
    """'a', 'a and b', 'a, b and c'; past ``limit`` items, 'a, b, … and 12 more'."""
    items = [str(v) for v in values]
    if not items:
        return "none"
    if len(items) == 1:
        return items[0]
    if len(items) > limit:
        return ", ".join(items[:limit]) + f" and {len(items) - limit} more"
    return ", ".join(items[:-1]) + " and " + items[-1]


def shorten_rows(joined: str, limit: int = MAX_LISTED) -> str:
    """A "; "-joined list of deciding rows, cut to ``limit`` items with the rest counted."""
    items = [item for item in str(joined).split("; ") if item]
    if len(items) <= limit:
        return "; ".join(items)
    return "; ".join(items[:limit]) + f"; and {len(items) - limit} more"


def _plural(n: int, one: str, many: str | None = None) -> str:
    return f"{n} {one if n == 1 else (many or one + 's')}"


def _label(studies: pd.DataFrame) -> list[str]:
    """How a study is named in reasons: first author, year or letter reference, id."""
    labels = []
    for _, s in studies.iterrows():
        when = f" {s['year']}" if not pd.isna(s["year"]) else ""
        ref = f", ref. {s['letter_ref']}" if not pd.isna(s["letter_ref"]) else ""
        labels.append(f"{s['first_author']}{when} ({s['study_id']}{ref})")
    return labels


def trials(ev: Evidence) -> pd.DataFrame:
    """Studies flagged randomised or placebo-controlled."""
    s = ev.studies
    return s[_flag(s["randomised"]) | _flag(s["placebo_controlled"])]


def study_outcomes(
    ev: Evidence,
    studies: pd.DataFrame,
    domains: Iterable[str] | None = None,
    assessment: str | None = None,
) -> pd.DataFrame:
    """The outcomes of the given studies, optionally limited by domain and assessment."""
    o = ev.outcomes
    keep = o["study_id"].isin(list(studies["study_id"]))
    if domains is not None:
        keep &= o["domain"].astype("string").isin(list(domains))
    if assessment is not None:
        keep &= o["assessment"].astype("string") == assessment
    return o[keep.astype(bool)]


def _result_is(outcomes: pd.DataFrame, *results: str) -> pd.DataFrame:
    return outcomes[outcomes["result"].astype("string").isin(list(results)).astype(bool)]


def _source_checks(ev: Evidence, study_ids: Iterable[str], **where: str) -> pd.DataFrame:
    sc = ev.source_checks
    keep = sc["study_id"].isin(list(study_ids))
    for column, value in where.items():
        keep &= sc[column].astype("string") == value
    return sc[keep.astype(bool)]


#: Results in plain words, for reasons.
RESULT_WORDS = {
    "no_effect": "no effect",
    "trend": "a non-significant trend",
    "improved": "improved",
    "subjective_improvement": "a subjective improvement",
    "not_clinically_relevant": "a change without clinical relevance",
    "not_reported": "not reported",
}


def _describe_outcomes(outcomes: pd.DataFrame) -> str:
    """'MMT in dalakas1997: a non-significant trend', for each outcome row."""
    return names(
        f"{row['measure_letter']} in {row['study_id']}: {RESULT_WORDS[str(row['result'])]}"
        for _, row in outcomes.iterrows()
    )


def _all(n: int) -> str:
    return {1: "The one", 2: "Both"}.get(n, f"All {n}")


def _percent(fraction: Fraction | float) -> str:
    return f"{float(fraction):.1%}"


_STATED_PERCENT = re.compile(r"(\d+(?:\.\d+)?)\s*%")


# --- the checks ----------------------------------------------------------------------------


@check
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
    if identified.empty or included.empty:
        return CheckResult(
            NOT_TESTABLE,
            "The search data do not give both the number of records found and the number of "
            "studies included.",
            rows,
        )
    n_found = int(identified["count"].iloc[0])
    n_included = int(included["count"].iloc[-1])
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
        )
    return CheckResult(
        CONTRADICTED,
        f"The letter reports {n_included} studies included, but Table I has {len(letter)} rows. "
        f"{gaps}.",
        rows,
    )


@check
def rct_count_is_two(ev: Evidence) -> CheckResult:
    """Two randomised controlled trials, counted from the randomised flag."""
    s = ev.studies
    randomised = s[_flag(s["randomised"])]
    placebo = s[_flag(s["placebo_controlled"])]
    unknown = placebo[placebo["randomised"].isna()]
    j = ev.judgements
    judged = j[
        j["record_id"].isin(list(unknown["study_id"]))
        & j["field"].str.contains("randomised", regex=False).fillna(False).astype(bool)
    ]
    rows = _rows(_ids("studies", randomised), _ids("studies", unknown), _ids("judgements", judged))
    n_rand, n_placebo = len(randomised), len(placebo)
    first = (
        f"{_plural(n_rand, 'study is', 'studies are')} described as randomised "
        f"({names(_label(randomised))}) and {n_placebo} as placebo-controlled"
    )
    if n_rand != 2:
        return CheckResult(CONTRADICTED, f"{first}, not two.", rows)
    if unknown.empty:
        return CheckResult(SUPPORTED, f"{first}.", rows)
    return CheckResult(
        PARTLY,
        f"{first}. Table I also lists {names(_label(unknown))} as double blind and "
        "placebo-controlled without saying whether it was randomised, so the count of two "
        "rests on the letter's wording: the trial evidence is "
        f"{n_placebo} placebo-controlled studies, not two.",
        rows,
    )


@check
def no_objective_effect_in_trials(ev: Evidence) -> CheckResult:
    """No randomised or placebo-controlled trial improves an objective strength, swallowing
    or EMG outcome."""
    t = trials(ev)
    if t.empty:
        return CheckResult(NOT_TESTABLE, "No study is flagged randomised or placebo-controlled.")
    objective = study_outcomes(ev, t, STRENGTH_SWALLOWING_EMG, "objective")
    stated = objective[objective["result"].astype("string") != "not_reported"]
    if stated.empty:
        return CheckResult(
            NOT_TESTABLE,
            "No randomised or placebo-controlled trial reports a result for an objective "
            "strength, swallowing or EMG measure.",
            _rows(_ids("studies", t)),
        )
    improved = _result_is(stated, "improved")
    if not improved.empty:
        return CheckResult(
            CONTRADICTED,
            f"{_plural(len(improved), 'objective outcome')} improved in a trial: "
            f"{_describe_outcomes(improved)}.",
            _rows(_ids("outcomes", improved)),
        )
    trend = _result_is(stated, "trend")
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
    )


@check
def no_effect_in_trials_on_strength_swallowing_serum(ev: Evidence) -> CheckResult:
    """No randomised trial reports any effect on strength, swallowing or serum values."""
    s = ev.studies
    randomised = s[_flag(s["randomised"])]
    if randomised.empty:
        return CheckResult(NOT_TESTABLE, "No study is flagged randomised.")
    outcomes = study_outcomes(ev, randomised, STRENGTH_SWALLOWING_SERUM)
    stated = outcomes[outcomes["result"].astype("string") != "not_reported"]
    if stated.empty:
        return CheckResult(
            NOT_TESTABLE,
            "No randomised trial reports a strength, swallowing or serum result.",
            _rows(_ids("studies", randomised)),
        )
    effects = _result_is(stated, "improved", "subjective_improvement")
    if not effects.empty:
        return CheckResult(
            CONTRADICTED,
            f"A randomised trial reports an effect: {_describe_outcomes(effects)}.",
            _rows(_ids("outcomes", effects)),
        )
    trend = _result_is(stated, "trend")
    r = ev.responders
    improvers = r[
        r["outcome_id"].isin(list(stated["outcome_id"]))
        & r["group"].astype("string").isin(["ivig", "subgroup"])
        & r["source"].astype("string").str.startswith("letter")
        & (r["numerator"].fillna(0) > 0)
    ]
    missing = [d for d in STRENGTH_SWALLOWING_SERUM if d not in set(stated["domain"].astype(str))]
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
        return CheckResult(SUPPORTED, base + ".", rows)
    return CheckResult(PARTLY, f"{base}, but {'; '.join(notes)}.", rows)


@check
def only_subjective_effects_in_trials(ev: Evidence) -> CheckResult:
    """Every effect a placebo-controlled trial reports is subjective, on a symptom score."""
    s = ev.studies
    placebo = s[_flag(s["placebo_controlled"])]
    if placebo.empty:
        return CheckResult(NOT_TESTABLE, "No study is flagged placebo-controlled.")
    outcomes = study_outcomes(ev, placebo)
    effects = _result_is(outcomes, "improved", "subjective_improvement")
    if effects.empty:
        return CheckResult(
            CONTRADICTED,
            f"None of the {len(placebo)} placebo-controlled trials reports any effect, "
            "subjective or not.",
            _rows(_ids("studies", placebo)),
        )
    objective = effects[effects["assessment"].astype("string") != "subjective"]
    rows = _rows(_ids("outcomes", effects))
    if not objective.empty:
        return CheckResult(
            CONTRADICTED,
            "A placebo-controlled trial reports an effect that is not subjective: "
            f"{_describe_outcomes(objective)}.",
            rows,
        )
    symptoms = effects[effects["domain"].astype("string") == "symptoms"]
    other = effects[effects["domain"].astype("string") != "symptoms"]
    base = (
        f"{_all(len(effects))} {'effect' if len(effects) == 1 else 'effects'} the "
        f"{len(placebo)} placebo-controlled trials report "
        f"{'is' if len(effects) == 1 else 'are'} patient-reported ({_describe_outcomes(effects)})"
    )
    if other.empty:
        return CheckResult(SUPPORTED, base + ".", rows)
    return CheckResult(
        PARTLY,
        f"{base}; but not all are on a symptom score: "
        f"{names(other['measure_letter'])} is also reported"
        + (f", besides {names(symptoms['measure_letter'])}." if not symptoms.empty else "."),
        rows,
    )


@check
def necrosis_without_clinical_effect(ev: Evidence) -> CheckResult:
    """A trial reports a histological change with IVIG and no clinical effect."""
    t = trials(ev)
    histology = study_outcomes(ev, t, ["histology"])
    changed = _result_is(histology, "improved", "not_clinically_relevant")
    if changed.empty:
        if _result_is(histology, "no_effect", "trend").empty:
            return CheckResult(
                NOT_TESTABLE,
                "No randomised or placebo-controlled trial reports a biopsy result.",
                _rows(_ids("outcomes", histology)),
            )
        return CheckResult(
            CONTRADICTED,
            "Trials that took repeat biopsies report no change in necrotic fibres: "
            f"{_describe_outcomes(histology)}.",
            _rows(_ids("outcomes", histology)),
        )
    same = t[t["study_id"].isin(list(changed["study_id"]))]
    clinical = study_outcomes(ev, same, STRENGTH_SWALLOWING_FUNCTION)
    objective_gain = _result_is(
        clinical[clinical["assessment"].astype("string") == "objective"], "improved"
    )
    subjective_gain = _result_is(clinical, "subjective_improvement", "improved")
    subjective_gain = subjective_gain[subjective_gain["assessment"].astype("string") != "objective"]
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
        )
    if subjective_gain.empty:
        return CheckResult(SUPPORTED, base + ".", rows)
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
    )


def _named_crossover(ev: Evidence) -> pd.DataFrame:
    """The caption's "cross-over study by Dalakas et al.": first author Dalakas, crossover,
    one of the letter's references."""
    s = ev.studies
    return s[
        (s["first_author"].astype("string") == "Dalakas")
        & _flag(s["crossover"])
        & s["letter_ref"].notna()
    ]


@check
def one_third_of_crossover_improved(ev: Evidence) -> CheckResult:
    """'One third' of the Dalakas cross-over study, against the counts the data hold."""
    study = _named_crossover(ev)
    if len(study) != 1:
        return CheckResult(
            NOT_TESTABLE,
            f"{_plural(len(study), 'study matches', 'studies match')} the caption's "
            "\u201ccross-over study by Dalakas et al.\u201d (one is needed).",
            _rows(_ids("studies", study)),
        )
    sid = study["study_id"].iloc[0]
    r = ev.responders[ev.responders["study_id"] == sid]
    source = r["source"].astype("string")
    counted = r[(source == "letter_table") & r["numerator"].notna() & r["denominator"].notna()]
    caption = r[(source == "letter_caption")]
    primary = r[source == "primary_source"]
    rows = _rows(_ids("studies", study), _ids("responders", counted), _ids("responders", caption))
    if counted.empty:
        return CheckResult(
            NOT_TESTABLE,
            f"Table I gives no count of improved patients for {sid}, so \u201cone third\u201d "
            "cannot be compared with anything.",
            rows,
        )
    row = counted.iloc[0]
    num, den = int(row["numerator"]), int(row["denominator"])
    share = Fraction(num, den)
    third = Fraction(den, 3)
    reason = (
        f"Table I says {row['stated_as'].lower()} of {den} patients improved "
        f"({num}/{den} = {_percent(share)}); one third of {den} is {float(third):.2f} patients "
        f"({_percent(Fraction(1, 3))})"
    )
    for _, p in primary.iterrows():
        stated = _STATED_PERCENT.search(str(p["stated_as"]))
        if stated:
            reason += (
                f"; the study's own abstract calls its {p['numerator']} of {p['denominator']} "
                f"{stated.group(1)}%"
            )
    rows = _rows(rows, _ids("responders", primary))
    if share == Fraction(1, 3):
        return CheckResult(SUPPORTED, reason + ".", rows)
    if round(third) == num:
        return CheckResult(
            PARTLY,
            reason + ". \u201cOne third\u201d is a rounding of the table's own count (the "
            "nearest whole number to a third), not an exact share, and the study's own figure "
            "is lower.",
            rows,
        )
    return CheckResult(CONTRADICTED, reason + ", which is not about a third.", rows)


@check
def improvement_lost_on_switch_to_prednisone(ev: Evidence) -> CheckResult:
    """The letter's text says Dalakas' IVIG patients lost their gain when switched to
    prednisone alone; its Table I says the cross-over was to placebo."""
    study = _named_crossover(ev)
    if len(study) != 1:
        return CheckResult(
            NOT_TESTABLE,
            f"{_plural(len(study), 'study matches', 'studies match')} a cross-over study by "
            "Dalakas et al. among the letter's references (one is needed).",
            _rows(_ids("studies", study)),
        )
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
        )
    if "prednisone" in comparator and "placebo" not in comparator:
        return CheckResult(
            SUPPORTED,
            f"Table I reports patients of {sid} who improved on IVIG and lost it on the "
            f"comparator, which was {comparator}.",
            rows,
        )
    quote = str(stated["quote"].iloc[0])
    s = ev.studies
    to_prednisone = s[
        _flag(s["crossover"])
        & s["comparator"].astype("string").str.contains("prednisone", case=False, na=False)
        & ~s["comparator"].astype("string").str.contains("placebo", case=False, na=False)
    ]
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
    )


@check
def half_endurance_none_in_control(ev: Evidence) -> CheckResult:
    """Half of the IVIG group and none of the control group reported more endurance."""
    o = ev.outcomes
    endurance = o[o["measure"].astype("string") == "endurance_adl"]
    r = ev.responders
    r = r[r["outcome_id"].isin(list(endurance["outcome_id"]))]
    group = r["group"].astype("string")
    ivig, control = r[group == "ivig"], r[group == "control"]
    rows = _rows(_ids("outcomes", endurance), _ids("responders", ivig), _ids("responders", control))
    if ivig.empty or control.empty:
        return CheckResult(
            NOT_TESTABLE,
            "The data do not hold both an IVIG-group and a control-group count for endurance.",
            rows,
        )
    i, c = ivig.iloc[0], control.iloc[0]
    if pd.notna(c["numerator"]) and c["numerator"] > 0:
        return CheckResult(
            CONTRADICTED,
            f"{c['numerator']} of {c['denominator']} controls reported more endurance, not none.",
            rows,
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
        )
    half = Fraction(int(den), 2) if pd.notna(den) else None
    whole = half is not None and half.denominator == 1
    listed = endurance[~_flag(endurance["listed_as_outcome"])]
    subjective = endurance[endurance["assessment"].astype("string") == "subjective"]
    reason = (
        f"The control side holds: {control_text}. The IVIG side is stated only as "
        f"\u201c{i['stated_as']}\u201d of {den}"
        + ("" if whole else f", which is {float(half):.1f} patients, not a whole number")
        + ", so the count cannot be recovered"
    )
    if not subjective.empty:
        reason += "; endurance was patient-reported"
    if not listed.empty:
        reason += " and is not among the trial's listed outcome measures"
    return CheckResult(PARTLY, reason + ".", rows)


@check
def uncontrolled_reports_positive(ev: Evidence) -> CheckResult:
    """Every case series and case report reports an improvement in strength, swallowing or
    serum values."""
    s = ev.studies
    uncontrolled = s[s["design"].astype("string").isin(["case_series", "case_report"])]
    if uncontrolled.empty:
        return CheckResult(NOT_TESTABLE, "The data hold no case series or case report.")
    outcomes = study_outcomes(ev, uncontrolled, STRENGTH_SWALLOWING_SERUM)
    gains = _result_is(outcomes, "improved", "subjective_improvement")
    positive = uncontrolled[uncontrolled["study_id"].isin(list(gains["study_id"]))]
    without = uncontrolled[~uncontrolled["study_id"].isin(list(gains["study_id"]))]
    objective = gains[gains["assessment"].astype("string") == "objective"]
    rows = _rows(_ids("outcomes", gains), _ids("studies", without))
    base = (
        f"{len(positive)} of {len(uncontrolled)} case series and case reports report an "
        f"improvement in strength, swallowing or serum values "
        f"({_plural(len(objective), 'objective result')} among {len(gains)})"
    )
    if without.empty:
        return CheckResult(SUPPORTED, base + "; none has a control group.", rows)
    other = study_outcomes(ev, without)
    what = (
        f"; {names(_label(without))} report{'s' if len(without) == 1 else ''} only "
        f"{names(other['measure_letter'].str.lower()) if not other.empty else 'no outcome'}"
    )
    verdict = PARTLY if not positive.empty else CONTRADICTED
    return CheckResult(verdict, base + what + ".", _rows(rows, _ids("outcomes", other)))


@check
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
    return CheckResult(NOT_TESTABLE, reason + ".", rows)


@check
def studies_are_heterogeneous(ev: Evidence) -> CheckResult:
    """The studies differ in regimen, concomitant drugs and outcomes; few report timing."""
    s = ev.studies
    n = len(s)
    if n < 2:
        return CheckResult(NOT_TESTABLE, "Fewer than two studies: nothing to compare.")
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
    )


@check
def no_controlled_objective_benefit(ev: Evidence) -> CheckResult:
    """No controlled study reports an objective improvement in strength, swallowing or
    function."""
    s = ev.studies
    controlled = s[_flag(s["controlled"])]
    if controlled.empty:
        return CheckResult(NOT_TESTABLE, "No study has a comparison group or period.")
    outcomes = study_outcomes(ev, controlled, STRENGTH_SWALLOWING_FUNCTION, "objective")
    stated = outcomes[outcomes["result"].astype("string") != "not_reported"]
    if stated.empty:
        return CheckResult(
            NOT_TESTABLE,
            "No controlled study reports an objective strength, swallowing or function result.",
            _rows(_ids("studies", controlled)),
        )
    improved = _result_is(stated, "improved")
    if not improved.empty:
        return CheckResult(
            CONTRADICTED,
            f"A controlled study reports an objective improvement: {_describe_outcomes(improved)}.",
            _rows(_ids("outcomes", improved)),
        )
    trend = _result_is(stated, "trend")
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
        notes.append("a primary source differs: " + names(differs["source_says"].str.rstrip(".")))
    reason += (" (" + "; ".join(notes) + ")") if notes else ""
    reason += ". The data hold reported results, not statistical tests."
    return CheckResult(
        SUPPORTED,
        reason,
        _rows(
            _ids("outcomes", stated), _ids("responders", primary), _ids("source_checks", differs)
        ),
    )


@check
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
    )


# --- evaluation ----------------------------------------------------------------------------

COLUMNS = [
    "claim_id",
    "chapter",
    "location",
    "quote",
    "claim",
    "verdict",
    "reason",
    "deciding_rows",
]


def evaluate(ev: Evidence) -> pd.DataFrame:
    """Every claim of ``claims.csv`` with its computed verdict, reason and deciding rows.

    ``verdict`` is an ordered categorical in :data:`VERDICTS` order; ``deciding_rows`` is a
    string of ``table:row_id`` items joined by ``"; "``.
    """
    records = []
    for _, claim in ev.claims.iterrows():
        result = CHECKS[str(claim["check"])](ev)
        records.append(
            {
                "claim_id": claim["claim_id"],
                "chapter": str(claim["chapter"]),
                "location": str(claim["location"]),
                "quote": claim["quote"],
                "claim": claim["claim"],
                "verdict": result.verdict,
                "reason": result.reason,
                "deciding_rows": "; ".join(result.deciding_rows),
            }
        )
    frame = pd.DataFrame.from_records(records, columns=COLUMNS)
    frame = frame.astype({c: "string" for c in COLUMNS if c != "verdict"})
    frame["verdict"] = pd.Categorical(frame["verdict"], categories=list(VERDICTS), ordered=True)
    return frame


def chapter_verdicts(ev: Evidence, chapter: str | None = None) -> pd.DataFrame:
    """The claims one chapter discusses, ready to show: Claim (quote), Verdict, Why.

    With ``chapter=None``, every claim, with a Chapter column after the quote.
    """
    chapters = ev.enum("claims", "chapter")
    if chapter is not None and chapter not in chapters:
        msg = f"unknown chapter {chapter!r}; claims.csv allows {chapters}"
        raise ValueError(msg)
    table = evaluate(ev)
    if chapter is not None:
        table = table[table["chapter"] == chapter]
    columns = {"Claim (quote)": ["\u201c" + q + "\u201d" for q in table["quote"]]}
    if chapter is None:
        columns["Chapter"] = table["chapter"].to_list()
    columns["Verdict"] = table["verdict"].astype("string").to_list()
    columns["Why"] = table["reason"].to_list()
    return pd.DataFrame(columns).astype("string")


def verdict_counts(ev: Evidence) -> pd.DataFrame:
    """Claims per chapter and verdict (every verdict listed, zero counts kept)."""
    table = evaluate(ev)
    counts = (
        table.groupby(["chapter", "verdict"], observed=False).size().rename("claims").reset_index()
    )
    return counts[counts["chapter"].isin(table["chapter"].unique())].reset_index(drop=True)


# --- the letter against itself -------------------------------------------------------------


def _claim_quote(ev: Evidence, check_name: str) -> str:
    c = ev.claims
    rows = c[c["check"] == check_name]
    return "\u201c" + str(rows["quote"].iloc[0]) + "\u201d" if not rows.empty else ""


def letter_numbers(ev: Evidence) -> dict[str, object]:
    """The counts behind the letter's internal inconsistencies, computed from the data.

    Keys: ``n_randomised``, ``n_placebo``, ``n_double_blind_placebo``,
    ``randomisation_not_reported`` (study labels), ``crossover_improved``, ``crossover_n``,
    ``crossover_share``, ``crossover_third`` (one third of crossover_n, in patients),
    ``crossover_abstract_percent`` (the study's own figure, or None), ``endurance_n`` (the IVIG
    group the letter's "half" is of), ``endurance_half`` (half of it, in patients).
    """
    s = ev.studies
    randomised = s[_flag(s["randomised"])]
    placebo = s[_flag(s["placebo_controlled"])]
    double_blind = placebo[_flag(placebo["blinded"])]
    unknown = placebo[placebo["randomised"].isna()]
    numbers: dict[str, object] = {
        "n_randomised": len(randomised),
        "n_placebo": len(placebo),
        "n_double_blind_placebo": len(double_blind),
        "randomisation_not_reported": _label(unknown),
    }
    study = _named_crossover(ev)
    r = ev.responders
    counted = r[
        r["study_id"].isin(list(study["study_id"]))
        & (r["source"].astype("string") == "letter_table")
        & r["numerator"].notna()
    ]
    if not counted.empty:
        num, den = int(counted["numerator"].iloc[0]), int(counted["denominator"].iloc[0])
        numbers.update(
            crossover_improved=num,
            crossover_n=den,
            crossover_share=num / den,
            crossover_third=den / 3,
        )
    primary = r[
        r["study_id"].isin(list(study["study_id"]))
        & (r["source"].astype("string") == "primary_source")
    ]
    percent = None
    for stated in primary["stated_as"]:
        found = _STATED_PERCENT.search(str(stated))
        if found:
            percent = float(found.group(1))
    numbers["crossover_abstract_percent"] = percent
    endurance = ev.outcomes[ev.outcomes["measure"].astype("string") == "endurance_adl"]
    ivig = r[
        r["outcome_id"].isin(list(endurance["outcome_id"]))
        & (r["group"].astype("string") == "ivig")
    ]
    if not ivig.empty and pd.notna(ivig["denominator"].iloc[0]):
        numbers["endurance_n"] = int(ivig["denominator"].iloc[0])
        numbers["endurance_half"] = int(ivig["denominator"].iloc[0]) / 2
    return numbers


def internal_inconsistencies(ev: Evidence) -> pd.DataFrame:
    """Where the letter's text or caption and its own Table I do not agree, with the counts
    the data give: columns Topic, The letter says, Table I says, The data show."""
    n = letter_numbers(ev)
    s = ev.studies
    # What Table I says is about the letter's own studies, not those added since.
    placebo = s[_flag(s["placebo_controlled"]) & (s["included_by"].astype("string") == "letter")]
    rows = [
        {
            "Topic": "Number of randomised trials",
            "The letter says": _claim_quote(ev, "rct_count_is_two"),
            "Table I says": " | ".join(
                f"{label}: {kind}"
                for label, kind in zip(_label(placebo), placebo["study_type_letter"], strict=True)
            ),  # the letter's studies only, so never longer than its Table I
            "The data show": (
                f"{n['n_randomised']} studies called randomised; {n['n_double_blind_placebo']} "
                f"double-blind placebo-controlled; randomisation not stated for "
                f"{names(n['randomisation_not_reported'])}"
            ),
        }
    ]
    r = ev.responders
    crossover = r[r["study_id"].isin(list(_named_crossover(ev)["study_id"]))]
    table = crossover[crossover["source"].astype("string") == "letter_table"]
    caption = crossover[crossover["source"].astype("string") == "letter_caption"]
    if "crossover_n" in n:
        abstract = n["crossover_abstract_percent"]
        rows.append(
            {
                "Topic": "Responders in the cross-over trial",
                "The letter says": "\u201c" + str(caption["quote"].iloc[0]) + "\u201d"
                if not caption.empty
                else "",
                "Table I says": "\u201c" + str(table["quote"].iloc[0]) + "\u201d",
                "The data show": (
                    f"{n['crossover_improved']} of {n['crossover_n']} = "
                    f"{float(n['crossover_share']):.1%}; one third of {n['crossover_n']} would be "
                    f"{float(n['crossover_third']):.2f} patients"
                    + (f"; the study's abstract says {abstract:g}%" if abstract else "")
                ),
            }
        )
    if "endurance_n" in n:
        endurance = ev.outcomes[ev.outcomes["measure"].astype("string") == "endurance_adl"]
        quotes = r[
            r["outcome_id"].isin(list(endurance["outcome_id"]))
            & (r["group"].astype("string") == "ivig")
        ]
        rows.append(
            {
                "Topic": "Endurance in the IVIG + prednisone trial",
                "The letter says": _claim_quote(ev, "half_endurance_none_in_control"),
                "Table I says": "\u201c" + str(quotes["quote"].iloc[0]) + "\u201d",
                "The data show": (
                    f"half of {n['endurance_n']} is {float(n['endurance_half']):g} patients, not "
                    "a whole number: the count cannot be recovered"
                ),
            }
        )
    return pd.DataFrame(rows).astype("string")


def verdict_summary(ev: Evidence) -> str:
    """One line per chapter in the book's order: 'trials: 1 supported, 4 partly supported'."""
    counts = verdict_counts(ev)
    counts = counts[counts["claims"] > 0]
    order = ev.enum("claims", "chapter")
    parts = []
    for chapter in sorted(set(counts["chapter"]), key=order.index):
        rows = counts[counts["chapter"] == chapter]
        parts.append(
            f"{chapter}, "
            + names(f"{int(n)} {v}" for v, n in zip(rows["verdict"], rows["claims"], strict=True))
        )
    return "; ".join(parts)
