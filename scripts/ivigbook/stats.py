"""Statistics for the chapters on signals, timing, biomarkers and conclusions.

* Exact (Clopper-Pearson) binomial confidence intervals: :func:`exact_ci`.
* The responder statements of the data package as one table, with a share and an exact
  95% CI wherever the source fixes both numbers, and the reason wherever it does not:
  :func:`responder_table`.
* Power and sample size for detecting a responder subgroup, i.e. a difference between the
  share of patients who respond on IVIG and the share who "respond" without it:
  :func:`patients_per_arm`, :func:`power_for_arms`, :func:`exact_power`,
  :func:`power_curve`, :func:`trial_power_table`.
* What each study reports about timing: :func:`timing_matrix`, :func:`timing_counts`.
* Outcomes that could serve as markers (serum, histology): :func:`marker_outcomes`.
* Single values from the data for glue (plain Python): :func:`study_value`,
  :func:`outcome_quote`, :func:`claim_quote`, :func:`source_check_text`.
* Counts behind the conclusions and sentences whose wording follows the counts:
  :func:`evidence_summary`, :func:`objective_benefit_sentence`, :func:`update_sentence`,
  :func:`verdict_counts`, :func:`verdict_sentence`.

Every function takes the :class:`~ivigbook.load.Evidence` from :func:`ivigbook.load.load`
(or plain numbers) and returns plain Python numbers, strings or DataFrames.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING

import pandas as pd
from scipy import stats as sps
from statsmodels.stats.power import NormalIndPower
from statsmodels.stats.proportion import proportion_confint, proportion_effectsize

from ivigbook import changes, derive
from ivigbook.charts import DESIGN_LABELS, RESULT_LABELS
from ivigbook.claims import VERDICTS

if TYPE_CHECKING:
    from ivigbook.load import Evidence

#: Confidence level of every interval in the book.
CONFIDENCE = 0.95
#: Conventional two-sided significance level and power used for sample sizes.
ALPHA = 0.05
POWER = 0.8

#: Designs that count as controlled *trials* (prospective, with a comparator).
TRIAL_DESIGNS = derive.TRIAL_DESIGNS

SOURCE_LABELS = {
    "letter_table": "Letter, Table I",
    "letter_caption": "Letter, caption of Table I",
    "letter_text": "Letter, text",
    "primary_source": "Primary source (checked)",
}
GROUP_LABELS = {"ivig": "IVIG", "control": "Control", "subgroup": "IVIG subgroup"}
MEASURE_LABELS = {
    "mmt": "manual muscle testing",
    "qmt": "quantitative muscle testing",
    "swallowing": "swallowing studies",
    "oesophageal_manometry": "oesophageal manometry",
    "disability_score": "disability score",
    "functional_score": "functional score",
    "ck": "serum CK",
    "emg": "EMG",
    "nss": "symptom score (NSS)",
    "biopsy_necrosis": "necrotic fibres (biopsy)",
    "biopsy_t_cells": "T cells (biopsy)",
    "biopsy_markers": "biopsy markers",
    "mri": "muscle MRI",
    "endurance_adl": "endurance, daily activities",
    "fatigue": "fatigue",
    "self_reported_strength": "self-reported strength",
    "self_reported_dysphagia": "self-reported dysphagia",
    "patient_global": "patient's global assessment",
    "favourable_response": "favourable response (undefined)",
}
NOT_REPORTED = "not reported"


# --------------------------------------------------------------------------------------
# Confidence intervals


def exact_ci(successes: int, trials: int, confidence: float = CONFIDENCE) -> tuple[float, float]:
    """Exact (Clopper-Pearson) confidence interval for ``successes`` out of ``trials``.

    Uses statsmodels' ``proportion_confint(method="beta")``; the lower bound is 0 when
    ``successes`` is 0 and the upper bound is 1 when ``successes == trials``.
    """
    if trials < 1 or not 0 <= successes <= trials:
        msg = f"need 0 <= successes <= trials and trials >= 1, got {successes}/{trials}"
        raise ValueError(msg)
    low, high = proportion_confint(successes, trials, alpha=1 - confidence, method="beta")
    return float(low), float(high)


# --------------------------------------------------------------------------------------
# Shares stated in words

_UNITS = {
    word: value
    for value, word in enumerate(
        (
            *("zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine"),
            *("ten", "eleven", "twelve", "thirteen", "fourteen", "fifteen", "sixteen"),
            *("seventeen", "eighteen", "nineteen"),
        )
    )
}
_TENS = {
    "twenty": 20,
    "thirty": 30,
    "forty": 40,
    "fifty": 50,
    "sixty": 60,
    "seventy": 70,
    "eighty": 80,
    "ninety": 90,
}
_FRACTIONS = {
    "none": 0.0,
    "all": 1.0,
    "half": 0.5,
    "one half": 0.5,
    "one third": 1 / 3,
    "two thirds": 2 / 3,
    "one quarter": 0.25,
    "three quarters": 0.75,
}


def words_to_int(text: str) -> int | None:
    """A whole number from 0 to 100 written in English words ("eighty-three" -> 83)."""
    words = text.strip().lower().replace("-", " ").split()
    if words in (["one", "hundred"], ["hundred"]):
        return 100
    if len(words) == 1:
        return _UNITS.get(words[0], _TENS.get(words[0]))
    if len(words) == 2 and words[0] in _TENS and words[1] in _UNITS and 0 < _UNITS[words[1]] < 10:
        return _TENS[words[0]] + _UNITS[words[1]]
    return None


def stated_share(text: str) -> float | None:
    """The share a phrase states ("half", "one third", "Eighty-three percent", "28%").

    Returns None for phrases that state a count rather than a share ("Six", "2 of 14").
    """
    phrase = " ".join(text.strip().lower().split())
    if phrase in _FRACTIONS:
        return _FRACTIONS[phrase]
    match = re.fullmatch(r"(\d+(?:\.\d+)?)\s*(?:%|per ?cent)", phrase)
    if match:
        return float(match.group(1)) / 100
    match = re.fullmatch(r"(.+?)\s+per ?cent", phrase)
    if match:
        number = words_to_int(match.group(1))
        return None if number is None else number / 100
    return None


# --------------------------------------------------------------------------------------
# Responder statements


def study_labels(ev: Evidence) -> pd.Series:
    """The book's label of each study ("Amato et al. (1)"), indexed by study_id."""
    labels = derive.study_labels(ev.studies)
    return pd.Series(labels.astype(str).to_numpy(), index=ev.studies["study_id"].astype(str))


