"""Chart factories for the book, and the one visual theme they share.

Every chart is an Altair chart with a title, axis titles and a colour-blind-safe palette
(Okabe & Ito). Colour never carries meaning alone: each colour encoding is paired with a
shape, a text label or a position. The same chart object serves HTML (interactive, with
tooltips) and PDF (a static image made by ``ivigbook.render``).
"""

from __future__ import annotations

import altair as alt
import pandas as pd

# Okabe-Ito palette: distinguishable with the common colour-vision deficiencies.
OKABE_ITO = {
    "black": "#000000",
    "orange": "#E69F00",
    "sky_blue": "#56B4E9",
    "bluish_green": "#009E73",
    "yellow": "#F0E442",
    "blue": "#0072B2",
    "vermillion": "#D55E00",
    "reddish_purple": "#CC79A7",
    "grey": "#999999",
}

# Labels a reader sees for the coded values of the data package, in display order.
DESIGN_LABELS = {
    "placebo_controlled_trial": "Placebo-controlled trial",
    "controlled_trial": "Controlled trial",
    "case_control": "Case-control study",
    "open_label": "Open-label study",
    "case_series": "Case series",
    "case_report": "Case report",
}
RESULT_LABELS = {
    "improved": "Improved",
    "subjective_improvement": "Subjective improvement",
    "trend": "Non-significant trend",
    "not_clinically_relevant": "Change without clinical relevance",
    "no_effect": "No effect",
    "not_reported": "Not reported",
}
RESULT_COLOURS = {
    "improved": OKABE_ITO["blue"],
    "subjective_improvement": OKABE_ITO["orange"],
    "trend": OKABE_ITO["sky_blue"],
    "not_clinically_relevant": OKABE_ITO["reddish_purple"],
    "no_effect": OKABE_ITO["vermillion"],
    "not_reported": OKABE_ITO["grey"],
}
RESULT_SHAPES = {
    "improved": "triangle-up",
    "subjective_improvement": "diamond",
    "trend": "circle",
    "not_clinically_relevant": "square",
    "no_effect": "cross",
    "not_reported": "stroke",
}

FONT = "DejaVu Sans, Helvetica, Arial, sans-serif"
WIDTH = 560  # fits the book's text column and an A4 page at print scale


def result_scale(
    field: str = "result_label", title: str = "Result"
) -> dict[str, alt.Color | alt.Shape]:
    """Colour and shape encodings for a result field, both keyed to the same labels."""
    domain = list(RESULT_LABELS.values())
    return {
        "color": alt.Color(
            f"{field}:N",
            title=title,
            scale=alt.Scale(domain=domain, range=[RESULT_COLOURS[k] for k in RESULT_LABELS]),
        ),
        "shape": alt.Shape(
            f"{field}:N",
            title=title,
            scale=alt.Scale(domain=domain, range=[RESULT_SHAPES[k] for k in RESULT_LABELS]),
        ),
    }


def book_theme() -> alt.theme.ThemeConfig:
    """Altair theme: readable type sizes for screen and print, no chart border."""
    return {
        "config": {
            "font": FONT,
            "view": {"stroke": None, "continuousWidth": WIDTH},
            "title": {"fontSize": 15, "anchor": "start", "subtitleFontSize": 12},
            "axis": {"labelFontSize": 12, "titleFontSize": 13, "labelLimit": 260},
            "legend": {"labelFontSize": 12, "titleFontSize": 13, "labelLimit": 260},
            "range": {"category": list(OKABE_ITO.values())[1:]},
        }
    }


alt.theme.register("ivigbook", enable=True)(book_theme)


# ------------------------------------------------------------------------------------------
# Chart factories for the chapters on the introduction, the search, the evidence and the
# trials. Each takes a frame made by ivigbook.derive and returns an Altair chart; alt text
# and captions are written next to the figure in the chapter.

#: Charts with one row per study show every study up to this many. Beyond it they show the
#: letter's studies and the most recently added ones, up to this many in all, and say in
#: their subtitle how many were left out (every study stays in the chapters' tables).
MAX_STUDIES_SHOWN = 30


