"""The controlled trials: their design flags and their outcomes, measure by measure."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pandas as pd

from ivigbook.analysis.cohorts import (
    controlled_studies,
    design_labels,
    studies_with_improvement,
    study_labels,
    trial_studies,
)
from ivigbook.analysis.vocabulary import (
    ASSESSMENT_LABELS,
    BASIS_LABELS,
    DOMAIN_LABELS,
    MEASURE_LABELS,
    NOT_REPORTED,
    RESULT_LABELS,
)


def trial_design_table(ev: Any) -> pd.DataFrame:
    """The trials with the flags Table I's study type gives them ("not stated" if empty)."""
    t = trial_studies(ev)

    def flag(col: str) -> pd.Series:
        return t[col].map({True: "yes", False: "no"}).astype("string").fillna("not stated")

    return pd.DataFrame(
        {
            "Study": study_labels(t),
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


@dataclass(frozen=True)
class TrialFacts:
    """The facts of the trials chapter (plain values, glued with the prefix ``tr``)."""

    n_trials: int
    n_patients: int
    n_placebo: int
    n_randomised: int
    n_randomised_unstated: int
    n_blinded: int
    n_crossover: int
    n_controlled: int
    n_controlled_other: int
    letter_n_placebo: int  #: in the trials of the letter's Table I
    letter_n_randomised: int
    n_blanket: int  #: trial outcomes whose result comes from a blanket statement
    n_objective_benefit: int  #: trials with an improvement on an objective measure
    n_subjective_benefit_only: int
    n_result_differs: int  #: source checks of the controlled studies finding another result
    unstated_labels: tuple[str, ...]


def trial_facts(ev: Any) -> TrialFacts:
    """Everything the trials chapter says in numbers."""
    t = trial_studies(ev)
    letter = trial_studies(ev, letter_only=True)
    controlled = controlled_studies(ev)
    trial_ids = t["study_id"].astype(str).tolist()
    o = ev.outcomes[ev.outcomes["study_id"].astype(str).isin(trial_ids)]
    improved = o["result"].astype(str).isin(("improved", "subjective_improvement"))
    objective = o["assessment"].astype(str) == "objective"
    with_objective = studies_with_improvement(ev) & set(trial_ids)
    with_subjective = set(o.loc[improved & ~objective, "study_id"].astype(str))
    checks = ev.source_checks
    differs = (
        checks["study_id"].astype(str).isin(controlled["study_id"].astype(str))
        & (checks["topic"].astype(str) == "result")
        & (checks["verdict"].astype(str) == "differs")
    )
    return TrialFacts(
        n_trials=len(t),
        n_patients=int(t["n_total"].sum()),
        n_placebo=int(t["placebo_controlled"].eq(True).sum()),
        n_randomised=int(t["randomised"].eq(True).sum()),
        n_randomised_unstated=int(t["randomised"].isna().sum()),
        n_blinded=int(t["blinded"].eq(True).sum()),
        n_crossover=int(t["crossover"].eq(True).sum()),
        n_controlled=len(controlled),
        n_controlled_other=len(controlled) - len(t),
        letter_n_placebo=int(letter["placebo_controlled"].eq(True).sum()),
        letter_n_randomised=int(letter["randomised"].eq(True).sum()),
        n_blanket=int((o["result_basis"].astype(str) == "blanket").sum()),
        n_objective_benefit=len(with_objective),
        n_subjective_benefit_only=len(with_subjective - with_objective),
        n_result_differs=int(differs.sum()),
        unstated_labels=tuple(study_labels(t).astype(str)[t["randomised"].isna().to_numpy()]),
    )


def findings_table(ev: Any) -> pd.DataFrame:
    """The trials' results other than "no effect" or "not reported", for display."""
    trial_ids = trial_studies(ev)["study_id"].astype(str).tolist()
    o = ev.outcomes
    o = o[
        o["study_id"].astype(str).isin(trial_ids)
        & ~o["result"].astype(str).isin(("no_effect", "not_reported"))
    ]
    labels = dict(zip(ev.studies["study_id"], study_labels(ev.studies), strict=True))
    return pd.DataFrame(
        {
            "Trial": o["study_id"].map(labels).astype(str),
            "Measure (the letter's words)": o["measure_letter"].astype(str),
            "Result": o["result"].astype(str).map(RESULT_LABELS),
            "Measured by": o["assessment"].astype(str).map(ASSESSMENT_LABELS),
        }
    ).reset_index(drop=True)
