"""The counts behind the conclusions, and the facts behind the key messages."""

from __future__ import annotations

from dataclasses import asdict, dataclass, fields
from typing import TYPE_CHECKING, Any

from ivigbook.analysis.changes import added_since_letter
from ivigbook.analysis.claims import evaluate
from ivigbook.analysis.claims.bases import (
    checked_improvements,
    evaluate_bases,
    newly_contradicted_domains,
    verdicts_on_bases,
    weak_results,
)
from ivigbook.analysis.cohorts import (
    is_controlled,
    is_trial,
    ivig_evidence,
    ivig_studies,
    studies_with_improvement,
    trial_studies,
    uncontrolled_studies,
)
from ivigbook.analysis.design import continuous_design, planning_values
from ivigbook.analysis.grade import findings_table
from ivigbook.analysis.guidance import conditional_guidance, guidance_counts
from ivigbook.analysis.responders import responder_summary, responder_table
from ivigbook.analysis.vocabulary import CONTRADICTED

if TYPE_CHECKING:
    from ivigbook.data.load import Evidence


@dataclass(frozen=True)
class EvidenceSummary:
    """Counts behind the conclusions (see :func:`evidence_summary`)."""

    n_studies: int
    n_ivig_studies: int
    n_trials: int
    n_trial_patients: int
    n_trials_objective_benefit: int
    n_controlled: int
    n_controlled_patients: int
    n_controlled_objective_benefit: int
    n_uncontrolled: int
    n_uncontrolled_patients: int
    n_uncontrolled_objective_benefit: int
    n_added: int


def evidence_summary(ev: Evidence) -> EvidenceSummary:
    """Counts behind the conclusions (studies by other routes count in n_studies only)."""
    studies = ivig_studies(ev)  # trials and controlled studies: intravenous only
    benefit = studies_with_improvement(ev)
    trials = studies[is_trial(studies)]
    controlled = studies[is_controlled(studies)]
    uncontrolled = uncontrolled_studies(ev)
    return EvidenceSummary(
        n_studies=len(ev.studies),
        n_ivig_studies=len(studies),
        n_trials=len(trials),
        n_trial_patients=int(trials["n_total"].sum()),
        n_trials_objective_benefit=int(trials["study_id"].astype(str).isin(benefit).sum()),
        n_controlled=len(controlled),
        n_controlled_patients=int(controlled["n_total"].sum()),
        n_controlled_objective_benefit=int(controlled["study_id"].astype(str).isin(benefit).sum()),
        n_uncontrolled=len(uncontrolled),
        n_uncontrolled_patients=int(uncontrolled["n_total"].sum()),
        n_uncontrolled_objective_benefit=len(benefit - set(controlled["study_id"].astype(str))),
        n_added=len(added_since_letter(ev)),
    )


#: Domains that matter to patients, in the order a reader expects them.
PATIENT_DOMAINS = ("strength", "swallowing", "function")


@dataclass(frozen=True)
class CheckedBenefit:
    """A study whose checked primary source reports an improvement the letter's results do not."""

    study: str  #: the study's short label ("Dalakas 1997")
    domains: tuple[str, ...]  #: the improved domains (codes), data order
    own_report: bool  #: every check behind it cites the study's own report
    trial: bool
    controlled: bool
    weak: str = ""  #: why every result behind it is weak evidence ("" when one is not)


def checked_benefits(ev: Evidence) -> tuple[CheckedBenefit, ...]:
    """:func:`~ivigbook.analysis.claims.bases.checked_improvements`, one item per study."""
    table = checked_improvements(ev)
    weak = weak_results(ivig_evidence(ev)).set_index("outcome_id")["why"]
    return tuple(
        CheckedBenefit(
            study=str(rows["study"].iloc[0]),
            domains=tuple(dict.fromkeys(rows["domain"].astype(str))),
            own_report=bool(rows["own_report"].all()),
            trial=bool(rows["trial"].iloc[0]),
            controlled=bool(rows["controlled"].iloc[0]),
            weak="; ".join(dict.fromkeys(weak[o] for o in rows["outcome_id"]))
            if set(rows["outcome_id"]) <= set(weak.index)
            else "",
        )
        for _, rows in table.groupby("study_id", sort=False)
    )


@dataclass(frozen=True)
class BasesVerdicts:
    """Claims contradicted on each basis, and only once the sources are checked (with why)."""

    newly_contradicted_domains: tuple[str, ...]
    n_claims: int
    n_contradicted_letter: int
    n_contradicted_checked: int
    n_newly_contradicted: int


def bases_verdicts(ev: Evidence) -> BasesVerdicts:
    """Counts of :func:`~ivigbook.analysis.claims.bases.verdicts_on_bases` for sentences."""
    counts = verdicts_on_bases(ev)
    letter = dict(zip(counts["verdict"], counts["letter"], strict=True))
    checked = dict(zip(counts["verdict"], counts["checked"], strict=True))
    moved, domains = newly_contradicted_domains(ev)
    return BasesVerdicts(
        n_claims=sum(letter.values()),
        n_contradicted_letter=letter[CONTRADICTED],
        n_contradicted_checked=checked[CONTRADICTED],
        n_newly_contradicted=moved,
        newly_contradicted_domains=domains,
    )


