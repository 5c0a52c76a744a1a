"""Power and sample size for detecting a responder subgroup: two independent groups, a
two-sided test of two proportions."""

from __future__ import annotations

import math
from collections.abc import Iterable
from typing import TYPE_CHECKING

import pandas as pd
from scipy import stats as sps
from statsmodels.stats.power import NormalIndPower
from statsmodels.stats.proportion import proportion_effectsize

from ivigbook.analysis.cohorts import labels_by_id, study_columns
from ivigbook.data.cells import cell_int, is_missing

if TYPE_CHECKING:
    from ivigbook.data.load import Evidence


#: Confidence level of every interval in the book.
CONFIDENCE = 0.95
#: Conventional two-sided significance level and power used for sample sizes.
ALPHA = 0.05
POWER = 0.8


def effect_size(p_ivig: float, p_control: float) -> float:
    """Cohen's h for two response rates (the arcsine-transformed difference)."""
    return float(proportion_effectsize(p_ivig, p_control))


def power_for_d(d: float, n1: float, n0: float, alpha: float = ALPHA) -> float:
    """Power of a two-sided comparison with arms ``n1`` and ``n0`` (normal approximation)."""
    return float(
        NormalIndPower().power(
            effect_size=d, nobs1=n1, alpha=alpha, ratio=n0 / n1, alternative="two-sided"
        )
    )


def power_for_arms(
    p_ivig: float, p_control: float, n_ivig: float, n_control: float, alpha: float = ALPHA
) -> float:
    """Power of a two-sided test of two proportions with these arm sizes (normal approximation)."""
    if n_ivig <= 0 or n_control <= 0:
        msg = "both arms need at least one patient"
        raise ValueError(msg)
    return power_for_d(effect_size(p_ivig, p_control), n_ivig, n_control, alpha)


def patients_per_arm(
    p_ivig: float, p_control: float, alpha: float = ALPHA, power: float = POWER
) -> int:
    """Patients per arm (equal arms) for ``power`` to detect ``p_ivig`` against ``p_control``."""
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
    """Exact power of the two-sided Fisher exact test with these arm sizes."""
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
    p_ivig: float, p_control_rates: Iterable[float], n_values: Iterable[int], alpha: float = ALPHA
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
    """Arm sizes of the controlled studies; a crossover trial counts all its patients in both
    arms (the periods taken as independent groups: a simplification)."""
    s = ev.studies[ev.studies["controlled"].fillna(False).astype(bool)]
    labels = labels_by_id(ev)
    rows = []
    for r in s.itertuples(index=False):
        crossover = not is_missing(r.crossover) and bool(r.crossover)
        n_i, n_c = (r.n_total, r.n_total) if crossover else (r.n_ivig, r.n_control)
        rows.append(
            {
                **study_columns(labels, r.study_id, r.design),
                "n_ivig_arm": cell_int(n_i),
                "n_control_arm": cell_int(n_c),
                "arms_basis": "crossover: all patients in both arms"
                if crossover
                else "parallel groups",
            }
        )
    return pd.DataFrame(rows)


def trial_power_table(
    ev: Evidence, p_ivig: float, p_control: float, alpha: float = ALPHA
) -> pd.DataFrame:
    """:func:`trial_arms` plus each study's power, normal approximation and Fisher's exact test."""
    df = trial_arms(ev)
    arms = list(zip(df["n_ivig_arm"], df["n_control_arm"], strict=True))
    df["power_approx"] = [power_for_arms(p_ivig, p_control, a, b, alpha) for a, b in arms]
    df["power_exact"] = [exact_power(p_ivig, p_control, a, b, alpha) for a, b in arms]
    return df
