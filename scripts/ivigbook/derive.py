"""Derived tables for the chapters on the search, the evidence and the trials.

Every function takes the loaded package (``ev = ivigbook.load.load()``) and returns a
DataFrame, a small dataclass or a number, computed from the data at build time. Nothing here
draws (that is :mod:`ivigbook.charts`) and nothing types a value that the data holds.

Definitions a reader may want to check:

* **Usual dose** (:func:`usual_dose`): the most common ``dose_g_per_kg_per_month`` among the
  studies that give one regimen for the whole study; a tie goes to the larger dose.
* **Overall result** (:func:`overall_results`): a study's most favourable result on an
  *objective* measure, ranked by :data:`OVERALL_RANK` (improved > non-significant trend >
  change without clinical relevance > no effect > not reported). A study without any
  objective measure is given the most favourable result on its measures of *unclear*
  assessment, then on its *subjective* ones, and ``overall_basis`` says which was used.
  Subjective improvements therefore never lift a study that has objective measures.
* **Controlled trials** (:data:`TRIAL_DESIGNS`): prospective trials with a comparator, i.e.
  the designs ``placebo_controlled_trial`` and ``controlled_trial``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pandas as pd

from ivigbook.charts import DESIGN_LABELS, RESULT_LABELS

#: Results from most to least favourable, for the objective "overall result" of a study.
OVERALL_RANK: tuple[str, ...] = (
    "improved",
    "trend",
    "not_clinically_relevant",
    "no_effect",
    "subjective_improvement",
    "not_reported",
)
#: Assessments in the order in which they may decide a study's overall result.
ASSESSMENT_ORDER: tuple[str, ...] = ("objective", "unclear", "subjective")
#: Designs that are prospective trials with a comparator.
TRIAL_DESIGNS: tuple[str, ...] = ("placebo_controlled_trial", "controlled_trial")

NOT_REPORTED = "not reported"

MEASURE_LABELS = {
    "mmt": "MMT",
    "qmt": "QMT",
    "swallowing": "Swallowing",
    "oesophageal_manometry": "Oesophageal manometry",
    "disability_score": "Disability score",
    "functional_score": "Functional score",
    "ck": "CK",
    "emg": "EMG",
    "nss": "NSS",
    "biopsy_necrosis": "Biopsy: necrotic fibres",
    "biopsy_t_cells": "Biopsy: T cells",
    "biopsy_markers": "Biopsy: markers",
    "mri": "MRI",
    "endurance_adl": "Endurance and ADL",
    "fatigue": "Fatigue",
    "self_reported_strength": "Self-reported strength",
    "self_reported_dysphagia": "Self-reported dysphagia",
    "patient_global": "Patient's global rating",
    "favourable_response": "Favourable response",
}
DOMAIN_LABELS = {
    "strength": "Strength",
    "swallowing": "Swallowing",
    "function": "Function",
    "serum": "Serum",
    "electrophysiology": "EMG",
    "symptoms": "Symptoms",
    "histology": "Histology",
    "imaging": "Imaging",
    "global": "Global",
}
ASSESSMENT_LABELS = {"objective": "Objective", "subjective": "Subjective", "unclear": "Unclear"}
BASIS_LABELS = {
    "explicit": "Stated for this measure",
    "blanket": "From a blanket statement",
    "none": "No result reported",
}


# ------------------------------------------------------------------------------------------
# Studies


def study_labels(studies: pd.DataFrame) -> pd.Series:
    """``"Amato et al. (1)"`` for the letter's studies, ``"Smith et al. 2027 (added)"`` else.

    Indexed like ``studies``; labels are unique because study_id is.
    """
    labels = []
    for row in studies.itertuples(index=False):
        if pd.notna(row.letter_ref):
            label = f"{row.first_author} et al. ({row.letter_ref})"
        else:
            year = f" {row.year}" if pd.notna(row.year) else ""
            label = f"{row.first_author} et al.{year} (added)"
        labels.append(label)
    out = pd.Series(labels, index=studies.index, dtype="string", name="study")
    if out.duplicated().any():  # two added studies by the same author in the same year
        out = out.where(~out.duplicated(keep=False), out + " [" + studies["study_id"] + "]")
    return out


def design_labels(studies: pd.DataFrame) -> pd.Series:
    """The reader's label of each study's design."""
    return studies["design"].astype("string").map(DESIGN_LABELS).astype("string")


def table_one(ev: Any) -> pd.DataFrame:
    """Table I of the letter, in the letter's words, one row per study (added ones too)."""
    s = ev.studies
    return pd.DataFrame(
        {
            "Reference": study_labels(s),
            "Study type (letter)": s["study_type_letter"],
            "Design": design_labels(s),
            "Patients (letter)": s["n_total_letter"],
            "Patients": s["n_total"],
            "IVIG dose": s["dose_letter"],
            "Outcome measures": s["outcome_measures_letter"],
            "Key results": s["key_results_letter"],
            "Study weakness": s["weaknesses_letter"],
            "Included by": s["included_by"].astype("string"),
        }
    ).reset_index(drop=True)


