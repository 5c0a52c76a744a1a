"""The chapter "Designing the next trial": its planning inputs, its numbers against an
independent computation (closed-form normal formulas and the noncentral t distribution with
scipy, read from the raw CSV files with the csv module), and its explorer, driven in a real
browser: a control moved, the new number read from the Vega view, compared with statsmodels.
"""

from __future__ import annotations

import csv
import math
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from chapter_outputs import execute_chapter
from scipy.stats import fisher_exact, nct, norm
from scipy.stats import t as student_t
from statsmodels.stats.power import NormalIndPower
from statsmodels.stats.proportion import proportion_effectsize

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT / "data"
CHAPTER = "next-trial"
FIGURES = {
    "fig-next-trial-responder-power",
    "fig-next-trial-explorer",
    "fig-next-trial-trial-power",
}


def read_csv(name: str) -> list[dict[str, str]]:
    with (DATA / f"{name}.csv").open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def inputs() -> dict[str, float]:
    return {r["assumption_id"]: float(r["value"]) for r in read_csv("planning")}


def best_case_share() -> float:
    (row,) = [r for r in read_csv("responders") if r["responder_id"] == "dalakas1997-r1"]
    return int(row["numerator"]) / int(row["denominator"])


def n_normal(d: float, alpha: float, power: float) -> int:
    """Closed form, two equal arms: n = 2 (z_{1-alpha/2} + z_power)^2 / d^2, rounded up."""
    z = norm.ppf(1 - alpha / 2) + norm.ppf(power)
    return math.ceil(2 * (z / d) ** 2 - 1e-9)


def n_t(d: float, alpha: float, power: float) -> int:
    """Smallest n per arm whose two-sample t-test reaches ``power`` (noncentral t)."""
    n = 2
    while True:
        df = 2 * n - 2
        crit = student_t.ppf(1 - alpha / 2, df)
        delta = d * math.sqrt(n / 2)
        achieved = nct.sf(crit, df, delta) + nct.cdf(-crit, df, delta)
        if achieved >= power:
            return n
        n += 1


def enrolled(n: int, dropout: float) -> int:
    return math.ceil(n / (1 - dropout) - 1e-9)


def power_normal(d: float, n1: int, n0: int, alpha: float) -> float:
    z = norm.ppf(1 - alpha / 2)
    shift = d * math.sqrt(n1 * n0 / (n1 + n0))
    return float(norm.cdf(shift - z) + norm.cdf(-shift - z))


def cohen_h(p1: float, p0: float) -> float:
    return abs(2 * math.asin(math.sqrt(p1)) - 2 * math.asin(math.sqrt(p0)))


# --------------------------------------------------------------------------------------
# The planning inputs


def bib_keys() -> set[str]:
    text = (DATA / "references.bib").read_text(encoding="utf-8")
    return set(re.findall(r"^@\w+\{([^,]+),", text, flags=re.M))


def test_every_input_has_a_source_or_says_it_is_an_assumption() -> None:
    keys = bib_keys()
    rows = read_csv("planning")
    assert rows
    for r in rows:
        if r["basis"] == "source":
            assert r["citation_key"] in keys, r
        else:
            assert r["basis"] == "assumption", r
            assert r["citation_key"] == "", f"an assumption cites a source: {r}"


def test_sourced_values_are_those_of_the_checked_sources() -> None:
    """The sourced values appear, as numbers, in what the source is recorded to say."""
    for r in read_csv("planning"):
        if r["basis"] == "source" and r["assumption_id"] != "trial_months":
            assert f"{float(r['value']):g}" in r["source_says"], r


def test_best_case_and_marker_are_labelled_as_the_sources_allow() -> None:
    rows = {r["assumption_id"]: r for r in read_csv("planning")}
    assert rows["marker_prevalence"]["basis"] == "assumption"
    assert "approximate" in rows["marker_prevalence"]["source_says"]
    assert rows["marker_negative_effect"]["basis"] == "assumption"
    assert "no published link" in rows["marker_negative_effect"]["source_says"]
    text = (ROOT / "chapters" / f"{CHAPTER}.md").read_text(encoding="utf-8")
    assert "**This is a best case, not a plan.**" in text
    assert "more than {glue:text}`nt_enmc` per arm" in text


