"""Sentences whose wording follows the data: singular or plural, lists, "none" or "all".

Each builder takes plain numbers or frames from :mod:`ivigbook.analysis` and returns a
sentence to glue into a chapter.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

import pandas as pd

from ivigbook.analysis.vocabulary import MEASURE_NAMES, NOT_REPORTED, VERDICTS
from ivigbook.data.prose import sentence

# --------------------------------------------------------------------------------------
# Wording that follows the data (singular/plural, lists, "none"/"all")


_NUMBER_WORDS = (
    *("no", "one", "two", "three", "four", "five", "six"),
    *("seven", "eight", "nine", "ten", "eleven", "twelve"),
)


def number_word(n: int, capital: bool = False) -> str:
    """``3`` -> ``"three"`` (up to twelve; larger numbers as digits)."""
    word = _NUMBER_WORDS[n] if 0 <= n < len(_NUMBER_WORDS) else f"{n:,}"
    return word[:1].upper() + word[1:] if capital else word


def _count_word(n: int, singular: str, plural: str) -> str:
    return f"{n} {singular if n == 1 else plural}"


#: Singular and plural noun of each design, for running text.
DESIGN_NOUNS: dict[str, tuple[str, str]] = {
    "placebo_controlled_trial": ("placebo-controlled trial", "placebo-controlled trials"),
    "controlled_trial": ("controlled trial", "controlled trials"),
    "case_control": ("case-control study", "case-control studies"),
    "open_label": ("open-label study", "open-label studies"),
    "case_series": ("case series", "case series"),
    "case_report": ("case report", "case reports"),
}


def count_phrase(n: int, singular: str, plural: str, zero: str | None = None) -> str:
    """``"1 study"``, ``"3 studies"``; ``zero`` (e.g. "no studies") replaces ``"0 studies"``."""
    if n == 0 and zero is not None:
        return zero
    return _count_word(n, singular, plural)


def counted(n: int, singular: str, plural: str, capital: bool = False) -> str:
    """``"one study reports"``, ``"five studies report"``, ``"no studies report"``: a count in
    words with its noun and verb agreeing (``singular``/``plural`` hold both)."""
    return f"{number_word(n, capital=capital)} {singular if n == 1 else plural}"


def harms_sentence(n_with: int, n_without: int) -> str:
    """How many studies report a harm or a withdrawal, and how many report none."""
    return sentence("sentences", "harms", n_with=n_with, n_without=n_without)


def join_words(items: Iterable[str]) -> str:
    """``"a"``, ``"a and b"``, ``"a, b and c"`` (empty string for no items)."""
    words = [str(i) for i in items]
    if len(words) <= 1:
        return "".join(words)
    return ", ".join(words[:-1]) + " and " + words[-1]


def design_listing(counts: Mapping[str, int]) -> str:
    """Studies per design in words, zero counts left out.

    ``{"case_series": 3, "case_report": 1}`` -> ``"3 case series and 1 case report"``.
    """
    parts = [
        _count_word(int(n), *DESIGN_NOUNS.get(design, (design, design)))
        for design, n in counts.items()
        if int(n) > 0
    ]
    return join_words(parts) or "no studies"


def quoted_listing(words: Iterable[str]) -> str:
    """Distinct phrases in double quotes, in first-seen order: ``"half" and "one third"``."""
    return join_words(
        f"\N{LEFT DOUBLE QUOTATION MARK}{w}\N{RIGHT DOUBLE QUOTATION MARK}"
        for w in dict.fromkeys(str(w) for w in words)
    )


def range_phrase(low: float, high: float, singular: str, plural: str) -> str:
    """``"3 months"`` where low equals high, else ``"2 to 6 months"``."""
    lo, hi = (int(v) if float(v).is_integer() else v for v in (low, high))
    if lo == hi:
        return _count_word(lo, singular, plural)  # type: ignore[arg-type]
    return f"{lo} to {hi} {plural}"


def improvement_sentence(n_improved: int, n_improved_uncontrolled: int, n_uncontrolled: int) -> str:
    """Where the studies with an improvement on an objective measure lie (with or without a
    control group); "an improvement" as :mod:`ivigbook.analysis.cohorts` defines it."""
    if n_improved == 0:
        return "No study reports an improvement on an objective measure."
    studies = count_phrase(n_improved, "study reports", "studies report")
    head = f"{studies} an improvement on an objective measure"
    without = count_phrase(n_uncontrolled, "study", "studies")
    if n_improved_uncontrolled == 0:
        tail = "none of them lacks a control group"
    elif n_improved_uncontrolled == n_improved == 1:
        tail = f"it is one of the {without} without a control group"
    elif n_improved_uncontrolled == n_improved:
        tail = f"all of them are among the {without} without a control group"
    else:
        verb = "is" if n_improved_uncontrolled == 1 else "are"
        tail = (
            f"{n_improved_uncontrolled} of them {verb} among the {without} without a control group"
        )
    return f"{head}; {tail}."


def confounding_sentence(rows: Iterable[tuple[str, str]]) -> str:
    """Which improvements of studies without a control group come with confounding judged
    high, and why (``rows``: study label and the judgement's support, as
    :func:`ivigbook.analysis.appraisal.confounded_improvements` gives them); empty if none."""
    rows = list(rows)
    if not rows:
        return ""
    n = len(rows)
    head = (
        f"Among the studies without a control group that report an improvement, confounding is "
        f"judged high in {counted(n, 'study', 'studies')}, so "
        f"{'its' if n == 1 else 'their'} improvement cannot be credited to IVIG alone."
    )
    why = " ".join(f"{study}: {support}" for study, support in rows)
    return f"{head} {why}"


def other_methods_sentence(n: int) -> str:
    """The records an update search found by other methods than its queries ("" if none)."""
    if n == 0:
        return ""
    return (
        f"Other methods than the queries found {counted(n, 'more record', 'more records')}: "
        "see the records table."
    )


def unstated_randomisation_sentence(labels: Iterable[str]) -> str:
    """Which trials the data leave without a statement on randomisation."""
    labels = list(labels)
    if not labels:
        return "Every trial is described as randomised or not."
    trials = "trial" if len(labels) == 1 else "trials"
    return f"Whether patients were randomised is not stated for the {trials} {join_words(labels)}."


#: Results as nouns for running text ("an improvement in ...").
RESULT_NOUNS = {
    "improved": "improvement",
    "subjective_improvement": "subjective improvement",
    "trend": "non-significant trend",
    "not_clinically_relevant": "change without clinical relevance",
    "no_effect": "no effect",
    "not_reported": NOT_REPORTED,
}
_NO_EFFECT = "\N{LEFT DOUBLE QUOTATION MARK}no effect\N{RIGHT DOUBLE QUOTATION MARK}"


def findings_sentence(findings: pd.DataFrame, what: str) -> str:
    """Results other than "no effect" among ``what`` (e.g. "the trials"), in one sentence.

    ``findings`` is :func:`ivigbook.analysis.evidence.non_null_findings` (columns ``study``,
    ``measure``, ``measure_code``, ``result_label``, ``assessment``); measures are named
    with :data:`MEASURE_NAMES`.
    """
    if findings.empty:
        return f"No result other than {_NO_EFFECT} is reported for {what}."
    parts = [
        f"{RESULT_NOUNS.get(str(r.result), str(r.result_label).lower())} in "
        f"{MEASURE_NAMES.get(str(r.measure_code), r.measure)}"
        f" ({r.assessment} measure, {r.study})"
        for r in findings.itertuples(index=False)
    ]
    return f"Results other than {_NO_EFFECT} for {what}: {'; '.join(parts)}."


def objective_benefit_sentence(
    n_studies: int, n_patients: int, n_benefit: int, kind: str, checked_note: str = ""
) -> str:
    """How many of ``n_studies`` (``kind``: plural noun) report an objective improvement.

    ``checked_note``: a sentence on a checked primary source that reports an improvement the
    letter's results do not (:func:`ivigbook.text.caveats.checked_benefit_sentence`); where
    given and the count is none, the sentence says the count is the letter's, then adds it.
    """
    group = f"{n_studies} {kind} ({_count_word(n_patients, 'patient', 'patients')})"
    if n_studies == 0:
        return f"The data hold no {kind}."
    if n_benefit == 0 and checked_note:
        return (
            f"None of the {group} reports an objective improvement on IVIG, as the letter "
            f"gives their results. {checked_note}"
        )
    if n_benefit == 0:
        return f"None of the {group} reports an objective improvement on IVIG."
    if n_benefit == n_studies:
        return f"All of the {group} report an objective improvement on IVIG."
    verb = "reports" if n_benefit == 1 else "report"
    return f"{n_benefit} of the {group} {verb} an objective improvement on IVIG."


def update_sentence(n_added: int) -> str:
    """Whether any study has been added to the letter's evidence (with what the studies are:
    :func:`ivigbook.text.caveats.added_sentence`)."""
    if n_added == 0:
        return "No study has been added to the letter's evidence."
    studies = counted(n_added, "study has", "studies have", capital=True)
    return f"{studies} been added to the letter's evidence."


def count_verdicts(evaluated: pd.DataFrame) -> pd.DataFrame:
    """Claims per verdict in ``claims.evaluate(ev)``, every verdict listed (0 where none).

    Verdicts come in the order of :data:`ivigbook.analysis.claims.VERDICTS`.
    """
    counts = evaluated["verdict"].astype(str).value_counts()
    unknown = set(counts.index) - set(VERDICTS)
    if unknown:
        msg = f"unknown verdicts: {sorted(unknown)}"
        raise ValueError(msg)
    return pd.DataFrame(
        {"verdict": list(VERDICTS), "claims": [int(counts.get(v, 0)) for v in VERDICTS]}
    )


def claim_verdict(evaluated: pd.DataFrame, claim_id: str) -> str:
    """The verdict of one claim in ``claims.evaluate(ev)``."""
    rows = evaluated[evaluated["claim_id"] == claim_id]
    if len(rows) != 1:
        raise KeyError(claim_id)
    return str(rows.iloc[0]["verdict"])


def verdict_sentence(counts: Mapping[str, int] | pd.DataFrame) -> str:
    """A sentence summarising claim verdicts, e.g. "Of 13 claims, 9 are supported, ..."."""
    if isinstance(counts, pd.DataFrame):
        counts = dict(zip(counts["verdict"], counts["claims"], strict=True))
    total = sum(counts.values())
    if total == 0:
        return "The data hold no claims to check."
    parts = [f"{n} {'is' if n == 1 else 'are'} {v}" for v, n in counts.items() if n]
    listing = parts[0] if len(parts) == 1 else ", ".join(parts[:-1]) + " and " + parts[-1]
    if len(parts) == 1 and counts.get(VERDICTS[0], 0) == total:
        return (
            f"All {_count_word(total, 'claim', 'claims')} of the letter checked here are supported."
        )
    return f"Of the letter's {_count_word(total, 'claim', 'claims')} checked here, {listing}."
