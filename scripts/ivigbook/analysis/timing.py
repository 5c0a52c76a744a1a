"""What each study reports about the timing of treatment."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pandas as pd

from ivigbook.analysis.cohorts import labels_by_id, study_columns
from ivigbook.analysis.vocabulary import NOT_REPORTED

if TYPE_CHECKING:
    from ivigbook.data.load import Evidence


#: Aspect -> (label, the studies fields that report it), as the letter lists them.
TIMING_ASPECTS: dict[str, tuple[str, tuple[str, ...]]] = {
    "time_to_treatment": ("Time from diagnosis", ("time_to_treatment_letter",)),
    "disease_duration": ("Disease duration", ("disease_duration_letter",)),
    "treatment_duration": ("Treatment duration", ("treatment_duration_letter", "treatment_months")),
    "concomitant_treatment": ("Concomitant drugs", ("concomitant_treatment",)),
}


def timing_matrix(ev: Evidence) -> pd.DataFrame:
    """One row per study and timing aspect: reported or not, and the letter's words."""
    labels = labels_by_id(ev)
    rows = []
    for study in ev.studies.itertuples(index=False):
        for aspect, (label, fields) in TIMING_ASPECTS.items():
            values = {name: getattr(study, name) for name in fields}
            parts = [
                f"planned months: {int(v)}" if name == "treatment_months" else str(v)
                for name, v in values.items()
                if not pd.isna(v)
            ]
            reported = bool(parts)
            rows.append(
                {
                    **study_columns(labels, study.study_id, study.design),
                    "aspect": aspect,
                    "aspect_label": label,
                    "reported": reported,
                    "status": "reported" if reported else NOT_REPORTED,
                    "letter_words": "; ".join(parts) if reported else NOT_REPORTED,
                }
            )
    return pd.DataFrame(rows)


def timing_counts(ev: Evidence) -> dict[str, int]:
    """Number of studies that report each timing aspect (keys of :data:`TIMING_ASPECTS`)."""
    m = timing_matrix(ev)
    counts = m.groupby("aspect", sort=False)["reported"].sum()
    return {aspect: int(counts[aspect]) for aspect in TIMING_ASPECTS}


def timing_words_table(ev: Evidence) -> pd.DataFrame:
    """The letter's words on timing, one row per study and one column per aspect."""
    timing = timing_matrix(ev)
    table = (
        timing.pivot_table(
            index="study", columns="aspect_label", values="letter_words", aggfunc="first"
        )
        .reindex(columns=list(dict.fromkeys(timing["aspect_label"])))
        .reindex(list(dict.fromkeys(timing["study"])))
        .reset_index()
        .rename(columns={"study": "Study"})
    )
    table.columns.name = None
    return table


def times_given(ev: Evidence, aspect: str = "time_to_treatment") -> int:
    """How many of the studies that report ``aspect`` give a time in numbers (a digit)."""
    m = timing_matrix(ev)
    rows = m[(m["aspect"] == aspect) & m["reported"]]
    return int(rows["letter_words"].astype(str).str.contains(r"\d").sum())
