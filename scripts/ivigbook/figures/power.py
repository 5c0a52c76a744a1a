"""Power and sample-size charts."""

from __future__ import annotations

from typing import Any

import altair as alt
import pandas as pd

from ivigbook.figures.theme import (
    OKABE_ITO,
    WIDTH,
    keyed_encodings,
    limit_studies,
    tooltips,
    with_narrow,
    with_note,
)


def power_chart(
    curve: pd.DataFrame, target_power: float, n_required: dict[str, int]
) -> alt.LayerChart | alt.FacetChart:
    """Power against patients per arm, a line per assumed control rate, with each scenario's
    required size (``n_required``) marked on its line."""
    df = curve.copy()
    scenarios = list(dict.fromkeys(df["scenario"]))
    dashes = [[1, 0], [6, 3], [2, 2], [8, 2, 2, 2]]
    colours = [OKABE_ITO[c] for c in ("blue", "vermillion", "bluish_green", "orange")]
    scenario_title = "Without IVIG (assumed)"
    lines = (
        alt.Chart(df)
        .mark_line(strokeWidth=2.5)
        .encode(
            x=alt.X("n_per_arm:Q", title="Patients per arm"),
            y=alt.Y(
                "power:Q", title="Power", scale=alt.Scale(domain=[0, 1]), axis=alt.Axis(format="%")
            ),
            color=alt.Color(
                "scenario:N",
                scale=alt.Scale(domain=scenarios, range=colours[: len(scenarios)]),
                title=scenario_title,
            ),
            strokeDash=alt.StrokeDash(
                "scenario:N",
                scale=alt.Scale(domain=scenarios, range=dashes[: len(scenarios)]),
                title=scenario_title,
            ),
            tooltip=tooltips("scenario n_per_arm:Q power:Q:.0%"),
        )
    )
    target = (
        alt.Chart(
            pd.DataFrame({"power": [target_power], "label": [f"target power {target_power:.0%}"]})
        )
        .mark_rule(strokeDash=[3, 3], color=OKABE_ITO["black"])
        .encode(y="power:Q")
    )
    marks = pd.DataFrame(
        [
            {
                "scenario": s,
                "n_per_arm": n,
                "power": target_power,
                # Low in the plot, to the right of the point: where the curves, rising
                # from the left, have already passed (beside the point they crossed it).
                "text_y": min(target_power, LABEL_TOP) - LABEL_STEP * i,
                "text": f"{n} per arm",
            }
            for i, (s, n) in enumerate(n_required.items())
        ]
    )
    needed = alt.Chart(marks).encode(
        x="n_per_arm:Q",
        y="power:Q",
        tooltip=tooltips("scenario n_per_arm:Q", n_per_arm="Patients per arm needed"),
    )
    needed_points = needed.mark_point(filled=True, size=70, color=OKABE_ITO["black"])
    needed_text = needed.mark_text(align="left", dx=4, fontSize=11).encode(
        y="text_y:Q", text="text:N"
    )
    needed_ticks = needed.mark_rule(strokeDash=[1, 2], color=OKABE_ITO["grey"]).encode(
        y2="text_y:Q"
    )
    p_ivig = float(df["p_ivig"].iloc[0])
    return alt.layer(lines, target, needed_ticks, needed_points, needed_text).properties(
        width=WIDTH - 160,
        height=300,
        title=alt.TitleParams(
            "Power to detect a responder subgroup, by trial size",
            subtitle=[
                f"Assumed response on IVIG: {p_ivig:.0%}; lines: assumed response without IVIG",
                "Two equal arms, two-sided test of two proportions (normal approximation)",
            ],
        ),
    )


def _arms(table: pd.DataFrame) -> list[str]:
    return [f"{a} vs {b}" for a, b in zip(table["n_ivig_arm"], table["n_control_arm"], strict=True)]