def _yes_no(value: object) -> str:
    if pd.isna(value):
        return NOT_REPORTED
    return "yes" if bool(value) else "no"


def _ci_note(numerator: object, denominator: object) -> str:
    if pd.notna(numerator) and pd.notna(denominator):
        return "exact 95% CI"
    if pd.isna(denominator) and pd.isna(numerator):
        return "no CI: neither count given"
    if pd.isna(denominator):
        return "no CI: denominator not given"
    return "no CI: number of patients not fixed"


def responder_table(ev: Evidence) -> pd.DataFrame:
    """One row per responder statement, with share, exact 95% CI and the study's caveats.

    ``share`` is numerator/denominator where both are known (``share_basis`` "count"),
    else the share the words state ("half" -> 0.5; ``share_basis`` "stated"), else empty.
    ``ci_low``/``ci_high`` are filled only where both numbers are known; ``ci_note`` says
    why not otherwise and ``reason`` gives the data's own explanation (denominator_basis).
    Caveats per statement: ``n_study``, ``controlled``, ``blinded``, ``assessment`` (of the
    measure) and ``blinding_check`` (a source check on blinding, if any).
    """
    resp = ev.responders
    studies = ev.studies.set_index(ev.studies["study_id"].astype(str))
    outcomes = ev.outcomes.set_index(ev.outcomes["outcome_id"].astype(str))
    checks = ev.source_checks
    blinding = {
        str(row.study_id): str(row.source_says)
        for row in checks[checks["topic"] == "blinding"].itertuples()
    }
    labels = study_labels(ev)
    rows = []
    for r in resp.itertuples(index=False):
        sid, oid = str(r.study_id), str(r.outcome_id)
        study = studies.loc[sid]
        outcome = outcomes.loc[oid]
        num, den = r.numerator, r.denominator
        words = stated_share(str(r.stated_as))
        if pd.notna(num) and pd.notna(den):
            share, basis = int(num) / int(den), "count"
            low, high = exact_ci(int(num), int(den))
        elif words is not None:
            share, basis, low, high = words, "stated", None, None
        else:
            share, basis, low, high = None, "none", None, None
        rows.append(
            {
                "responder_id": str(r.responder_id),
                "study_id": sid,
                "study": labels[sid],
                "design": str(study["design"]),
                "design_label": DESIGN_LABELS[str(study["design"])],
                "source": str(r.source),
                "source_label": SOURCE_LABELS[str(r.source)],
                "from_letter": str(r.source) != "primary_source",
                "group": str(r.group),
                "group_label": GROUP_LABELS[str(r.group)],
                "group_letter": str(r.group_letter),
                "stated_as": str(r.stated_as),
                "measure": MEASURE_LABELS[str(outcome["measure"])],
                "assessment": str(outcome["assessment"]),
                "numerator": num,
                "denominator": den,
                "share": share,
                "share_basis": basis,
                "ci_low": low,
                "ci_high": high,
                "ci_note": _ci_note(num, den),
                "reason": str(r.denominator_basis),
                "n_study": int(study["n_total"]),
                "controlled": _yes_no(study["controlled"]),
                "blinded": _yes_no(study["blinded"]),
                "blinding_check": blinding.get(sid, pd.NA),
                "quote": str(r.quote),
            }
        )
    df = pd.DataFrame(rows)
    for col in ("numerator", "denominator", "n_study"):
        df[col] = df[col].astype("Int64")
    for col in ("share", "ci_low", "ci_high"):
        df[col] = pd.array(df[col], dtype="Float64")
    df["ci_width"] = df["ci_high"] - df["ci_low"]
    df["label"] = _unique_labels(df)
    return df


