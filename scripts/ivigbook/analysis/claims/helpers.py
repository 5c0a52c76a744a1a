"""Helpers shared by the claim checks: flags, row names, lists in words."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import asdict, dataclass
from fractions import Fraction
from typing import TYPE_CHECKING

import pandas as pd

from ivigbook.analysis.claims.registry import KEYS, CheckResult, Facts
from ivigbook.analysis.cohorts import is_trial, short_label
from ivigbook.analysis.vocabulary import CONTRADICTED, NOT_TESTABLE
from ivigbook.prose import sentence, takes

if TYPE_CHECKING:
    from ivigbook.data.load import Evidence


def _flag(series: pd.Series) -> pd.Series:
    """A nullable boolean column as plain booleans, missing counted as false."""
    return series.astype("boolean").fillna(False).astype(bool)


def _ids(table: str, frame: pd.DataFrame) -> list[str]:
    return [f"{table}:{value}" for value in frame[KEYS[table]]]


def _rows(*groups: Iterable[str]) -> tuple[str, ...]:
    """Deciding rows, de-duplicated, first occurrence kept."""
    return tuple(dict.fromkeys(item for group in groups for item in group))


#: Longest list a reason or table cell spells out; beyond it the rest is counted.
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


#: A check's cases in order: name -> (whether it applies, the verdict, the deciding rows).
Cases = dict[str, tuple[bool, str, tuple[str, ...]]]


def first_case(cases: Cases) -> tuple[str, str, tuple[str, ...]]:
    """The first case that applies: its name, verdict and deciding rows."""
    case = next(name for name, (applies, _, _) in cases.items() if applies)
    return case, cases[case][1], cases[case][2]


def reason(check: str, facts: Facts | None = None, /, **words: object) -> str:
    """A check's long reason: the macro ``check`` of ``prose/claims.jinja`` filled with the
    case the check chose, the ``facts`` it returns (those the macro takes) and other ``words``."""
    wanted = takes("claims", check)
    given = {k: v for k, v in asdict(facts).items() if k in wanted} if facts else {}
    return sentence("claims", check, **{**given, **words})


def decide(
    check: str, verdict: str, rows: tuple[str, ...], facts: Facts, /, **words: object
) -> CheckResult:
    """The result of ``check``: the verdict, its long reason (:func:`reason`), rows and facts."""
    return CheckResult(verdict, reason(check, facts, **words), rows, facts)


def _label(studies: pd.DataFrame) -> list[str]:
    """How a study is named in reasons: first author, year or letter reference, id."""
    labels = []
    for _, s in studies.iterrows():
        when = f" {s['year']}" if not pd.isna(s["year"]) else ""
        ref = f", ref. {s['letter_ref']}" if not pd.isna(s["letter_ref"]) else ""
        labels.append(f"{s['first_author']}{when} ({s['study_id']}{ref})")
    return labels


def study_names(studies: pd.DataFrame) -> str:
    """The studies as readers name them, for short reasons: "Dalakas 1997 and Walter 2000"."""
    return names(short_label(row) for _, row in studies.iterrows())


def flagged(ev: Evidence, column: str) -> pd.DataFrame:
    """The studies whose boolean ``column`` (randomised, placebo_controlled, ...) is true."""
    s = ev.studies
    return s[_flag(s[column])]


def stated_results(outcomes: pd.DataFrame) -> pd.DataFrame:
    """The outcomes with a result (not "not reported")."""
    return outcomes[outcomes["result"].astype("string") != "not_reported"]


def trials(ev: Evidence) -> pd.DataFrame:
    """The trials, as every page defines them (:func:`ivigbook.analysis.cohorts.is_trial`)."""
    s = ev.studies
    return s[is_trial(s)]


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


def _percent(fraction: Fraction | float) -> str:
    return f"{float(fraction):.1%}"


_STATED_PERCENT = re.compile(r"(\d+(?:\.\d+)?)\s*%")


#: Objective results of a cohort (controlled trials, or every controlled study).
@dataclass(frozen=True)
class ObjectiveFacts(Facts):
    n_studies: int
    n_results: int
    n_improved: int
    n_trend: int


def objective_results(
    ev: Evidence, check: str, cohort: pd.DataFrame, domains: tuple[str, ...]
) -> tuple[pd.DataFrame, pd.DataFrame, Facts, CheckResult | None]:
    """The "no objective improvement in <cohort>" checks' stated results, trends, facts and
    the verdict when it is decided already (not testable, or contradicted)."""
    stated = stated_results(study_outcomes(ev, cohort, domains, "objective"))
    gains = _result_is(stated, "improved")
    trend = _result_is(stated, "trend")
    facts = ObjectiveFacts(len(cohort), len(stated), len(gains), len(trend))
    case, verdict, rows = first_case(
        {
            "empty": (cohort.empty, NOT_TESTABLE, ()),
            "none": (stated.empty, NOT_TESTABLE, _rows(_ids("studies", cohort))),
            "improved": (not gains.empty, CONTRADICTED, _rows(_ids("outcomes", gains))),
            "": (True, "", ()),
        }
    )
    if not case:
        return stated, trend, facts, None
    worded = reason(
        "objective_decided", facts, check=check, case=case, gains=_describe_outcomes(gains)
    )
    return stated, trend, facts, CheckResult(verdict, worded, rows, facts)
