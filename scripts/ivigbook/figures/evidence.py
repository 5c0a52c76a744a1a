"""Charts of the search and the evidence base: dose, search flow, evidence map."""

from __future__ import annotations

import textwrap
from typing import Any

import altair as alt
import pandas as pd

from ivigbook.analysis.vocabulary import DESIGN_LABELS
from ivigbook.figures.theme import (
    FONT,
    MAX_STUDIES_SHOWN,
    OKABE_ITO,
    WIDTH,
    is_added_study,
    limit_studies,
    result_encodings,
    tooltips,
    with_narrow,
    with_note,
)

DESIGN_ORDER = list(DESIGN_LABELS.values())
MAP_STEP = 56  # pixels per design row in the evidence map
MAP_STEP_CROWDED = 90  # the same, with more than MAX_STUDIES_SHOWN studies


def log_ticks(top: float) -> list[int]:
    """Ticks of a log axis from 1 to ``top``: 1, 3, 10, 30, 100, ..."""
    decades = [10**k for k in range(len(str(int(top))))]
    return [t for d in decades for t in (d, 3 * d) if t <= top]


def dose_chart(doses: pd.DataFrame) -> alt.LayerChart:
    """Monthly immunoglobulin dose per study (g/kg) from
    :func:`ivigbook.analysis.evidence.dose_by_study`, labelled with the planned months, or
    "varied" / "not reported" instead of a point."""
    df, note = limit_studies(doses)
    df = df.copy()
    df["dose"] = df["dose_g_per_kg_per_month"].astype("Float64").astype(float)
    df["label"] = [
        (f"{m} month" if m == "1" else f"{m} months")
        if s == "single regimen" and m != "not reported"
        else ("months not reported" if s == "single regimen" else s)
        for s, m in zip(df["dose_status"], df["months_text"], strict=True)
    ]
    df["text_x"] = df["dose"].fillna(0.0)
    # room for the largest dose (at least 2.6 g/kg, so that 2 g/kg sits well inside)
    x_max = max(2.6, 1.1 * float(df["dose"].fillna(0.0).max()))
    order = df["study"].tolist()
    base = alt.Chart(df).encode(
        y=alt.Y("study:N", sort=order, title="Study (reference in the letter)"),
        tooltip=tooltips("study design dose_letter dose:Q:.1f months_text"),
    )
    points = (
        base.transform_filter("isValid(datum.dose)")
        .mark_point(filled=True, size=110, shape="circle", color=OKABE_ITO["blue"])
        .encode(
            x=alt.X(
                "dose:Q",
                title="Immunoglobulin per month (grams per kg of body weight)",
                scale=alt.Scale(domain=[0, x_max]),
            )
        )
    )
    labels = base.mark_text(align="left", dx=9, fontSize=12, font=FONT).encode(
        x=alt.X("text_x:Q"), text="label:N"
    )
    chart = (points + labels).properties(
        width=WIDTH - 200,
        height=alt.Step(26),
        title=alt.Title(
            "Monthly immunoglobulin dose per study",
            subtitle=with_note(
                "Label: planned months of treatment, or why there is no single dose", note
            ),
        ),
    )
    return with_narrow(chart, y_title=False)


def search_flow_chart(
    flow: pd.DataFrame,
    title: str = "The letter's literature search, step by step",
    subtitle: str = "Dashed grey boxes: steps of a PRISMA flow diagram the letter does not report",
) -> alt.LayerChart:
    """A search (:func:`ivigbook.analysis.search.search_flow`) as a flow diagram, a box per
    step; unreported steps dashed grey. On a phone the boxes are taller and words wrap."""
    chart = _search_flow(flow, title, subtitle, narrow=False)
    return with_narrow(chart, _search_flow(flow, title, subtitle, narrow=True))