def is_added_study(label: object) -> bool:
    """Whether a study label (:func:`ivigbook.derive.study_labels`) names a study added
    after the letter: those read "... (added)" or "... (added) [study_id]"."""
    text = str(label)
    return text.endswith("(added)") or "(added) [" in text


def limit_studies(
    frame: pd.DataFrame, column: str = "study", limit: int = MAX_STUDIES_SHOWN
) -> tuple[pd.DataFrame, str | None]:
    """The rows of at most ``limit`` studies, and a note saying what was left out.

    Up to ``limit`` studies, ``frame`` is returned whole and the note is None. Beyond it,
    the rows of the letter's studies are kept, with those of the most recently added studies
    (the last to appear in ``frame``, whose rows follow the data, where new studies are
    appended) up to ``limit`` studies in all; the note counts the studies not shown.
    """
    studies = list(dict.fromkeys(frame[column]))
    if len(studies) <= limit:
        return frame, None
    added = [s for s in studies if is_added_study(s)]
    letter = [s for s in studies if not is_added_study(s)]
    room = max(limit - len(letter), 0)
    shown_added = added[len(added) - room :] if room else []
    keep = set(letter) | set(shown_added)
    hidden = len(studies) - len(keep)
    note = (
        f"{hidden:,} more added {'study' if hidden == 1 else 'studies'} not shown "
        f"(shown: the letter's {len(letter)} and the {len(shown_added)} most recently added); "
        "see the table"
    )
    return frame[frame[column].isin(keep)], note


def with_note(subtitle: str | list[str], note: str | None) -> str | list[str]:
    """A subtitle with the note about studies not shown as its last line (if there is one)."""
    if note is None:
        return subtitle
    lines = [subtitle] if isinstance(subtitle, str) else list(subtitle)
    return [*lines, note]


DESIGN_ORDER = list(DESIGN_LABELS.values())
RESULT_ORDER = list(RESULT_LABELS.values())
MAP_STEP = 56  # pixels per design row in the evidence map
MAP_STEP_CROWDED = 90  # the same, with more than MAX_STUDIES_SHOWN studies


def result_stroke(field: str = "result_label", title: str = "Result") -> alt.Stroke:
    """The result colours as a stroke, so filled, hollow and line-shaped marks all show.

    Give it the same title as :func:`result_scale` so that the three share one legend.
    """
    return alt.Stroke(
        f"{field}:N",
        title=title,
        scale=alt.Scale(domain=RESULT_ORDER, range=[RESULT_COLOURS[k] for k in RESULT_LABELS]),
    )


def dose_chart(doses: pd.DataFrame) -> alt.LayerChart:
    """Monthly IVIG dose per study (g/kg), labelled with the planned months of treatment.

    ``doses`` is :func:`ivigbook.derive.dose_by_study`. Studies without one regimen are
    listed with the words "varied" or "not reported" instead of a point.
    """
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
        tooltip=[
            alt.Tooltip("study:N", title="Study"),
            alt.Tooltip("design:N", title="Design"),
            alt.Tooltip("dose_letter:N", title="Dose (letter)"),
            alt.Tooltip("dose:Q", title="g/kg per month", format=".1f"),
            alt.Tooltip("months_text:N", title="Planned months"),
        ],
    )
    points = (
        base.transform_filter("isValid(datum.dose)")
        .mark_point(filled=True, size=110, shape="circle", color=OKABE_ITO["blue"])
        .encode(
            x=alt.X(
                "dose:Q",
                title="IVIG per month (grams per kg of body weight)",
                scale=alt.Scale(domain=[0, x_max]),
            )
        )
    )
    labels = base.mark_text(align="left", dx=9, fontSize=12, font=FONT).encode(
        x=alt.X("text_x:Q"), text="label:N"
    )
    return (points + labels).properties(
        width=WIDTH - 200,
        height=alt.Step(26),
        title=alt.Title(
            "Monthly IVIG dose per study",
            subtitle=with_note(
                "Label: planned months of IVIG, or why there is no single dose", note
            ),
        ),
    )


