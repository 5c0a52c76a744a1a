"""The letter against itself: its numbers, and where its text and its table disagree."""

from __future__ import annotations

from typing import TYPE_CHECKING, cast

import pandas as pd

from ivigbook.analysis.appraisal import rct_readings
from ivigbook.analysis.claims.helpers import _STATED_PERCENT, _flag, names
from ivigbook.analysis.claims.ledger import evaluate, verdict_counts
from ivigbook.analysis.claims.signals import _named_crossover
from ivigbook.analysis.cohorts import short_label, short_labels_by_id
from ivigbook.analysis.vocabulary import VERDICTS
from ivigbook.data.cells import cell_float
from ivigbook.prose import sentence

if TYPE_CHECKING:
    from ivigbook.data.load import Evidence


# --- the letter against itself -------------------------------------------------------------


def _short_labels(studies: pd.DataFrame) -> list[str]:
    """The studies as readers name them: "Walter 2000"."""
    return [short_label(row) for _, row in studies.iterrows()]


def _claim_quote(ev: Evidence, check_name: str) -> str:
    c = ev.claims
    rows = c[c["check"] == check_name]
    return "\u201c" + str(rows["quote"].iloc[0]) + "\u201d" if not rows.empty else ""


def letter_numbers(ev: Evidence) -> dict[str, object]:
    """The counts behind the letter's internal inconsistencies, computed from the data.

    Keys: ``n_randomised``, ``n_placebo``, ``n_double_blind_placebo``,
    ``randomisation_not_reported`` (study labels), ``crossover_improved``, ``crossover_n``,
    ``crossover_share``, ``crossover_third`` (one third of crossover_n, in patients),
    ``crossover_abstract_percent`` (the study's own figure, or None), ``endurance_n`` (the IVIG
    group the letter's "half" is of), ``endurance_half`` (half of it, in patients).
    """
    s = ev.studies
    randomised = s[_flag(s["randomised"])]
    placebo = s[_flag(s["placebo_controlled"])]
    double_blind = placebo[_flag(placebo["blinded"])]
    unknown = placebo[placebo["randomised"].isna()]
    numbers: dict[str, object] = {
        "n_randomised": len(randomised),
        "n_placebo": len(placebo),
        "n_double_blind_placebo": len(double_blind),
        "randomisation_not_reported": _short_labels(unknown),
    }
    study = _named_crossover(ev)
    r = ev.responders
    counted = r[
        r["study_id"].isin(list(study["study_id"]))
        & (r["source"].astype("string") == "letter_table")
        & r["numerator"].notna()
    ]
    if not counted.empty:
        num, den = int(counted["numerator"].iloc[0]), int(counted["denominator"].iloc[0])
        numbers.update(
            crossover_improved=num,
            crossover_n=den,
            crossover_share=num / den,
            crossover_third=den / 3,
        )
    primary = r[
        r["study_id"].isin(list(study["study_id"]))
        & (r["source"].astype("string") == "primary_source")
    ]
    percent = None
    for stated in primary["stated_as"]:
        found = _STATED_PERCENT.search(str(stated))
        if found:
            percent = float(found.group(1))
    numbers["crossover_abstract_percent"] = percent
    endurance = ev.outcomes[ev.outcomes["measure"].astype("string") == "endurance_adl"]
    ivig = r[
        r["outcome_id"].isin(list(endurance["outcome_id"]))
        & (r["group"].astype("string") == "ivig")
    ]
    if not ivig.empty and pd.notna(ivig["denominator"].iloc[0]):
        numbers["endurance_n"] = int(ivig["denominator"].iloc[0])
        numbers["endurance_half"] = int(ivig["denominator"].iloc[0]) / 2
    return numbers


def internal_inconsistencies(ev: Evidence) -> pd.DataFrame:
    """Where the letter's text or caption and its own Table I do not agree, with the counts
    the data give: columns Topic, The letter says, Table I says, The data show."""
    n = letter_numbers(ev)
    s = ev.studies
    # What Table I says is about the letter's own studies, not those added since.
    placebo = s[_flag(s["placebo_controlled"]) & (s["included_by"].astype("string") == "letter")]
    rows = [
        {
            "Topic": "Number of randomised trials",
            "The letter says": _claim_quote(ev, "rct_count_is_two"),
            "Table I says": "; ".join(
                f"{label}: {str(kind).rstrip('.')}"
                for label, kind in zip(
                    _short_labels(placebo), placebo["study_type_letter"], strict=True
                )
            ),  # the letter's studies only, so never longer than its Table I
            "The data show": sentence(
                "claims",
                "letter_rcts",
                n_randomised=n["n_randomised"],
                n_double_blind_placebo=n["n_double_blind_placebo"],
                unstated=names(cast("list[str]", n["randomisation_not_reported"])),
            ),
        }
    ]
    r = ev.responders
    crossover = r[r["study_id"].isin(list(_named_crossover(ev)["study_id"]))]
    table = crossover[crossover["source"].astype("string") == "letter_table"]
    caption = crossover[crossover["source"].astype("string") == "letter_caption"]
    if "crossover_n" in n:
        abstract = n["crossover_abstract_percent"]
        rows.append(
            {
                "Topic": "Responders in the cross-over trial",
                "The letter says": "\u201c" + str(caption["quote"].iloc[0]) + "\u201d"
                if not caption.empty
                else "",
                "Table I says": "\u201c" + str(table["quote"].iloc[0]) + "\u201d",
                "The data show": sentence(
                    "claims",
                    "letter_crossover",
                    improved=n["crossover_improved"],
                    n=n["crossover_n"],
                    share=f"{cell_float(n['crossover_share']):.1%}",
                    third=f"{cell_float(n['crossover_third']):.2f}",
                    abstract=f"{abstract:g}" if abstract else None,
                ),
            }
        )
    if "endurance_n" in n:
        endurance = ev.outcomes[ev.outcomes["measure"].astype("string") == "endurance_adl"]
        quotes = r[
            r["outcome_id"].isin(list(endurance["outcome_id"]))
            & (r["group"].astype("string") == "ivig")
        ]
        rows.append(
            {
                "Topic": "Endurance in the IVIG + prednisone trial",
                "The letter says": _claim_quote(ev, "half_endurance_none_in_control"),
                "Table I says": "\u201c" + str(quotes["quote"].iloc[0]) + "\u201d",
                "The data show": sentence(
                    "claims",
                    "letter_endurance",
                    n=n["endurance_n"],
                    half=f"{cell_float(n['endurance_half']):g}",
                ),
            }
        )
    return pd.DataFrame(rows).astype("string")