def test_inputs_cell_is_the_parameters_and_collapsed() -> None:
    """The cell that sets the inputs is the chapter's parameters cell, collapsed like every
    code cell (the inputs table states them for the reader)."""
    import jupytext
    from chapter_outputs import chapter_path

    nb = jupytext.read(chapter_path(CHAPTER))
    (cell,) = [c for c in nb.cells if c.cell_type == "code" and "planning_values" in c.source]
    assert cell.metadata.get("tags") == ["parameters", "hide-input"]
    for name in ("RESPONDER_STATEMENT", "P_CONTROL", "ALPHA", "POWER"):
        assert f"{name} = " in cell.source


# --------------------------------------------------------------------------------------
# The chapter's numbers


@pytest.fixture(scope="module")
def values() -> dict:
    out = execute_chapter(CHAPTER)
    assert set(out["figures"]) >= FIGURES
    for cell in out["notebook"].cells:
        for output in cell.get("outputs", []):
            assert output.get("output_type") != "error"
            assert output.get("name") != "stderr", output.get("text")
    return out["values"]


def test_every_glue_used_in_text_is_defined(values: dict) -> None:
    text = (ROOT / "chapters" / f"{CHAPTER}.md").read_text(encoding="utf-8")
    used = set(re.findall(r"\{glue:text\}`([^`:]+)", text))
    figures = set(re.findall(r"\{glue:figure\} (\S+)", text))
    assert used <= set(values), sorted(used - set(values))
    assert figures == FIGURES


def test_best_case_sample_size(values: dict) -> None:
    v = inputs()
    p1, p0 = best_case_share(), v["placebo_response"]
    n = n_normal(cohen_h(p1, p0), v["alpha"], v["power"])
    assert values["nt_p_ivig"] == pytest.approx(p1)
    assert values["nt_n_per_arm"] == n
    assert values["nt_n_total"] == 2 * n
    assert values["nt_best_enrolled"] == enrolled(n, v["dropout"])
    assert values["nt_alt_high_n"] == n_normal(cohen_h(p1, 0.15), v["alpha"], v["power"])
    assert values["nt_enmc"] == 60


def test_continuous_endpoint(values: dict) -> None:
    v = inputs()
    d = v["slowing"] * v["decline_per_year"] * v["trial_months"] / 12 / v["sd_change"]
    n = n_normal(d, v["alpha"], v["power"])
    assert values["nt_d"] == pytest.approx(d)
    assert values["nt_cont_analysed"] == n
    assert values["nt_cont_t"] == n_t(d, v["alpha"], v["power"])
    assert values["nt_cont_enrolled"] == enrolled(n, v["dropout"])
    assert values["nt_cont_total"] == 2 * enrolled(n, v["dropout"])
    fast = v["slowing"] * v["decline_first_year_small_cohort"] * v["trial_months"] / 12
    assert values["nt_fast_enrolled"] == enrolled(
        n_normal(fast / v["sd_change"], v["alpha"], v["power"]), v["dropout"]
    )


def test_marker_stratified_design(values: dict) -> None:
    v = inputs()
    d = v["slowing"] * v["decline_per_year"] * v["trial_months"] / 12 / v["sd_change"]
    prev, neg = v["marker_prevalence"], v["marker_negative_effect"]
    diluted = d * (prev + (1 - prev) * neg)
    all_enrolled = enrolled(n_normal(diluted, v["alpha"], v["power"]), v["dropout"])
    pos_enrolled = enrolled(n_normal(d, v["alpha"], v["power"]), v["dropout"])
    assert values["nt_all_enrolled"] == 2 * all_enrolled
    assert values["nt_pos_enrolled"] == 2 * pos_enrolled
    assert values["nt_pos_screened"] == math.ceil(2 * pos_enrolled / prev - 1e-9)


def controlled_arms() -> list[tuple[int, int, str]]:
    arms = []
    for s in read_csv("studies"):
        if s["controlled"] != "true":
            continue
        if s["crossover"] == "true":  # the chapter's stated simplification
            arms.append((int(s["n_total"]), int(s["n_total"]), s["treatment_months"]))
        else:
            arms.append((int(s["n_ivig"]), int(s["n_control"]), s["treatment_months"]))
    return arms