def search_flow_chart(flow: pd.DataFrame) -> alt.LayerChart:
    """The letter's search as a flow diagram: one box per step, top to bottom.

    ``flow`` is :func:`ivigbook.derive.search_flow`. Steps the letter does not report are
    drawn with a dashed grey border and say "not reported"; the last box counts the studies
    in the evidence base now.
    """
    df = flow.copy()
    n = len(df)
    df["y0"] = df["order"] * 1.0
    df["y1"] = df["order"] + 0.78
    df["ymid"] = df["order"] + 0.39
    df["status"] = ["Reported" if r else "Not reported" for r in df["reported"]]
    df["line1"] = df["label"]
    df["line2"] = [f"n = {c}" if c[:1].isdigit() else c for c in df["count_text"]]
    y_scale = alt.Scale(domain=[n, -0.2], nice=False)
    x_scale = alt.Scale(domain=[0, 1], nice=False)
    hidden = alt.Axis(labels=False, ticks=False, domain=False, grid=False, title=None)
    tooltip = [
        alt.Tooltip("stage:N", title="Stage"),
        alt.Tooltip("label:N", title="Step"),
        alt.Tooltip("count_text:N", title="Count"),
        alt.Tooltip("detail:N", title="Detail"),
        alt.Tooltip("quote:N", title="The letter's words"),
    ]
    arrows = (
        alt.Chart(df[df["order"] < n - 1])
        .transform_calculate(x="0.5", y_next="datum.order + 1")
        .mark_rule(color=OKABE_ITO["grey"], strokeWidth=1.5)
        .encode(
            x=alt.X("x:Q", scale=x_scale, axis=hidden),
            y=alt.Y("y1:Q", scale=y_scale, axis=hidden),
            y2="y_next:Q",
        )
    )
    boxes = (
        alt.Chart(df)
        .transform_calculate(x0="0.12", x1="0.88")
        .mark_rect(strokeWidth=1.5, cornerRadius=3)
        .encode(
            x=alt.X("x0:Q", scale=x_scale, axis=hidden),
            x2="x1:Q",
            y=alt.Y("y0:Q", scale=y_scale, axis=hidden),
            y2="y1:Q",
            fill=alt.Fill(
                "status:N",
                title="In the letter",
                scale=alt.Scale(domain=["Reported", "Not reported"], range=["#E8F1F8", "#F2F2F2"]),
            ),
            stroke=alt.Stroke(
                "status:N",
                scale=alt.Scale(
                    domain=["Reported", "Not reported"],
                    range=[OKABE_ITO["blue"], OKABE_ITO["grey"]],
                ),
                legend=None,
            ),
            strokeDash=alt.StrokeDash(
                "status:N",
                scale=alt.Scale(domain=["Reported", "Not reported"], range=[[1, 0], [5, 3]]),
                legend=None,
            ),
            tooltip=tooltip,
        )
    )
    text_base = alt.Chart(df).transform_calculate(x="0.5")
    title_text = text_base.mark_text(fontSize=12, fontWeight="bold", dy=-8, font=FONT).encode(
        x=alt.X("x:Q", scale=x_scale, axis=hidden),
        y=alt.Y("ymid:Q", scale=y_scale, axis=hidden),
        text="line1:N",
        tooltip=tooltip,
    )
    count_text = text_base.mark_text(fontSize=12, dy=9, font=FONT).encode(
        x=alt.X("x:Q", scale=x_scale, axis=hidden),
        y=alt.Y("ymid:Q", scale=y_scale, axis=hidden),
        text="line2:N",
        color=alt.Color(
            "status:N",
            scale=alt.Scale(domain=["Reported", "Not reported"], range=["#000000", "#595959"]),
            legend=None,
        ),
        tooltip=tooltip,
    )
    stage_text = (
        text_base.mark_text(fontSize=11, align="right", angle=0, font=FONT, color="#595959")
        .transform_calculate(xs="0.11")
        .encode(
            x=alt.X("xs:Q", scale=x_scale, axis=hidden),
            y=alt.Y("ymid:Q", scale=y_scale, axis=hidden),
            text="stage:N",
        )
    )
    return (arrows + boxes + title_text + count_text + stage_text).properties(
        width=WIDTH,
        height=62 * n,
        title=alt.Title(
            "The letter's literature search, step by step",
            subtitle="Dashed grey boxes: steps of a PRISMA flow diagram the letter does not report",
        ),
    )


