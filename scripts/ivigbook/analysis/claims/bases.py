"""Every claim judged twice: on the letter's own evidence (:func:`letter_basis`) and on the
evidence with the primary sources checked (:func:`checked_basis`). A weak checked result
(:func:`weak_results`) cannot overturn a claim alone: the claim is then qualified instead."""

from __future__ import annotations

import re
from collections.abc import Iterable
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
    studies_evidence,
    with_tables,
)
from ivigbook.analysis.grade import domain_certainty, split_list
from ivigbook.analysis.vocabulary import (
    CONTRADICTED,
    MULTIPLICITY_WORDS,
    OUTCOME_ROLE_WORDS,
    QUALIFIED,
    SUPPORTED,
    VERDICTS,
)
from ivigbook.prose import sentence

if TYPE_CHECKING:
    from ivigbook.data.load import Evidence


def letter_basis(ev: Evidence) -> Evidence:
    """The letter's own evidence: its Table I studies, its results, no primary-source check."""
    s = ev.studies
    letter = studies_evidence(ev, s.loc[s["included_by"].astype("string") == "letter", "study_id"])
    r = letter.responders
    primary = (r["source"].astype("string") == "primary_source").fillna(False).astype(bool)
    return with_tables(
        letter,
        responders=r[~primary].reset_index(drop=True),
        checked_results=ev.checked_results.iloc[0:0],
        checked_study_values=ev.checked_study_values.iloc[0:0],
    )


def checked_basis(ev: Evidence, leave_out: Iterable[str] = ()) -> Evidence:
    """Every study, with the results and design facts a checked primary source gives (except
    for the checks in ``leave_out``)."""
    skip = set(leave_out)
    checked = ev.checked_results
    checked = checked[~checked["check_id"].astype(str).isin(skip)]
    o = ev.outcomes.copy()
    sc = ev.source_checks.set_index("check_id")
    for _, row in checked.iterrows():
        hit = o["outcome_id"] == row["outcome_id"]
        o.loc[hit, "result"] = row["result"]
        o.loc[hit, "result_basis"] = "explicit"
        o.loc[hit, "quote"] = str(sc.loc[row["check_id"], "source_says"])
    s = ev.studies.copy()
    for _, row in ev.checked_study_values.iterrows():
        if str(row["check_id"]) in skip:
            continue
        hit = s["study_id"] == row["study_id"]
        s.loc[hit, str(row["field"])] = bool(row["value"])
    return with_tables(ev, outcomes=o, studies=s)


def weak_results(ev: Evidence) -> pd.DataFrame:
    """The checked results that cannot overturn a claim (neither primary nor adjusted for
    multiplicity, or of an outcome rated very low), with why, in words."""
    columns = ["check_id", "outcome_id", "study_id", "study", "summary", "why"]
    cr = ev.checked_results
    if cr.empty:
        return pd.DataFrame(columns=columns)
    o = ev.outcomes.set_index(ev.outcomes["outcome_id"].astype(str))
    labels = short_labels_by_id(ev)
    certainty = domain_certainty(ev)
    rows = []
    for r in cr.itertuples(index=False):
        outcome = o.loc[str(r.outcome_id)]
        role, adjusted = str(r.outcome_role), str(r.multiplicity)
        level = certainty.get(str(outcome["domain"]))
        credible_alone = role == "primary" or adjusted == "adjusted"
        if credible_alone and level != "very_low":
            continue
        why = sentence(
            "claims",
            "weak_result",
            role=OUTCOME_ROLE_WORDS[role],
            adjustment=MULTIPLICITY_WORDS[adjusted] if not credible_alone else None,
            very_low=outcome["domain"] if level == "very_low" else None,
        )
        sid = str(outcome["study_id"])
        ids = [str(r.check_id), str(r.outcome_id), sid]
        rows.append([*ids, labels.get(sid, sid), str(r.summary), why])
    return pd.DataFrame(rows, columns=columns)


def checked_improvements(ev: Evidence) -> pd.DataFrame:
    """The objective improvements, in IVIG studies, that only a checked primary source reports
    (own_report: every check behind one cites the study's own report)."""
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
        design = [bool(is_trial(study).iloc[0]), bool(is_controlled(study).iloc[0])]
        about = [str(o.outcome_id), sid, labels[sid], str(o.domain), str(o.measure_letter)]
        rows.append([*about, *design, own, "; ".join(ids)])
    return pd.DataFrame(rows, columns=columns)


#: The end of a sentence: a full stop before a capital (so "ref. 3" does not end one).
_SENTENCE_END = re.compile(r"\.\s+(?=[A-Z\u201c])")


def difference_sentence(letter: str, checked: str, reason: str) -> str:
    """One plain sentence for a claim whose verdict moves when the sources are checked."""
    first = _SENTENCE_END.split(str(reason), maxsplit=1)[0].rstrip(".")
    first = first[:1].lower() + first[1:]
    return sentence("claims", "difference", letter=letter, checked=checked, first=first)


