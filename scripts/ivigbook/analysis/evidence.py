"""The evidence base as a whole: Table I, designs, doses, overall results and findings.

* **Usual dose** (:func:`usual_dose`): the most common single monthly dose; a tie goes to the
  larger dose.
* **Overall result** (:func:`overall_results`): a study's most favourable result on an
  objective measure (:data:`~ivigbook.analysis.vocabulary.OVERALL_RANK`); without one, on its
  measures of unclear, then subjective assessment (``overall_basis`` says which).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pandas as pd

from ivigbook.analysis.cohorts import (
    citation_labels,
    design_labels,
    short_label,
    studies_with_improvement,
    study_labels,
    uncontrolled_studies,
)
from ivigbook.analysis.vocabulary import (
    ASSESSMENT_ORDER,
    CHECK_TOPIC_LABELS,
    DESIGN_LABELS,
    NOT_REPORTED,
    OVERALL_RANK,
    RESULT_LABELS,
)


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
    return pd.DataFrame(
        {
            "Design": [DESIGN_LABELS[str(d)] for d in grouped.index],
            "Studies": grouped["studies"].astype("Int64").to_numpy(),
            "Patients": grouped["patients"].astype("Int64").to_numpy(),
        }
    )


# ------------------------------------------------------------------------------------------
# Dose


@dataclass(frozen=True)
class UsualDose:
    """The most common monthly dose among studies with one regimen."""

    g_per_kg_per_month: float
    n_studies: int  #: studies that use it
    n_with_dose: int  #: studies that give a single monthly dose
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


@dataclass(frozen=True)
class IntroFacts:
    """The introduction's facts (glued with the prefix ``intro``)."""

    n_letter_studies: int
    n_studies: int
    dose_usual: float
    dose_n_usual: int
    dose_n_with_dose: int
    body_weight_kg: float  #: an assumption, not data
    grams_per_month: float
    grams_per_year: float
    #: Planned months of treatment at the usual dose (None where no such study states them).
    dose_months_min: float | None
    dose_months_max: float | None


def intro_facts(ev: Any, body_weight_kg: float) -> IntroFacts:
    """Everything the introduction says in numbers, at ``body_weight_kg``."""
    dose = usual_dose(ev)
    grams = grams_per_patient(dose.g_per_kg_per_month, body_weight_kg)
    doses = dose_by_study(ev)
    months = doses.loc[
        doses["dose_g_per_kg_per_month"] == dose.g_per_kg_per_month, "treatment_months"
    ].dropna()
    return IntroFacts(
        n_letter_studies=int((ev.studies["included_by"].astype("string") == "letter").sum()),
        n_studies=dose.n_studies_total,
        dose_usual=dose.g_per_kg_per_month,
        dose_n_usual=dose.n_studies,
        dose_n_with_dose=dose.n_with_dose,
        body_weight_kg=body_weight_kg,
        grams_per_month=grams["month"],
        grams_per_year=grams["year"],
        dose_months_min=float(months.min()) if len(months) else None,
        dose_months_max=float(months.max()) if len(months) else None,
    )


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
# Outcomes and overall results


def _rank(result: str) -> int:
    return OVERALL_RANK.index(result)


def overall_results(ev: Any) -> pd.DataFrame:
    """One row per study: its overall result (see the module docstring), its basis and the
    outcomes that decide it (``deciding``)."""
    s = ev.studies
    o = ev.outcomes.assign(
        result=ev.outcomes["result"].astype(str), assessment=ev.outcomes["assessment"].astype(str)
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


def source_checks_for(ev: Any, study_ids: list[str]) -> pd.DataFrame:
    """The source checks of the given studies, for display."""
    c = ev.source_checks
    c = c[c["study_id"].isin(study_ids)]
    labels = dict(zip(ev.studies["study_id"], study_labels(ev.studies), strict=True))
    cited = citation_labels(ev)
    by_key = {
        str(s["citation_key"]): short_label(s)
        for _, s in ev.studies.iterrows()
        if pd.notna(s["citation_key"])
    }
    return pd.DataFrame(
        {
            "Study": c["study_id"].map(labels),
            "Topic": c["topic"].astype(str).map(lambda x: CHECK_TOPIC_LABELS.get(x, x)),
            "Verdict": c["verdict"].astype("string"),
            "The letter says": c["letter_says"],
            "The source says": c["source_says"],
            "Source": c["citation_key"].map(lambda k: by_key.get(str(k), cited.get(str(k), k))),
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


def evidence_facts(ev: Any) -> dict[str, int]:
    """The counts of the evidence chapter (glued with the prefix ``ev``), ``n_<design>`` and
    ``n_<result>`` included."""
    s = ev.studies
    by_design = design_counts(ev)
    overall = overall_results(ev)
    without = set(uncontrolled_studies(ev)["study_id"].astype(str))
    uncontrolled = s["study_id"].astype(str).isin(without).to_numpy()
    improved = s["study_id"].astype(str).isin(studies_with_improvement(ev)).to_numpy()
    from_letter = (s["included_by"].astype("string") == "letter").to_numpy()
    facts = {
        "n_studies": len(s),
        "n_patients": int(s["n_total"].sum()),
        "n_letter_studies": int(from_letter.sum()),
        "n_letter_patients": int(s.loc[from_letter, "n_total"].sum()),
        "n_designs": int((by_design["Studies"] > 0).sum()),
        "n_not_objective": int((overall["overall_basis"] != "objective").sum()),
        "n_uncontrolled": int(uncontrolled.sum()),
        "n_improved_all": int(improved.sum()),
        "n_improved_uncontrolled": int((improved & uncontrolled).sum()),
    }
    for design, n in zip(s["design"].cat.categories, by_design["Studies"], strict=True):
        facts[f"n_{design}"] = int(n)
    for result, n in overall_result_counts(ev).items():
        facts[f"n_{result}"] = int(n)
    return facts


def table_one_design(ev: Any) -> pd.DataFrame:
    """Table I, first half: what each study was (the letter's words)."""
    t = table_one(ev)
    return t[["Reference", "Study type (letter)", "Patients (letter)", "IVIG dose"]]


def table_one_results(ev: Any) -> pd.DataFrame:
    """Table I, second half: what each study measured and found, and its weaknesses."""
    t = table_one(ev)
    return t[["Reference", "Outcome measures", "Key results", "Study weakness"]]
