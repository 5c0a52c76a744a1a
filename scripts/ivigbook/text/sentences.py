"""Sentences whose wording follows the data: singular or plural, lists, "none" or "all".

Each builder takes plain numbers or frames from :mod:`ivigbook.analysis` and returns a
sentence to glue into a chapter; the words are in ``prose/sentences.jinja``.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

import pandas as pd

from ivigbook.analysis.vocabulary import VERDICTS
from ivigbook.prose import count, join, sentence

#: Singular and plural noun of each design, for running text.
DESIGN_NOUNS: dict[str, tuple[str, str]] = {
    "placebo_controlled_trial": ("placebo-controlled trial", "placebo-controlled trials"),
    "controlled_trial": ("controlled trial", "controlled trials"),
    "case_control": ("case-control study", "case-control studies"),
    "open_label": ("open-label study", "open-label studies"),
    "case_series": ("case series", "case series"),
    "case_report": ("case report", "case reports"),
}


def harms_sentence(n_with: int, n_without: int) -> str:
    """How many studies report a harm or a withdrawal, and how many report none."""
    return sentence("sentences", "harms", n_with=n_with, n_without=n_without)


def design_listing(counts: Mapping[str, int]) -> str:
    """Studies per design in words, zero counts left out.

    ``{"case_series": 3, "case_report": 1}`` -> ``"3 case series and 1 case report"``.
    """
    return (
        join(count(n, *DESIGN_NOUNS.get(d, (d, d))) for d, n in counts.items() if int(n) > 0)
        or "no studies"
    )


def quoted_listing(words: Iterable[str]) -> str:
    """Distinct phrases in double quotes, in first-seen order: ``"half" and "one third"``."""
    return join(f"\u201c{w}\u201d" for w in dict.fromkeys(str(w) for w in words))


def range_phrase(low: float, high: float, singular: str, plural: str) -> str:
    """``"3 months"`` where low equals high, else ``"2 to 6 months"``."""
    lo, hi = (int(v) if float(v).is_integer() else v for v in (low, high))
    return f"{lo} {singular if lo == 1 else plural}" if lo == hi else f"{lo} to {hi} {plural}"


def improvement_sentence(n_improved: int, n_improved_uncontrolled: int, n_uncontrolled: int) -> str:
    """Where the studies with an improvement on an objective measure lie (with or without a
    control group); "an improvement" as :mod:`ivigbook.analysis.cohorts` defines it."""
    return sentence(
        "sentences",
        "improvement",
        n_improved=n_improved,
        n_improved_uncontrolled=n_improved_uncontrolled,
        n_uncontrolled=n_uncontrolled,
    )


def confounding_sentence(rows: Iterable[tuple[str, str]]) -> str:
    """Which improvements of studies without a control group come with confounding judged
    high, and why (``rows``: study label and the judgement's support, as
    :func:`ivigbook.analysis.appraisal.confounded_improvements` gives them); empty if none."""
    return sentence("sentences", "confounding", rows=list(rows))


def other_methods_sentence(n: int) -> str:
    """The records an update search found by other methods than its queries ("" if none)."""
    return sentence("sentences", "other_methods", n=n)


def objective_benefit_sentence(
    n_studies: int, n_patients: int, n_benefit: int, kind: str, checked_note: str = ""
) -> str:
    """How many of ``n_studies`` (``kind``: plural noun) report an objective improvement.

    ``checked_note``: a sentence on a checked primary source that reports an improvement the
    letter's results do not (:func:`ivigbook.text.caveats.checked_benefit_sentence`); where
    given and the count is none, the sentence says the count is the letter's, then adds it.
    """
    return sentence(
        "sentences",
        "objective_benefit",
        n_studies=n_studies,
        n_patients=n_patients,
        n_benefit=n_benefit,
        kind=kind,
        checked_note=checked_note,
    )


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
    return sentence(
        "sentences",
        "verdicts",
        counts=[(v, n) for v, n in counts.items() if n],
        total=total,
        all_supported=total > 0 and counts.get(VERDICTS[0], 0) == total,
    )
