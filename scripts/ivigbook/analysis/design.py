"""Designing the next trial: patients needed for a continuous endpoint (decline of the IBMFRS),
a responder endpoint and a marker-stratified design, and the power the existing controlled
studies had under the same assumptions, from the data package's ``planning`` table.

Sample sizes use statsmodels' normal approximation, the formula the book's interactive explorer
evaluates in the browser; :func:`analysed_per_arm` gives the t-test figure beside it.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING

import pandas as pd
from statsmodels.stats.power import NormalIndPower, TTestIndPower

from ivigbook.analysis.power import effect_size, patients_per_arm, power_for_d, trial_arms
from ivigbook.data.cells import cell_int

if TYPE_CHECKING:
    from ivigbook.data.load import Evidence

PLANNING = "planning"


def round_up(x: float) -> int:
    """The next whole number of patients (a value within 1e-9 of a whole number stays)."""
    return math.ceil(float(x) - 1e-9)


def planning_values(ev: Evidence) -> dict[str, float]:
    """assumption_id -> value, from the planning table."""
    df = ev[PLANNING]
    return {str(k): float(v) for k, v in zip(df["assumption_id"], df["value"], strict=True)}


def planning_rows(ev: Evidence) -> pd.DataFrame:
    """The planning table, one row per input (a copy)."""
    return ev[PLANNING].copy()


def continuous_effect_size(
    decline_per_year: float, months: float, slowing: float, sd_change: float
) -> float:
    """Cohen's d between the arms' mean change: treatment prevents the share ``slowing`` of a
    fall of ``decline_per_year`` x ``months`` / 12; ``sd_change`` is taken as fixed."""
    if sd_change <= 0:
        msg = "the spread of change must be positive"
        raise ValueError(msg)
    return slowing * decline_per_year * months / 12 / sd_change


def _effect(values: dict[str, float], months: float | None = None) -> float:
    """:func:`continuous_effect_size` at the planning values (and ``months``, if given)."""
    months = values["trial_months"] if months is None else months
    return continuous_effect_size(
        values["decline_per_year"], months, values["slowing"], values["sd_change"]
    )


def analysed_per_arm(d: float, alpha: float, power: float, t_test: bool = False) -> int:
    """Patients to analyse per arm (two equal arms, two-sided), normal approximation or t-test."""
    if d <= 0:
        msg = "the effect size must be positive"
        raise ValueError(msg)
    n = (TTestIndPower() if t_test else NormalIndPower()).solve_power(
        effect_size=d, alpha=alpha, power=power, ratio=1.0, alternative="two-sided"
    )
    return round_up(float(n))


def enrolled_per_arm(analysed: int, dropout: float) -> int:
    """Patients to enrol per arm so that ``analysed`` remain after the share ``dropout`` leave."""
    if not 0 <= dropout < 1:
        msg = "dropout must be at least 0 and below 1"
        raise ValueError(msg)
    return round_up(analysed / (1 - dropout))


def continuous_design(values: dict[str, float]) -> dict[str, float]:
    """Effect size, patients analysed and enrolled per arm for the continuous endpoint."""
    d = _effect(values)
    analysed = analysed_per_arm(d, values["alpha"], values["power"])
    return {
        "decline_over_trial": values["decline_per_year"] * values["trial_months"] / 12,
        "difference": values["slowing"] * values["decline_per_year"] * values["trial_months"] / 12,
        "effect_size": d,
        "analysed_per_arm": analysed,
        "analysed_per_arm_t": analysed_per_arm(d, values["alpha"], values["power"], t_test=True),
        "enrolled_per_arm": enrolled_per_arm(analysed, values["dropout"]),
    }


def responder_design(p_ivig: float, values: dict[str, float]) -> dict[str, float]:
    """Patients analysed and enrolled per arm to detect ``p_ivig`` against the placebo rate."""
    analysed = patients_per_arm(
        p_ivig, values["placebo_response"], values["alpha"], values["power"]
    )
    return {
        "effect_size": effect_size(p_ivig, values["placebo_response"]),
        "analysed_per_arm": analysed,
        "enrolled_per_arm": enrolled_per_arm(analysed, values["dropout"]),
    }


ALL_COMERS = "All patients"
MARKER_ONLY = "Marker-positive patients only"


def marker_designs(values: dict[str, float]) -> pd.DataFrame:
    """Patients screened and enrolled, continuous endpoint, for a trial of all patients (the
    effect diluted by marker-negative ones) and of marker-positive ones (screening 1/prevalence
    per patient enrolled). A hypothesis, not a finding."""
    prevalence = values["marker_prevalence"]
    if not 0 < prevalence <= 1:
        msg = "the marker's prevalence must be above 0 and at most 1"
        raise ValueError(msg)
    d_full = _effect(values)
    diluted = prevalence + (1 - prevalence) * values["marker_negative_effect"]
    rows = []
    for design, d in ((ALL_COMERS, d_full * diluted), (MARKER_ONLY, d_full)):
        analysed = analysed_per_arm(d, values["alpha"], values["power"])
        enrolled = enrolled_per_arm(analysed, values["dropout"])
        screened = 2 * enrolled if design == ALL_COMERS else round_up(2 * enrolled / prevalence)
        rows.append(
            {
                "design": design,
                "effect_size": d,
                "analysed_per_arm": analysed,
                "enrolled_per_arm": enrolled,
                "enrolled_total": 2 * enrolled,
                "screened_total": screened,
            }
        )
    return pd.DataFrame(rows)


def existing_trials_power(ev: Evidence, values: dict[str, float], p_ivig: float) -> pd.DataFrame:
    """For each controlled study (:func:`ivigbook.analysis.power.trial_arms`): its power for the
    continuous endpoint over the planned duration and over its own ``treatment_months``, and
    for the responder endpoint at ``p_ivig``."""
    df = trial_arms(ev)
    months = dict(zip(ev.studies["study_id"], ev.studies["treatment_months"], strict=True))
    own = [float("nan") if pd.isna(months.get(s)) else float(months[s]) for s in df["study_id"]]
    arms = list(zip(df["n_ivig_arm"], df["n_control_arm"], strict=True))
    h = effect_size(p_ivig, values["placebo_response"])
    alpha = values["alpha"]
    df["treatment_months"] = own
    df["power_planned"] = [power_for_d(_effect(values), n1, n0, alpha) for n1, n0 in arms]
    df["power_own_length"] = [
        float("nan") if pd.isna(m) else power_for_d(_effect(values, m), n1, n0, alpha)
        for m, (n1, n0) in zip(own, arms, strict=True)
    ]
    df["power_responder"] = [power_for_d(h, n1, n0, alpha) for n1, n0 in arms]
    return df


# --------------------------------------------------------------------------------------
# The next-trial chapter's facts, section by section (glued with the prefix ``nt``)


@dataclass(frozen=True)
class Inputs:
    """The chapter's inputs: the planning values and the parameters the reader may change."""

    planning: dict[str, float]
    p_ivig: float
    p_control: float
    p_control_alternatives: tuple[float, ...]
    alpha: float
    power: float


