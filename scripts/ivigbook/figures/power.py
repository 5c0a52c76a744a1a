"""Power and sample-size charts."""

from __future__ import annotations

import altair as alt
import pandas as pd

from ivigbook.figures.theme import OKABE_ITO, WIDTH, limit_studies, with_note


def power_chart(
    curve: pd.DataFrame, target_power: float, n_required: dict[str, int]
) -> alt.LayerChart:
    """Power against patients per arm, one line (and line style) per assumed control rate.

    ``n_required`` maps each scenario label to its sample size, marked on its line.
    """
    df = curve.copy()
    scenarios = list(dict.fromkeys(df["scenario"]))
    dashes = [[1, 0], [6, 3], [2, 2], [8, 2, 2, 2]]
    colours = [
        OKABE_ITO["blue"],
        OKABE_ITO["vermillion"],
        OKABE_ITO["bluish_green"],
        OKABE_ITO["orange"],
    ]
    legend = {
        "scale": alt.Scale(domain=scenarios, range=colours[: len(scenarios)]),
        "title": "Without IVIG (assumed)",
    }
    x = alt.X("n_per_arm:Q", title="Patients per arm")
    y = alt.Y("power:Q", title="Power", scale=alt.Scale(domain=[0, 1]), axis=alt.Axis(format="%"))
    lines = (
        alt.Chart(df)
        .mark_line(strokeWidth=2.5)
        .encode(
            x=x,
            y=y,
            color=alt.Color("scenario:N", **legend),
            strokeDash=alt.StrokeDash(
                "scenario:N",
                scale=alt.Scale(domain=scenarios, range=dashes[: len(scenarios)]),
                title="Without IVIG (assumed)",
            ),
            tooltip=[
                alt.Tooltip("scenario:N", title="Without IVIG"),
                alt.Tooltip("n_per_arm:Q", title="Patients per arm"),
                alt.Tooltip("power:Q", title="Power", format=".0%"),
            ],
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
                "text_y": target_power - 0.07 * (i + 1),
                "text": f"{n} per arm",
            }
            for i, (s, n) in enumerate(n_required.items())
        ]
    )
    needed = alt.Chart(marks).encode(
        x="n_per_arm:Q",
        y="power:Q",
        tooltip=[
            alt.Tooltip("scenario:N", title="Without IVIG"),
            alt.Tooltip("n_per_arm:Q", title="Patients per arm needed"),
        ],
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


def trial_power_display(table: pd.DataFrame) -> pd.DataFrame:
    """A :func:`ivigbook.analysis.power.trial_power_table` as a reader's table (text columns)."""
    return pd.DataFrame(
        {
            "Study": table["study"],
            "Design": table["design_label"],
            "IVIG vs control": [
                f"{a} vs {b}"
                for a, b in zip(table["n_ivig_arm"], table["n_control_arm"], strict=True)
            ],
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
    df["arms"] = [f"{a} vs {b}" for a, b in zip(df["n_ivig_arm"], df["n_control_arm"], strict=True)]
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
            color=alt.Color(
                "method:N",
                title="Method",
                scale=alt.Scale(domain=domain, range=[OKABE_ITO["blue"], OKABE_ITO["orange"]]),
            ),
            shape=alt.Shape(
                "method:N",
                title="Method",
                scale=alt.Scale(domain=domain, range=["circle", "diamond"]),
            ),
            tooltip=[
                alt.Tooltip("study:N", title="Study"),
                alt.Tooltip("design_label:N", title="Design"),
                alt.Tooltip("arms:N", title="IVIG vs control"),
                alt.Tooltip("arms_basis:N", title="Arms"),
                alt.Tooltip("method:N", title="Method"),
                alt.Tooltip("power:Q", title="Power", format=".0%"),
            ],
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
