"""The summary of findings in the GRADE style: per outcome, the trials and participants, what
the evidence shows, and the book's certainty with each criterion and its reason."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pandas as pd

from ivigbook.analysis.cohorts import (
    cochrane_reviews,
    is_trial,
    labels_by_id,
    short_labels_by_id,
    trial_studies,
)
from ivigbook.analysis.vocabulary import (
    CERTAINTY_LABELS,
    CERTAINTY_MEANINGS,
    CERTAINTY_SYMBOLS,
    FINDING_LABELS,
    GRADE_DOMAIN_LABELS,
)
from ivigbook.data.cells import cell_int, is_missing
from ivigbook.prose import sentence

#: How ``findings.csv`` words the Cochrane review's grade of an outcome it could not pool.
COCHRANE_NOT_ESTIMABLE = "Not estimable"
#: The Cochrane review whose summary of findings ``findings.cochrane_grade`` quotes.
SOF_REVIEW = "rose2015cochrane"


def split_list(text: object) -> list[str]:
    """A "; "-separated cell as a list (empty for a missing cell)."""
    if is_missing(text):
        return []
    return [part.strip() for part in str(text).split(";") if part.strip()]


def rated_on(row: Any) -> list[str]:
    """The trials a summary-of-findings rating was made on (``findings.rated_on``)."""
    return split_list(row["rated_on"])


def statement(ev: Any, effect: str, certainty: str, outcome_label: str) -> str:
    """GRADE's informative statement for an effect at a certainty (``grade_statements.csv``)."""
    s = ev.grade_statements
    hit = s[(s["effect"].astype(str) == effect) & (s["certainty"].astype(str) == certainty)]
    text = str(hit["statement"].iloc[0]).format(intervention="IVIG", outcome=outcome_label.lower())
    return text[:1].upper() + text[1:]


#: The certainty label of a row whose trials changed since it was rated.
NOT_RERATED = "Not yet re-rated"


def stale_statement(changed: str, certainty: str) -> str:
    """What a stale row says in place of its statement."""
    return sentence(
        "grade", "stale_statement", changed=changed, certainty=CERTAINTY_LABELS[certainty]
    )


def finding_studies(ev: Any, outcome: str) -> pd.DataFrame:
    """The trials with a result in an outcome's domains (adverse events: a row in harms)."""
    s = ev.studies
    trials = s[is_trial(s)]
    row = ev.findings[ev.findings["outcome"].astype(str) == outcome].iloc[0]
    domains = split_list(row["outcome_domains"])
    if domains:
        o = ev.outcomes
        ids = set(o.loc[o["domain"].astype("string").isin(domains).fillna(False), "study_id"])
    else:
        ids = set(ev.harms["study_id"])
    return trials[trials["study_id"].isin(ids)]


def domain_certainty(ev: Any) -> dict[str, str]:
    """The book's certainty for each outcome domain: "strength" -> "very_low"."""
    levels: dict[str, str] = {}
    for _, row in ev.findings.iterrows():
        for domain in split_list(row["outcome_domains"]):
            levels.setdefault(domain, str(row["certainty"]))
    return levels


def downgrades_text(ev: Any, outcome: str) -> str:
    """'Risk of bias (-1): reason; ...' for the domains that lower the certainty, else 'none'."""
    d = ev.downgrades[ev.downgrades["outcome"].astype(str) == outcome]
    lowered = d[d["levels"] > 0]
    if lowered.empty:
        return "none"
    return " ".join(
        f"{GRADE_DOMAIN_LABELS[str(r['grade_domain'])]} (\u2212{int(r['levels'])}): {r['reason']}"
        for _, r in lowered.iterrows()
    )


def findings_table(ev: Any) -> pd.DataFrame:
    """One row per outcome: label, trials, participants, finding, certainty, downgrades, and
    stale (the trials added or gone since it was rated; a stale row says so when worded)."""
    f = ev.findings.sort_values("display_order")
    names = labels_by_id(ev)
    short = short_labels_by_id(ev)
    records = []
    for _, row in f.iterrows():
        outcome = str(row["outcome"])
        trials = finding_studies(ev, outcome)
        d = ev.downgrades[ev.downgrades["outcome"].astype(str) == outcome]
        certainty = str(row["certainty"])
        now = [str(s) for s in trials["study_id"]]
        before = rated_on(row)
        added = [short.get(s, s) for s in now if s not in before]
        gone = [short.get(s, s) for s in before if s not in now]
        stale = sentence("grade", "stale", added=added, gone=gone)
        label = FINDING_LABELS[outcome]
        said = statement(ev, str(row["effect"]), certainty, label)
        old = stale_statement(stale, certainty) if stale else ""
        records.append(
            {
                "outcome": outcome,
                "outcome_label": label,
                "n_trials": len(trials),
                "n_participants": int(trials["n_total"].sum()),
                "trials": "; ".join(names[sid] for sid in trials["study_id"].astype(str)),
                "finding": str(row["finding"]),
                "statement": old or said,
                "certainty": certainty,
                "certainty_label": NOT_RERATED if stale else CERTAINTY_LABELS[certainty],
                "certainty_symbol": "" if stale else CERTAINTY_SYMBOLS[certainty],
                "meaning": old or CERTAINTY_MEANINGS[certainty],
                "downgrades": downgrades_text(ev, outcome),
                "levels": int(d["levels"].sum()),
                "cochrane_grade": str(row["cochrane_grade"]),
                "stale": stale,
            }
        )
    return pd.DataFrame.from_records(records)