def _unique_labels(df: pd.DataFrame) -> list[str]:
    """Labels "Study - group: words", with the measure added where that is not unique."""
    labels = [
        f"{s} \N{EN DASH} {g}: {w}"
        for s, g, w in zip(df["study"], df["group_label"], df["stated_as"], strict=True)
    ]
    counts = pd.Series(labels).value_counts()
    labels = [
        f"{label} ({m})" if counts[label] > 1 else label
        for label, m in zip(labels, df["measure"], strict=True)
    ]
    counts = pd.Series(labels).value_counts()
    return [
        f"{label} [{rid}]" if counts[label] > 1 else label
        for label, rid in zip(labels, df["responder_id"], strict=True)
    ]


def responder_summary(table: pd.DataFrame) -> dict[str, object]:
    """Counts and extremes of a :func:`responder_table` (plain Python values, for glue)."""
    with_ci = table[table["ci_low"].notna()]
    widest = with_ci.loc[with_ci["ci_width"].astype(float).idxmax()]
    narrowest = with_ci.loc[with_ci["ci_width"].astype(float).idxmin()]
    letter = table[table["from_letter"]]
    return {
        "n_statements": len(table),
        "n_letter": len(letter),
        "n_primary": int((~table["from_letter"]).sum()),
        "n_ci": len(with_ci),
        "n_letter_ci": int(letter["ci_low"].notna().sum()),
        "n_no_ci": int(table["ci_low"].isna().sum()),
        "n_uncontrolled": int((table["controlled"] == "no").sum()),
        "n_subjective": int((table["assessment"] != "objective").sum()),
        "widest_label": str(widest["label"]),
        "widest_width": float(widest["ci_width"]),
        "widest_low": float(widest["ci_low"]),
        "widest_high": float(widest["ci_high"]),
        "narrowest_label": str(narrowest["label"]),
        "narrowest_width": float(narrowest["ci_width"]),
    }


