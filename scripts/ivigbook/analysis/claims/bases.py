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
from ivigbook.analysis.cohorts import (
    improvement_outcomes,
    is_controlled,
    is_trial,
    ivig_evidence,
    readable,
    short_labels_by_id,
    with_tables,
)
from ivigbook.analysis.vocabulary import CONTRADICTED, VERDICTS

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


def checked_improvements(ev: Evidence) -> pd.DataFrame:
    """The objective improvements that only a checked primary source reports, in IVIG studies.

    An outcome counts when it is an improvement (:func:`~ivigbook.analysis.cohorts.
    improvement_outcomes`) on the evidence as checked (:func:`checked_basis`) but not on the
    results the letter reports. Columns: outcome_id, study_id, study (short label), domain,
    measure (the letter's name of the measure), trial and controlled (the study's design),
    own_report (every check behind it cites the study's own report) and check_ids (``"; "``).
    A new row of ``checked_results.csv`` with an improved result adds a row here.
    """
    columns = [
        "outcome_id",
        "study_id",
        "study",
        "domain",
        "measure",
        "trial",
        "controlled",
        "own_report",
        "check_ids",
    ]
    ivig = ivig_evidence(ev)
    before = set(improvement_outcomes(ivig)["outcome_id"].astype(str))
    after = improvement_outcomes(checked_basis(ivig))
    new = after[~after["outcome_id"].astype(str).isin(before)]
    if new.empty:
        return pd.DataFrame(columns=columns)
    studies = ivig.studies.set_index(ivig.studies["study_id"].astype(str))
    labels = short_labels_by_id(ivig)
    checks = ivig.source_checks.set_index(ivig.source_checks["check_id"].astype(str))
    cr = ivig.checked_results
    rows = []
    for o in new.itertuples(index=False):
        sid = str(o.study_id)
        study = studies.loc[[sid]]
        mine = cr["outcome_id"].astype(str) == str(o.outcome_id)
        ids = [str(c) for c in cr.loc[mine, "check_id"]]
        own = bool(ids) and all(
            str(checks.loc[c, "citation_key"]) == str(study["citation_key"].iloc[0]) for c in ids
        )
        rows.append(
            {
                "outcome_id": str(o.outcome_id),
                "study_id": sid,
                "study": labels[sid],
                "domain": str(o.domain),
                "measure": str(o.measure_letter),
                "trial": bool(is_trial(study).iloc[0]),
                "controlled": bool(is_controlled(study).iloc[0]),
                "own_report": own,
                "check_ids": "; ".join(ids),
            }
        )
    return pd.DataFrame(rows, columns=columns)


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
    reason_checked, rows_checked (the deciding rows with the sources checked), differs,
    difference ("" where the verdicts agree).
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
            "rows_checked": after["deciding_rows"],
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


def verdicts_on_bases(ev: Evidence) -> pd.DataFrame:
    """Claims per verdict on each basis: columns verdict (every verdict, in order), letter
    (on the letter's own evidence) and checked (with the primary sources checked)."""
    table = evaluate_bases(ev)
    letter = table["verdict_letter"].astype(str).value_counts()
    checked = table["verdict_checked"].astype(str).value_counts()
    return pd.DataFrame(
        {
            "verdict": list(VERDICTS),
            "letter": [int(letter.get(v, 0)) for v in VERDICTS],
            "checked": [int(checked.get(v, 0)) for v in VERDICTS],
        }
    )


def newly_contradicted_domains(ev: Evidence) -> tuple[int, tuple[str, ...]]:
    """The claims contradicted only once the sources are checked, and what they turn on.

    Returns the number of such claims and, when every one of them is decided by an outcome of
    :func:`checked_improvements`, the domains of those outcomes (data order); otherwise ``()``
    (the claims turn on something else too, so no single cause is named).
    """
    table = evaluate_bases(ev)
    moved = table[
        (table["verdict_checked"].astype(str) == CONTRADICTED)
        & (table["verdict_letter"].astype(str) != CONTRADICTED)
    ]
    if moved.empty:
        return 0, ()
    improvements = checked_improvements(ev)
    domain_of = dict(zip(improvements["outcome_id"], improvements["domain"], strict=True))
    domains: dict[str, None] = {}
    for rows in moved["rows_checked"]:
        hits = [
            domain_of[item.partition(":")[2]]
            for item in str(rows).split("; ")
            if item.startswith("outcomes:") and item.partition(":")[2] in domain_of
        ]
        if not hits:
            return len(moved), ()
        domains.update(dict.fromkeys(hits))
    return len(moved), tuple(domains)


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