def design_counts(ev: Any) -> pd.DataFrame:
    """Studies and patients per design, in the schema's design order (empty designs kept)."""
    s = ev.studies
    grouped = s.groupby("design", observed=False).agg(
        studies=("study_id", "size"), patients=("n_total", "sum")
    )
    out = pd.DataFrame(
        {
            "Design": [DESIGN_LABELS[str(d)] for d in grouped.index],
            "Studies": grouped["studies"].astype("Int64").to_numpy(),
            "Patients": grouped["patients"].astype("Int64").to_numpy(),
        }
    )
    return out.reset_index(drop=True)


# ------------------------------------------------------------------------------------------
# Dose


@dataclass(frozen=True)
class UsualDose:
    """The most common monthly dose among studies with one regimen."""

    g_per_kg_per_month: float
    n_studies: int  #: studies that use it
    n_with_dose: int  #: studies that give a single monthly dose at all
    n_studies_total: int


def usual_dose(ev: Any) -> UsualDose:
    """The most common ``dose_g_per_kg_per_month`` (ties: the larger dose)."""
    doses = ev.studies["dose_g_per_kg_per_month"].dropna().astype(float)
    if doses.empty:
        msg = "no study gives a single monthly dose"
        raise ValueError(msg)
    counts = doses.value_counts()
    top = counts[counts == counts.max()].index.max()
    return UsualDose(
        g_per_kg_per_month=float(top),
        n_studies=int((doses == top).sum()),
        n_with_dose=len(doses),
        n_studies_total=len(ev.studies),
    )


def grams_per_patient(g_per_kg_per_month: float, body_weight_kg: float) -> dict[str, float]:
    """Grams of IVIG per patient per month and per year (twelve monthly courses)."""
    month = g_per_kg_per_month * body_weight_kg
    return {"month": month, "year": month * 12}


def dose_by_study(ev: Any) -> pd.DataFrame:
    """One row per study: monthly dose (g/kg) and planned months where the letter fixes them."""
    s = ev.studies
    dose = s["dose_g_per_kg_per_month"]
    months = s["treatment_months"]
    status = pd.Series("single regimen", index=s.index, dtype="string")
    status = status.mask(dose.isna() & s["regimen_varied"].eq(True).fillna(False), "varied")
    status = status.mask(dose.isna() & s["regimen_varied"].isna(), NOT_REPORTED)
    return pd.DataFrame(
        {
            "study_id": s["study_id"],
            "study": study_labels(s),
            "design": design_labels(s),
            "dose_g_per_kg_per_month": dose,
            "treatment_months": months,
            "months_text": months.astype("string").fillna(NOT_REPORTED),
            "dose_status": status,
            "dose_letter": s["dose_letter"],
        }
    ).reset_index(drop=True)


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


# ------------------------------------------------------------------------------------------
# Outcomes and overall results


def _rank(result: str) -> int:
    return OVERALL_RANK.index(result)


def overall_results(ev: Any) -> pd.DataFrame:
    """One row per study: its overall result (see the module docstring) and why.

    Columns: study_id, study, design, n_total, overall_result (a ``result`` code),
    result_label, overall_basis (objective / unclear / subjective / none), deciding
    (the outcome_ids with that result on that basis), key_results (the letter's words).
    """
    s = ev.studies
    o = ev.outcomes.assign(
        result=ev.outcomes["result"].astype(str),
        assessment=ev.outcomes["assessment"].astype(str),
    )
    rows = []
    for study, label, design in zip(s["study_id"], study_labels(s), design_labels(s), strict=True):
        mine = o[o["study_id"] == study]
        result, basis, deciding = "not_reported", "none", []
        for assessment in ASSESSMENT_ORDER:
            part = mine[(mine["assessment"] == assessment) & (mine["result"] != "not_reported")]
            if part.empty:
                continue
            best = min(part["result"], key=_rank)
            result, basis = best, assessment
            deciding = part.loc[part["result"] == best, "outcome_id"].astype(str).tolist()
            break
        rows.append(
            {
                "study_id": study,
                "study": label,
                "design": design,
                "overall_result": result,
                "result_label": RESULT_LABELS[result],
                "overall_basis": basis,
                "deciding": "; ".join(deciding),
            }
        )
    out = pd.DataFrame(rows)
    out["n_total"] = s["n_total"].to_numpy()
    out["key_results"] = s["key_results_letter"].to_numpy()
    out["study_type_letter"] = s["study_type_letter"].to_numpy()
    return out