def _fisher_power(p1: float, p0: float, n1: int, n0: int, alpha: float) -> float:
    total = 0.0
    for x in range(n1 + 1):
        for y in range(n0 + 1):
            if fisher_exact([[x, n1 - x], [y, n0 - y]]).pvalue <= alpha:
                total += (
                    math.comb(n1, x)
                    * p1**x
                    * (1 - p1) ** (n1 - x)
                    * math.comb(n0, y)
                    * p0**y
                    * (1 - p0) ** (n0 - y)
                )
    return total


def test_power_of_existing_studies(values: dict) -> None:
    v = inputs()
    alpha, target = v["alpha"], v["power"]
    p1, p0 = best_case_share(), v["placebo_response"]
    arms = controlled_arms()
    h = cohen_h(p1, p0)
    approx = [power_normal(h, n1, n0, alpha) for n1, n0, _ in arms]
    exact = [_fisher_power(p1, p0, n1, n0, alpha) for n1, n0, _ in arms]
    assert values["nt_n_controlled"] == len(arms)
    assert values["nt_max_power_approx"] == pytest.approx(max(approx), abs=1e-6)
    assert values["nt_max_power_exact"] == pytest.approx(max(exact))
    assert values["nt_n_reach_approx"] == sum(p >= target for p in approx)
    assert values["nt_n_reach_exact"] == sum(p >= target for p in exact)
    assert values["nt_largest_arm"] == max(n1 for n1, _, _ in arms)

    per_month = v["slowing"] * v["decline_per_year"] / 12 / v["sd_change"]
    planned = [power_normal(per_month * v["trial_months"], n1, n0, alpha) for n1, n0, _ in arms]
    own = [power_normal(per_month * float(m), n1, n0, alpha) for n1, n0, m in arms if m]
    assert values["nt_max_power_planned"] == pytest.approx(max(planned), abs=1e-6)
    assert values["nt_max_power_own"] == pytest.approx(max(own), abs=1e-6)
    assert values["nt_longest"] == max(float(m) for _, _, m in arms if m)
    assert max(planned) < target, "the text says no existing study came close"


# --------------------------------------------------------------------------------------
# The explorer, in a real browser with no network


def statsmodels_n(d: float, alpha: float, power: float) -> int:
    n = NormalIndPower().solve_power(effect_size=d, alpha=alpha, power=power, ratio=1.0)
    return math.ceil(float(n) - 1e-9)


#: Control settings to try (signal name -> value), each a point on its slider's grid.
SETTINGS = [
    {},
    {"slowing": 0.3},
    {"slowing": 0.75, "sd": 7.5, "months": 12, "dropout": 0.25},
    {"decline": 9.0, "target_power": 0.9, "alpha": 0.01},
    {"placebo": 0.12, "p_ivig": 0.45, "prevalence": 0.3, "neg_effect": 0.25},
]

SET_CONTROL_JS = """
([id, name, value]) => {
  const el = document.querySelector(`#${id} .vega-bindings [name="${name}"]`);
  if (!el) { return false; }
  el.value = String(value);
  el.dispatchEvent(new Event('input', {bubbles: true}));
  el.dispatchEvent(new Event('change', {bubbles: true}));
  return true;
}
"""

READ_SIGNALS_JS = """
async ([id, names]) => {
  const view = window.ivigViews[id];
  await view.runAsync();
  const out = {};
  for (const name of names) { out[name] = view.signal(name); }
  return out;
}
"""

CONTROLS = (
    "decline",
    "months",
    "slowing",
    "sd",
    "dropout",
    "alpha",
    "target_power",
    "p_ivig",
    "placebo",
    "prevalence",
    "neg_effect",
)
SHOWN = (
    "n_cont_analysed",
    "n_cont_enrolled",
    "n_resp_analysed",
    "n_resp_enrolled",
    "n_all_enrolled",
    "n_pos_enrolled",
    "n_pos_screened",
)


