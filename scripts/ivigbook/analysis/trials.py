"""The controlled trials: their design flags and their outcomes, measure by measure."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pandas as pd

from ivigbook.analysis.cohorts import controlled_studies, design_labels, study_labels, trial_studies
from ivigbook.analysis.vocabulary import (
    ASSESSMENT_LABELS,
    BASIS_LABELS,
    DOMAIN_LABELS,
    MEASURE_LABELS,
    NOT_REPORTED,
    RESULT_LABELS,
)


@dataclass(frozen=True)
class TrialFlags:
    """How Table I's words classify the trials."""

    n_trials: int
    n_placebo_controlled: int
    n_randomised: int
    n_randomised_unstated: int  #: trials the letter does not call randomised or not
    n_blinded: int
    n_crossover: int
    patients: int  #: patients in the trials, as the letter states them
    trial_labels: list[str]
    unstated_labels: list[str]


def trial_flags(ev: Any, letter_only: bool = False) -> TrialFlags:
    """Counts of the trial flags (randomised, placebo, blinded, crossover) and patients.

    ``letter_only``: count only the trials of the letter's Table I (see :func:`trial_studies`).
    """
    t = trial_studies(ev, letter_only=letter_only)
    labels = study_labels(t).astype(str)
    return TrialFlags(
        n_trials=len(t),
        n_placebo_controlled=int(t["placebo_controlled"].eq(True).sum()),
        n_randomised=int(t["randomised"].eq(True).sum()),
        n_randomised_unstated=int(t["randomised"].isna().sum()),
        n_blinded=int(t["blinded"].eq(True).sum()),
        n_crossover=int(t["crossover"].eq(True).sum()),
        patients=int(t["n_total"].sum()),
        trial_labels=labels.tolist(),
        unstated_labels=labels[t["randomised"].isna().to_numpy()].tolist(),
    )


def trial_design_table(ev: Any) -> pd.DataFrame:
    """The trials with the flags Table I's study type gives them ("not stated" if empty)."""
    t = trial_studies(ev)

    def flag(col: str) -> pd.Series:
        return t[col].map({True: "yes", False: "no"}).astype("string").fillna("not stated")

    return pd.DataFrame(
        {
            "Study": study_labels(t),
            "Study type (letter)": t["study_type_letter"],
            "Randomised": flag("randomised"),
            "Double blind": flag("blinded"),
            "Placebo": flag("placebo_controlled"),
            "Crossover": flag("crossover"),
            "Patients": t["n_total"],
        }
    )


def outcome_matrix(ev: Any, study_ids: list[str] | None = None) -> pd.DataFrame:
    """Study x measure cells for the outcome matrix (default: the controlled studies)."""
    studies = controlled_studies(ev) if study_ids is None else ev.studies
    if study_ids is not None:
        studies = studies[studies["study_id"].isin(study_ids)].reset_index(drop=True)
    labels = dict(zip(studies["study_id"], study_labels(studies), strict=True))
    designs = dict(zip(studies["study_id"], design_labels(studies), strict=True))
    o = ev.outcomes[ev.outcomes["study_id"].isin(list(labels))]
    measure_order = [m for m in ev.outcomes["measure"].cat.categories if m in set(o["measure"])]
    out = pd.DataFrame(
        {
            "study_id": o["study_id"].astype(str),
            "study": o["study_id"].map(labels).astype(str),
            "design": o["study_id"].map(designs).astype(str),
            "measure": o["measure"].astype(str).map(MEASURE_LABELS),
            "measure_code": o["measure"].astype(str),
            "measure_letter": o["measure_letter"],
            "domain": o["domain"].astype(str).map(DOMAIN_LABELS),
            "assessment": o["assessment"].astype(str).map(ASSESSMENT_LABELS),
            "result_label": o["result"].astype(str).map(RESULT_LABELS),
            "basis": o["result_basis"].astype(str).map(BASIS_LABELS),
            "quote": o["quote"].fillna(NOT_REPORTED),
        }
    ).reset_index(drop=True)
    out.attrs["study_order"] = list(labels.values())
    out.attrs["measure_order"] = [MEASURE_LABELS[m] for m in measure_order]
    out.attrs["domain_order"] = [
        DOMAIN_LABELS[d] for d in ev.outcomes["domain"].cat.categories if d in set(o["domain"])
    ]
    return out
