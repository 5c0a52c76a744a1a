"""GRADE's words for the summary of findings: informative statements, and ratings that say
when they were made on other trials than the outcome's trials now.

* :func:`statement` words an effect at a certainty as GRADE guidelines 26 do
  (``grade_statements.csv``).
* :func:`rated_on` lists the trials a rating was made on (``findings.rated_on``); when they
  differ from the outcome's trials now, :func:`stale_statement` is what the row says.
"""

from __future__ import annotations

from typing import Any

from ivigbook.analysis.vocabulary import CERTAINTY_LABELS
from ivigbook.data.cells import is_missing


def split_list(text: object) -> list[str]:
    """A "; "-separated cell as a list (empty for a missing cell)."""
    if is_missing(text):
        return []
    return [part.strip() for part in str(text).split(";") if part.strip()]


def rated_on(row: Any) -> list[str]:
    """The trials a summary-of-findings rating was made on (``findings.rated_on``)."""
    return split_list(row["rated_on"])


def statement(ev: Any, effect: str, certainty: str, outcome_label: str) -> str:
    """GRADE's informative statement for an effect at a certainty (``grade_statements.csv``):
    "IVIG may make little or no difference to muscle strength, but the evidence is very
    uncertain."."""
    s = ev.grade_statements
    hit = s[(s["effect"].astype(str) == effect) & (s["certainty"].astype(str) == certainty)]
    text = str(hit["statement"].iloc[0]).format(intervention="IVIG", outcome=outcome_label.lower())
    return text[:1].upper() + text[1:]


#: The certainty label of a row whose trials changed since it was rated.
NOT_RERATED = "Not yet re-rated"


def names_list(items: list[str]) -> str:
    """'a', 'a and b', 'a, b and c'."""
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " and " + items[-1]


def stale_statement(changed: str, certainty: str) -> str:
    """What a stale row says in place of its statement."""
    return (
        f"Not yet re-rated since {changed}: the last rating "
        f"({CERTAINTY_LABELS[certainty].lower()}) was made on other trials."
    )