def trial_power_display(table: pd.DataFrame) -> pd.DataFrame:
    """A :func:`ivigbook.analysis.power.trial_power_table` as a reader's table (text columns)."""
    return pd.DataFrame(
        {
            "Study": table["study"],
            "Design": table["design_label"],
            "IVIG vs control": _arms(table),
            "Arms counted as": table["arms_basis"],
            "Power (normal approx.)": [f"{p:.0%}" for p in table["power_approx"]],
            "Power (Fisher exact)": [f"{p:.0%}" for p in table["power_exact"]],
        }
    )


def trial_power_chart(table: pd.DataFrame, target_power: float) -> alt.LayerChart:
    """Power each controlled study had under the assumptions: two methods, two shapes."""
    shown, note = limit_studies(table)
    df = shown.melt(
        id_vars=["study", "design_label", "n_ivig_arm", "n_control_arm", "arms_basis"],
        value_vars=["power_approx", "power_exact"],
        var_name="method",
        value_name="power",
    )
    methods = {"power_approx": "Normal approximation", "power_exact": "Fisher's exact test"}
    df["method"] = df["method"].map(methods)
    df["arms"] = _arms(df)
    df["label"] = [f"{s} ({a})" for s, a in zip(df["study"], df["arms"], strict=True)]
    order = list(dict.fromkeys(df["label"]))
    domain = list(methods.values())
    points = (
        alt.Chart(df)
        .mark_point(filled=True, size=110, opacity=0.9)
        .encode(
            x=alt.X(
                "power:Q", title="Power", scale=alt.Scale(domain=[0, 1]), axis=alt.Axis(format="%")
            ),
            y=alt.Y("label:N", sort=order, title="Study (IVIG vs control)"),
            **keyed_encodings(
                "method:N",
                "Method",
                domain,
                [(OKABE_ITO["blue"], "circle"), (OKABE_ITO["orange"], "diamond")],
            ),
            tooltip=tooltips("study design_label arms arms_basis method power:Q:.0%"),
        )
    )
    target = (
        alt.Chart(pd.DataFrame({"power": [target_power]}))
        .mark_rule(strokeDash=[3, 3], color=OKABE_ITO["black"])
        .encode(x="power:Q")
    )
    return (
        alt.layer(target, points)
        .properties(
            width=WIDTH - 200,
            height=32 * len(order),
            title=alt.TitleParams(
                "Power the controlled studies had under the same assumptions",
                subtitle=with_note(f"Dashed line: target power {target_power:.0%}", note),
            ),
        )
        .configure_legend(orient="bottom")
    )


# The explorer: sample sizes computed in the browser by Vega expressions from parameters
# bound to sliders and selects; the PDF draws it at the default values.

EXPLORER_PANEL_WIDTH = WIDTH - 150
#: Numbers of patients this close to a whole number are not rounded up (as in
#: :func:`ivigbook.analysis.design.round_up`).
_ROUNDING = "1e-9"

#: Signal names of the explorer's controls, by planning input (assumption_id), and their labels.
CONTROLS = {
    "decline_per_year": ("decline", "Decline without treatment (% of score per year)"),
    "trial_months": ("months", "Duration (months)"),
    "slowing": ("slowing", "Slowing of decline on treatment (share)"),
    "sd_change": ("sd", "Spread of change (SD, % of score)"),
    "dropout": ("dropout", "Dropout (share)"),
    "alpha": ("alpha", "Significance level"),
    "power": ("target_power", "Target power"),
    "p_ivig": ("p_ivig", "Responders on treatment (share)"),
    "placebo_response": ("placebo", "Responders without treatment (share)"),
    "marker_prevalence": ("prevalence", "Marker-positive share (anti-cN1A, approx.)"),
    "marker_negative_effect": ("neg_effect", "Effect in marker-negative patients (share)"),
}
#: Controls shown as a select list rather than a slider.
SELECTS = ("alpha", "power")


def _n_per_arm(d: str) -> str:
    """Vega expression: patients analysed per arm, two equal arms, two-sided normal approx."""
    return f"ceil(2 * pow((z_alpha + z_power) / ({d}), 2) - {_ROUNDING})"


def _enrolled(n: str) -> str:
    return f"ceil(({n}) / (1 - dropout) - {_ROUNDING})"