def _search_flow(flow: pd.DataFrame, title: str, subtitle: str, narrow: bool) -> alt.LayerChart:
    df = flow.copy()
    n = len(df)
    df["y0"] = df["order"] * 1.0
    df["y1"] = df["order"] + (0.86 if narrow else 0.78)
    df["ymid"] = df["order"] + 0.39
    df["status"] = ["Reported" if r else "Not reported" for r in df["reported"]]
    df["line1"] = df["label"]
    df["line2"] = [f"n = {c}" if c[:1].isdigit() else c for c in df["count_text"]]
    # The step's name and its count: centred around the middle of the box; on a phone, the
    # name (wrapped) from the top of the box down and the count up from its bottom.
    df["ytitle"] = df["order"] + 0.08 if narrow else df["ymid"]
    df["ycount"] = df["order"] + 0.8 if narrow else df["ymid"]
    if narrow:
        for column in ("line1", "line2"):
            df[column] = [textwrap.wrap(text, 26) for text in df[column]]
        # Vega draws a text's further lines below its first: lift a long count by them
        # (a 12 px line is about 0.14 of a step).
        df["ycount"] = df["ycount"] - 0.14 * (df["line2"].map(len) - 1)
    title_place = {"baseline": "top", "dy": 0, "limit": 0} if narrow else {"dy": -8}
    count_place = {"baseline": "bottom", "dy": 0, "limit": 0} if narrow else {"dy": 9}
    y_scale = alt.Scale(domain=[n, -0.2], nice=False)
    x_scale = alt.Scale(domain=[0, 1], nice=False)
    hidden = alt.Axis(labels=False, ticks=False, domain=False, grid=False, title=None)

    def xy(x: str, y: str) -> dict[str, alt.X | alt.Y]:
        return {
            "x": alt.X(f"{x}:Q", scale=x_scale, axis=hidden),
            "y": alt.Y(f"{y}:Q", scale=y_scale, axis=hidden),
        }

    def status_scale(colours: list[Any]) -> alt.Scale:
        return alt.Scale(domain=["Reported", "Not reported"], range=colours)

    tooltip = tooltips("stage label count_text detail quote", label="Step")
    arrows = (
        alt.Chart(df[df["order"] < n - 1])
        .transform_calculate(x="0.5", y_next="datum.order + 1")
        .mark_rule(color=OKABE_ITO["grey"], strokeWidth=1.5)
        .encode(**xy("x", "y1"), y2="y_next:Q")
    )
    boxes = (
        alt.Chart(df)
        .transform_calculate(x0="0.12", x1="0.88")
        .mark_rect(strokeWidth=1.5, cornerRadius=3)
        .encode(
            **xy("x0", "y0"),
            x2="x1:Q",
            y2="y1:Q",
            fill=alt.Fill(
                "status:N", title="In the letter", scale=status_scale(["#E8F1F8", "#F2F2F2"])
            ),
            stroke=alt.Stroke(
                "status:N",
                scale=status_scale([OKABE_ITO["blue"], OKABE_ITO["grey"]]),
                legend=None,
            ),
            strokeDash=alt.StrokeDash(
                "status:N", scale=status_scale([[1, 0], [5, 3]]), legend=None
            ),
            tooltip=tooltip,
        )
    )
    text_base = alt.Chart(df).transform_calculate(x="0.5")
    title_text = text_base.mark_text(
        fontSize=12, fontWeight="bold", font=FONT, **title_place
    ).encode(**xy("x", "ytitle"), text="line1:N", tooltip=tooltip)
    count_text = text_base.mark_text(fontSize=12, font=FONT, **count_place).encode(
        **xy("x", "ycount"),
        text="line2:N",
        color=alt.Color("status:N", scale=status_scale(["#000000", "#595959"]), legend=None),
        tooltip=tooltip,
    )
    stage_text = (
        text_base.mark_text(fontSize=11, align="right", angle=0, font=FONT, color="#595959")
        .transform_calculate(xs="0.11")
        .encode(**xy("xs", "ymid"), text="stage:N")
    )
    return (arrows + boxes + title_text + count_text + stage_text).properties(
        width=WIDTH,
        height=(100 if narrow else 62) * n,
        title=alt.Title(title, subtitle=subtitle),
    )


#: Marks of studies whose overall result rests on an objective measure are filled.
OBJECTIVE_BASIS = "datum.overall_basis === 'objective'"