def responder_row(table: pd.DataFrame, responder_id: str) -> dict[str, object]:
    """One statement of a :func:`responder_table` as plain Python values (NA -> None)."""
    row = table[table["responder_id"] == responder_id]
    if len(row) != 1:
        raise KeyError(responder_id)
    out: dict[str, object] = {}
    for key, value in row.iloc[0].items():
        if pd.isna(value):
            out[str(key)] = None
        elif hasattr(value, "item"):  # numpy scalars -> Python (glue needs plain values)
            out[str(key)] = value.item()
        else:
            out[str(key)] = value
    return out


# --------------------------------------------------------------------------------------
# Single values from the data, as plain Python values (for glue)


def _plain(value: object) -> object:
    if value is None or (not isinstance(value, str) and pd.isna(value)):
        return None
    return value.item() if hasattr(value, "item") else value


def study_value(ev: Evidence, study_id: str, field: str) -> object:
    """One field of one study (None where empty)."""
    rows = ev.studies[ev.studies["study_id"] == study_id]
    if len(rows) != 1:
        raise KeyError(study_id)
    return _plain(rows.iloc[0][field])


def outcome_quote(ev: Evidence, outcome_id: str) -> str:
    """The letter's words for one outcome, or "not reported"."""
    rows = ev.outcomes[ev.outcomes["outcome_id"] == outcome_id]
    if len(rows) != 1:
        raise KeyError(outcome_id)
    quote = rows.iloc[0]["quote"]
    return NOT_REPORTED if pd.isna(quote) else str(quote)


def claim_quote(ev: Evidence, claim_id: str) -> str:
    """The letter's words for one claim."""
    rows = ev.claims[ev.claims["claim_id"] == claim_id]
    if len(rows) != 1:
        raise KeyError(claim_id)
    return str(rows.iloc[0]["quote"])


def source_check_text(ev: Evidence, study_id: str, topic: str) -> str:
    """What the checked source says on ``topic`` for a study (checks joined by a space)."""
    checks = ev.source_checks
    rows = checks[(checks["study_id"] == study_id) & (checks["topic"] == topic)]
    if rows.empty:
        msg = f"no source check on {topic!r} for {study_id!r}"
        raise KeyError(msg)
    return " ".join(str(t) for t in rows["source_says"])


# --------------------------------------------------------------------------------------
# Power and sample size (two independent groups, two-sided test of two proportions)


def effect_size(p_ivig: float, p_control: float) -> float:
    """Cohen's h for two response rates (the arcsine-transformed difference)."""
    return float(proportion_effectsize(p_ivig, p_control))


def power_for_arms(
    p_ivig: float, p_control: float, n_ivig: float, n_control: float, alpha: float = ALPHA
) -> float:
    """Power of a two-sided test of two proportions with these arm sizes (normal approximation)."""
    if n_ivig <= 0 or n_control <= 0:
        msg = "both arms need at least one patient"
        raise ValueError(msg)
    return float(
        NormalIndPower().power(
            effect_size=effect_size(p_ivig, p_control),
            nobs1=n_ivig,
            alpha=alpha,
            ratio=n_control / n_ivig,
            alternative="two-sided",
        )
    )


def patients_per_arm(
    p_ivig: float, p_control: float, alpha: float = ALPHA, power: float = POWER
) -> int:
    """Patients per arm (equal arms) for ``power`` to detect ``p_ivig`` against ``p_control``.

    Normal approximation on Cohen's h (statsmodels ``NormalIndPower``), rounded up.
    """
    if p_ivig == p_control:
        msg = "the rates must differ"
        raise ValueError(msg)
    n = NormalIndPower().solve_power(
        effect_size=effect_size(p_ivig, p_control),
        alpha=alpha,
        power=power,
        ratio=1.0,
        alternative="two-sided",
    )
    return math.ceil(float(n) - 1e-9)