@dataclass(frozen=True)
class ResponderFacts:
    """The responder endpoint: the statement it starts from and the patients it needs."""

    source_k: object
    source_n: object
    source_study: object
    p_ivig: float
    p_control: float
    alpha: float
    power: float
    n_per_arm: int
    n_total: int
    best_enrolled: float
    alt_high_rate: float
    alt_high_n: int
    enmc: int
    dropout: float


def alternatives(inputs: Inputs) -> dict[str, int]:
    """Patients per arm for each other assumed response without IVIG, by its label."""
    return {
        f"{pc:.0%} without IVIG": patients_per_arm(inputs.p_ivig, pc, inputs.alpha, inputs.power)
        for pc in inputs.p_control_alternatives
    }


def responder_facts(inputs: Inputs, source: Mapping[str, object]) -> ResponderFacts:
    """The responder endpoint's facts; ``source`` is the statement ``p_ivig`` is from."""
    v = inputs.planning
    n_per_arm = patients_per_arm(inputs.p_ivig, inputs.p_control, inputs.alpha, inputs.power)
    return ResponderFacts(
        source_k=source["numerator"],
        source_n=source["denominator"],
        source_study=source["study"],
        p_ivig=inputs.p_ivig,
        p_control=inputs.p_control,
        alpha=inputs.alpha,
        power=inputs.power,
        n_per_arm=n_per_arm,
        n_total=2 * n_per_arm,
        best_enrolled=responder_design(inputs.p_ivig, v)["enrolled_per_arm"],
        alt_high_rate=max(inputs.p_control_alternatives),
        alt_high_n=max(alternatives(inputs).values()),
        enmc=int(v["enmc_per_arm"]),
        dropout=v["dropout"],
    )


