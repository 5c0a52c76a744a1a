"""Power and sample size for detecting a responder subgroup: two independent groups, a
two-sided test of two proportions.
"""

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
    labels = labels_by_id(ev)
    rows = []
    for r in s.itertuples(index=False):
        crossover = False if is_missing(r.crossover) else bool(r.crossover)
        if crossover:
            n_i, n_c, basis = (
                cell_int(r.n_total),
                cell_int(r.n_total),
                "crossover: all patients in both arms",
            )
        else:
            n_i, n_c, basis = cell_int(r.n_ivig), cell_int(r.n_control), "parallel groups"
        rows.append(
            {
                **study_columns(labels, r.study_id, r.design),
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
