"""Outcomes that could serve as markers (serum values, biopsy findings)."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pandas as pd

from ivigbook.analysis.cohorts import labels_by_id
from ivigbook.analysis.vocabulary import DESIGN_LABELS, MARKER_DOMAINS, NOT_REPORTED, RESULT_LABELS

if TYPE_CHECKING:
    from ivigbook.data.load import Evidence


# --------------------------------------------------------------------------------------
# Candidate markers


def marker_outcomes(ev: Evidence) -> pd.DataFrame:
    """Outcomes measured in serum or muscle tissue (candidate markers), with their results."""
    out = ev.outcomes[ev.outcomes["domain"].isin(MARKER_DOMAINS)]
    studies = ev.studies.set_index(ev.studies["study_id"].astype(str))
    labels = labels_by_id(ev)
    return pd.DataFrame(
        {
            "study": [labels[str(s)] for s in out["study_id"]],
            "design": [DESIGN_LABELS[str(studies.loc[str(s), "design"])] for s in out["study_id"]],
            "measure": [str(m) for m in out["measure_letter"]],
            "result": [RESULT_LABELS[str(r)] for r in out["result"]],
            "letter_words": [NOT_REPORTED if pd.isna(q) else str(q) for q in out["quote"]],
        }
    ).reset_index(drop=True)