def exact_power(
    p_ivig: float, p_control: float, n_ivig: int, n_control: int, alpha: float = ALPHA
) -> float:
    """Exact power of the two-sided Fisher exact test with these arm sizes.

    Sums, over every possible pair of responder counts, the binomial probability of that
    pair under the assumed rates wherever Fisher's test rejects at ``alpha``.
    """
    pmf_ivig = sps.binom.pmf(range(n_ivig + 1), n_ivig, p_ivig)
    pmf_control = sps.binom.pmf(range(n_control + 1), n_control, p_control)
    total = 0.0
    for x in range(n_ivig + 1):
        for y in range(n_control + 1):
            table = [[x, n_ivig - x], [y, n_control - y]]
            if sps.fisher_exact(table, alternative="two-sided").pvalue <= alpha:
                total += float(pmf_ivig[x] * pmf_control[y])
    return total


def power_curve(
    p_ivig: float,
    p_control_rates: Iterable[float],
    n_values: Iterable[int],
    alpha: float = ALPHA,
) -> pd.DataFrame:
    """Power (normal approximation) for each assumed control rate and patients per arm."""
    rows = [
        {
            "p_ivig": float(p_ivig),
            "p_control": float(pc),
            "n_per_arm": int(n),
            "power": power_for_arms(p_ivig, pc, n, n, alpha),
        }
        for pc in p_control_rates
        for n in n_values
    ]
    df = pd.DataFrame(rows)
    df["scenario"] = [f"{pc:.0%} without IVIG" for pc in df["p_control"]]
    return df


def trial_arms(ev: Evidence) -> pd.DataFrame:
    """Arm sizes of the controlled studies, for power calculations.

    Parallel groups: n_ivig and n_control from the data. Crossover trials (no separate
    control group; every patient had IVIG and the comparator in turn) are counted as
    n_total patients in each arm, i.e. the two periods are treated as independent groups:
    a simplification that ignores pairing, carry-over and period effects.
    """
    s = ev.studies[ev.studies["controlled"].fillna(False).astype(bool)]
    labels = study_labels(ev)
    rows = []
    for r in s.itertuples(index=False):
        crossover = bool(r.crossover) if pd.notna(r.crossover) else False
        if crossover:
            n_i, n_c, basis = int(r.n_total), int(r.n_total), "crossover: all patients in both arms"
        else:
            n_i, n_c, basis = int(r.n_ivig), int(r.n_control), "parallel groups"
        rows.append(
            {
                "study_id": str(r.study_id),
                "study": labels[str(r.study_id)],
                "design_label": DESIGN_LABELS[str(r.design)],
                "n_ivig_arm": n_i,
                "n_control_arm": n_c,
                "arms_basis": basis,
            }
        )
    return pd.DataFrame(rows)


def trial_power_table(
    ev: Evidence, p_ivig: float, p_control: float, alpha: float = ALPHA
) -> pd.DataFrame:
    """:func:`trial_arms` plus the power each study had under the assumed rates.

    ``power_approx``: normal approximation (as for the sample size); ``power_exact``:
    Fisher's exact test, which is what a study this small would use.
    """
    df = trial_arms(ev)
    df["power_approx"] = [
        power_for_arms(p_ivig, p_control, a, b, alpha)
        for a, b in zip(df["n_ivig_arm"], df["n_control_arm"], strict=True)
    ]
    df["power_exact"] = [
        exact_power(p_ivig, p_control, a, b, alpha)
        for a, b in zip(df["n_ivig_arm"], df["n_control_arm"], strict=True)
    ]
    return df


# --------------------------------------------------------------------------------------
# Timing

#: Aspect -> (label, the studies fields that report it). The letter's list of what the
#: studies differ in: "time from diagnosis, disease duration, treatment regimes,
#: concomitant drugs".
TIMING_ASPECTS: dict[str, tuple[str, tuple[str, ...]]] = {
    "time_to_treatment": ("Time from diagnosis", ("time_to_treatment_letter",)),
    "disease_duration": ("Disease duration", ("disease_duration_letter",)),
    "treatment_duration": ("Treatment duration", ("treatment_duration_letter", "treatment_months")),
    "concomitant_treatment": ("Concomitant drugs", ("concomitant_treatment",)),
}


