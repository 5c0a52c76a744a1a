"""The letter against itself: its numbers, and where its text and its table disagree."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, cast

import pandas as pd

from ivigbook.analysis.appraisal import rct_readings
from ivigbook.analysis.claims.helpers import _flag, names
from ivigbook.analysis.claims.ledger import evaluate, verdict_counts
from ivigbook.analysis.claims.signals import (
    _named_crossover,
    half_endurance_none_in_control,
    one_third_of_crossover_improved,
)
from ivigbook.analysis.cohorts import short_label, short_labels_by_id
from ivigbook.analysis.vocabulary import VERDICTS
from ivigbook.data.cells import cell_float
from ivigbook.prose import sentence

if TYPE_CHECKING:
    from ivigbook.data.load import Evidence


def _short_labels(studies: pd.DataFrame) -> list[str]:
    """The studies as readers name them: "Walter 2000"."""
    return [short_label(row) for _, row in studies.iterrows()]


def _quoted(rows: pd.DataFrame) -> str:
    return "\u201c" + str(rows["quote"].iloc[0]) + "\u201d" if not rows.empty else ""


def letter_numbers(ev: Evidence) -> dict[str, object]:
    """The counts behind the letter's internal inconsistencies, computed from the data."""
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
    third: Any = one_third_of_crossover_improved(ev).facts
    if third.improved is not None and third.n is not None:
        numbers["crossover_improved"], numbers["crossover_n"] = third.improved, third.n
        numbers["crossover_share"], numbers["crossover_third"] = (
            third.improved / third.n,
            third.n / 3,
        )
    numbers["crossover_abstract_percent"] = float(third.abstract[:-1]) if third.abstract else None
    endurance: Any = half_endurance_none_in_control(ev).facts
    if endurance.n_ivig is not None:
        numbers["endurance_n"], numbers["endurance_half"] = endurance.n_ivig, endurance.n_ivig / 2
    return numbers


def internal_inconsistencies(ev: Evidence) -> pd.DataFrame:
    """Where the letter's text or caption and its own Table I disagree, with the data's counts."""
    n = letter_numbers(ev)
    s, r, c = ev.studies, ev.responders, ev.claims
    # What Table I says is about the letter's own studies, not those added since.
    placebo = s[_flag(s["placebo_controlled"]) & (s["included_by"].astype("string") == "letter")]
    kinds = zip(_short_labels(placebo), placebo["study_type_letter"], strict=True)
    unstated = names(cast("list[str]", n["randomisation_not_reported"]))
    rows: list[tuple[str, ...]] = [
        (
            "Number of randomised trials",
            _quoted(c[c["check"] == "rct_count_is_two"]),
            "; ".join(f"{label}: {str(kind).rstrip('.')}" for label, kind in kinds),
            sentence(
                "claims",
                "letter_rcts",
                n_randomised=n["n_randomised"],
                n_double_blind_placebo=n["n_double_blind_placebo"],
                unstated=unstated,
            ),
        )
    ]
    crossover = r[r["study_id"].isin(list(_named_crossover(ev)["study_id"]))]
    source = crossover["source"].astype("string")
    if "crossover_n" in n:
        abstract = n["crossover_abstract_percent"]
        said = sentence(
            "claims",
            "letter_crossover",
            improved=n["crossover_improved"],
            n=n["crossover_n"],
            share=f"{cell_float(n['crossover_share']):.1%}",
            third=f"{cell_float(n['crossover_third']):.2f}",
            abstract=f"{abstract:g}" if abstract else None,
        )
        quotes = [_quoted(crossover[source == f"letter_{w}"]) for w in ("caption", "table")]
        rows.append(("Responders in the cross-over trial", *quotes, said))
    if "endurance_n" in n:
        endurance = ev.outcomes[ev.outcomes["measure"].astype("string") == "endurance_adl"]
        ivig = r["outcome_id"].isin(list(endurance["outcome_id"])) & (r["group"] == "ivig")
        half = f"{cell_float(n['endurance_half']):g}"
        said = sentence("claims", "letter_endurance", n=n["endurance_n"], half=half)
        claim = _quoted(c[c["check"] == "half_endurance_none_in_control"])
        rows.append(("Endurance in the IVIG + prednisone trial", claim, _quoted(r[ivig]), said))
    columns = ["Topic", "The letter says", "Table I says", "The data show"]
    return pd.DataFrame(rows, columns=columns).astype("string")


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
    """Every number and phrase the claims ledger's prose needs, for one ``glue_facts`` call."""
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
    crossover = [f"crossover_{key}" for key in ("improved", "n", "share", "third")]
    for key in ("n_randomised", "n_placebo", *crossover, "endurance_n", "endurance_half"):
        facts[key] = n.get(key)
    facts["n_double_blind"] = n["n_double_blind_placebo"]
    facts["not_stated"] = ", ".join(cast("list[str]", n["randomisation_not_reported"]))
    facts["crossover_abstract"] = n["crossover_abstract_percent"]
    facts["n_inconsistencies"] = len(internal_inconsistencies(ev))
    labels = short_labels_by_id(ev)
    readings = rct_readings(ev)
    for key in ("table", "text", "in_vitro"):
        name = "in_vitro" if key == "in_vitro" else f"reading_{key}"
        facts[name] = " and ".join(labels[i] for i in readings[key]) or "none"
    checks = ev.source_checks
    check_verdicts = checks["verdict"].astype("string").value_counts()
    facts |= {"n_checks": len(checks), "n_checked_studies": checks["study_id"].nunique()}
    facts["n_judgements"] = len(ev.judgements)
    for kind in ("differs", "adds", "agrees", "unverifiable"):
        facts[f"n_{kind}"] = int(check_verdicts.get(kind, 0))
    return facts
