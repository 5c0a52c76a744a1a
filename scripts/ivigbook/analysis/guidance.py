"""Guidance since the letter's sources: what each body recommends on IVIG in IBM, and which
could be the "recent consensus statement" the letter cites without naming."""

from __future__ import annotations

import re
from typing import Any

import pandas as pd

from ivigbook.analysis.cohorts import citation_labels
from ivigbook.analysis.vocabulary import DIRECTION_LABELS, NOT_REPORTED


def guidance(ev: Any) -> pd.DataFrame:
    """The guidance table, newest first (rows without a year last); empty without one."""
    if "guidance" not in ev.tables:
        return pd.DataFrame(columns=["guidance_id", "body", "year", "direction"])
    g = ev.guidance.copy()
    g["_year"] = g["year"].astype("Float64")
    return (
        g.sort_values("_year", ascending=False, na_position="last", kind="stable")
        .drop(columns="_year")
        .reset_index(drop=True)
    )


def guidance_display(ev: Any) -> pd.DataFrame:
    """The guidance as a reader's table."""
    g = guidance(ev)
    if g.empty:
        return pd.DataFrame(
            columns=["Body", "Year", "On IVIG in IBM", "Direction", "Level of evidence", "Source"]
        )
    year = g["year"].astype("Int64").astype("string").fillna(NOT_REPORTED)
    # A document the book cites is named as cited; its DOI is printed once, in the References.
    labels = citation_labels(ev)
    source = [
        f"{labels[str(key)]}; " + re.sub(r";?\s*DOI\s+10\.\S+", "", str(ident)).strip("; ")
        if pd.notna(key) and str(key) in labels
        else str(ident)
        for key, ident in zip(g["citation_key"], g["identifier"], strict=True)
    ]
    return pd.DataFrame(
        {
            "Body": g["body"].astype("string"),
            "Year": year,
            "On IVIG in IBM": g["recommendation"].astype("string"),
            "Direction": g["direction"].astype("string").map(DIRECTION_LABELS),
            "Level of evidence": g["level_of_evidence"].astype("string"),
            "Source": [s.rstrip("; ") for s in source],
        }
    ).astype("string")


def letter_candidates(ev: Any) -> pd.DataFrame:
    """Each guidance judged a candidate or not for the letter's unnamed consensus statement."""
    g = guidance(ev)
    if g.empty:
        return pd.DataFrame(columns=["Guidance", "Year", "A candidate?", "Why"])
    year = g["year"].astype("Int64").astype("string").fillna(NOT_REPORTED)
    candidate = g["letter_candidate"].astype("boolean")
    return pd.DataFrame(
        {
            "Guidance": g["body"].astype("string"),
            "Year": year,
            "A candidate?": candidate.map({True: "candidate", False: "unlikely"}),
            "Why": g["candidate_note"].astype("string"),
        }
    ).astype("string")


def guidance_counts(ev: Any) -> dict[str, int]:
    """Guidance records, by direction, and the candidates for the letter's statement."""
    g = guidance(ev)
    if g.empty:
        return {"n_guidance": 0, "n_against": 0, "n_conditional_for": 0, "n_candidates": 0}
    direction = g["direction"].astype("string")
    return {
        "n_guidance": len(g),
        "n_against": int((direction == "against").sum()),
        "n_conditional_for": int((direction == "conditional_for").sum()),
        "n_candidates": int(g["letter_candidate"].astype("boolean").fillna(False).sum()),
    }


#: How the guidance table marks an edition a newer one replaced ("(superseded edition)").
_SUPERSEDED = re.compile(r"\bsuperseded\b", re.IGNORECASE)


def conditional_guidance(ev: Any) -> pd.DataFrame:
    """The guidance of direction ``conditional_for``: body, superseded, and the situation (the
    first clause of its recommendation)."""
    g = guidance(ev)
    columns = ["body", "superseded", "situation"]
    if g.empty:
        return pd.DataFrame(columns=columns)
    g = g[g["direction"].astype("string") == "conditional_for"]
    marked = [
        bool(_SUPERSEDED.search(f"{body} {ident}"))
        for body, ident in zip(g["body"].astype(str), g["identifier"].astype(str), strict=True)
    ]
    return pd.DataFrame(
        {
            "body": g["body"].astype(str).to_list(),
            "superseded": marked,
            "situation": [str(r).split(";")[0].strip().rstrip(".") for r in g["recommendation"]],
        },
        columns=columns,
    )
