"""Responder statements: shares with exact (Clopper-Pearson) 95% confidence intervals."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TYPE_CHECKING

import pandas as pd
from statsmodels.stats.proportion import proportion_confint

from ivigbook.analysis.cohorts import improvement_reports, labels_by_id, letter_only_checks
from ivigbook.analysis.power import CONFIDENCE
from ivigbook.analysis.vocabulary import (
    DESIGN_LABELS,
    GROUP_LABELS,
    LETTER_ONLY_NOTE,
    MEASURE_NAMES,
    NOT_REPORTED,
    SOURCE_LABELS,
)
from ivigbook.data.cells import cell_int, is_missing

if TYPE_CHECKING:
    from ivigbook.data.load import Evidence


def exact_ci(successes: int, trials: int, confidence: float = CONFIDENCE) -> tuple[float, float]:
    """Exact (Clopper-Pearson) confidence interval for ``successes`` out of ``trials``."""
    if trials < 1 or not 0 <= successes <= trials:
        msg = f"need 0 <= successes <= trials and trials >= 1, got {successes}/{trials}"
        raise ValueError(msg)
    low, high = proportion_confint(successes, trials, alpha=1 - confidence, method="beta")
    return float(low), float(high)


_UNITS = {
    word: value
    for value, word in enumerate(
        (
            *("zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine"),
            *("ten", "eleven", "twelve", "thirteen", "fourteen", "fifteen", "sixteen"),
            *("seventeen", "eighteen", "nineteen"),
        )
    )
}
_TENS = {
    word: 10 * value
    for value, word in enumerate(
        ("twenty", "thirty", "forty", "fifty", "sixty", "seventy", "eighty", "ninety"), start=2
    )
}
_FRACTIONS = {
    "none": 0.0,
    "all": 1.0,
    "half": 0.5,
    "one half": 0.5,
    "one third": 1 / 3,
    "two thirds": 2 / 3,
    "one quarter": 0.25,
    "three quarters": 0.75,
}


def words_to_int(text: str) -> int | None:
    """A whole number from 0 to 100 written in English words ("eighty-three" -> 83)."""
    words = text.strip().lower().replace("-", " ").split()
    if words in (["one", "hundred"], ["hundred"]):
        return 100
    if len(words) == 1:
        return _UNITS.get(words[0], _TENS.get(words[0]))
    if len(words) == 2 and words[0] in _TENS and words[1] in _UNITS and 0 < _UNITS[words[1]] < 10:
        return _TENS[words[0]] + _UNITS[words[1]]
    return None


def stated_share(text: str) -> float | None:
    """The share a phrase states ("half", "Eighty-three percent", "28%"); None for a count."""
    phrase = " ".join(text.strip().lower().split())
    if phrase in _FRACTIONS:
        return _FRACTIONS[phrase]
    match = re.fullmatch(r"(\d+(?:\.\d+)?)\s*(?:%|per ?cent)", phrase)
    if match:
        return float(match.group(1)) / 100
    match = re.fullmatch(r"(.+?)\s+per ?cent", phrase)
    if match:
        number = words_to_int(match.group(1))
        return None if number is None else number / 100
    return None


def _yes_no(value: object) -> str:
    if is_missing(value):
        return NOT_REPORTED
    return "yes" if bool(value) else "no"


def _ci_note(numerator: object, denominator: object) -> str:
    if not is_missing(numerator) and not is_missing(denominator):
        return "exact 95% CI"
    if is_missing(denominator) and is_missing(numerator):
        return "no CI: neither count given"
    if is_missing(denominator):
        return "no CI: denominator not given"
    return "no CI: number of patients not fixed"


def responder_table(ev: Evidence) -> pd.DataFrame:
    """One row per responder statement, with its share (counted, else stated in words), an
    exact 95% CI where both counts are known (``ci_note`` says why not) and the caveats."""
    resp = ev.responders
    studies = ev.studies.set_index(ev.studies["study_id"].astype(str))
    outcomes = ev.outcomes.set_index(ev.outcomes["outcome_id"].astype(str))
    checks = ev.source_checks
    blinding = {
        str(row.study_id): str(row.source_says)
        for row in checks[checks["topic"] == "blinding"].itertuples()
    }
    labels = labels_by_id(ev)
    letter_only = set(letter_only_checks(ev)["study_id"])
    rows = []
    for r in resp.itertuples(index=False):
        sid, oid = str(r.study_id), str(r.outcome_id)
        study = studies.loc[sid]
        outcome = outcomes.loc[oid]
        num, den = r.numerator, r.denominator
        words = stated_share(str(r.stated_as))
        if not is_missing(num) and not is_missing(den):
            share, basis = cell_int(num) / cell_int(den), "count"
            low, high = exact_ci(cell_int(num), cell_int(den))
        elif words is not None:
            share, basis, low, high = words, "stated", None, None
        else:
            share, basis, low, high = None, "none", None, None
        rows.append(
            {
                "responder_id": str(r.responder_id),
                "study_id": sid,
                "outcome_id": oid,
                "study": labels[sid],
                "design": str(study["design"]),
                "design_label": DESIGN_LABELS[str(study["design"])],
                "source": str(r.source),
                "source_label": SOURCE_LABELS[str(r.source)]
                + (
                    f" ({LETTER_ONLY_NOTE})"
                    if sid in letter_only and str(r.source) != "primary_source"
                    else ""
                ),
                "from_letter": str(r.source) != "primary_source",
                "group": str(r.group),
                "group_label": GROUP_LABELS[str(r.group)],
                "group_letter": str(r.group_letter),
                "stated_as": str(r.stated_as),
                "measure": MEASURE_NAMES[str(outcome["measure"])],
                "assessment": str(outcome["assessment"]),
                "numerator": num,
                "denominator": den,
                "share": share,
                "share_basis": basis,
                "ci_low": low,
                "ci_high": high,
                "ci_note": _ci_note(num, den),
                "reason": str(r.denominator_basis),
                "n_study": cell_int(study["n_total"]),
                "controlled": _yes_no(study["controlled"]),
                "blinded": _yes_no(study["blinded"]),
                "blinding_check": blinding.get(sid, pd.NA),
                "quote": str(r.quote),
            }
        )
    df = pd.DataFrame(rows)
    for col in ("numerator", "denominator", "n_study"):
        df[col] = df[col].astype("Int64")
    for col in ("share", "ci_low", "ci_high"):
        df[col] = df[col].astype("Float64")
    df["ci_width"] = df["ci_high"] - df["ci_low"]
    df["label"] = _unique_labels(df)
    return df


def _unique_labels(df: pd.DataFrame) -> list[str]:
    """Labels "Study - group: words", with the measure (then the id) added where not unique."""
    labels = [
        f"{s} \N{EN DASH} {g}: {w}"
        for s, g, w in zip(df["study"], df["group_label"], df["stated_as"], strict=True)
    ]
    for extra, form in ((df["measure"], "{} ({})"), (df["responder_id"], "{} [{}]")):
        counts = pd.Series(labels).value_counts()
        labels = [
            form.format(label, e) if counts[label] > 1 else label
            for label, e in zip(labels, extra, strict=True)
        ]
    return labels


@dataclass(frozen=True)
class ResponderSummary:
    """Counts and extremes of a :func:`responder_table` (plain values, for glue)."""

    n_statements: int
    n_letter: int
    n_primary: int
    n_ci: int
    n_letter_ci: int
    n_no_ci: int
    n_uncontrolled: int
    n_subjective: int
    n_weak: int
    #: Improvement reports (:func:`~ivigbook.analysis.cohorts.improvement_reports`), and the
    #: weak ones among them (:func:`_weak`).
    n_reports: int
    n_reports_weak: int
    widest_label: str
    widest_width: float
    widest_low: float
    widest_high: float
    narrowest_label: str
    narrowest_width: float


def responder_summary(table: pd.DataFrame) -> ResponderSummary:
    """Counts and extremes of a :func:`responder_table`."""
    with_ci = table[table["ci_low"].notna()]
    widest = with_ci.iloc[int(with_ci["ci_width"].astype(float).argmax())]
    narrowest = with_ci.iloc[int(with_ci["ci_width"].astype(float).argmin())]
    letter = table[table["from_letter"]]
    reports = improvement_reports(table)
    return ResponderSummary(
        n_statements=len(table),
        n_letter=len(letter),
        n_primary=int((~table["from_letter"]).sum()),
        n_ci=len(with_ci),
        n_letter_ci=int(letter["ci_low"].notna().sum()),
        n_no_ci=int(table["ci_low"].isna().sum()),
        n_uncontrolled=int((table["controlled"] == "no").sum()),
        n_subjective=int((table["assessment"] != "objective").sum()),
        n_weak=int(_weak(table).sum()),
        n_reports=len(reports),
        n_reports_weak=int(_weak(reports).sum()),
        widest_label=str(widest["label"]),
        widest_width=float(widest["ci_width"]),
        widest_low=float(widest["ci_low"]),
        widest_high=float(widest["ci_high"]),
        narrowest_label=str(narrowest["label"]),
        narrowest_width=float(narrowest["ci_width"]),
    )


def _weak(table: pd.DataFrame) -> pd.Series:
    """Statements from a study without a control group or on a non-objective measure."""
    return (table["controlled"] == "no") | (table["assessment"] != "objective")


def responder_row(table: pd.DataFrame, responder_id: str) -> dict[str, object]:
    """One statement of a :func:`responder_table` as plain Python values (NA -> None)."""
    row = table[table["responder_id"] == responder_id]
    if len(row) != 1:
        raise KeyError(responder_id)
    # numpy scalars become Python values (glue needs plain values), missing ones None.
    return {
        str(key): None if is_missing(value) else value.item() if hasattr(value, "item") else value
        for key, value in row.iloc[0].items()
    }
