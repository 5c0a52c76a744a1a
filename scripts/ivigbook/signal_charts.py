"""Chart factories for the chapters on signals, timing, biomarkers and conclusions.

Each factory takes a frame made by :mod:`ivigbook.stats` and returns an Altair chart with a
title, axis titles and tooltips. Colours come from the shared Okabe-Ito palette in
:mod:`ivigbook.charts` and are always paired with a shape, a line style or text.
"""

from __future__ import annotations

import altair as alt
import pandas as pd

from ivigbook.changes import VERDICT_COLOURS
from ivigbook.charts import DESIGN_LABELS, OKABE_ITO, WIDTH, limit_studies, with_note

DESIGN_COLOURS = {
    "placebo_controlled_trial": OKABE_ITO["blue"],
    "controlled_trial": OKABE_ITO["sky_blue"],
    "case_control": OKABE_ITO["bluish_green"],
    "open_label": OKABE_ITO["orange"],
    "case_series": OKABE_ITO["vermillion"],
    "case_report": OKABE_ITO["reddish_purple"],
}
DESIGN_SHAPES = {
    "placebo_controlled_trial": "square",
    "controlled_trial": "diamond",
    "case_control": "triangle-up",
    "open_label": "triangle-down",
    "case_series": "circle",
    "case_report": "cross",
}
#: Width of the plotting area of the responder chart (its caveat columns come beside it).
#: With the two-line row labels and the caveat columns the whole chart fits the text column
#: of the HTML page and an A4 page (``tests/test_browser.py`` holds every chart to it).
RESPONDER_PLOT_WIDTH = 130
#: Width of the responder chart's row labels, and the least room kept for them.
RESPONDER_LABEL_LIMIT = 220
#: Each row's label takes two lines: the study, then the group and the words of the statement.
ROW_HEIGHT = 34
#: Width of one timing aspect's column: four fit the text column and an A4 page.
TIMING_CELL_WIDTH = 100


def _design_encodings(designs: list[str]) -> dict[str, alt.Color | alt.Shape]:
    """Colour and shape for the given design codes (in the schema's order)."""
    keys = [k for k in DESIGN_LABELS if k in designs]
    domain = [DESIGN_LABELS[k] for k in keys]
    return {
        "color": alt.Color(
            "design_label:N",
            title="Study design",
            scale=alt.Scale(domain=domain, range=[DESIGN_COLOURS[k] for k in keys]),
        ),
        "shape": alt.Shape(
            "design_label:N",
            title="Study design",
            scale=alt.Scale(domain=domain, range=[DESIGN_SHAPES[k] for k in keys]),
        ),
    }


def _pct(value: object) -> str:
    return "" if pd.isna(value) else f"{float(value):.0%}"


def responder_frame(table: pd.DataFrame) -> pd.DataFrame:
    """The responder table with the display columns the chart needs, in display order."""
    df = table.copy()
    order = {k: i for i, k in enumerate(DESIGN_LABELS)}
    df["_design_order"] = df["design"].map(order)
    df = df.sort_values(["_design_order", "study", "responder_id"], kind="stable")
    df["share_text"] = [_pct(v) for v in df["share"]]
    df["ci_text"] = [
        f"{_pct(lo)} to {_pct(hi)}" if pd.notna(lo) else note.removeprefix("no CI: ")
        for lo, hi, note in zip(df["ci_low"], df["ci_high"], df["ci_note"], strict=True)
    ]
    df["ci_column"] = [
        f"{_pct(lo)} to {_pct(hi)}" if pd.notna(lo) else "no CI"
        for lo, hi in zip(df["ci_low"], df["ci_high"], strict=True)
    ]
    df["measure_text"] = [
        f"{m} ({a})" for m, a in zip(df["measure"], df["assessment"], strict=True)
    ]
    df["blinded_text"] = [
        f"{b} (weak)" if pd.notna(c) else b
        for b, c in zip(df["blinded"], df["blinding_check"], strict=True)
    ]
    df["counts_text"] = [
        f"{int(k)} of {int(n)}" if pd.notna(k) and pd.notna(n) else "not fixed"
        for k, n in zip(df["numerator"], df["denominator"], strict=True)
    ]
    df["has_ci"] = df["ci_low"].notna().map({True: "exact 95% CI", False: "no CI"})
    for col in ("share", "ci_low", "ci_high"):
        df[col] = df[col].astype("float64")
    df["n_study"] = df["n_study"].astype("int64")
    return df.drop(columns=["_design_order"]).reset_index(drop=True)