def verdict_summary(ev: Evidence) -> str:
    """One line per chapter in the book's order: 'trials: 1 supported, 4 partly supported'."""
    counts = verdict_counts(ev)
    counts = counts[counts["claims"] > 0]
    order = ev.enum("claims", "chapter")
    parts = []
    for chapter in sorted(set(counts["chapter"]), key=order.index):
        rows = counts[counts["chapter"] == chapter]
        parts.append(
            f"{chapter}, "
            + names(f"{int(n)} {v}" for v, n in zip(rows["verdict"], rows["claims"], strict=True))
        )
    return "; ".join(parts)


def ledger_facts(ev: Evidence) -> dict[str, object]:
    """Every number and phrase the claims ledger's prose needs, for one ``glue_facts`` call.

    Verdict counts (``n_claims``, ``n_<verdict>``, ``n_chapters``, ``by_chapter``, the two
    verdicts the summary names), the two bases (``n_bases_differ``, ``n_bases_agree``), the
    letter against itself (:func:`letter_numbers`, the two readings of "the two RCTs", the
    count of inconsistencies) and the source checks (counts by verdict, judgements).
    """
    from ivigbook.analysis.claims.bases import evaluate_bases  # bases imports this package

    ledger = evaluate(ev)
    by_verdict = ledger["verdict"].value_counts()
    facts: dict[str, object] = {"n_claims": len(ledger)}
    facts |= {f"n_{v.replace(' ', '_')}": int(by_verdict[v]) for v in VERDICTS}
    facts |= {"n_chapters": ledger["chapter"].nunique(), "by_chapter": verdict_summary(ev)}
    verdict = dict(zip(ledger["claim_id"], ledger["verdict"].astype(str), strict=True))
    for claim_id in ("rcts_no_objective_effect", "responders_started_earlier"):
        facts[f"verdict_{claim_id}"] = verdict.get(claim_id, "")
    bases = evaluate_bases(ev)
    checked = dict(zip(bases["claim_id"], bases["verdict_checked"].astype(str), strict=True))
    facts["checked_verdict_rcts_no_objective_effect"] = checked.get("rcts_no_objective_effect", "")
    differs = bases["differs"]
    facts |= {"n_bases_differ": int(differs.sum()), "n_bases_agree": int((~differs).sum())}
    n = letter_numbers(ev)
    facts |= {
        "n_randomised": n["n_randomised"],
        "n_placebo": n["n_placebo"],
        "n_double_blind": n["n_double_blind_placebo"],
        "not_stated": ", ".join(cast("list[str]", n["randomisation_not_reported"])),
        "crossover_improved": n.get("crossover_improved"),
        "crossover_n": n.get("crossover_n"),
        "crossover_share": n.get("crossover_share"),
        "crossover_third": n.get("crossover_third"),
        "crossover_abstract": n["crossover_abstract_percent"],
        "endurance_n": n.get("endurance_n"),
        "endurance_half": n.get("endurance_half"),
        "n_inconsistencies": len(internal_inconsistencies(ev)),
    }
    labels = short_labels_by_id(ev)
    readings = rct_readings(ev)
    for key in ("table", "text", "in_vitro"):
        name = "in_vitro" if key == "in_vitro" else f"reading_{key}"
        facts[name] = " and ".join(labels[i] for i in readings[key]) or "none"
    checks = ev.source_checks
    check_verdicts = checks["verdict"].astype("string").value_counts()
    facts |= {
        "n_checks": len(checks),
        "n_checked_studies": checks["study_id"].nunique(),
        "n_judgements": len(ev.judgements),
    }
    for kind in ("differs", "adds", "agrees", "unverifiable"):
        facts[f"n_{kind}"] = int(check_verdicts.get(kind, 0))
    return facts