def overall_result_counts(ev: Any) -> dict[str, int]:
    """Studies per overall result code (every code of :data:`OVERALL_RANK`, zeros kept)."""
    counts = overall_results(ev)["overall_result"].value_counts()
    return {code: int(counts.get(code, 0)) for code in OVERALL_RANK}


# ------------------------------------------------------------------------------------------
# Trials


def trial_studies(ev: Any, letter_only: bool = False) -> pd.DataFrame:
    """The prospective trials (designs in :data:`TRIAL_DESIGNS`).

    With ``letter_only``, only the studies of the letter's Table I (``included_by`` letter),
    for sentences about what the letter's table says.
    """
    s = ev.studies
    if letter_only:
        s = s[s["included_by"].astype(str) == "letter"]
    return s[s["design"].astype(str).isin(TRIAL_DESIGNS)].reset_index(drop=True)


def controlled_studies(ev: Any) -> pd.DataFrame:
    """Every study with a comparison group or period, trials first (design order)."""
    s = ev.studies
    out = s[s["controlled"].eq(True).fillna(False)]
    return out.sort_values(["design", "letter_ref"], kind="stable").reset_index(drop=True)


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


def non_null_findings(ev: Any, study_ids: list[str]) -> pd.DataFrame:
    """Outcomes of the given studies whose result is neither "no effect" nor "not reported".

    One row per outcome, in the order of the outcomes table, with the reader's labels:
    ``study``, ``measure`` (the letter's words), ``measure_code``, ``result`` (code),
    ``result_label`` and ``assessment``.
    """
    o = ev.outcomes
    o = o[
        o["study_id"].astype(str).isin(study_ids)
        & ~o["result"].astype(str).isin(("no_effect", "not_reported"))
    ]
    labels = dict(zip(ev.studies["study_id"].astype(str), study_labels(ev.studies), strict=True))
    return pd.DataFrame(
        {
            "study": [labels[str(sid)] for sid in o["study_id"]],
            "measure": [str(m) for m in o["measure_letter"]],
            "measure_code": o["measure"].astype(str).to_numpy(),
            "result": o["result"].astype(str).to_numpy(),
            "result_label": o["result"].astype(str).map(RESULT_LABELS).to_numpy(),
            "assessment": o["assessment"].astype(str).to_numpy(),
        }
    ).reset_index(drop=True)


def blanket_count(ev: Any, study_ids: list[str]) -> int:
    """Outcomes of the given studies whose result comes from a blanket statement."""
    o = ev.outcomes
    return int(
        (
            o["study_id"].astype(str).isin(study_ids) & (o["result_basis"].astype(str) == "blanket")
        ).sum()
    )


def source_checks_for(ev: Any, study_ids: list[str]) -> pd.DataFrame:
    """The source checks of the given studies, for display."""
    c = ev.source_checks
    c = c[c["study_id"].isin(study_ids)]
    labels = dict(zip(ev.studies["study_id"], study_labels(ev.studies), strict=True))
    return pd.DataFrame(
        {
            "Study": c["study_id"].map(labels),
            "Topic": c["topic"].astype("string"),
            "Verdict": c["verdict"].astype("string"),
            "The letter says": c["letter_says"],
            "The source says": c["source_says"],
            "Source": c["citation_key"],
        }
    ).reset_index(drop=True)


def judgements_table(ev: Any) -> pd.DataFrame:
    """The judgements table with reader-facing column names."""
    j = ev.judgements
    return pd.DataFrame(
        {
            "Id": j["judgement_id"],
            "Table": j["table"].astype("string"),
            "Row": j["record_id"],
            "Field": j["field"],
            "Value chosen": j["value"],
            "Why": j["reason"],
            "Source": j["source"],
        }
    ).reset_index(drop=True)
