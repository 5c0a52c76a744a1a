"""How much the evidence can be trusted: risk of bias, harms, cost, overlaps, "the two RCTs".

Randomised trials are judged with the Cochrane risk-of-bias tool (version 1), the other studies
with the book's four-domain scheme; a study without rows in ``risk_of_bias.csv`` has every
domain *not assessed*. The summary of findings is in :mod:`ivigbook.analysis.grade`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pandas as pd

from ivigbook.analysis.cohorts import (
    cochrane_reviews,
    is_trial,
    ivig_studies,
    labels_by_id,
    short_labels_by_id,
    studies_with_improvement,
    study_labels,
    uncontrolled_studies,
)
from ivigbook.analysis.evidence import grams_per_patient, usual_dose
from ivigbook.analysis.vocabulary import (
    ARM_LABELS,
    HARM_KIND_LABELS,
    NOT_REPORTED,
    ROB_DOMAIN_LABELS,
    ROB_JUDGEMENT_LABELS,
    ROB_SOURCE_LABELS,
    ROB_SYMBOLS,
    ROB_TOOL_LABELS,
    SCIG_ARM_LABEL,
)
from ivigbook.data.rules import ROB_DOMAINS

NOT_ASSESSED = "not_assessed"

# ------------------------------------------------------------------------------------------
# Risk of bias


def rob_table(ev: Any) -> pd.DataFrame:
    """Every study x domain of its tool, in the data's study order and the tool's domain order."""
    s, rob = ev.studies, ev.risk_of_bias
    reviews = cochrane_reviews(ev)
    records = []
    letter = s["included_by"].astype(str) == "letter"
    rows = zip(s["study_id"].astype(str), study_labels(s), is_trial(s), letter, strict=True)
    for study, label, trial, in_letter in rows:
        mine = rob[rob["study_id"].astype(str) == study]
        tool = str(mine["tool"].iloc[0]) if not mine.empty else ("rob1" if trial else "nrs")
        by_domain = {str(r["domain"]): r for _, r in mine.iterrows()}
        for domain in ROB_DOMAINS[tool]:
            row = by_domain.get(domain)
            judgement = NOT_ASSESSED if row is None else str(row["judgement"])
            source = "" if row is None else str(row["source"])
            source_label = ROB_SOURCE_LABELS.get(source, "")
            review = None if row is None else reviews.get(str(row["citation_key"]))
            if source == "cochrane" and review:
                source_label = source_label.replace("Cochrane review", f"Cochrane review {review}")
            records.append(
                {
                    "study_id": study,
                    "study": str(label),
                    "letter": bool(in_letter),
                    "tool": tool,
                    "tool_label": ROB_TOOL_LABELS[tool],
                    "domain": domain,
                    "domain_label": ROB_DOMAIN_LABELS[domain],
                    "judgement": judgement,
                    "judgement_label": ROB_JUDGEMENT_LABELS[judgement],
                    "symbol": ROB_SYMBOLS[judgement],
                    "support": "not assessed" if row is None else str(row["support"]),
                    "source": source,
                    "source_label": source_label,
                    "citation_key": "" if row is None else str(row["citation_key"]),
                }
            )
    return pd.DataFrame.from_records(records)


def confounded_improvements(ev: Any) -> pd.DataFrame:
    """The uncontrolled IVIG studies with an objective improvement and confounding judged high.

    Columns ``study_id``, ``study`` (short label) and ``support``, in the data's study order.
    """
    improved = studies_with_improvement(ev)
    rob = ev.risk_of_bias
    high = rob[
        (rob["domain"].astype(str) == "confounding") & (rob["judgement"].astype(str) == "high")
    ]
    support = dict(zip(high["study_id"].astype(str), high["support"].astype(str), strict=True))
    names = short_labels_by_id(ev)
    rows = [
        {"study_id": sid, "study": names[sid], "support": support[sid]}
        for sid in uncontrolled_studies(ev)["study_id"].astype(str)
        if sid in improved and sid in support
    ]
    return pd.DataFrame(rows, columns=["study_id", "study", "support"])


def unassessed_studies(ev: Any, letter_only: bool = False) -> list[str]:
    """The study_ids with no risk-of-bias row (optionally only the letter's studies)."""
    s = ev.studies
    if letter_only:
        s = s[s["included_by"].astype(str) == "letter"]
    judged = set(ev.risk_of_bias["study_id"].astype(str))
    return [sid for sid in s["study_id"].astype(str) if sid not in judged]


def rob_summary(ev: Any) -> pd.DataFrame:
    """Per tool and domain, the share of studies with each judgement (for the summary bars)."""
    table = rob_table(ev)
    if table.empty:
        return table
    keys = ["tool", "domain", "judgement"]
    counts = table.groupby(keys, sort=False).size().rename("studies").reset_index()
    total = counts.groupby(["tool", "domain"], sort=False)["studies"].transform("sum")
    counts["share"] = counts["studies"] / total
    counts["tool_label"] = counts["tool"].map(ROB_TOOL_LABELS)
    counts["domain_label"] = counts["domain"].map(ROB_DOMAIN_LABELS)
    counts["judgement_label"] = counts["judgement"].map(ROB_JUDGEMENT_LABELS)
    counts["symbol"] = counts["judgement"].map(ROB_SYMBOLS)
    return counts


def rob_facts(ev: Any) -> dict[str, int]:
    """The risk-of-bias section in numbers (glued with the prefix ``ap``)."""
    rob = rob_table(ev)
    source = ev.risk_of_bias["source"].astype(str)
    trial_cells = rob[rob["tool"] == "rob1"]
    other_cells = rob[rob["tool"] == "nrs"]
    return {
        "n_studies": int(rob["study_id"].nunique()),
        "n_rob1": int(trial_cells["study_id"].nunique()),
        "n_nrs": int(other_cells["study_id"].nunique()),
        "n_cochrane": int((source == "cochrane").sum()),
        "n_book": int((source == "book").sum()),
        "n_unassessed": len(unassessed_studies(ev)),
        "n_trial_low": int((trial_cells["judgement"] == "low").sum()),
        "n_trial_cells": len(trial_cells),
        "n_other_high": int((other_cells["judgement"] == "high").sum()),
        "n_other_cells": len(other_cells),
    }


def rob_display(ev: Any) -> pd.DataFrame:
    """The risk-of-bias table for readers: Study, Domain, Judgement, Support, Source."""
    table = rob_table(ev)
    return pd.DataFrame(
        {
            "Study": table["study"],
            "Domain": table["domain_label"],
            "Judgement": table["symbol"] + " " + table["judgement_label"],
            "Support for the judgement": table["support"],
            "Source": table["source_label"].where(table["source_label"] != "", "\u2014"),
        }
    ).astype("string")


# ------------------------------------------------------------------------------------------
# Harms and cost


def harms_by_study(ev: Any, letter_only: bool = False) -> pd.DataFrame:
    """Every study with its harms as reported, one row per harms row, or "not reported"."""
    s = ev.studies
    if letter_only:
        s = s[s["included_by"].astype(str) == "letter"]
    by_route = s["route"].astype("string").eq("subcutaneous").fillna(False).astype(bool)
    subcutaneous = set(s.loc[by_route, "study_id"].astype(str))
    h = ev.harms
    none = (NOT_REPORTED, "", NOT_REPORTED, "Adverse events and withdrawals: " + NOT_REPORTED + ".")
    records = []
    for study, label in zip(s["study_id"].astype(str), study_labels(s), strict=True):
        arms = ARM_LABELS | ({"ivig": SCIG_ARM_LABEL} if study in subcutaneous else {})
        rows = [
            (
                HARM_KIND_LABELS[str(r["kind"])],
                arms[str(r["arm"])],
                NOT_REPORTED if pd.isna(r["count"]) else str(int(r["count"])),
                str(r["description"]),
            )
            for _, r in h[h["study_id"].astype(str) == study].iterrows()
        ]
        records += [(study, str(label), *row) for row in rows or [none]]
    columns = ["study_id", "study", "kind", "arm", "count", "description"]
    return pd.DataFrame.from_records(records, columns=columns)


def harms_display(ev: Any) -> pd.DataFrame:
    """The harms table for readers."""
    t = harms_by_study(ev)
    return pd.DataFrame(
        {
            "Study": t["study"],
            "What": t["kind"],
            "Arm": t["arm"].where(t["arm"] != "", "\u2014"),
            "Patients": t["count"],
            "As the source reports it": t["description"],
        }
    ).astype("string")


@dataclass(frozen=True)
class HarmCounts:
    """IVIG studies with and without a harms row, and their rows by kind."""

    n_with_harms: int
    n_without_harms: int
    n_adverse_event_rows: int
    n_withdrawal_rows: int


def harm_counts(ev: Any) -> HarmCounts:
    """:class:`HarmCounts` over the IVIG studies (another route's harms are in the table only)."""
    ids = set(ivig_studies(ev)["study_id"].astype(str))
    harms = ev.harms[ev.harms["study_id"].astype(str).isin(ids)]
    reported = set(harms["study_id"].astype(str))
    kinds = harms["kind"].astype(str)
    return HarmCounts(
        n_with_harms=len(ids & reported),
        n_without_harms=len(ids - reported),
        n_adverse_event_rows=int((kinds == "adverse_event").sum()),
        n_withdrawal_rows=int((kinds == "withdrawal").sum()),
    )


@dataclass(frozen=True)
class CourseGrams:
    """Grams of immunoglobulin for one patient at the usual dose."""

    g_per_kg_per_month: float
    month: float
    year: float
    course_months: float
    course: float


def course_grams(ev: Any, body_weight_kg: float, months: int | None = None) -> CourseGrams:
    """Grams for one patient: a month, a year, and a course (default: the trials' usual length)."""
    dose = usual_dose(ev)
    grams = grams_per_patient(dose.g_per_kg_per_month, body_weight_kg)
    if months is None:
        s = ev.studies
        planned = s.loc[is_trial(s), "treatment_months"].dropna().astype(int)
        months = int(planned.mode().max()) if not planned.empty else 0
    return CourseGrams(
        g_per_kg_per_month=dose.g_per_kg_per_month,
        month=grams["month"],
        year=grams["year"],
        course_months=float(months),
        course=grams["month"] * months,
    )


def course_cost(grams: CourseGrams, body_weight_kg: float) -> dict[str, float]:
    """:func:`course_grams` named as the appraisal chapter says it (prefix ``ap``)."""
    return {
        "body_weight": body_weight_kg,
        "g_per_kg": grams.g_per_kg_per_month,
        "grams_month": grams.month,
        "grams_year": grams.year,
        "course_months": int(grams.course_months),
        "grams_course": grams.course,
    }


# ------------------------------------------------------------------------------------------
# Patients counted once


@dataclass(frozen=True)
class PatientTotals:
    """Patients in all studies, counted once, and possibly counted twice (prefix ``ap``)."""

    patients_all: int
    patients_once: int
    patients_double: int
    n_overlapping_studies: int


def patient_totals(ev: Any) -> PatientTotals:
    """Patients in all studies, and without the studies that may overlap another study."""
    s = ev.studies
    overlapping = set(ev.overlaps["study_id"].astype(str))
    total = int(s["n_total"].sum())
    without = int(s.loc[~s["study_id"].astype(str).isin(overlapping), "n_total"].sum())
    return PatientTotals(
        patients_all=total,
        patients_once=without,
        patients_double=total - without,
        n_overlapping_studies=len(overlapping & set(s["study_id"].astype(str))),
    )


def overlaps_display(ev: Any) -> pd.DataFrame:
    """The overlaps table for readers."""
    names = labels_by_id(ev)
    o = ev.overlaps
    return pd.DataFrame(
        {
            "Study": [names[str(x)] for x in o["study_id"]],
            "May overlap with": [names[str(x)] for x in o["overlaps_with"]],
            "Status": o["status"].astype(str),
            "Why": o["reason"].astype(str),
        }
    ).astype("string")


# ------------------------------------------------------------------------------------------
# "The two RCTs"


def rct_readings(ev: Any) -> dict[str, list[str]]:
    """Two readings of the letter's "two RCTs", as study_ids in the data's order.

    ``table``: the letter's studies Table I calls randomised; ``text``: its placebo-controlled
    studies but those a judgement on ``studies`` (field "study type...") calls "in vitro";
    ``in_vitro``: those.
    """
    s = ev.studies
    s = s[s["included_by"].astype(str) == "letter"]
    randomised = s["randomised"].astype("boolean").fillna(False).astype(bool)
    placebo = s["placebo_controlled"].astype("boolean").fillna(False).astype(bool)
    j = ev.judgements
    labelled = j[
        (j["table"].astype(str) == "studies")
        & j["field"].astype(str).str.startswith("study type")
        & (j["value"].astype(str) == "in vitro")
    ]
    in_vitro = {part.strip() for ids in labelled["record_id"] for part in str(ids).split(";")}
    ids = s["study_id"].astype(str)
    return {
        "table": ids[randomised].tolist(),
        "text": ids[placebo & ~ids.isin(in_vitro)].tolist(),
        "in_vitro": ids[ids.isin(in_vitro)].tolist(),
    }


def reading_facts(ev: Any) -> dict[str, str | int]:
    """:func:`rct_readings` in words, and the patients of the studies called in vitro."""
    readings = rct_readings(ev)
    rob = rob_table(ev)
    names = dict(zip(rob["study_id"], rob["study"], strict=False))
    in_vitro = ev.studies[ev.studies["study_id"].isin(readings["in_vitro"])]
    return {
        "reading_table": " and ".join(names[i] for i in readings["table"]),
        "reading_text": " and ".join(names[i] for i in readings["text"]),
        "in_vitro": " and ".join(names[i] for i in readings["in_vitro"]) or "none",
        "in_vitro_patients": int(in_vitro["n_total"].sum()),
    }


@dataclass(frozen=True)
class BlindingFacts:
    """One study's judgement on blinding of participants, and a source check's doubt on it."""

    judgement: str
    judged_by: str  #: ``cochrane`` or ``book``
    support: str
    source_check: str | None
    review: str = ""  #: the Cochrane review's number, where the judgement is a review's


def participant_blinding(ev: Any, study_id: str) -> BlindingFacts | None:
    """The :class:`BlindingFacts` of one study, or None where the data hold no such row."""
    rob = ev.risk_of_bias
    mine = rob["study_id"].astype(str) == study_id
    rows = rob[mine & (rob["domain"] == "blinding_participants")]
    if rows.empty:
        return None
    row = rows.iloc[0]
    checks = ev.source_checks
    check = checks[(checks["study_id"].astype(str) == study_id) & (checks["topic"] == "blinding")]
    return BlindingFacts(
        judgement=str(row["judgement"]),
        judged_by=str(row["source"]),
        support=str(row["support"]),
        source_check=None if check.empty else str(check.iloc[0]["source_says"]),
        review=cochrane_reviews(ev).get(str(row["citation_key"]), ""),
    )