#: Every number the explorer shows, as a Vega expression of the controls.
DERIVED = {
    "z_alpha": "quantileNormal(1 - alpha / 2)",
    "z_power": "quantileNormal(target_power)",
    "effect_d": "slowing * decline * months / 12 / sd",
    "n_cont_analysed": _n_per_arm("effect_d"),
    "n_cont_enrolled": _enrolled("n_cont_analysed"),
    "effect_h": "abs(2 * asin(sqrt(p_ivig)) - 2 * asin(sqrt(placebo)))",
    "n_resp_analysed": _n_per_arm("effect_h"),
    "n_resp_enrolled": _enrolled("n_resp_analysed"),
    "dilution": "prevalence + (1 - prevalence) * neg_effect",
    "n_all_analysed": _n_per_arm("effect_d * dilution"),
    "n_all_enrolled": _enrolled("n_all_analysed"),
    "n_all_screened": "2 * n_all_enrolled",
    "n_pos_enrolled": "n_cont_enrolled",
    "n_pos_screened": f"ceil(2 * n_pos_enrolled / prevalence - {_ROUNDING})",
}


def _options(row: pd.Series) -> list[float]:
    low, high, step = (float(row[f"explore_{k}"]) for k in ("min", "max", "step"))
    count = round((high - low) / step)
    return [round(low + i * step, 6) for i in range(count + 1)]


def explorer_params(
    planning: pd.DataFrame, p_ivig: float, p_ivig_range: tuple[float, float, float]
) -> list[alt.Parameter]:
    """The explorer's controls (from the planning table) and derived signals (:data:`DERIVED`)."""
    rows = {str(r["assumption_id"]): r for _, r in planning.iterrows()}
    keys = ("value", "explore_min", "explore_max", "explore_step")
    rows["p_ivig"] = pd.Series(dict(zip(keys, (p_ivig, *p_ivig_range), strict=True)))
    params = []
    for key, (name, label) in CONTROLS.items():
        row = rows[key]
        value = float(row["value"])
        if key in SELECTS:
            options = sorted({*_options(row), value})
            bind: alt.BindRadioSelect | alt.BindRange = alt.binding_select(
                options=options, name=label
            )
        else:
            bind = alt.binding_range(
                min=float(row["explore_min"]),
                max=float(row["explore_max"]),
                step=float(row["explore_step"]),
                name=label,
            )
        params.append(alt.param(name=name, value=value, bind=bind))
    params += [alt.param(name=name, expr=expr) for name, expr in DERIVED.items()]
    return params


#: The power curves' "n per arm" labels: the first at this power, each next one lower.
LABEL_TOP = 0.3
LABEL_STEP = 0.08


def _current_point(
    x_expr: str, key: str, x_field: str, middle: float, dy: int, narrow: bool
) -> alt.LayerChart | alt.FacetChart:
    """The chosen value as a diamond with its numbers (signals ``n_{key}_enrolled`` and
    ``_analysed``; on two lines on a phone), turned to the left past ``middle``."""
    n_expr = f"n_{key}_enrolled"
    first, second = f"{n_expr} + ' per arm'", f"'(' + n_{key}_analysed + ' analysed)'"
    label_expr = f"[{first}, {second}]" if narrow else f"{first} + ' ' + {second}"
    if narrow and dy < 0:
        dy -= 14  # the second line goes below the first: lift both clear of the point
    base = (
        alt.Chart(pd.DataFrame({"k": [0]}))
        .transform_calculate(
            **{x_field: x_expr},
            n=n_expr,
            label=f"isFinite({n_expr}) ? {label_expr} : 'no difference to detect'",
        )
        .encode(x=f"{x_field}:Q", y="n:Q")
    )
    point = base.mark_point(filled=True, size=90, color=OKABE_ITO["black"], shape="diamond")
    right = f"{x_expr} > {middle}"
    text = base.mark_text(
        align=alt.ExprRef(f"{right} ? 'right' : 'left'"),
        dx=alt.ExprRef(f"{right} ? -8 : 8"),
        dy=dy,
        fontSize=12,
        fontWeight="bold",
        limit=0,  # never cut, not even on a phone
    ).encode(text="label:N")
    return alt.layer(point, text)