def timing_matrix(ev: Evidence) -> pd.DataFrame:
    """One row per study and timing aspect: reported or not, and the letter's words."""
    labels = study_labels(ev)
    rows = []
    for study in ev.studies.itertuples(index=False):
        for aspect, (label, fields) in TIMING_ASPECTS.items():
            parts = []
            for name in fields:
                value = getattr(study, name)
                if pd.isna(value):
                    continue
                parts.append(
                    f"planned months: {int(value)}" if name == "treatment_months" else str(value)
                )
            reported = bool(parts)
            rows.append(
                {
                    "study_id": str(study.study_id),
                    "study": labels[str(study.study_id)],
                    "design_label": DESIGN_LABELS[str(study.design)],
                    "aspect": aspect,
                    "aspect_label": label,
                    "reported": reported,
                    "status": "reported" if reported else NOT_REPORTED,
                    "letter_words": "; ".join(parts) if reported else NOT_REPORTED,
                }
            )
    return pd.DataFrame(rows)


def timing_counts(ev: Evidence) -> dict[str, int]:
    """Number of studies that report each timing aspect (keys of :data:`TIMING_ASPECTS`)."""
    m = timing_matrix(ev)
    counts = m.groupby("aspect", sort=False)["reported"].sum()
    return {aspect: int(counts[aspect]) for aspect in TIMING_ASPECTS}


# --------------------------------------------------------------------------------------
# Candidate markers

MARKER_DOMAINS = ("serum", "histology")


def marker_outcomes(ev: Evidence) -> pd.DataFrame:
    """Outcomes measured in serum or muscle tissue (candidate markers), with their results."""
    out = ev.outcomes[ev.outcomes["domain"].isin(MARKER_DOMAINS)]
    studies = ev.studies.set_index(ev.studies["study_id"].astype(str))
    labels = study_labels(ev)
    return pd.DataFrame(
        {
            "study": [labels[str(s)] for s in out["study_id"]],
            "design": [DESIGN_LABELS[str(studies.loc[str(s), "design"])] for s in out["study_id"]],
            "measure": [str(m) for m in out["measure_letter"]],
            "result": [RESULT_LABELS[str(r)] for r in out["result"]],
            "letter_words": [NOT_REPORTED if pd.isna(q) else str(q) for q in out["quote"]],
        }
    ).reset_index(drop=True)


# --------------------------------------------------------------------------------------
# Conclusions


def evidence_summary(ev: Evidence) -> dict[str, int]:
    """Counts behind the conclusions (plain ints).

    ``n_trials``/``n_trial_patients``: controlled trials (:data:`TRIAL_DESIGNS`) and their
    patients; ``n_trials_objective_benefit``: trials with at least one objective outcome
    whose result is "improved"; the same for all controlled studies (trials and
    case-control studies); ``n_added``: studies added since the letter's search
    (:func:`ivigbook.changes.added_since_letter`: included_by "update" or added later).
    """
    studies = ev.studies
    out = ev.outcomes
    benefit = set(
        out.loc[
            (out["assessment"] == "objective") & (out["result"] == "improved"), "study_id"
        ].astype(str)
    )
    trials = studies[studies["design"].isin(TRIAL_DESIGNS)]
    controlled = studies[studies["controlled"].fillna(False).astype(bool)]
    return {
        "n_studies": len(studies),
        "n_trials": len(trials),
        "n_trial_patients": int(trials["n_total"].sum()),
        "n_trials_objective_benefit": int(trials["study_id"].astype(str).isin(benefit).sum()),
        "n_controlled": len(controlled),
        "n_controlled_patients": int(controlled["n_total"].sum()),
        "n_controlled_objective_benefit": int(
            controlled["study_id"].astype(str).isin(benefit).sum()
        ),
        "n_uncontrolled": len(studies) - len(controlled),
        "n_uncontrolled_patients": int(studies["n_total"].sum()) - int(controlled["n_total"].sum()),
        "n_uncontrolled_objective_benefit": len(benefit - set(controlled["study_id"].astype(str))),
        "n_added": len(changes.added_since_letter(ev)),
    }