def evidence_map(overall: pd.DataFrame) -> alt.LayerChart | alt.FacetChart:
    """Study design x number of patients, a labelled mark per study coloured and shaped by
    result (:func:`ivigbook.analysis.evidence.overall_results`). With more than
    :data:`MAX_STUDIES_SHOWN` studies, added studies alike in design, size and result share
    one mark sized by their number."""
    df = overall.copy()
    df["n"] = df["n_total"].astype(int)
    crowded = len(df) > MAX_STUDIES_SHOWN
    added = df["study"].map(is_added_study).astype(bool) if crowded else df["n"] < 0
    groups = pd.DataFrame()
    subtitle = ["Overall result: the most favourable result on an objective measure"]
    if (df["overall_basis"] != "objective").any():
        # drawn hollow, so that the map agrees with the count of objective results
        subtitle.append(
            "Hollow marks: no objective measure; the result is on the study's other measures"
        )
    if crowded:
        groups = (
            df[added]
            .groupby(["design", "n", "result_label", "overall_basis"], observed=True, sort=True)
            .agg(studies=("study_id", "size"))
            .reset_index()
        )
        groups["slot"] = groups.groupby("design").cumcount()
        groups["label"] = [f"{k:,} added" for k in groups["studies"]]
        df = df[~added].copy()
        subtitle += [
            f"{int(added.sum()):,} added studies grouped: one mark per design, size and result,",
            "sized and labelled by its number of studies; the letter's own each have a mark",
        ]
    step = MAP_STEP_CROWDED if crowded else MAP_STEP
    df["slot"] = df.groupby("design").cumcount()
    df["size_in_design"] = df.groupby("design")["study_id"].transform("size")
    # Marks centred in their design's band (in its upper part when grouped marks take the lower).
    centre = MAP_STEP / 2 if not crowded else MAP_STEP / 2 - 6
    df["offset"] = centre + (df["slot"] - (df["size_in_design"] - 1) / 2) * 16
    designs = [d for d in DESIGN_ORDER if d in set(df["design"]) | set(groups.get("design", []))]
    scales = result_encodings("result_label", title="Overall result")
    top = max(100, int(overall["n_total"].max()) * 3)
    x = alt.X(
        "n:Q",
        title="Number of patients (log scale)",
        scale=alt.Scale(type="log", domain=[0.8, top]),
        # 1, 3, 10, 30, ...: a log axis's own ticks (1, 2, 3, ... 10) ran together on a phone.
        axis=alt.Axis(values=log_ticks(top), format=","),
    )
    y = alt.Y("design:N", sort=designs, title="Study design")

    def placed(frame: pd.DataFrame, tooltip: list[alt.Tooltip]) -> alt.Chart:
        offset = alt.YOffset("offset:Q", scale=None)
        return alt.Chart(frame).encode(x=x, y=y, yOffset=offset, tooltip=tooltip)

    base = placed(
        df,
        tooltips(
            "study study_type_letter n:Q result_label overall_basis key_results",
            result_label="Overall result",
        ),
    )
    points = base.mark_point(filled=True, size=140, opacity=0.95).encode(
        # One column when a second legend (marks per group) stands beside it, so both fit.
        color=alt.condition(
            OBJECTIVE_BASIS,
            scales["color"].legend(orient="bottom", columns=1 if crowded else 2),
            alt.value("transparent"),
        ),
        stroke=scales["stroke"],
        shape=scales["shape"],
    )
    group_layers: list[alt.Chart] = []
    if crowded and len(groups):
        groups["offset"] = step - 30 + (groups["slot"] % 2) * 16
        group_base = placed(
            groups,
            tooltips(
                "studies:Q:, design n:Q result_label",
                studies="Added studies",
                n="Patients in each",
                result_label="Overall result",
            ),
        )
        group_points = group_base.mark_point(filled=True, opacity=0.6).encode(
            color=alt.condition(OBJECTIVE_BASIS, scales["color"], alt.value("transparent")),
            stroke=scales["stroke"],
            shape=scales["shape"],
            size=alt.Size(
                "studies:Q",
                title="Added studies per mark",
                scale=alt.Scale(type="sqrt", range=[60, 700], zero=False),
                legend=alt.Legend(orient="bottom", format=",", symbolFillColor="#999999"),
            ),
        )
        group_labels = group_base.mark_text(
            align="left", dx=14, fontSize=11, font=FONT, color="#595959"
        ).encode(text="label:N")
        group_layers = [group_points, group_labels]
    marked = bool(df["study"].map(is_added_study).any())

    def layout(narrow: bool) -> alt.LayerChart | alt.FacetChart:
        # On a phone an added study is marked "*" (keyed in the subtitle), so its label fits.
        named = base.transform_calculate(narrow_study="replace(datum.study, ' (added)', '*')")
        labels = (named if narrow else base).mark_text(align="left", dx=10, fontSize=11, font=FONT)
        out = alt.layer(*group_layers, points, labels.encode(text=f"{'narrow_' * narrow}study:N"))
        if crowded:
            out = out.resolve_scale(size="independent")
        lines = [*subtitle, "*: added after the letter"] if narrow and marked else subtitle
        title = "Evidence map: design, size and overall result of each study"
        return out.properties(
            width=WIDTH - 80, height=alt.Step(step), title=alt.Title(title, subtitle=lines)
        )

    # On a phone: the design labels speak for themselves, and study labels are whole.
    return with_narrow(layout(False), layout(True), width=240, y_title=False, text_limit=0)