def _map_tooltip() -> list[alt.Tooltip]:
    return [
        alt.Tooltip("study:N", title="Study"),
        alt.Tooltip("study_type_letter:N", title="Study type (letter)"),
        alt.Tooltip("n:Q", title="Patients"),
        alt.Tooltip("result_label:N", title="Overall result"),
        alt.Tooltip("overall_basis:N", title="Decided by measures that are"),
        alt.Tooltip("key_results:N", title="Key results (letter)"),
    ]


def evidence_map(overall: pd.DataFrame) -> alt.LayerChart:
    """Study design x number of patients, one mark per study, coloured and shaped by result.

    ``overall`` is :func:`ivigbook.derive.overall_results`. Studies of the same design are
    spread vertically so that none hides another; each mark is labelled with its study.

    With more than :data:`MAX_STUDIES_SHOWN` studies, the letter's studies keep their own
    labelled marks, while the added studies with the same design, number of patients and
    result share one mark, sized by how many they are and labelled with that number; the
    subtitle says so.
    """
    df = overall.copy()
    df["n"] = df["n_total"].astype(int)
    crowded = len(df) > MAX_STUDIES_SHOWN
    added = df["study"].map(is_added_study).astype(bool) if crowded else df["n"] < 0
    groups = pd.DataFrame()
    subtitle: str | list[str] = "Overall result: the most favourable result on an objective measure"
    if crowded:
        groups = (
            df[added]
            .groupby(["design", "n", "result_label"], observed=True, sort=True)
            .agg(studies=("study_id", "size"))
            .reset_index()
        )
        groups["slot"] = groups.groupby("design").cumcount()
        groups["label"] = [f"{k:,} added" for k in groups["studies"]]
        df = df[~added].copy()
        subtitle = [
            subtitle,
            f"{int(added.sum()):,} added studies grouped: one mark per design, size and result,",
            "sized and labelled by its number of studies; the letter's own each have a mark",
        ]
    step = MAP_STEP_CROWDED if crowded else MAP_STEP
    df["slot"] = df.groupby("design").cumcount()
    df["size_in_design"] = df.groupby("design")["study_id"].transform("size")
    # yOffset counts from the top of the design's band: centre the marks in the band (in
    # its upper part when grouped marks for added studies take the lower part).
    centre = MAP_STEP / 2 if not crowded else MAP_STEP / 2 - 6
    df["offset"] = centre + (df["slot"] - (df["size_in_design"] - 1) / 2) * 16
    designs = [d for d in DESIGN_ORDER if d in set(df["design"]) | set(groups.get("design", []))]
    scales = result_scale("result_label", title="Overall result")
    x = alt.X(
        "n:Q",
        title="Number of patients (log scale)",
        scale=alt.Scale(type="log", domain=[0.8, max(100, int(overall["n_total"].max()) * 3)]),
    )
    y = alt.Y("design:N", sort=designs, title="Study design")
    base = alt.Chart(df).encode(
        x=x, y=y, yOffset=alt.YOffset("offset:Q", scale=None), tooltip=_map_tooltip()
    )
    points = base.mark_point(filled=True, size=140, opacity=0.95).encode(
        # One column when a second legend (marks per group) stands beside it, so both fit.
        color=scales["color"].legend(orient="bottom", columns=1 if crowded else 2),
        stroke=result_stroke("result_label", title="Overall result"),
        shape=scales["shape"],
    )
    labels = base.mark_text(align="left", dx=10, fontSize=11, font=FONT).encode(text="study:N")
    layers: list[alt.Chart] = [points, labels]
    if crowded and len(groups):
        groups["offset"] = step - 30 + (groups["slot"] % 2) * 16
        group_base = alt.Chart(groups).encode(
            x=x,
            y=y,
            yOffset=alt.YOffset("offset:Q", scale=None),
            tooltip=[
                alt.Tooltip("studies:Q", title="Added studies", format=","),
                alt.Tooltip("design:N", title="Design"),
                alt.Tooltip("n:Q", title="Patients in each"),
                alt.Tooltip("result_label:N", title="Overall result"),
            ],
        )
        group_points = group_base.mark_point(filled=True, opacity=0.6).encode(
            color=scales["color"],
            stroke=result_stroke("result_label", title="Overall result"),
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
        layers = [group_points, group_labels, points, labels]
    chart = alt.layer(*layers)
    if crowded:
        chart = chart.resolve_scale(size="independent")
    return chart.properties(
        width=WIDTH - 80,
        height=alt.Step(step),
        title=alt.Title(
            "Evidence map: design, size and overall result of each study",
            subtitle=subtitle,
        ),
    )


ASSESSMENT_FILL = {"Objective": 1.0, "Unclear": 0.4, "Subjective": 0.0}
ASSESSMENT_KEY = {
    "Objective": "Objective measure (filled)",
    "Unclear": "Assessment unclear (half-filled)",
    "Subjective": "Subjective, patient-reported (hollow)",
}


def _assessment_key() -> alt.LayerChart:
    """A key for the marks' fill (Vega-Lite draws no legend for a fillOpacity encoding)."""
    key = pd.DataFrame(
        {
            "assessment": list(ASSESSMENT_FILL),
            "text": [ASSESSMENT_KEY[a] for a in ASSESSMENT_FILL],
            "fill": list(ASSESSMENT_FILL.values()),
        }
    )
    base = alt.Chart(key, title=alt.Title("Assessment (fill)", fontSize=13)).encode(
        y=alt.Y("assessment:N", sort=list(ASSESSMENT_FILL), axis=None)
    )
    marks = base.mark_point(
        shape="square", size=120, filled=True, color="#595959", stroke="#595959", strokeWidth=2
    ).encode(x=alt.value(8), fillOpacity=alt.FillOpacity("fill:Q", scale=None))
    labels = base.mark_text(align="left", dx=18, fontSize=12, font=FONT).encode(
        x=alt.value(8), text="text:N"
    )
    return (marks + labels).properties(width=260, height=alt.Step(20))


#: Pixels per outcome measure in the matrix: with the two-line row labels, about twenty
#: measures fit the text column of the HTML page and an A4 page.
MATRIX_STEP = 24
MATRIX_ROW_STEP = 34
#: Separates a row label's two lines; the axis draws each part on a line of its own (a study
#: label that itself holds the separator just gets one more line).
ROW_LINE_BREAK = " \N{MIDDLE DOT} "


def _domain_headers(
    df: pd.DataFrame, measure_order: list[str], domain_order: list[str]
) -> tuple[alt.Chart, alt.Chart]:
    """Domain names above the matrix, each at its first measure, and rules between domains.

    Drawn as layers rather than as facets: a facet per domain made every domain as wide as
    its slanted axis labels, which pushed the matrix far beyond the text column.
    """
    first = []
    for domain in domain_order:
        measures = set(df.loc[df["domain"] == domain, "measure"])
        in_order = [m for m in measure_order if m in measures]
        if in_order:
            first.append({"domain": domain, "measure": in_order[0]})
    heads = pd.DataFrame(first)
    x = alt.X("measure:N", sort=measure_order)
    names = (
        alt.Chart(heads)
        .mark_text(align="left", baseline="middle", angle=300, dx=-2, dy=-6, fontSize=12, font=FONT)
        .encode(x=x, y=alt.value(0), text="domain:N")
    )
    rules = (
        alt.Chart(heads.iloc[1:])
        .mark_rule(color=OKABE_ITO["grey"], strokeDash=[2, 3], xOffset=-MATRIX_STEP / 2)
        .encode(x=x)
    )
    return names, rules


def outcome_matrix_chart(matrix: pd.DataFrame) -> alt.VConcatChart:
    """Study x outcome measure matrix, measures grouped by domain.

    ``matrix`` is :func:`ivigbook.derive.outcome_matrix`. Colour and shape give the result;
    filled marks are objective measures, hollow ones subjective, half-filled unclear (a key
    below the matrix says so); large marks are results the letter states for the measure,
    small ones come from a blanket statement. Domains are named above their measures.
    """
    df, note = limit_studies(matrix)
    df = df.copy()
    study_order = matrix.attrs.get("study_order", sorted(df["study"].unique()))
    study_order = [s for s in study_order if s in set(df["study"])]
    measure_order = matrix.attrs.get("measure_order", sorted(df["measure"].unique()))
    domain_order = matrix.attrs.get("domain_order", sorted(df["domain"].unique()))
    # Measures grouped by domain (in the domains' order), so that each domain is one block.
    domain_of = dict(zip(df["measure"], df["domain"], strict=True))
    rank = {d: i for i, d in enumerate(domain_order)}
    measure_order = sorted(
        (m for m in measure_order if m in domain_of),
        key=lambda m: rank.get(domain_of[m], len(rank)),
    )
    # Two label lines (Vega draws an array as lines): the study, then its design.
    df["row"] = df["study"] + ROW_LINE_BREAK + df["design"]
    row_order = [
        f"{s}{ROW_LINE_BREAK}{d}"
        for s in study_order
        for d in df.loc[df["study"] == s, "design"].unique()
    ]
    scales = result_scale("result_label", title="Result")
    marks = (
        alt.Chart(df)
        .mark_point(filled=True, strokeWidth=2)
        .encode(
            x=alt.X(
                "measure:N",
                sort=measure_order,
                title=None,
                axis=alt.Axis(labelAngle=-45, labelLimit=150, grid=False),
            ),
            y=alt.Y(
                "row:N",
                sort=row_order,
                title=None,
                axis=alt.Axis(
                    labelLimit=180,
                    labelExpr=f"split(datum.label, {ROW_LINE_BREAK!r})",
                ),
            ),
            color=scales["color"],
            stroke=result_stroke("result_label"),
            shape=scales["shape"],
            fillOpacity=alt.FillOpacity(
                "assessment:N",
                scale=alt.Scale(domain=list(ASSESSMENT_FILL), range=list(ASSESSMENT_FILL.values())),
                legend=None,
            ),
            size=alt.Size(
                "basis:N",
                title="Basis of the result (size)",
                scale=alt.Scale(
                    domain=[
                        "Stated for this measure",
                        "From a blanket statement",
                        "No result reported",
                    ],
                    range=[220, 55, 110],
                ),
            ),
            tooltip=[
                alt.Tooltip("study:N", title="Study"),
                alt.Tooltip("design:N", title="Design"),
                alt.Tooltip("measure_letter:N", title="Measure (letter)"),
                alt.Tooltip("domain:N", title="Domain"),
                alt.Tooltip("assessment:N", title="Assessment"),
                alt.Tooltip("result_label:N", title="Result"),
                alt.Tooltip("basis:N", title="Basis"),
                alt.Tooltip("quote:N", title="The letter's words"),
            ],
        )
    )
    names, rules = _domain_headers(df, measure_order, domain_order)
    matrix_chart = alt.layer(rules, marks, names).properties(
        width=alt.Step(MATRIX_STEP), height=alt.Step(MATRIX_ROW_STEP)
    )
    return (
        alt.vconcat(matrix_chart, _assessment_key(), spacing=16)
        .properties(
            title=alt.Title(
                "What the controlled studies found, measure by measure",
                subtitle=with_note(
                    "Filled: objective measure; hollow: subjective; small: blanket result", note
                ),
            )
        )
        .configure_legend(orient="bottom", columns=1, direction="vertical")
    )