def _count_word(n: int, singular: str, plural: str) -> str:
    return f"{n} {singular if n == 1 else plural}"


# --------------------------------------------------------------------------------------
# Wording that follows the data (singular/plural, lists, "none"/"all")

#: Singular and plural noun of each design, for running text.
DESIGN_NOUNS: dict[str, tuple[str, str]] = {
    "placebo_controlled_trial": ("placebo-controlled trial", "placebo-controlled trials"),
    "controlled_trial": ("controlled trial", "controlled trials"),
    "case_control": ("case-control study", "case-control studies"),
    "open_label": ("open-label study", "open-label studies"),
    "case_series": ("case series", "case series"),
    "case_report": ("case report", "case reports"),
}


def count_phrase(n: int, singular: str, plural: str, zero: str | None = None) -> str:
    """``"1 study"``, ``"3 studies"``; ``zero`` (e.g. "no studies") replaces ``"0 studies"``."""
    if n == 0 and zero is not None:
        return zero
    return _count_word(n, singular, plural)


def join_words(items: Iterable[str]) -> str:
    """``"a"``, ``"a and b"``, ``"a, b and c"`` (empty string for no items)."""
    words = [str(i) for i in items]
    if len(words) <= 1:
        return "".join(words)
    return ", ".join(words[:-1]) + " and " + words[-1]


def design_listing(counts: Mapping[str, int]) -> str:
    """Studies per design in words, zero counts left out.

    ``{"case_series": 3, "case_report": 1}`` -> ``"3 case series and 1 case report"``.
    """
    parts = [
        _count_word(int(n), *DESIGN_NOUNS.get(design, (design, design)))
        for design, n in counts.items()
        if int(n) > 0
    ]
    return join_words(parts) or "no studies"


def quoted_listing(words: Iterable[str]) -> str:
    """Distinct phrases in double quotes, in first-seen order: ``"half" and "one third"``."""
    return join_words(
        f"\N{LEFT DOUBLE QUOTATION MARK}{w}\N{RIGHT DOUBLE QUOTATION MARK}"
        for w in dict.fromkeys(str(w) for w in words)
    )


def range_phrase(low: float, high: float, singular: str, plural: str) -> str:
    """``"3 months"`` where low equals high, else ``"2 to 6 months"``."""
    lo, hi = (int(v) if float(v).is_integer() else v for v in (low, high))
    if lo == hi:
        return _count_word(lo, singular, plural)  # type: ignore[arg-type]
    return f"{lo} to {hi} {plural}"


def improvement_sentence(n_improved: int, n_improved_uncontrolled: int, n_uncontrolled: int) -> str:
    """Where the studies whose overall result is an improvement lie (with or without control)."""
    if n_improved == 0:
        return "No study has an improvement as its overall result."
    own = "its" if n_improved == 1 else "their"
    studies = count_phrase(n_improved, "study has", "studies have")
    head = f"{studies} an improvement as {own} overall result"
    without = count_phrase(n_uncontrolled, "study", "studies")
    if n_improved_uncontrolled == 0:
        tail = "none of them lacks a control group"
    elif n_improved_uncontrolled == n_improved == 1:
        tail = f"it is one of the {without} without a control group"
    elif n_improved_uncontrolled == n_improved:
        tail = f"all of them are among the {without} without a control group"
    else:
        verb = "is" if n_improved_uncontrolled == 1 else "are"
        tail = (
            f"{n_improved_uncontrolled} of them {verb} among the {without} without a control group"
        )
    return f"{head}; {tail}."


def unstated_randomisation_sentence(labels: Iterable[str]) -> str:
    """Which trials the data leave without a statement on randomisation."""
    labels = list(labels)
    if not labels:
        return "Every trial is described as randomised or not."
    trials = "trial" if len(labels) == 1 else "trials"
    return f"Whether patients were randomised is not stated for the {trials} {join_words(labels)}."


