"""Outcomes that could serve as markers (serum values, biopsy findings), and the biomarkers
chapter's facts."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, cast

import pandas as pd

from ivigbook.analysis import claims
from ivigbook.analysis.claims.bases import checked_basis
from ivigbook.analysis.cohorts import labels_by_id
from ivigbook.analysis.responders import responder_row, responder_table
from ivigbook.analysis.vocabulary import DESIGN_LABELS, MARKER_DOMAINS, NOT_REPORTED, RESULT_LABELS

if TYPE_CHECKING:
    from ivigbook.data.load import Evidence


def marker_outcomes(ev: Evidence) -> pd.DataFrame:
    """Outcomes measured in serum or muscle tissue, with the letter's result and the checked
    one (``checked_result``: a checked primary source's, else the letter's)."""
    out = ev.outcomes[ev.outcomes["domain"].isin(MARKER_DOMAINS)]
    checked = checked_basis(ev).outcomes.set_index("outcome_id")["result"]
    studies = ev.studies.set_index(ev.studies["study_id"].astype(str))
    labels = labels_by_id(ev)
    return pd.DataFrame(
        {
            "study": [labels[str(s)] for s in out["study_id"]],
            "design": [DESIGN_LABELS[str(studies.loc[str(s), "design"])] for s in out["study_id"]],
            "measure": [str(m) for m in out["measure_letter"]],
            "result": [RESULT_LABELS[str(r)] for r in out["result"]],
            "checked_result": [RESULT_LABELS[str(checked[o])] for o in out["outcome_id"]],
            "letter_words": [NOT_REPORTED if pd.isna(q) else str(q) for q in out["quote"]],
        }
    ).reset_index(drop=True)


def outcome_quote(ev: Evidence, outcome_id: str) -> str:
    """The letter's words for one outcome, or "not reported"."""
    rows = ev.outcomes[ev.outcomes["outcome_id"] == outcome_id]
    if len(rows) != 1:
        raise KeyError(outcome_id)
    quote = rows.iloc[0]["quote"]
    return NOT_REPORTED if pd.isna(quote) else str(quote)


# The records the chapter's prose quotes by id (a missing one raises a KeyError).
BIOPSY_MARKERS_OUTCOME = "zschuntzsch2012-biopsy_markers"
NECROSIS_OUTCOME = "dalakas2001-biopsy_necrosis"
CK_SERIES_OUTCOME = "soueidan-ck"
CK_REPORT_OUTCOME = "recher-ck"
CK_CONTROLLED_RESPONDERS = "dobloug2012-r5"  #: the comparison-group study's CK statement


@dataclass(frozen=True)
class BiomarkerFacts:
    """The biomarkers chapter's facts (glued with the prefix ``bio``)."""

    verdict: str  #: on the letter's claim that no biomarker predicts response
    biopsy_markers: str  #: the letter's words (or "not reported"), for each quoted outcome
    necrosis: str
    ck_soueidan: str
    ck_recher: str
    ck_dobloug: str
    ck_dobloug_low: float | None  #: exact 95% CI of its share (None: no count fixes it)
    ck_dobloug_high: float | None
    n_marker_outcomes: int
    n_marker_studies: int


def _share_bound(value: object) -> float | None:
    """A CI bound of :func:`responder_row` (None where no count fixes it) as a float."""
    return None if value is None else float(cast(float, value))


def biomarker_facts(ev: Evidence) -> BiomarkerFacts:
    """Everything the biomarkers chapter says in numbers and quoted words."""
    ck = responder_row(responder_table(ev), CK_CONTROLLED_RESPONDERS)
    markers = marker_outcomes(ev)
    return BiomarkerFacts(
        verdict=str(claims.chapter_verdicts(ev, "biomarkers")["Verdict"].iloc[0]),
        biopsy_markers=outcome_quote(ev, BIOPSY_MARKERS_OUTCOME),
        necrosis=outcome_quote(ev, NECROSIS_OUTCOME),
        ck_soueidan=outcome_quote(ev, CK_SERIES_OUTCOME),
        ck_recher=outcome_quote(ev, CK_REPORT_OUTCOME),
        ck_dobloug=str(ck["quote"]),
        ck_dobloug_low=_share_bound(ck["ci_low"]),
        ck_dobloug_high=_share_bound(ck["ci_high"]),
        n_marker_outcomes=len(markers),
        n_marker_studies=int(markers["study"].nunique()),
    )