def responder_display(table: pd.DataFrame) -> pd.DataFrame:
    """The responder statements as a reader's table (text columns, in chart order)."""
    df = responder_frame(table)
    return pd.DataFrame(
        {
            "Study": df["study"],
            "Design": df["design_label"],
            "Source": df["source_label"],
            "Group": df["group_letter"],
            "Stated as": df["stated_as"],
            "Count": df["counts_text"],
            "Share": df["share_text"].replace("", "not given"),
            "Exact 95% CI": df["ci_text"],
            "Denominator": df["reason"],
            "Measure": df["measure_text"],
            "Patients in study": df["n_study"],
            "Control group": df["controlled"],
            "Blinded": df["blinded"],
        }
    )


_TOOLTIP = [
    alt.Tooltip("study:N", title="Study"),
    alt.Tooltip("design_label:N", title="Design"),
    alt.Tooltip("source_label:N", title="Source"),
    alt.Tooltip("group_letter:N", title="Group"),
    alt.Tooltip("stated_as:N", title="Stated as"),
    alt.Tooltip("counts_text:N", title="Count"),
    alt.Tooltip("share_text:N", title="Share"),
    alt.Tooltip("ci_text:N", title="95% CI"),
    alt.Tooltip("reason:N", title="Denominator"),
    alt.Tooltip("measure_text:N", title="Measure"),
    alt.Tooltip("n_study:Q", title="Patients in study"),
    alt.Tooltip("controlled:N", title="Control group"),
    alt.Tooltip("blinded:N", title="Blinded"),
    alt.Tooltip("blinding_check:N", title="Source check on blinding"),
    alt.Tooltip("quote:N", title="Words"),
]

#: Caveat columns beside the plot: (field, header, width in pixels). The measure's name is
#: in the tooltip and in the table above the chart; the column says how it was assessed.
_CAVEATS = (
    ("assessment", "Measure", 60),
    ("n_study", "n", 26),
    ("controlled", "Control", 48),
    ("blinded_text", "Blinded", 76),
)
#: Splits "Study <en dash> group: words" into two label lines (Vega draws an array as lines).
_TWO_LINE_LABEL = "split(datum.label, ' \N{EN DASH} ')"


def _responder_block(
    df: pd.DataFrame, title: str, n_max: int, designs: list[str]
) -> alt.HConcatChart:
    y = alt.Y(
        "label:N",
        sort=list(df["label"]),
        title=None,
        # minExtent: both panels' plots start at the same x, so their columns line up.
        axis=alt.Axis(
            labelLimit=RESPONDER_LABEL_LIMIT,
            labelExpr=_TWO_LINE_LABEL,
            minExtent=RESPONDER_LABEL_LIMIT,
            # clear of a large marker at 0%
            offset=10,
        ),
    )
    base = alt.Chart(df).encode(y=y, tooltip=_TOOLTIP)
    x = alt.X(
        "share:Q",
        title="Share of patients who improved",
        scale=alt.Scale(domain=[0, 1]),
        axis=alt.Axis(format="%", tickCount=5),
    )
    interval = (
        base.transform_filter("isValid(datum.ci_low)")
        .mark_rule(strokeWidth=2, color=OKABE_ITO["grey"])
        .encode(
            x=alt.X(
                "ci_low:Q",
                title="Share of patients who improved",
                scale=alt.Scale(domain=[0, 1]),
                axis=alt.Axis(format="%", tickCount=5),
            ),
            x2=alt.X2("ci_high:Q"),
        )
    )
    point = base.mark_point(filled=True, opacity=0.95).encode(
        x=x,
        size=alt.Size(
            "n_study:Q",
            title="Patients in study",
            scale=alt.Scale(domain=[1, n_max], range=[70, 300]),
            # A few sizes are enough to read marker size, and keep the legends narrow.
            legend=alt.Legend(values=[v for v in (1, 10, 100, 1000) if v < n_max] + [n_max]),
        ),
        **_design_encodings(designs),
    )
    no_ci = (
        base.transform_filter("!isValid(datum.ci_low) && isValid(datum.share)")
        .mark_text(align="left", dx=9, fontSize=11, color=OKABE_ITO["black"])
        .encode(x=x, text=alt.Text("ci_column:N"))
    )
    height = ROW_HEIGHT * len(df)
    plot = alt.layer(interval, point, no_ci).properties(
        width=RESPONDER_PLOT_WIDTH, height=height, title=title
    )
    columns = [
        base.mark_text(align="left", fontSize=11)
        .encode(
            x=alt.value(0),
            text=alt.Text(f"{field}:N"),
            y=alt.Y("label:N", sort=list(df["label"]), axis=None),
        )
        .properties(
            width=width, height=height, title=alt.TitleParams(header, fontSize=11, anchor="start")
        )
        for field, header, width in _CAVEATS
    ]
    return alt.hconcat(plot, *columns, spacing=6)