#: Results as nouns for running text ("an improvement in ...").
RESULT_NOUNS = {
    "improved": "improvement",
    "subjective_improvement": "subjective improvement",
    "trend": "non-significant trend",
    "not_clinically_relevant": "change without clinical relevance",
    "no_effect": "no effect",
    "not_reported": NOT_REPORTED,
}
_NO_EFFECT = "\N{LEFT DOUBLE QUOTATION MARK}no effect\N{RIGHT DOUBLE QUOTATION MARK}"


def findings_sentence(findings: pd.DataFrame, what: str) -> str:
    """Results other than "no effect" among ``what`` (e.g. "the trials"), in one sentence.

    ``findings`` is :func:`ivigbook.derive.non_null_findings` (columns ``study``,
    ``measure``, ``measure_code``, ``result_label``, ``assessment``); measures are named
    with :data:`MEASURE_LABELS`.
    """
    if findings.empty:
        return f"No result other than {_NO_EFFECT} is reported for {what}."
    parts = [
        f"{RESULT_NOUNS.get(str(r.result), str(r.result_label).lower())} in "
        f"{MEASURE_LABELS.get(str(r.measure_code), r.measure)}"
        f" ({r.assessment} measure, {r.study})"
        for r in findings.itertuples(index=False)
    ]
    return f"Results other than {_NO_EFFECT} for {what}: {'; '.join(parts)}."


def objective_benefit_sentence(n_studies: int, n_patients: int, n_benefit: int, kind: str) -> str:
    """How many of ``n_studies`` (``kind``: plural noun) report an objective improvement."""
    group = f"{n_studies} {kind} ({_count_word(n_patients, 'patient', 'patients')})"
    if n_studies == 0:
        return f"The data hold no {kind}."
    if n_benefit == 0:
        return f"None of the {group} reports an objective improvement on IVIG."
    if n_benefit == n_studies:
        return f"All of the {group} report an objective improvement on IVIG."
    verb = "reports" if n_benefit == 1 else "report"
    return f"{n_benefit} of the {group} {verb} an objective improvement on IVIG."


def update_sentence(n_added: int) -> str:
    """Whether any study has been added since the letter's search."""
    if n_added == 0:
        return "No study has been added to the evidence since the letter's search."
    studies = _count_word(n_added, "study has", "studies have")
    return f"{studies} been added to the evidence since the letter's search."


def verdict_counts(evaluated: pd.DataFrame) -> pd.DataFrame:
    """Claims per verdict in ``claims.evaluate(ev)``, every verdict listed (0 where none).

    Verdicts come in the order of :data:`ivigbook.claims.VERDICTS`.
    """
    counts = evaluated["verdict"].astype(str).value_counts()
    unknown = set(counts.index) - set(VERDICTS)
    if unknown:
        msg = f"unknown verdicts: {sorted(unknown)}"
        raise ValueError(msg)
    return pd.DataFrame(
        {"verdict": list(VERDICTS), "claims": [int(counts.get(v, 0)) for v in VERDICTS]}
    )


def claim_verdict(evaluated: pd.DataFrame, claim_id: str) -> str:
    """The verdict of one claim in ``claims.evaluate(ev)``."""
    rows = evaluated[evaluated["claim_id"] == claim_id]
    if len(rows) != 1:
        raise KeyError(claim_id)
    return str(rows.iloc[0]["verdict"])


def verdict_sentence(counts: Mapping[str, int] | pd.DataFrame) -> str:
    """A sentence summarising claim verdicts, e.g. "Of 13 claims, 9 are supported, ..."."""
    if isinstance(counts, pd.DataFrame):
        counts = dict(zip(counts["verdict"], counts["claims"], strict=True))
    total = sum(counts.values())
    if total == 0:
        return "The data hold no claims to check."
    parts = [f"{n} {'is' if n == 1 else 'are'} {v}" for v, n in counts.items() if n]
    listing = parts[0] if len(parts) == 1 else ", ".join(parts[:-1]) + " and " + parts[-1]
    if len(parts) == 1 and counts.get(VERDICTS[0], 0) == total:
        return (
            f"All {_count_word(total, 'claim', 'claims')} of the letter checked here are supported."
        )
    return f"Of the letter's {_count_word(total, 'claim', 'claims')} checked here, {listing}."