#: Source-check topics on which a study's own report can qualify a supported claim.
QUALIFYING_TOPICS = ("result", "effect_size")


def differing_sentence(ev: Evidence, deciding_rows: str) -> str:
    """How a deciding source check that differs on a result qualifies a claim, or ""."""
    sc = ev.source_checks
    ids = {r.partition(":")[2] for r in deciding_rows.split("; ") if r.startswith("source_checks:")}
    hit = sc[
        sc["check_id"].astype(str).isin(ids)
        & (sc["verdict"].astype(str) == "differs")
        & sc["topic"].astype(str).isin(QUALIFYING_TOPICS)
    ]
    if hit.empty:
        return ""
    labels = short_labels_by_id(ev)
    said = "; ".join(
        f"{labels.get(str(r.study_id), str(r.study_id))}: {str(r.source_says).rstrip('.')}"
        for r in hit.itertuples(index=False)
    )
    return sentence("claims", "differing", said=said)


def evaluate_bases(ev: Evidence) -> pd.DataFrame:
    """Each claim's verdict and reason on both bases, whether they differ, and the sentence;
    where weak results alone would change the checked verdict, it is reached without them."""
    before = evaluate(letter_basis(ev))
    after = evaluate(checked_basis(ev))
    weak = weak_results(ivig_evidence(ev))
    credible = evaluate(checked_basis(ev, leave_out=weak["check_id"])) if len(weak) else after
    verdicts, reasons, rows, weighed = [], [], [], []
    for claim, full, kept in zip(
        ev.claims.itertuples(index=False),
        after.itertuples(index=False),
        credible.itertuples(index=False),
        strict=True,
    ):
        if str(full.verdict) == str(kept.verdict):
            worded = differing_sentence(ev, str(full.deciding_rows))
            qualified = str(full.verdict) == SUPPORTED and worded
            verdicts.append(QUALIFIED if qualified else str(full.verdict))
            reasons.append(f"{worded} {full.reason}" if qualified else str(full.reason))
            rows.append(str(full.deciding_rows))
            weighed.append(False)
            continue
        # The weak results that decided the verdict they would have changed.
        deciding = set(str(full.deciding_rows).split("; "))
        mine = weak[("outcomes:" + weak["outcome_id"]).isin(deciding)]
        if mine.empty:
            scope = set(split_list(claim.scope_studies))
            mine = weak[weak["study_id"].isin(scope)] if scope else weak
        verdicts.append(QUALIFIED if str(kept.verdict) == SUPPORTED else str(kept.verdict))
        weighing = sentence("claims", "weighing", weak=list(mine.itertuples(index=False)))
        reasons.append(f"{weighing} {kept.reason}")
        ids = "; ".join(f"checked_results:{c}" for c in mine["check_id"])
        rows.append("; ".join(part for part in (ids, str(kept.deciding_rows)) if part))
        weighed.append(True)
    table = pd.DataFrame(
        {
            "claim_id": after["claim_id"],
            "chapter": after["chapter"],
            "quote": after["quote"],
            "verdict_letter": before["verdict"].to_numpy(),
            "reason_letter": before["reason"].to_numpy(),
            "verdict_checked": pd.Categorical(verdicts, categories=list(VERDICTS), ordered=True),
            "reason_checked": reasons,
            "rows_checked": rows,
            "weighed": weighed,
        }
    )
    differs = table["verdict_letter"].astype("string") != table["verdict_checked"].astype("string")
    table["differs"] = differs.astype(bool)
    moved = table[["verdict_letter", "verdict_checked", "reason_checked", "differs"]]
    table["difference"] = [
        difference_sentence(str(a), str(b), str(r)) if d else ""
        for a, b, r, d in moved.itertuples(index=False)
    ]
    return table


def verdicts_on_bases(ev: Evidence) -> pd.DataFrame:
    """Claims per verdict (every verdict, in order) on each basis: verdict, letter, checked."""
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
    """How many claims are contradicted only once the sources are checked, and the domains of
    the :func:`checked_improvements` that decide every one of them (else ``()``)."""
    table = evaluate_bases(ev)
    moved = table[
        (table["verdict_checked"].astype(str) == CONTRADICTED)
        & (table["verdict_letter"].astype(str) != CONTRADICTED)
    ]
    if moved.empty:
        return 0, ()
    improvements = checked_improvements(ev)
    ids = "outcomes:" + improvements["outcome_id"].astype(str)
    domain_of = dict(zip(ids, improvements["domain"], strict=True))
    domains: dict[str, None] = {}
    for rows in moved["rows_checked"]:
        hits = [domain_of[item] for item in str(rows).split("; ") if item in domain_of]
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
                readable(d, ev) if d else sentence("claims", "verdicts_agree")
                for d in t["difference"]
            ],
        }
    ).astype("string")
