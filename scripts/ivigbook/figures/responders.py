"""The responder chart: shares with exact intervals, and their caveats."""

from __future__ import annotations

import textwrap

import altair as alt
import pandas as pd

from ivigbook.analysis.vocabulary import DESIGN_LABELS
from ivigbook.data.cells import cell_float, is_missing
from ivigbook.figures.theme import (
    DESIGN_STYLES,
    OKABE_ITO,
    keyed_encodings,
    limit_studies,
    tooltips,
    with_narrow,
    with_note,
)

#: The responder chart's plot width and row-label width (with its caveat columns it fits the
#: text column and an A4 page), and its row height (two-line labels).
RESPONDER_PLOT_WIDTH = 130
RESPONDER_LABEL_LIMIT = 220
ROW_HEIGHT = 34


def _design_encodings(designs: list[str]) -> dict[str, alt.Color | alt.Shape]:
    """Colour and shape for the given design codes (in the schema's order)."""
    keys = [k for k in DESIGN_LABELS if k in designs]
    labels, styles = [DESIGN_LABELS[k] for k in keys], [DESIGN_STYLES[k] for k in keys]
    return keyed_encodings("design_label:N", "Study design", labels, styles)


def _pct(value: object) -> str:
    return "" if is_missing(value) else f"{cell_float(value):.0%}"


def responder_frame(table: pd.DataFrame) -> pd.DataFrame:
    """The responder table with the display columns the chart needs, in display order."""
    df = table.copy()
    order = {k: i for i, k in enumerate(DESIGN_LABELS)}
    df["_design_order"] = df["design"].map(order)
    df = df.sort_values(["_design_order", "study", "responder_id"], kind="stable")
    df["share_text"] = [_pct(v) for v in df["share"]]
    ci = [f"{_pct(lo)} to {_pct(hi)}" for lo, hi in zip(df["ci_low"], df["ci_high"], strict=True)]
    has_ci = df["ci_low"].notna()
    df["ci_text"] = [
        c if h else n.removeprefix("no CI: ")
        for c, h, n in zip(ci, has_ci, df["ci_note"], strict=True)
    ]
    df["ci_column"] = [c if h else "no CI" for c, h in zip(ci, has_ci, strict=True)]
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
    df["has_ci"] = has_ci.map({True: "exact 95% CI", False: "no CI"})
    for col in ("share", "ci_low", "ci_high"):
        df[col] = df[col].astype("float64")
    df["n_study"] = df["n_study"].astype("int64")
    return df.drop(columns=["_design_order"]).reset_index(drop=True)


def responder_display(table: pd.DataFrame) -> pd.DataFrame:
    """The responder statements as a reader's table, in chart order."""
    df = responder_frame(table)
    share = df["share_text"].replace("", "not given")
    df["shown"] = share + " (" + df["ci_text"].where(df["ci_text"].astype(str) != "", "no CI") + ")"
    names = [
        "Study",
        "Group",
        "Share improved (exact 95% CI)",
        "Measure",
        "Control group",
        "Blinded",
    ]
    columns = ["study", "group_letter", "shown", "measure_text", "controlled", "blinded"]
    return df[columns].set_axis(names, axis="columns")


def responder_counting(table: pd.DataFrame) -> pd.DataFrame:
    """How each responder statement was counted: its words, count, denominator and source."""
    names = ["Study", "Stated as", "Count", "Denominator", "Source"]
    columns = ["study", "stated_as", "counts_text", "reason", "source_label"]
    return responder_frame(table)[columns].set_axis(names, axis="columns")


_TOOLTIP = tooltips(
    "study design_label source_label group_letter stated_as counts_text share_text ci_text "
    "reason measure_text n_study:Q controlled blinded blinding_check quote",
    quote="Words",
)

#: Caveat columns beside the plot: (field, header, width in pixels).
_CAVEATS = (
    ("assessment", "Measure", 60),
    ("n_study", "n", 26),
    ("controlled", "Control", 48),
    ("blinded_text", "Blinded", 76),
)
#: Splits "Study <en dash> group: words" into two label lines (Vega draws an array as lines).
_TWO_LINE_LABEL = "split(datum.label, ' \N{EN DASH} ')"


#: On a phone each row's label and caveats span the plot's width, wrapped at this many
#: characters (11 px type, 14 px lines, 300 px), with its marker and interval below them.
NARROW_LINE_CHARS = 44
NARROW_LINE_HEIGHT = 14
NARROW_PLOT_WIDTH = 300
NARROW_MARK_ROOM = 26


def _with_caveat_lines(df: pd.DataFrame) -> pd.DataFrame:
    """The rows with ``narrow_lines``: label and caveats wrapped whole for a phone."""
    lines = []
    columns = ["label", "assessment", "n_study", "controlled", "blinded_text"]
    for label, a, n, c, b in df[columns].itertuples(index=False):
        patients = "1 patient" if int(n) == 1 else f"{n} patients"
        caveat = f"{a}; {patients}; control: {c}; blinded: {b}"
        lines.append(
            textwrap.wrap(str(label), NARROW_LINE_CHARS, break_long_words=False)
            + textwrap.wrap(caveat, NARROW_LINE_CHARS, break_long_words=False)
        )
    return df.assign(narrow_lines=pd.Series(lines, index=df.index, dtype=object))