@dataclass(frozen=True)
class KeyFacts:
    """The facts behind the key messages and the plain-language summary (plain values)."""

    n_studies: int
    n_trials: int
    n_trial_patients: int
    n_trials_objective_benefit: int
    n_trials_placebo: int
    #: Patient-important domains (codes) that the trials measured objectively.
    trial_domains: tuple[str, ...]
    n_uncontrolled: int
    n_uncontrolled_patients: int
    n_uncontrolled_objective_benefit: int
    #: Responder statements, and how many are uncontrolled or on a subjective measure.
    n_signal_statements: int
    n_signal_weak: int
    timing_verdict: str
    marker_verdict: str
    n_added: int
    #: The book's certainty ratings: (certainty label, outcome labels), best first.
    certainty: tuple[tuple[str, tuple[str, ...]], ...] = ()
    #: Ratings whose trials changed since: (outcome label, what changed, the old rating).
    not_rerated: tuple[tuple[str, str, str], ...] = ()
    #: Guidance statements on IVIG in IBM; against it (or no data for it); conditional.
    n_guidance: int = 0
    n_guidance_against: int = 0
    n_guidance_conditional: int = 0
    #: The next trial (:func:`~ivigbook.analysis.design.continuous_design`): patients per arm,
    #: the share of the IBMFRS decline prevented, its months, the difference in points.
    next_trial_per_arm: int = 0
    next_trial_slowing: float = 0.0
    next_trial_months: int = 0
    next_trial_points: float = 0.0
    #: Studies whose checked source reports an improvement the letter's results do not.
    checked_benefits: tuple[CheckedBenefit, ...] = ()
    #: Improvement reports, and how many are uncontrolled or on a subjective measure.
    n_improvement_reports: int = 0
    n_improvement_reports_weak: int = 0
    #: Conditional guidance: superseded editions, and the situations in its words.
    n_guidance_conditional_superseded: int = 0
    guidance_conditional_situations: tuple[str, ...] = ()


def key_facts(ev: Evidence) -> KeyFacts:
    """Everything the key messages say, computed from the data."""
    own = {f.name for f in fields(KeyFacts)}
    shared: dict[str, Any] = {k: v for k, v in asdict(evidence_summary(ev)).items() if k in own}
    trial_ids = set(trial_studies(ev)["study_id"].astype(str))
    o = ev.outcomes
    objective = o[o["study_id"].astype(str).isin(trial_ids) & (o["assessment"] == "objective")]
    measured = set(objective["domain"].astype(str))
    signals = responder_summary(responder_table(ev))
    verdicts = evaluate(ev).set_index("claim_id")["verdict"].astype(str)
    findings = findings_table(ev)
    levels: dict[str, list[str]] = {}
    current = findings[findings["stale"] == ""]
    for label, outcome in zip(current["certainty_label"], current["outcome_label"], strict=True):
        levels.setdefault(str(label).lower(), []).append(str(outcome).lower())
    stale = findings[findings["stale"] != ""]
    guidance = guidance_counts(ev)
    planning = planning_values(ev)
    next_trial = continuous_design(planning)
    conditional = conditional_guidance(ev)
    return KeyFacts(
        checked_benefits=checked_benefits(ev),
        n_improvement_reports=signals.n_reports,
        n_improvement_reports_weak=signals.n_reports_weak,
        n_guidance_conditional_superseded=int(conditional["superseded"].sum()),
        guidance_conditional_situations=tuple(conditional["situation"].astype(str)),
        next_trial_per_arm=int(next_trial["enrolled_per_arm"]),
        next_trial_slowing=planning["slowing"],
        next_trial_months=int(planning["trial_months"]),
        next_trial_points=next_trial["difference"] * planning["ibmfrs_mean_score"] / 100,
        n_guidance=guidance["n_guidance"],
        n_guidance_against=guidance["n_against"],
        n_guidance_conditional=guidance["n_conditional_for"],
        certainty=tuple((level, tuple(outcomes)) for level, outcomes in levels.items()),
        not_rerated=tuple(
            (str(o).lower(), str(s), str(c).replace("_", " "))
            for o, s, c in stale[["outcome_label", "stale", "certainty"]].itertuples(index=False)
        ),
        n_trials_placebo=int(trial_studies(ev)["placebo_controlled"].eq(True).sum()),
        trial_domains=tuple(d for d in PATIENT_DOMAINS if d in measured),
        n_signal_statements=signals.n_statements,
        n_signal_weak=signals.n_weak,
        timing_verdict=verdicts["responders_started_earlier"],
        marker_verdict=verdicts["no_biomarkers"],
        **shared,
    )


def bases_counts(ev: Evidence) -> dict[str, int]:
    """Claims evaluated on both bases (n_claims), and those whose verdict differs (n_differ)."""
    bases = evaluate_bases(ev)
    return {"n_claims": len(bases), "n_differ": int(bases["differs"].sum())}
