"""The claims ledger: every claim evaluated, per chapter and per verdict."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from dataclasses import asdict
from typing import TYPE_CHECKING

import pandas as pd

from ivigbook.analysis.claims.helpers import MAX_LISTED, shorten_rows
from ivigbook.analysis.claims.registry import CHECKS, FACTS, CheckResult, Facts
from ivigbook.analysis.cohorts import (
    id_reader,
    ivig_evidence,
    short_labels_by_id,
    studies_evidence,
)
from ivigbook.analysis.grade import split_list
from ivigbook.analysis.vocabulary import (
    NOT_REPORTED,
    NOT_TESTABLE,
    PARTLY,
    SUPPORTED,
    VERDICTS,
    chapter_label,
)
from ivigbook.data.templates import fill
from ivigbook.prose import sentence

if TYPE_CHECKING:
    from ivigbook.data.load import Evidence


COLUMNS = [
    "claim_id",
    "chapter",
    "location",
    "quote",
    "claim",
    "scope_studies",
    "verdict",
    "short_reason",
    "reason",
    "deciding_rows",
]


def short_reason(claim: pd.Series, verdict: str, facts: Facts) -> str:
    """The claim's reason template (or its untestable one) filled with the check's facts."""
    template = str(claim["reason_template"])
    untestable = claim.get("reason_template_untestable")
    if verdict == NOT_TESTABLE and isinstance(untestable, str) and untestable:
        template = untestable
    return fill(template, asdict(facts), NOT_REPORTED)


def scope_of(claim: pd.Series) -> list[str]:
    """The studies a claim is about (``claims.scope_studies``); empty for every study."""
    return split_list(claim.get("scope_studies"))


def circular(result: CheckResult, claim: pd.Series, ev: Evidence) -> CheckResult:
    """A supported claim decided by a count from the letter's text quoting it is partly."""
    if result.verdict != SUPPORTED:
        return result
    r = ev.responders
    own = r[
        (r["source"].astype("string") == "letter_text")
        & (r["quote"].astype("string") == str(claim["quote"]))
    ]
    ids = {f"responders:{i}" for i in own["responder_id"]}
    if not ids & set(result.deciding_rows):
        return result
    return dataclasses.replace(
        result, verdict=PARTLY, reason=f"{sentence('claims', 'circular')} {result.reason}"
    )


def evaluate(ev: Evidence) -> pd.DataFrame:
    """Every claim of ``claims.csv`` with its verdict (ordered categorical), short reason (for
    readers), long reason (for the audit) and deciding rows (``table:row_id; ...``)."""
    records = []
    ivig = ivig_evidence(ev)  # the letter's claims are about intravenous studies only
    for _, claim in ev.claims.iterrows():
        name, scope = str(claim["check"]), scope_of(claim)
        result = CHECKS[name](studies_evidence(ivig, scope) if scope else ivig)
        result = circular(result, claim, ev)
        if not isinstance(result.facts, FACTS[name]):
            msg = f"check {name} returned {type(result.facts).__name__}, not {FACTS[name].__name__}"
            raise TypeError(msg)
        records.append(
            {
                "claim_id": claim["claim_id"],
                "chapter": str(claim["chapter"]),
                "location": str(claim["location"]),
                "quote": claim["quote"],
                "claim": claim["claim"],
                "scope_studies": "; ".join(scope),
                "verdict": result.verdict,
                "short_reason": short_reason(claim, result.verdict, result.facts),
                "reason": result.reason,
                "deciding_rows": "; ".join(result.deciding_rows),
            }
        )
    frame = pd.DataFrame.from_records(records, columns=COLUMNS)
    frame = frame.astype({c: "string" for c in COLUMNS if c != "verdict"})
    frame["verdict"] = pd.Categorical(frame["verdict"], categories=list(VERDICTS), ordered=True)
    return frame