def _patients_panel(
    field: str,
    steps: tuple[float, float, float],
    effect: str,
    x_axis: tuple[str, list[float]],
    line: dict[str, Any],
    enmc_per_arm: float,
    current: alt.LayerChart | alt.FacetChart,
) -> alt.LayerChart | alt.FacetChart:
    """Patients to enrol per arm along ``field`` (``steps``: from, to, step) for the
    standardised ``effect`` (a Vega expression), with the ENMC benchmark and ``current``."""
    title, domain = x_axis
    curve = (
        alt.Chart(alt.sequence(*steps, as_=field))
        .transform_calculate(n=_enrolled(_n_per_arm(effect)))
        .transform_filter("isFinite(datum.n)")
        .mark_line(strokeWidth=2.5, **line)
        .encode(
            x=alt.X(
                f"{field}:Q", title=title, axis=alt.Axis(format="%"), scale=alt.Scale(domain=domain)
            ),
            y=alt.Y(
                "n:Q",
                title="Patients to enrol per arm",
                scale=alt.Scale(type="log", domain=[10, 5000], clamp=True),
                axis=alt.Axis(values=[10, 20, 50, 100, 200, 500, 1000, 2000, 5000], format="d"),
            ),
            tooltip=tooltips(f"{field}:Q:.0% n:Q", n="Patients per arm"),
        )
    )
    enmc = f"ENMC: more than {enmc_per_arm:.0f} per arm"
    benchmark = alt.Chart(pd.DataFrame({"n": [enmc_per_arm], "label": [enmc]})).encode(y="n:Q")
    rule = benchmark.mark_rule(strokeDash=[4, 3], color=OKABE_ITO["black"])
    text = benchmark.mark_text(
        align="right", baseline="bottom", dy=-3, dx=-3, fontSize=11, limit=0
    ).encode(x=alt.value("width"), text="label:N")
    return alt.layer(curve, alt.layer(rule, text), current).properties(
        width=EXPLORER_PANEL_WIDTH, height=170
    )


def explorer_chart(
    planning: pd.DataFrame,
    p_ivig: float,
    p_ivig_range: tuple[float, float, float],
    enmc_per_arm: float,
) -> alt.VConcatChart:
    """Three panels sharing the controls: the IBMFRS endpoint, the responder endpoint and the
    marker-stratified design."""
    args = (planning, p_ivig, p_ivig_range, enmc_per_arm)
    return with_narrow(_explorer(*args), _explorer(*args, narrow=True))


