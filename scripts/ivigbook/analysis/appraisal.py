"""How much the evidence can be trusted: risk of bias, certainty, harms, cost and overlaps.

* **Risk of bias** (:func:`rob_table`): one row per study and domain. Randomised trials are
  judged with the Cochrane risk-of-bias tool (version 1), the tool whose published judgements
  can be cited; the other studies with the book's four-domain scheme. A study of the data
  without rows in ``risk_of_bias.csv`` is shown with every domain *not assessed*
  (:func:`unassessed_studies` lists them), so that a new study appears at once.
* **Summary of findings**: in :mod:`ivigbook.analysis.grade`.
* **Harms** (:func:`harms_by_study`): adverse events and withdrawals as the sources report
  them; "not reported" for every study without a row.
* **Patients** (:func:`patient_totals`): totals with and without studies whose patients may
  be counted in another study (``overlaps.csv``).
* **Two readings of "the two RCTs"** (:func:`rct_readings`).
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


def tool_for(studies: pd.DataFrame) -> pd.Series:
    """The tool a study is judged with: rob1 for the trials, nrs for every other design."""
    return pd.Series(
        ["rob1" if t else "nrs" for t in is_trial(studies)], index=studies.index, dtype="string"
    )


def rob_table(ev: Any) -> pd.DataFrame:
    """Every study x domain of its tool, in the data's study order and the tool's domain order.

    Columns: study_id, study, letter (True for a study of the letter's Table I), tool,
    tool_label, domain, domain_label, judgement (low / unclear / high / not_assessed),
    judgement_label, symbol, support, source, source_label, citation_key.
    """
    s = ev.studies
    rob = ev.risk_of_bias
    labels = study_labels(s)
    default_tool = tool_for(s)
    reviews = cochrane_reviews(ev)
    records = []
    for i, study in enumerate(s["study_id"].astype(str)):
        mine = rob[rob["study_id"].astype(str) == study]
        tool = str(mine["tool"].iloc[0]) if not mine.empty else str(default_tool.iloc[i])
        by_domain = {str(r["domain"]): r for _, r in mine.iterrows()}
        for domain in ROB_DOMAINS[tool]:
            row = by_domain.get(domain)
            judgement = NOT_ASSESSED if row is None else str(row["judgement"])
            source = "" if row is None else str(row["source"])
            records.append(
                {
                    "study_id": study,
                    "study": str(labels.iloc[i]),
                    "letter": str(s["included_by"].iloc[i]) == "letter",
                    "tool": tool,
                    "tool_label": ROB_TOOL_LABELS[tool],
                    "domain": domain,
                    "domain_label": ROB_DOMAIN_LABELS[domain],
                    "judgement": judgement,
                    "judgement_label": ROB_JUDGEMENT_LABELS[judgement],
                    "symbol": ROB_SYMBOLS[judgement],
                    "support": "not assessed" if row is None else str(row["support"]),
                    "source": source,
                    "source_label": cochrane_label(reviews, row)
                    if source == "cochrane"
                    else ROB_SOURCE_LABELS.get(source, ""),
                    "citation_key": "" if row is None else str(row["citation_key"]),
                }
            )
    return pd.DataFrame.from_records(records)


def cochrane_label(reviews: dict[str, str], row: Any) -> str:
    """ "Cochrane review CD004303 (published judgement)": which review a judgement is from."""
    number = reviews.get(str(row["citation_key"]))
    label = ROB_SOURCE_LABELS["cochrane"]
    return label.replace("Cochrane review", f"Cochrane review {number}") if number else label


#: The risk-of-bias domain that says whether something other than IVIG may explain a result.
CONFOUNDING = "confounding"


def confounded_improvements(ev: Any) -> pd.DataFrame:
    """The IVIG studies without a control group whose improvement on an objective measure
    (:func:`ivigbook.analysis.cohorts.studies_with_improvement`) comes with confounding judged
    high: their improvement cannot be credited to IVIG alone.

    Columns: ``study_id``, ``study`` (short label, "Cherin (ref. 7)") and ``support`` (the
    judgement's support, which says why), in the data's study order.
    """
    improved = studies_with_improvement(ev)
    rob = ev.risk_of_bias
    high = rob[
        (rob["domain"].astype(str) == CONFOUNDING) & (rob["judgement"].astype(str) == "high")
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
    """Per tool and domain, the share of studies with each judgement (for the summary bars).

    Columns: tool, tool_label, domain, domain_label, judgement, judgement_label, symbol,
    studies (count), share (of the tool's studies).
    """
    table = rob_table(ev)
    if table.empty:
        return table
    counts = (
        table.groupby(["tool", "domain", "judgement"], sort=False).size().rename("studies")
    ).reset_index()
    totals = table.groupby(["tool", "domain"], sort=False).size().rename("total").reset_index()
    counts = counts.merge(totals, on=["tool", "domain"])
    counts["share"] = counts["studies"] / counts["total"]
    counts["tool_label"] = counts["tool"].map(ROB_TOOL_LABELS)
    counts["domain_label"] = counts["domain"].map(ROB_DOMAIN_LABELS)
    counts["judgement_label"] = counts["judgement"].map(ROB_JUDGEMENT_LABELS)
    counts["symbol"] = counts["judgement"].map(ROB_SYMBOLS)
    return counts.drop(columns="total")


def rob_source_counts(ev: Any) -> dict[str, int]:
    """How many judgements are Cochrane's and how many the book's own."""
    source = ev.risk_of_bias["source"].astype(str)
    return {"cochrane": int((source == "cochrane").sum()), "book": int((source == "book").sum())}


@dataclass(frozen=True)
class RobFacts:
    """The risk-of-bias section in numbers (glued with the prefix ``ap``)."""

    n_studies: int  #: studies with a judgement
    n_rob1: int  #: studies judged with the Cochrane tool (the trials)
    n_nrs: int  #: studies judged with the book's scheme for non-randomised studies
    n_cochrane: int  #: judgements taken from the Cochrane review
    n_book: int  #: judgements the book made itself
    n_unassessed: int  #: studies with no judgement
    n_trial_low: int  #: the trials' judgements of low risk, of n_trial_cells
    n_trial_cells: int
    n_other_high: int  #: the other studies' judgements of high risk, of n_other_cells
    n_other_cells: int


def rob_facts(ev: Any) -> RobFacts:
    """Counts of :func:`rob_table` by tool, source and judgement."""
    rob = rob_table(ev)
    sources = rob_source_counts(ev)
    trial_cells = rob[rob["tool"] == "rob1"]
    other_cells = rob[rob["tool"] == "nrs"]
    return RobFacts(
        n_studies=int(rob["study_id"].nunique()),
        n_rob1=int(trial_cells["study_id"].nunique()),
        n_nrs=int(other_cells["study_id"].nunique()),
        n_cochrane=sources["cochrane"],
        n_book=sources["book"],
        n_unassessed=len(unassessed_studies(ev)),
        n_trial_low=int((trial_cells["judgement"] == "low").sum()),
        n_trial_cells=len(trial_cells),
        n_other_high=int((other_cells["judgement"] == "high").sum()),
        n_other_cells=len(other_cells),
    )


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
    """Every study with its harms as reported, or "not reported".

    Columns: study_id, study, kind, arm, count, description (one row per harms row; a study
    without a row gets one row whose kind and description say not reported).
    """
    s = ev.studies
    if letter_only:
        s = s[s["included_by"].astype(str) == "letter"]
    labels = study_labels(s)
    by_route = s["route"].astype("string").eq("subcutaneous").fillna(False).astype(bool)
    subcutaneous = set(s.loc[by_route, "study_id"].astype(str))
    h = ev.harms
    records = []
    for i, study in enumerate(s["study_id"].astype(str)):
        mine = h[h["study_id"].astype(str) == study]
        arms = ARM_LABELS | ({"ivig": SCIG_ARM_LABEL} if study in subcutaneous else {})
        if mine.empty:
            records.append(
                {
                    "study_id": study,
                    "study": str(labels.iloc[i]),
                    "kind": NOT_REPORTED,
                    "arm": "",
                    "count": NOT_REPORTED,
                    "description": "Adverse events and withdrawals: " + NOT_REPORTED + ".",
                }
            )
            continue
        for _, r in mine.iterrows():
            records.append(
                {
                    "study_id": study,
                    "study": str(labels.iloc[i]),
                    "kind": HARM_KIND_LABELS[str(r["kind"])],
                    "arm": arms[str(r["arm"])],
                    "count": NOT_REPORTED if pd.isna(r["count"]) else str(int(r["count"])),
                    "description": str(r["description"]),
                }
            )
    return pd.DataFrame.from_records(records)


def harms_display(ev: Any) -> pd.DataFrame:
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
    """Studies with any harms row, studies without, and rows by kind."""

    n_with_harms: int
    n_without_harms: int
    n_adverse_event_rows: int
    n_withdrawal_rows: int


def harm_counts(ev: Any) -> HarmCounts:
    """IVIG studies with any harms row and without one (a study of immunoglobulin by another
    route is in the harms table, not in these counts), and adverse-event and withdrawal rows
    of the IVIG studies."""
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
    """Grams of immunoglobulin for one patient, at the usual dose."""

    g_per_kg_per_month: float
    month: float
    year: float
    course_months: float  #: the course's length in months
    course: float


def course_grams(ev: Any, body_weight_kg: float, months: int | None = None) -> CourseGrams:
    """Grams of immunoglobulin for one patient: a month, a year, and a trial-length course.

    Reuses :func:`ivigbook.analysis.evidence.usual_dose` and ``grams_per_patient``; the
    course length is the most common planned duration of the trials unless ``months`` is given.
    """
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


@dataclass(frozen=True)
class CourseCost:
    """The cost section's numbers for the chapter's body weight (prefix ``ap``)."""

    body_weight: float
    g_per_kg: float
    grams_month: float
    grams_year: float
    course_months: int
    grams_course: float


def course_cost(grams: CourseGrams, body_weight_kg: float) -> CourseCost:
    """:func:`course_grams` for ``body_weight_kg``, named as the appraisal chapter says it."""
    return CourseCost(
        body_weight=body_weight_kg,
        g_per_kg=grams.g_per_kg_per_month,
        grams_month=grams.month,
        grams_year=grams.year,
        course_months=int(grams.course_months),
        grams_course=grams.course,
    )


# ------------------------------------------------------------------------------------------
# Patients counted once


@dataclass(frozen=True)
class PatientTotals:
    """Patients in all studies, counted once, and possibly counted twice (prefix ``ap``)."""

    patients_all: int
    patients_once: int  #: without the studies that may overlap another study
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
    """Two readings of the letter's "two RCTs", from the data.

    ``table``: the letter's studies that Table I calls randomised. ``text``: the letter's
    placebo-controlled studies minus any the letter's text labels otherwise (a judgement row
    on ``studies`` whose field starts with "study type" and whose value is "in vitro").
    ``in_vitro``: the studies so labelled. Lists of study_ids in the data's order.
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


@dataclass(frozen=True)
class ReadingFacts:
    """The two readings of "the two RCTs" in words (prefix ``ap``): the studies of each
    reading by their labels, and the patients of the studies the text calls in vitro."""

    reading_table: str  #: the studies Table I calls randomised
    reading_text: str  #: the placebo-controlled studies the text does not call in vitro
    in_vitro: str  #: the studies the text calls in vitro, or "none"
    in_vitro_patients: int


def reading_facts(ev: Any) -> ReadingFacts:
    """:func:`rct_readings` with the studies named as :func:`rob_table` names them."""
    readings = rct_readings(ev)
    rob = rob_table(ev)
    names = dict(zip(rob["study_id"], rob["study"], strict=False))
    in_vitro = ev.studies[ev.studies["study_id"].isin(readings["in_vitro"])]
    return ReadingFacts(
        reading_table=" and ".join(names[i] for i in readings["table"]),
        reading_text=" and ".join(names[i] for i in readings["text"]),
        in_vitro=" and ".join(names[i] for i in readings["in_vitro"]) or "none",
        in_vitro_patients=int(in_vitro["n_total"].sum()),
    )


@dataclass(frozen=True)
class BlindingFacts:
    """One study's risk-of-bias row on blinding of participants: its judgement, who made it
    (``cochrane`` or ``book``, as ``risk_of_bias.csv`` records) and its support, and whether a
    source check on blinding records a doubt about it (its words)."""

    judgement: str
    judged_by: str
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