def stale_ratings(ev: Any) -> pd.DataFrame:
    """The summary-of-findings rows whose trials changed since they were rated."""
    t = findings_table(ev)
    return t.loc[t["stale"] != "", ["outcome", "outcome_label", "stale"]].reset_index(drop=True)


def findings_display(ev: Any) -> pd.DataFrame:
    """The summary of findings for readers: one row per outcome, as Cochrane shows it."""
    t = findings_table(ev)
    rating = (t["certainty_symbol"] + " " + t["certainty_label"]).str.strip()
    trials = t["n_trials"].astype(str) + " (" + t["n_participants"].astype(str) + ")"
    return pd.DataFrame(
        {
            "Outcome": t["outcome_label"],
            "What the evidence shows": t["statement"] + " " + t["finding"],
            "Trials (patients)": trials,
            "Certainty (the book's rating)": rating,
        }
    ).astype("string")


def downgrades_display(ev: Any) -> pd.DataFrame:
    """Every GRADE domain of every outcome, in order, with the levels it costs and why."""
    order = {o: i for i, o in enumerate(findings_table(ev)["outcome"])}
    domains = {g: i for i, g in enumerate(GRADE_DOMAIN_LABELS)}
    d = ev.downgrades.assign(
        order=ev.downgrades["outcome"].astype(str).map(order),
        domain_order=ev.downgrades["grade_domain"].astype(str).map(domains),
    ).sort_values(["order", "domain_order"], kind="stable")
    return pd.DataFrame(
        {
            "Outcome": [FINDING_LABELS[str(o)] for o in d["outcome"]],
            "Lowered for": [GRADE_DOMAIN_LABELS[str(g)] for g in d["grade_domain"]],
            "Levels": [f"\u2212{int(n)}" if int(n) else "0" for n in d["levels"]],
            "Why": d["reason"],
        }
    ).astype("string")


def cochrane_display(ev: Any) -> pd.DataFrame:
    """The Cochrane review's grading of the same outcomes, beside the book's rating."""
    t = findings_table(ev)
    review = cochrane_reviews(ev).get(SOF_REVIEW, SOF_REVIEW)
    return pd.DataFrame(
        {
            "Outcome": t["outcome_label"],
            "The book's rating": t["certainty_label"],
            f"The Cochrane review ({review})": t["cochrane_grade"],
        }
    ).astype("string")


@dataclass(frozen=True)
class FindingsFacts:
    """The summary-of-findings section in numbers and words (prefix ``ap``)."""

    certainty_words: str
    strength_trials: int
    strength_patients: int
    strength_certainty: str  #: lower case
    strength_statement: str
    trial_months: str  #: "3 to 6"
    n_outcomes: int
    n_cochrane_not_estimable: int


def findings_facts(ev: Any) -> FindingsFacts:
    """The muscle-strength row of :func:`findings_table`, and the trials' treatment months."""
    table = findings_table(ev)
    strength = table.set_index("outcome").loc["strength"]
    not_estimable = table["cochrane_grade"].str.startswith(COCHRANE_NOT_ESTIMABLE)
    months = trial_studies(ev)["treatment_months"].dropna().astype(int)
    return FindingsFacts(
        certainty_words=certainty_words(ev),
        strength_trials=cell_int(strength["n_trials"]),
        strength_patients=cell_int(strength["n_participants"]),
        strength_certainty=str(strength["certainty_label"]).lower(),
        strength_statement=str(strength["statement"]),
        trial_months=f"{months.min()} to {months.max()}",
        n_outcomes=len(table),
        n_cochrane_not_estimable=int(not_estimable.sum()),
    )


def certainty_words(ev: Any) -> str:
    """'Muscle strength: low; swallowing: very low; ...' for key messages."""
    t = findings_table(ev)
    parts = [
        f"{label.lower() if i else label}: {c.lower()}"
        for i, (label, c) in enumerate(zip(t["outcome_label"], t["certainty_label"], strict=True))
    ]
    return "; ".join(parts)