def _explorer(
    planning: pd.DataFrame,
    p_ivig: float,
    p_ivig_range: tuple[float, float, float],
    enmc_per_arm: float,
    narrow: bool = False,
) -> alt.VConcatChart:
    continuous = _patients_panel(
        "slowing",
        (0.1, 1.0001, 0.025),
        "datum.slowing * decline * months / 12 / sd",
        ("Slowing of decline on treatment", [0.1, 1]),
        {"color": OKABE_ITO["blue"]},
        enmc_per_arm,
        _current_point("slowing", "cont", "slowing", 0.55, -12, narrow),
    ).properties(
        title=alt.TitleParams(
            "IBMFRS endpoint: patients per arm",
            subtitle=["By the slowing of decline to detect; diamond: the value chosen"],
        ),
    )
    responder = _patients_panel(
        "placebo_rate",
        (0, 0.3001, 0.01),
        "abs(2 * asin(sqrt(p_ivig)) - 2 * asin(sqrt(datum.placebo_rate)))",
        ("Responders without treatment (assumed)", [0, 0.3]),
        {"color": OKABE_ITO["vermillion"], "strokeDash": [6, 3]},
        enmc_per_arm,
        _current_point("placebo", "resp", "placebo_rate", 0.15, 16, narrow),
    ).properties(
        title=alt.TitleParams(
            "Responder endpoint: patients per arm",
            subtitle=[
                "By the response without treatment. Default response on treatment:",
                "the best case, from a crossover trial whose blinding largely failed",
            ],
        ),
    )
    designs = pd.DataFrame(
        [
            (d, s)
            for d in ("All patients", "Marker-positive only")
            for s in ("Screened", "Enrolled")
        ],
        columns=["design", "stage"],
    )
    marker = (
        alt.Chart(designs)
        .transform_calculate(
            n="datum.design == 'All patients' "
            "? (datum.stage == 'Screened' ? n_all_screened : 2 * n_all_enrolled) "
            ": (datum.stage == 'Screened' ? n_pos_screened : 2 * n_pos_enrolled)",
            label="datum.stage + ': ' + datum.n",
        )
        .encode(
            y=alt.Y("design:N", title=None, sort=["All patients", "Marker-positive only"]),
            yOffset=alt.YOffset("stage:N", sort=["Screened", "Enrolled"]),
            x=alt.X("n:Q", title="Patients in all (both arms)"),
        )
    )
    bars = marker.mark_bar(height=14).encode(
        color=alt.Color(
            "stage:N",
            title="Patients",
            scale=alt.Scale(
                domain=["Screened", "Enrolled"], range=[OKABE_ITO["sky_blue"], OKABE_ITO["blue"]]
            ),
            legend=None,
        ),
        tooltip=tooltips("design stage n:Q", stage="Patients", n="Number"),
    )
    labels = marker.mark_text(align="left", dx=4, fontSize=11).encode(text="label:N")
    stratified = alt.layer(bars, labels).properties(
        width=EXPLORER_PANEL_WIDTH - 80,
        height=110,
        title=alt.TitleParams(
            "Marker-stratified design: screened and enrolled",
            subtitle=[
                "IBMFRS endpoint, if marker-negative patients get less of the effect:",
                "a hypothesis: no published link of anti-cN1A to IVIG response was found",
            ],
        ),
    )
    return (
        alt.vconcat(continuous, responder, stratified, spacing=28)
        .add_params(*explorer_params(planning, p_ivig, p_ivig_range))
        .properties(title="")
    )


def planning_display(
    planning: pd.DataFrame,
    p_ivig: float,
    p_ivig_source: str,
    labels: dict[str, str] | None = None,
) -> pd.DataFrame:
    """The planning inputs as a reader's table, the responder rate first (``labels``: how a
    reader cites each bibliography key)."""
    labels = labels or {}
    rows = [
        (
            "Responders on IVIG (best case)",
            f"{p_ivig:.0%}",
            "",
            "input",
            "the data (letter's Table I)",
            p_ivig_source,
        )
    ]
    for _, r in planning.iterrows():
        share, key = r["unit"] == "share", str(r["citation_key"])
        source = "assumption" if r["basis"] == "assumption" else labels.get(key, key)
        value = f"{float(r['value']):.0%}" if share else f"{float(r['value']):g}"
        unit = "" if share else str(r["unit"])
        rows.append(
            (str(r["quantity"]), value, unit, str(r["role"]), source, str(r["source_says"]))
        )
    columns = ["Input", "Value", "Unit", "Used as", "Source", "What the source says"]
    return pd.DataFrame(rows, columns=columns)


def results_display(rows: list[dict[str, object]]) -> pd.DataFrame:
    """Designs and their patients (analysed and enrolled per arm, in all, screened)."""
    return pd.DataFrame(rows).rename(
        columns={
            "design": "Design",
            "analysed_per_arm": "Analysed per arm",
            "enrolled_per_arm": "Enrolled per arm",
            "enrolled_total": "Enrolled in all",
            "screened_total": "Screened",
        }
    )


def continuous_power_display(table: pd.DataFrame) -> pd.DataFrame:
    """:func:`ivigbook.analysis.design.existing_trials_power` as a reader's table."""

    def shown(column: str, form: str = ".0%") -> list[str]:
        return ["not reported" if pd.isna(p) else format(p, form) for p in table[column]]

    return pd.DataFrame(
        {
            "Study": table["study"],
            "IVIG vs control": _arms(table),
            "Months of treatment": shown("treatment_months", "g"),
            "IBMFRS power, planned length": shown("power_planned"),
            "IBMFRS power, own length": shown("power_own_length"),
            "Responder power (best case)": shown("power_responder"),
        }
    )
