"""The counts behind the conclusions."""

from __future__ import annotations

from typing import TYPE_CHECKING

from ivigbook.analysis.changes import added_since_letter
from ivigbook.analysis.cohorts import ivig_studies
from ivigbook.analysis.vocabulary import TRIAL_DESIGNS

if TYPE_CHECKING:
    from ivigbook.data.load import Evidence


# --------------------------------------------------------------------------------------
# Conclusions


def evidence_summary(ev: Evidence) -> dict[str, int]:
    """Counts behind the conclusions (plain ints).

    ``n_trials``/``n_trial_patients``: controlled trials (:data:`TRIAL_DESIGNS`) and their
    patients; ``n_trials_objective_benefit``: trials with at least one objective outcome
    whose result is "improved"; the same for all controlled studies (trials and
    case-control studies); ``n_added``: studies added since the letter's search
    (:func:`ivigbook.analysis.changes.added_since_letter`: included_by "update" or added later).
    """
    everything = ev.studies
    studies = ivig_studies(ev)  # trials and controlled studies: intravenous only
    out = ev.outcomes
    benefit = set(
        out.loc[
            (out["assessment"] == "objective") & (out["result"] == "improved"), "study_id"
        ].astype(str)
    )
    trials = studies[studies["design"].isin(TRIAL_DESIGNS)]
    controlled = studies[studies["controlled"].fillna(False).astype(bool)]
    return {
        "n_studies": len(everything),
        "n_ivig_studies": len(studies),
        "n_trials": len(trials),
        "n_trial_patients": int(trials["n_total"].sum()),
        "n_trials_objective_benefit": int(trials["study_id"].astype(str).isin(benefit).sum()),
        "n_controlled": len(controlled),
        "n_controlled_patients": int(controlled["n_total"].sum()),
        "n_controlled_objective_benefit": int(
            controlled["study_id"].astype(str).isin(benefit).sum()
        ),
        "n_uncontrolled": len(everything) - len(controlled),
        "n_uncontrolled_patients": int(everything["n_total"].sum())
        - int(controlled["n_total"].sum()),
        "n_uncontrolled_objective_benefit": len(benefit - set(controlled["study_id"].astype(str))),
        "n_added": len(added_since_letter(ev)),
    }


def _count_word(n: int, singular: str, plural: str) -> str:
    return f"{n} {singular if n == 1 else plural}"
