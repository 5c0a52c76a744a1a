"""Cohorts, each defined once: how a study is named, and which studies are trials or controlled.

* **Controlled trials** (:data:`~ivigbook.analysis.vocabulary.TRIAL_DESIGNS`): prospective
  trials with a comparator, i.e. the designs ``placebo_controlled_trial`` and
  ``controlled_trial``.
* **Controlled studies**: every study with a comparison group or period.
* **IVIG studies** (:data:`~ivigbook.analysis.vocabulary.IVIG_ROUTES`): studies whose
  immunoglobulin was given intravenously. Trials, controlled studies, the conclusions' counts
  and every claim check (:func:`ivig_evidence`) see only these, so a subcutaneous study changes
  no IVIG verdict. This module is the one place that filter is applied.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from ivigbook.data.load import Evidence

import dataclasses
from typing import Any

import pandas as pd

from ivigbook.analysis.vocabulary import (
    AUTHOR_NOT_REPORTED,
    DESIGN_LABELS,
    IVIG_ROUTES,
    TRIAL_DESIGNS,
)

# ------------------------------------------------------------------------------------------
# Studies


def author_words(first_author: object) -> str:
    """The first author as a reader sees it: "Authors not reported" where the record shows none."""
    text = str(first_author)
    return "Authors not reported" if text.strip().lower() == AUTHOR_NOT_REPORTED else text


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
            author = author_words(row.first_author)
            etal = "" if author != str(row.first_author) else " et al."
            label = f"{author}{etal}{year} (added)"
        labels.append(label)
    out = pd.Series(labels, index=studies.index, dtype="string", name="study")
    if out.duplicated().any():  # two added studies by the same author in the same year
        out = out.where(~out.duplicated(keep=False), out + " [" + studies["study_id"] + "]")
    return out


def design_labels(studies: pd.DataFrame) -> pd.Series:
    """The reader's label of each study's design."""
    return studies["design"].astype("string").map(DESIGN_LABELS).astype("string")


# ------------------------------------------------------------------------------------------
# Trials


def is_ivig(studies: pd.DataFrame) -> pd.Series:
    """True for studies whose immunoglobulin was intravenous (:data:`IVIG_ROUTES`).

    A package without a ``route`` column (older copies) is all intravenous, like the letter.
    """
    if "route" not in studies.columns:
        return pd.Series(True, index=studies.index)
    return studies["route"].astype("string").isin(IVIG_ROUTES).fillna(False).astype(bool)


def ivig_studies(ev: Any) -> pd.DataFrame:
    """The studies of intravenous immunoglobulin, in the data's order."""
    s = ev.studies
    return s[is_ivig(s)]


def ivig_evidence(ev: Any) -> Any:
    """The evidence restricted to IVIG studies: every table keyed by study loses the others.

    The claim checks run on this view, so a subcutaneous study is in the evidence map and the
    counts of all studies but in no IVIG cohort and no IVIG verdict.
    """
    keep = set(ivig_studies(ev)["study_id"].astype(str))
    if len(keep) == len(ev.studies):
        return ev
    tables = {}
    for name, df in ev.tables.items():
        if "study_id" in df.columns and name != "claims":
            ids = df["study_id"].astype("string")
            df = df[ids.isin(keep).fillna(False) | ids.isna()].reset_index(drop=True)
        tables[name] = df
    return dataclasses.replace(ev, tables=tables)


def trial_studies(ev: Any, letter_only: bool = False) -> pd.DataFrame:
    """The prospective IVIG trials (designs in :data:`TRIAL_DESIGNS`, intravenous route).

    With ``letter_only``, only the studies of the letter's Table I (``included_by`` letter),
    for sentences about what the letter's table says.
    """
    s = ivig_studies(ev)
    if letter_only:
        s = s[s["included_by"].astype(str) == "letter"]
    return s[s["design"].astype(str).isin(TRIAL_DESIGNS)].reset_index(drop=True)


def controlled_studies(ev: Any) -> pd.DataFrame:
    """Every IVIG study with a comparison group or period, trials first (design order)."""
    s = ivig_studies(ev)
    out = s[s["controlled"].eq(True).fillna(False)]
    return out.sort_values(["design", "letter_ref"], kind="stable").reset_index(drop=True)


def labels_by_id(ev: Evidence) -> pd.Series:
    """The book's label of each study ("Amato et al. (1)"), indexed by study_id."""
    labels = study_labels(ev.studies)
    return pd.Series(labels.astype(str).to_numpy(), index=ev.studies["study_id"].astype(str))