def responder_chart(table: pd.DataFrame) -> alt.VConcatChart:
    """Dot-and-interval chart of every responder statement, with its caveats beside it.

    One row per statement (letter's statements first, then the checked primary sources),
    rows grouped by study design; x is the share, the grey line the exact 95% CI where both
    counts are known ("no CI" written beside the marker otherwise). Colour and shape show
    the design, marker size the study's number of patients; text columns give the measure
    and whether it is subjective, n, whether the study had a control group and blinding.
    """
    shown, note = limit_studies(table)
    df = responder_frame(shown)
    n_max = int(df["n_study"].max())
    designs = list(dict.fromkeys(df["design"]))
    blocks = []
    letter = df[df["from_letter"]]
    primary = df[~df["from_letter"]]
    if len(letter):
        blocks.append(_responder_block(letter, "As the letter states them", n_max, designs))
    if len(primary):
        blocks.append(
            _responder_block(primary, "As the checked primary sources state them", n_max, designs)
        )
    return (
        alt.vconcat(*blocks, spacing=18)
        .resolve_scale(color="shared", shape="shared", size="shared")
        .configure_legend(orient="bottom", direction="horizontal", columns=1)
        .properties(
            title=alt.TitleParams(
                "Responder counts and shares, with exact 95% confidence intervals",
                subtitle=with_note(
                    "Beside each: the measure, study size, control group and blinding", note
                ),
            )
        )
    )


def timing_chart(matrix: pd.DataFrame) -> alt.LayerChart:
    """Matrix of studies by timing aspect; each cell coloured and labelled "reported" or not."""
    df, note = limit_studies(matrix)
    df = df.copy()
    studies = list(dict.fromkeys(df["study"]))
    # Column headings on two lines ("Time from" / "diagnosis"), so that four columns fit.
    df["aspect_heading"] = [
        "|".join(label.rsplit(" ", 1)) for label in df["aspect_label"].astype(str)
    ]
    aspects = list(dict.fromkeys(df["aspect_heading"]))
    status_domain = ["reported", "not reported"]
    base = alt.Chart(df).encode(
        x=alt.X(
            "aspect_heading:N",
            sort=aspects,
            title="What the letter says about",
            axis=alt.Axis(
                labelAngle=0,
                orient="top",
                labelLimit=TIMING_CELL_WIDTH - 4,
                labelExpr="split(datum.label, '|')",
                # two-line labels grow downwards from their baseline: lift them clear
                labelPadding=18,
            ),
        ),
        y=alt.Y("study:N", sort=studies, title=None),
        tooltip=[
            alt.Tooltip("study:N", title="Study"),
            alt.Tooltip("design_label:N", title="Design"),
            alt.Tooltip("aspect_label:N", title="Aspect"),
            alt.Tooltip("status:N", title="Status"),
            alt.Tooltip("letter_words:N", title="The letter's words"),
        ],
    )
    cells = base.mark_rect(stroke="white", strokeWidth=2).encode(
        color=alt.Color(
            "status:N",
            # Every cell says "reported" or "not reported" in words: no legend needed.
            legend=None,
            scale=alt.Scale(domain=status_domain, range=[OKABE_ITO["blue"], "#E8E8E8"]),
        )
    )
    text = base.mark_text(fontSize=11).encode(
        text="status:N",
        color=alt.Color(
            "status:N",
            scale=alt.Scale(domain=status_domain, range=["white", OKABE_ITO["black"]]),
            legend=None,
        ),
    )
    return (
        alt.layer(cells, text)
        .resolve_scale(color="independent")
        .properties(
            width=TIMING_CELL_WIDTH * len(aspects),
            height=30 * len(studies),
            title=alt.TitleParams(
                "What the letter says about each study's timing and co-treatment",
                subtitle=with_note("Each cell: whether the letter reports it for the study", note),
            ),
        )
    )


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
    """A :func:`ivigbook.stats.trial_power_table` as a reader's table (text columns)."""
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


def verdict_chart(counts: pd.DataFrame) -> alt.LayerChart:
    """Bars of the number of claims per verdict, each bar labelled with its count."""
    domain = list(counts["verdict"])
    base = alt.Chart(counts).encode(
        y=alt.Y("verdict:N", sort=domain, title="Verdict"),
        x=alt.X("claims:Q", title="Claims of the letter", axis=alt.Axis(tickMinStep=1)),
        tooltip=[
            alt.Tooltip("verdict:N", title="Verdict"),
            alt.Tooltip("claims:Q", title="Claims"),
        ],
    )
    bars = base.mark_bar().encode(
        color=alt.Color(
            "verdict:N",
            legend=None,
            scale=alt.Scale(domain=domain, range=[VERDICT_COLOURS[v] for v in domain]),
        )
    )
    labels = base.mark_text(align="left", dx=4, fontSize=12).encode(text="claims:Q")
    return alt.layer(bars, labels).properties(
        width=WIDTH - 200,
        height=40 * len(domain),
        title=alt.TitleParams(
            "The letter's claims, checked against the data", subtitle="Number of claims per verdict"
        ),
    )