def _narrow_block(
    df: pd.DataFrame, title: str, n_max: int, designs: list[str]
) -> alt.LayerChart | alt.FacetChart:
    """One part of the phone layout: per row, its lines then its marks; y in pixels."""
    n_lines = max(len(lines) for lines in df["narrow_lines"])
    row = n_lines * NARROW_LINE_HEIGHT + NARROW_MARK_ROOM
    df = df.assign(
        row_top=[i * row for i in range(len(df))],
        mark_y=[
            i * row + n_lines * NARROW_LINE_HEIGHT + NARROW_MARK_ROOM / 2 for i in range(len(df))
        ],
    )
    height = row * len(df)
    y_scale = alt.Scale(domain=[0, height], reverse=True, nice=False, zero=True)
    base = alt.Chart(df).encode(tooltip=_TOOLTIP)
    x_axis = alt.Axis(format="%", tickCount=5, grid=True)
    mark_y = alt.Y("mark_y:Q", scale=y_scale, axis=None)
    separator = base.mark_rule(color="#cccccc", strokeWidth=1).encode(
        y=alt.Y("row_top:Q", scale=y_scale, axis=None)
    )
    # limit: the lines are wrapped whole; the phone layout's cut of text marks must not apply.
    lines = base.mark_text(
        align="left",
        baseline="top",
        fontSize=11,
        lineHeight=NARROW_LINE_HEIGHT,
        dy=4,
        limit=NARROW_PLOT_WIDTH + 40,
    ).encode(
        x=alt.value(0),
        y=alt.Y("row_top:Q", scale=y_scale, axis=None),
        text=alt.Text("narrow_lines"),
    )
    interval, point, no_ci = _marks(base, x_axis, n_max, designs, y=mark_y)
    return alt.layer(separator, lines, interval, point, no_ci).properties(
        width=NARROW_PLOT_WIDTH, height=height, title=title
    )


def _size(n_max: int) -> alt.Size:
    """Marker size: the study's number of patients, with a legend of a few sizes."""
    return alt.Size(
        "n_study:Q",
        title="Patients in study",
        scale=alt.Scale(domain=[1, n_max], range=[70, 300]),
        legend=alt.Legend(values=[v for v in (1, 10, 100, 1000) if v < n_max] + [n_max]),
    )


def _responder_block(
    df: pd.DataFrame, title: str, n_max: int, designs: list[str], narrow: bool = False
) -> alt.HConcatChart | alt.LayerChart | alt.FacetChart:
    if narrow:
        return _narrow_block(df, title, n_max, designs)
    y = alt.Y(
        "label:N",
        sort=list(df["label"]),
        title=None,
        # minExtent: both panels' columns line up; offset: clear of a large marker at 0%
        axis=alt.Axis(
            labelLimit=RESPONDER_LABEL_LIMIT,
            labelExpr=_TWO_LINE_LABEL,
            minExtent=RESPONDER_LABEL_LIMIT,
            offset=10,
        ),
    )
    base = alt.Chart(df).encode(y=y, tooltip=_TOOLTIP)
    interval, point, no_ci = _marks(base, alt.Axis(format="%", tickCount=5), n_max, designs)
    height = ROW_HEIGHT * len(df)
    plot = alt.layer(interval, point, no_ci).properties(
        width=RESPONDER_PLOT_WIDTH, height=height, title=title
    )
    # The caveat columns repeat no tooltip: the row's marks carry it.
    columns = [
        alt.Chart(df)
        .mark_text(align="left", fontSize=11)
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
    """A dot and its exact 95% CI per responder statement (the letter's, then the primary
    sources'), colour and shape by design, size by patients, caveat columns beside."""
    shown, note = limit_studies(table)
    df = _with_caveat_lines(responder_frame(shown))
    n_max = int(df["n_study"].max())
    designs = list(dict.fromkeys(df["design"]))
    parts = [
        (df[df["from_letter"]], "As the letter states them"),
        (df[~df["from_letter"]], "As the checked primary sources state them"),
    ]

    def title(where: str) -> alt.TitleParams:
        return alt.TitleParams(
            "Responder counts and shares, with exact 95% confidence intervals",
            subtitle=with_note(
                f"{where} each: the measure, study size, control group and blinding", note
            ),
        )

    def layout(narrow: bool) -> alt.VConcatChart:
        blocks = [
            _responder_block(rows, heading, n_max, designs, narrow=narrow)
            for rows, heading in parts
            if len(rows)
        ]
        return (
            alt.vconcat(*blocks, spacing=18)
            .resolve_scale(color="shared", shape="shared", size="shared")
            .configure_legend(orient="bottom", direction="horizontal", columns=1)
            .properties(title=title("Above" if narrow else "Beside"))
        )

    return with_narrow(layout(narrow=False), layout(narrow=True))


def _marks(
    base: alt.Chart,
    axis: alt.Axis,
    n_max: int,
    designs: list[str],
    y: alt.Y | None = None,
) -> tuple[alt.Chart, alt.Chart, alt.Chart]:
    """Each report's interval (a rule), its share (a point) and, without an interval, the
    reason beside the point; ``y`` places them (the phone layout)."""
    on_y = {} if y is None else {"y": y}

    def x(field: str) -> alt.X:
        scale = alt.Scale(domain=[0, 1])
        return alt.X(field, title="Share of patients who improved", scale=scale, axis=axis)

    interval = (
        base.transform_filter("isValid(datum.ci_low)")
        .mark_rule(strokeWidth=2, color=OKABE_ITO["grey"])
        .encode(x=x("ci_low:Q"), x2=alt.X2("ci_high:Q"), **on_y)
    )
    point = base.mark_point(filled=True, opacity=0.95).encode(
        x=x("share:Q"), size=_size(n_max), **_design_encodings(designs), **on_y
    )
    no_ci = (
        base.transform_filter("!isValid(datum.ci_low) && isValid(datum.share)")
        .mark_text(align="left", dx=9, fontSize=11, color=OKABE_ITO["black"])
        .encode(x=x("share:Q"), text=alt.Text("ci_column:N"), **on_y)
    )
    return interval, point, no_ci
