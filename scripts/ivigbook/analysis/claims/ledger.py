"""The claims ledger: every claim evaluated, per chapter and per verdict."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pandas as pd

from ivigbook.analysis.claims.registry import CHECKS
from ivigbook.analysis.cohorts import ivig_evidence, readable
from ivigbook.analysis.vocabulary import VERDICTS

if TYPE_CHECKING:
    from ivigbook.data.load import Evidence


# --- evaluation ----------------------------------------------------------------------------

COLUMNS = [
    "claim_id",
    "chapter",
    "location",
    "quote",
    "claim",
    "verdict",
    "reason",
    "deciding_rows",
]


def evaluate(ev: Evidence) -> pd.DataFrame:
    """Every claim of ``claims.csv`` with its computed verdict, reason and deciding rows.

    ``verdict`` is an ordered categorical in :data:`VERDICTS` order; ``deciding_rows`` is a
    string of ``table:row_id`` items joined by ``"; "``.
    """
    records = []
    ivig = ivig_evidence(ev)  # the letter's claims are about intravenous studies only
    for _, claim in ev.claims.iterrows():
        result = CHECKS[str(claim["check"])](ivig)
        records.append(
            {
                "claim_id": claim["claim_id"],
                "chapter": str(claim["chapter"]),
                "location": str(claim["location"]),
                "quote": claim["quote"],
                "claim": claim["claim"],
                "verdict": result.verdict,
                "reason": result.reason,
                "deciding_rows": "; ".join(result.deciding_rows),
            }
        )
    frame = pd.DataFrame.from_records(records, columns=COLUMNS)
    frame = frame.astype({c: "string" for c in COLUMNS if c != "verdict"})
    frame["verdict"] = pd.Categorical(frame["verdict"], categories=list(VERDICTS), ordered=True)
    return frame


def chapter_verdicts(ev: Evidence, chapter: str | None = None) -> pd.DataFrame:
    """The claims one chapter discusses, ready to show: Claim (quote), Verdict, Why.

    With ``chapter=None``, every claim, with a Chapter column after the quote.
    """
    chapters = ev.enum("claims", "chapter")
    if chapter is not None and chapter not in chapters:
        msg = f"unknown chapter {chapter!r}; claims.csv allows {chapters}"
        raise ValueError(msg)
    table = evaluate(ev)
    if chapter is not None:
        table = table[table["chapter"] == chapter]
    columns = {"Claim (quote)": ["\u201c" + q + "\u201d" for q in table["quote"]]}
    if chapter is None:
        columns["Chapter"] = table["chapter"].to_list()
    columns["Verdict"] = table["verdict"].astype("string").to_list()
    columns["Why"] = [readable(r, ev) for r in table["reason"]]
    return pd.DataFrame(columns).astype("string")


def verdict_counts(ev: Evidence) -> pd.DataFrame:
    """Claims per chapter and verdict (every verdict listed, zero counts kept)."""
    table = evaluate(ev)
    counts = (
        table.groupby(["chapter", "verdict"], observed=False).size().rename("claims").reset_index()
    )
    return counts[counts["chapter"].isin(table["chapter"].unique())].reset_index(drop=True)