@dataclass(frozen=True)
class ContinuousFacts:
    """The continuous endpoint, at the planning decline and at a small cohort's faster one."""

    decline: float
    months: int
    decline_over: float
    slowing: float
    difference: float
    mean_score: float
    difference_points: float
    meaningful: float
    sd: float
    sd_points: float
    d: float
    cont_analysed: float
    cont_t: float
    cont_enrolled: float
    cont_total: float
    fast_decline: float
    fast_enrolled: float
    paris: int


def continuous_facts(values: dict[str, float]) -> ContinuousFacts:
    """:func:`continuous_design` at the planning values and at the faster decline."""
    cont = continuous_design(values)
    fast = continuous_design(
        {**values, "decline_per_year": values["decline_first_year_small_cohort"]}
    )
    return ContinuousFacts(
        decline=values["decline_per_year"],
        months=int(values["trial_months"]),
        decline_over=cont["decline_over_trial"],
        slowing=values["slowing"],
        difference=cont["difference"],
        mean_score=values["ibmfrs_mean_score"],
        difference_points=cont["difference"] * values["ibmfrs_mean_score"] / 100,
        meaningful=values["meaningful_decline"],
        sd=values["sd_change"],
        sd_points=values["sd_change"] * values["ibmfrs_mean_score"] / 100,
        d=cont["effect_size"],
        cont_analysed=cont["analysed_per_arm"],
        cont_t=cont["analysed_per_arm_t"],
        cont_enrolled=cont["enrolled_per_arm"],
        cont_total=2 * cont["enrolled_per_arm"],
        fast_decline=values["decline_first_year_small_cohort"],
        fast_enrolled=fast["enrolled_per_arm"],
        paris=int(values["paris_per_group"]),
    )


def marker_facts(values: dict[str, float]) -> dict[str, float]:
    """:func:`marker_designs` in numbers (prefix ``nt``)."""
    all_comers, marker_only = marker_designs(values).iloc[:2].to_dict("records")
    return {
        "prevalence": values["marker_prevalence"],
        "neg_effect": values["marker_negative_effect"],
        "all_enrolled": cell_int(all_comers["enrolled_total"]),
        "pos_enrolled": cell_int(marker_only["enrolled_total"]),
        "pos_screened": cell_int(marker_only["screened_total"]),
    }


def design_results(inputs: Inputs) -> list[dict[str, object]]:
    """Patients needed under the inputs, one row per design."""
    rows: list[dict[str, object]] = []
    for name, result in (
        ("Responder endpoint, best case", responder_design(inputs.p_ivig, inputs.planning)),
        ("IBMFRS endpoint", continuous_design(inputs.planning)),
    ):
        enrolled = 2 * result["enrolled_per_arm"]
        rows.append(
            {
                "design": name,
                "analysed_per_arm": result["analysed_per_arm"],
                "enrolled_per_arm": result["enrolled_per_arm"],
                "enrolled_total": enrolled,
                "screened_total": enrolled,
            }
        )
    keys = ["design", "analysed_per_arm", "enrolled_per_arm", "enrolled_total", "screened_total"]
    markers = marker_designs(inputs.planning)[keys].to_dict("records")
    return rows + [{str(k): v for k, v in row.items()} for row in markers]


@dataclass(frozen=True)
class ExistingFacts:
    """The power the existing controlled studies had under the same inputs."""

    n_controlled: int
    n_reach_approx: int
    n_reach_exact: int
    max_power_approx: float
    max_power_exact: float
    largest_arm: int
    max_power_planned: float
    max_power_own: float
    longest: float


def existing_facts(
    existing: pd.DataFrame, trial_power: pd.DataFrame, power: float
) -> ExistingFacts:
    """From :func:`existing_trials_power` and :func:`ivigbook.analysis.power.trial_power_table`."""
    return ExistingFacts(
        n_controlled=len(trial_power),
        n_reach_approx=int((trial_power["power_approx"] >= power).sum()),
        n_reach_exact=int((trial_power["power_exact"] >= power).sum()),
        max_power_approx=float(trial_power["power_approx"].max()),
        max_power_exact=float(trial_power["power_exact"].max()),
        largest_arm=int(trial_power["n_ivig_arm"].max()),
        max_power_planned=float(existing["power_planned"].max()),
        max_power_own=float(existing["power_own_length"].max()),
        longest=float(existing["treatment_months"].max()),
    )