def chapter_verdicts(ev: Evidence, chapter: str | None = None) -> pd.DataFrame:
    """The claims one chapter discusses (or all, with their chapter), ready to show."""
    chapters = ev.enum("claims", "chapter")
    if chapter is not None and chapter not in chapters:
        msg = f"unknown chapter {chapter!r}; claims.csv allows {chapters}"
        raise ValueError(msg)
    table = evaluate(ev)
    if chapter is not None:
        table = table[table["chapter"] == chapter]
    columns = {"Claim (quote)": ["\u201c" + q + "\u201d" for q in table["quote"]]}
    if chapter is None:
        columns["Chapter"] = [chapter_label(c) for c in table["chapter"]]
    columns["Verdict"] = table["verdict"].astype("string").to_list()
    columns["Why"] = table["short_reason"].to_list()
    return pd.DataFrame(columns).astype("string")


def row_namer(ev: Evidence) -> Callable[[str, int], str]:
    """Deciding rows ("outcomes:dalakas1997-mmt; ...") as a reader names them ("MMT (Dalakas
    1997); ..."), each once, past ``limit`` counted."""
    read = id_reader(ev)
    studies = short_labels_by_id(ev)
    by_table = {
        "studies": dict(studies),
        "outcomes": {
            str(o["outcome_id"]): f"{str(o['measure_letter']).rstrip('.')} "
            f"({studies.get(str(o['study_id']), '')})"
            for _, o in ev.outcomes.iterrows()
        },
        "responders": {
            str(r["responder_id"]): "count of patients who improved "
            f"({studies[str(r['study_id'])]})"
            for _, r in ev.responders.iterrows()
            if str(r["study_id"]) in studies
        },
        "source_checks": {
            str(c["check_id"]): f"source check ({studies[str(c['study_id'])]})"
            for _, c in ev.source_checks.iterrows()
            if str(c["study_id"]) in studies
        },
        "search": {str(r["step_id"]): str(r["label"]) for _, r in ev.search.iterrows()},
        "judgements": {
            str(j["judgement_id"]): f"judgement on {j['field']}"
            + ("" if str(j["record_id"]) == "*" else f" ({read(j['record_id'])})")
            for _, j in ev.judgements.iterrows()
        },
    }

    def name(deciding_rows: str, limit: int = MAX_LISTED) -> str:
        parts = [item.partition(":") for item in str(deciding_rows).split("; ")]
        items = [*dict.fromkeys(by_table.get(t, {}).get(i) or read(i) for t, _, i in parts if i)]
        if len(items) > limit:
            return "; ".join(items[:limit]) + f"; and {len(items) - limit} more"
        return "; ".join(items) or "none"

    return name


def audit_table(ev: Evidence, chapter: str | None = None) -> pd.DataFrame:
    """The ledger's audit, for readers: each claim as checked, its long reason and rows."""
    table = evaluate(ev)
    if chapter is not None:
        table = table[table["chapter"] == chapter]
    read, name = id_reader(ev), row_namer(ev)
    return pd.DataFrame(
        {
            "Checked as": table["claim"],
            "Where in the letter": table["location"],
            "How the verdict is reached": [read(r) for r in table["reason"]],
            "Decided by": [name(rows, MAX_LISTED) for rows in table["deciding_rows"]],
        }
    ).astype("string")


def audit_ids(ev: Evidence) -> pd.DataFrame:
    """The same claims by their identifiers: claim id, check, deciding rows (shortened)."""
    table = evaluate(ev)
    return pd.DataFrame(
        {
            "claim_id": table["claim_id"],
            "check": ev.claims["check"].astype("string").to_numpy(),
            "deciding_rows": table["deciding_rows"].map(shorten_rows),
        }
    ).astype("string")


def verdict_counts(ev: Evidence) -> pd.DataFrame:
    """Claims per chapter and verdict (every verdict listed, zero counts kept)."""
    table = evaluate(ev)
    counts = (
        table.groupby(["chapter", "verdict"], observed=False).size().rename("claims").reset_index()
    )
    return counts[counts["chapter"].isin(table["chapter"].unique())].reset_index(drop=True)