def expected(c: dict[str, float]) -> dict[str, int]:
    """What statsmodels gives for the controls ``c``."""
    alpha, power, dropout = c["alpha"], c["target_power"], c["dropout"]
    d = c["slowing"] * c["decline"] * c["months"] / 12 / c["sd"]
    h = abs(float(proportion_effectsize(c["p_ivig"], c["placebo"])))
    n_cont = statsmodels_n(d, alpha, power)
    n_resp = statsmodels_n(h, alpha, power)
    diluted = d * (c["prevalence"] + (1 - c["prevalence"]) * c["neg_effect"])
    pos = enrolled(n_cont, dropout)
    return {
        "n_cont_analysed": n_cont,
        "n_cont_enrolled": pos,
        "n_resp_analysed": n_resp,
        "n_resp_enrolled": enrolled(n_resp, dropout),
        "n_all_enrolled": enrolled(statsmodels_n(diluted, alpha, power), dropout),
        "n_pos_enrolled": pos,
        "n_pos_screened": math.ceil(2 * pos / c["prevalence"] - 1e-9),
    }


@pytest.fixture(scope="module")
def explorer_tab(html_dir: Path) -> Iterator[tuple[object, str]]:
    from browser_tools import chromium, open_page, serve

    with serve(html_dir) as url, chromium() as context:
        tab = open_page(context, f"{url}/chapters/{CHAPTER}.html")
        ids = tab.evaluate(  # type: ignore[attr-defined]
            "() => Object.keys(window.ivigViews || {}).filter("
            "id => { try { window.ivigViews[id].signal('n_cont_enrolled'); return true; }"
            " catch (e) { return false; } })"
        )
        assert len(ids) == 1, f"expected one explorer on the page, found {ids}"
        yield tab, ids[0]


@pytest.mark.book
@pytest.mark.browser
@pytest.mark.parametrize("setting", SETTINGS, ids=[str(s) or "defaults" for s in SETTINGS])
def test_explorer_matches_statsmodels(
    explorer_tab: tuple[object, str], setting: dict[str, float]
) -> None:
    tab, chart = explorer_tab
    for name, value in setting.items():
        assert tab.evaluate(SET_CONTROL_JS, [chart, name, value]), f"no control {name}"  # type: ignore[attr-defined]
    got = tab.evaluate(READ_SIGNALS_JS, [chart, [*CONTROLS, *SHOWN]])  # type: ignore[attr-defined]
    for name, value in setting.items():
        assert got[name] == pytest.approx(value), f"control {name} did not move"
    controls = {name: float(got[name]) for name in CONTROLS}
    want = expected(controls)
    assert {k: got[k] for k in SHOWN} == want, controls
    # The drawn label follows the numbers.
    label = f"{want['n_cont_enrolled']} per arm ({want['n_cont_analysed']} analysed)"
    drawn = tab.evaluate(f"() => document.querySelector('#{chart} svg').textContent")  # type: ignore[attr-defined]
    assert label in drawn, f"{label!r} not drawn"


@pytest.mark.book
@pytest.mark.browser
def test_sliders_print_their_values_to_their_step(explorer_tab: tuple[object, str]) -> None:
    """A slider starting at an unrounded value (6/19 of patients) prints it to its step's
    decimals, not as sixteen digits. (A fresh tab: the explorer's own may have moved.)"""
    from browser_tools import opened

    tab, _ = explorer_tab
    with opened(tab.context, tab.url) as fresh:  # type: ignore[attr-defined]
        shown = fresh.evaluate(  # type: ignore[attr-defined]
            """() => Array.from(document.querySelectorAll('.vega-bind')).flatMap(b => {
                const input = b.querySelector('input[type=range]');
                const value = b.querySelector('input[type=range] + span');
                return input && value ? [[input.getAttribute('step'), value.textContent]] : [];
            })"""
        )
    assert shown, "no slider found: the check found nothing to check"
    for step, text in shown:
        decimals = len(step.split(".")[1]) if "." in step else 0
        printed = len(text.split(".")[1]) if "." in text else 0
        assert printed <= decimals, f"a slider of step {step} prints {text}"


def test_the_answer_compares_patients_enrolled_with_patients_enrolled() -> None:
    """The answer's two numbers per arm are both after dropout (the best case once gave
    patients analysed beside the IBMFRS trial's patients enrolled)."""
    values = execute_chapter("next-trial")["values"]
    in_short = values["nt_in_short"]
    assert f"enrol about {values['nt_cont_enrolled']} patients per arm" in in_short
    assert f"The best case, {values['nt_best_enrolled']} per arm" in in_short
