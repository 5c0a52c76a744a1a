"""The counts behind the conclusions."""

from __future__ import annotations

from typing import TYPE_CHECKING

from ivigbook.analysis.changes import added_since_letter
from ivigbook.analysis.cohorts import is_controlled, is_trial, studies_with_improvement

if TYPE_CHECKING:
    from ivigbook.data.load import Evidence


# --------------------------------------------------------------------------------------
# Conclusions


def evidence_summary(ev: Evidence) -> dict[str, int]:
    """Counts behind the conclusions (plain ints).

    ``n_trials``/``n_trial_patients``: controlled trials
    (:func:`~ivigbook.analysis.cohorts.is_trial`) and their patients;
    ``n_trials_objective_benefit``: trials with an improvement
    (:func:`~ivigbook.analysis.cohorts.studies_with_improvement`); the same for all
    controlled studies (trials and case-control studies); ``n_added``: studies added since
    the letter's search
    (:func:`ivigbook.analysis.changes.added_since_letter`: included_by "update" or added later).
    """
    studies = ev.studies
    benefit = studies_with_improvement(ev)
    trials = studies[is_trial(studies)]
    controlled = studies[is_controlled(studies)]
    return {
        "n_studies": len(studies),
        "n_trials": len(trials),
        "n_trial_patients": int(trials["n_total"].sum()),
        "n_trials_objective_benefit": int(trials["study_id"].astype(str).isin(benefit).sum()),
        "n_controlled": len(controlled),
        "n_controlled_patients": int(controlled["n_total"].sum()),
        "n_controlled_objective_benefit": int(
            controlled["study_id"].astype(str).isin(benefit).sum()
        ),
        "n_uncontrolled": len(studies) - len(controlled),
        "n_uncontrolled_patients": int(studies["n_total"].sum()) - int(controlled["n_total"].sum()),
        "n_uncontrolled_objective_benefit": len(benefit - set(controlled["study_id"].astype(str))),
        "n_added": len(added_since_letter(ev)),
    }


def _count_word(n: int, singular: str, plural: str) -> str:
    return f"{n} {singular if n == 1 else plural}"
