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
    letter_n_placebo: int
    letter_n_randomised: int
    #: Trial outcomes whose result comes from a blanket "No effects." rather than the measure.
    n_blanket: int
    #: Trials with an improvement on an objective measure / on a subjective measure only.
    n_objective_benefit: int
    n_subjective_benefit_only: int
    #: Source checks of the controlled studies in which the source reports another result.
    n_result_differs: int
    unstated_labels: tuple[str, ...]


def trial_facts(ev: Any) -> TrialFacts:
    """Everything the trials chapter says in numbers."""
    flags = trial_flags(ev)
    letter = trial_flags(ev, letter_only=True)
    controlled = controlled_studies(ev)
    trial_ids = trial_studies(ev)["study_id"].astype(str).tolist()
    o = ev.outcomes[ev.outcomes["study_id"].astype(str).isin(trial_ids)]
    improved = o["result"].astype(str).isin(("improved", "subjective_improvement"))
    objective = o["assessment"].astype(str) == "objective"
    with_objective = set(o.loc[improved & objective, "study_id"].astype(str))
    with_subjective = set(o.loc[improved & ~objective, "study_id"].astype(str))
    checks = ev.source_checks
    differs = (
        checks["study_id"].astype(str).isin(controlled["study_id"].astype(str))
        & (checks["topic"].astype(str) == "result")
        & (checks["verdict"].astype(str) == "differs")
    )
    return TrialFacts(
        n_trials=flags.n_trials,
        n_patients=flags.patients,
        n_placebo=flags.n_placebo_controlled,
        n_randomised=flags.n_randomised,
        n_randomised_unstated=flags.n_randomised_unstated,
        n_blinded=flags.n_blinded,
        n_crossover=flags.n_crossover,
        n_controlled=len(controlled),
        n_controlled_other=len(controlled) - flags.n_trials,
        letter_n_placebo=letter.n_placebo_controlled,
        letter_n_randomised=letter.n_randomised,
        n_blanket=int((o["result_basis"].astype(str) == "blanket").sum()),
        n_objective_benefit=len(with_objective),
        n_subjective_benefit_only=len(with_subjective - with_objective),
        n_result_differs=int(differs.sum()),
        unstated_labels=tuple(flags.unstated_labels),
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
