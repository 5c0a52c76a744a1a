"""The literature search: its counts and its flow, as the data record them."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pandas as pd

from ivigbook.analysis.vocabulary import NOT_REPORTED

# ------------------------------------------------------------------------------------------
# Search


@dataclass(frozen=True)
class SearchCounts:
    """Counts of the letter's search, and of the evidence base now."""

    records_identified: int | None
    full_texts_assessed: int | None
    studies_included_search: int | None  #: the search's last step, as the letter reports it
    studies_from_letter: int  #: studies with included_by == letter
    studies_added: int  #: studies with included_by == update
    studies_now: int
    steps_total: int
    steps_unreported: list[str]


def _step_count(search: pd.DataFrame, step_id: str) -> int | None:
    rows = search.loc[search["step_id"] == step_id, "count"]
    if rows.empty or pd.isna(rows.iloc[0]):
        return None
    return int(rows.iloc[0])


def search_counts(ev: Any) -> SearchCounts:
    """Counts from ``search`` and ``studies``; unreported steps in flow order."""
    search = ev.search.sort_values("step_order")
    by = ev.studies["included_by"].astype("string")
    unreported = search.loc[~search["reported"].astype(bool), "label"].astype(str).tolist()
    return SearchCounts(
        records_identified=_step_count(search, "records_identified"),
        full_texts_assessed=_step_count(search, "full_texts_assessed"),
        studies_included_search=_step_count(search, "studies_included"),
        studies_from_letter=int((by == "letter").sum()),
        studies_added=int((by == "update").sum()),
        studies_now=len(ev.studies),
        steps_total=len(search),
        steps_unreported=unreported,
    )


def search_flow(ev: Any) -> pd.DataFrame:
    """The flow diagram's boxes, top to bottom: the search's steps, then the evidence now.

    Columns: ``order`` (0-based row), ``stage``, ``label``, ``count_text`` ("not reported"
    for steps the letter does not report, or reports without a count), ``reported``,
    ``detail`` and ``quote``. A final box counts the studies in the evidence base now,
    with the number added since the letter's search.
    """
    search = ev.search.sort_values("step_order").reset_index(drop=True)
    counts = search_counts(ev)
    count_text = search["count"].astype("string").fillna(NOT_REPORTED)
    count_text = count_text.where(search["reported"].astype(bool), NOT_REPORTED)
    flow = pd.DataFrame(
        {
            "order": range(len(search)),
            "stage": search["stage"].astype("string").str.capitalize(),
            "label": search["label"],
            "count_text": count_text,
            "reported": search["reported"].astype(bool),
            "detail": search["detail"].fillna(""),
            "quote": search["quote"].fillna(NOT_REPORTED),
        }
    )
    now = pd.DataFrame(
        {
            "order": [len(search)],
            "stage": ["Now"],
            "label": ["Studies in the evidence base now"],
            "count_text": [
                f"{counts.studies_now} "
                f"({counts.studies_from_letter} from the letter; "
                f"added since the letter's search: {counts.studies_added})"
            ],
            "reported": [True],
            "detail": ["computed from the studies table"],
            "quote": [""],
        }
    )
    return pd.concat([flow, now], ignore_index=True)


def steps_reported_without_count(ev: Any) -> list[str]:
    """Labels of the search steps the letter mentions (``reported``) but gives no count for."""
    search = ev.search.sort_values("step_order")
    rows = search[search["reported"].astype(bool) & search["count"].isna()]
    return rows["label"].astype(str).tolist()


def unreported_steps(ev: Any) -> pd.DataFrame:
    """The search steps the letter does not report, in flow order."""
    search = ev.search.sort_values("step_order")
    rows = search.loc[~search["reported"].astype(bool), ["step_order", "stage", "label"]]
    return pd.DataFrame(
        {
            "Step": rows["step_order"].to_numpy(),
            "Stage": rows["stage"].astype("string").str.capitalize().to_numpy(),
            "What a PRISMA flow diagram would show": rows["label"].to_numpy(),
            "In the letter": NOT_REPORTED,
        }
    )
