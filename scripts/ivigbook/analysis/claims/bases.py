"""Every claim judged twice: on the letter's own evidence and on the evidence as checked.

* **The letter's evidence** (:func:`letter_basis`): the studies of the letter's Table I, with
  the letter's own results and counts; no primary-source check, no added study.
* **The evidence as checked** (:func:`checked_basis`): every study in the data, with the
  results that a checked primary source gives in place of the letter's
  (``checked_results.csv``), and every source check and primary-source count.

Where the two verdicts differ, :func:`evaluate_bases` says so in one plain sentence.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import pandas as pd

from ivigbook.analysis.claims.ledger import evaluate
from ivigbook.analysis.cohorts import readable, with_tables

if TYPE_CHECKING:
    from ivigbook.data.load import Evidence

#: Tables whose rows belong to one study (filtered with the studies).
_PER_STUDY = ("outcomes", "responders", "risk_of_bias", "harms")


def letter_basis(ev: Evidence) -> Evidence:
    """The letter's own evidence: its Table I studies, its results, no primary-source check."""
    s = ev.studies
    keep = s[s["included_by"].astype("string") == "letter"].reset_index(drop=True)
    ids = set(keep["study_id"])
    tables: dict[str, pd.DataFrame] = {"studies": keep}
    for name in _PER_STUDY:
        frame = ev.tables[name]
        tables[name] = frame[frame["study_id"].isin(ids)].reset_index(drop=True)
    r = tables["responders"]
    primary = r["source"].astype("string") == "primary_source"
    tables["responders"] = r[~primary.fillna(False).astype(bool)].reset_index(drop=True)
    tables["source_checks"] = ev.source_checks.iloc[0:0]
    tables["checked_results"] = ev.checked_results.iloc[0:0]
    return with_tables(ev, **tables)


def checked_basis(ev: Evidence) -> Evidence:
    """Every study, with results replaced where a checked primary source reports otherwise."""
    checked = ev.checked_results
    if checked.empty:
        return ev
    o = ev.outcomes.copy()
    sc = ev.source_checks.set_index("check_id")
    for _, row in checked.iterrows():
        hit = o["outcome_id"] == row["outcome_id"]
        o.loc[hit, "result"] = row["result"]
        o.loc[hit, "result_basis"] = "explicit"
        o.loc[hit, "quote"] = str(sc.loc[row["check_id"], "source_says"])
    return with_tables(ev, outcomes=o)


def difference_sentence(letter: str, checked: str, reason: str) -> str:
    """One plain sentence for a claim whose verdict moves when the sources are checked."""
    first = str(reason).split(". ")[0].rstrip(".")
    return (
        f"On the letter's own evidence this claim is {letter}; with the primary sources "
        f"checked it is {checked} ({first[:1].lower() + first[1:]})."
    )


def evaluate_bases(ev: Evidence) -> pd.DataFrame:
    """Each claim's verdict and reason on both bases, whether they differ, and the sentence.

    Columns: claim_id, chapter, quote, verdict_letter, reason_letter, verdict_checked,
    reason_checked, differs, difference ("" where the verdicts agree).
    """
    before = evaluate(letter_basis(ev))
    after = evaluate(checked_basis(ev))
    table = pd.DataFrame(
        {
            "claim_id": after["claim_id"],
            "chapter": after["chapter"],
            "quote": after["quote"],
            "verdict_letter": before["verdict"].to_numpy(),
            "reason_letter": before["reason"].to_numpy(),
            "verdict_checked": after["verdict"],
            "reason_checked": after["reason"],
        }
    )
    differs = table["verdict_letter"].astype("string") != table["verdict_checked"].astype("string")
    table["differs"] = differs.astype(bool)
    table["difference"] = [
        difference_sentence(str(a), str(b), str(r)) if d else ""
        for a, b, r, d in zip(
            table["verdict_letter"],
            table["verdict_checked"],
            table["reason_checked"],
            differs,
            strict=True,
        )
    ]
    return table


def bases_display(ev: Evidence, chapter: str | None = None) -> pd.DataFrame:
    """For readers: the claim, the verdict on each basis, and what changes."""
    t = evaluate_bases(ev)
    if chapter is not None:
        t = t[t["chapter"] == chapter]
    return pd.DataFrame(
        {
            "Claim (quote)": ["\u201c" + str(q) + "\u201d" for q in t["quote"]],
            "On the letter's evidence": t["verdict_letter"].astype("string"),
            "With the sources checked": t["verdict_checked"].astype("string"),
            "What changes": [
                readable(d, ev) if d else "Nothing: the verdicts agree." for d in t["difference"]
            ],
        }
    ).astype("string")
