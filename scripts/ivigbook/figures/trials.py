"""The outcome matrix of the controlled studies."""

from __future__ import annotations

from typing import Any

import altair as alt
import pandas as pd

from ivigbook.figures.theme import (
    FONT,
    OKABE_ITO,
    limit_studies,
    result_encodings,
    tooltips,
    with_narrow,
    with_note,
)

ASSESSMENT_FILL = {"Objective": 1.0, "Unclear": 0.4, "Subjective": 0.0}
#: The key's words for each assessment: on a laptop, and in fewer words on a phone.
ASSESSMENT_KEY = {
    "Objective": ("Objective measure (filled)", "Objective (filled)"),
    "Unclear": ("Assessment unclear (half-filled)", "Unclear (half-filled)"),
    "Subjective": ("Subjective, patient-reported (hollow)", "Subjective (hollow)"),
}


def _assessment_key(narrow: bool) -> alt.LayerChart:
    """A key for the marks' fill (Vega-Lite draws no legend for a fillOpacity encoding)."""
    key = pd.DataFrame(
        {
            "assessment": list(ASSESSMENT_FILL),
            "text": [ASSESSMENT_KEY[a][narrow] for a in ASSESSMENT_FILL],
            "fill": list(ASSESSMENT_FILL.values()),
        }
    )
    base = alt.Chart(key, title=alt.Title("Assessment (fill)", fontSize=13)).encode(
        y=alt.Y("assessment:N", sort=list(ASSESSMENT_FILL), axis=None)
    )
    marks = base.mark_point(
        shape="square", size=120, filled=True, color="#595959", stroke="#595959", strokeWidth=2
    ).encode(x=alt.value(8), fillOpacity=alt.FillOpacity("fill:Q", scale=None))
    labels = base.mark_text(align="left", dx=18, fontSize=12, font=FONT, limit=260).encode(
        x=alt.value(8), text="text:N"
    )
    return (marks + labels).properties(width=260, height=alt.Step(20))


#: Pixels per measure (about twenty fit the text column and an A4 page) and per row.
MATRIX_STEP = 24
MATRIX_ROW_STEP = 34
#: Separates a row label's two lines (the axis draws each part on a line of its own).
ROW_LINE_BREAK = " \N{MIDDLE DOT} "
TWO_LINES = f"split(datum.label, {ROW_LINE_BREAK!r})"


def _domain_headers(
    df: pd.DataFrame, measure_order: list[str], domain_order: list[str]
) -> tuple[alt.Chart, alt.Chart]:
    """Domain names above the matrix, each at its first measure, and rules between domains
    (layers, not facets: a facet per domain is as wide as its slanted labels)."""
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
    """Study x outcome measure (:func:`ivigbook.analysis.trials.outcome_matrix`), measures
    grouped by domain: colour and shape give the result, fill the assessment, size the basis."""
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
    marks = _marks(
        df,
        alt.X("measure:N", sort=measure_order, title=None, axis=_columns(labelAngle=-45)),
        alt.Y("row:N", sort=row_order, title=None, axis=_rows(180)),
    )
    names, rules = _domain_headers(df, measure_order, domain_order)
    matrix_chart = alt.layer(rules, marks, names).properties(
        width=alt.Step(MATRIX_STEP), height=alt.Step(MATRIX_ROW_STEP)
    )
    title = alt.Title(
        "What the controlled studies found, measure by measure",
        subtitle=with_note(
            "Filled: objective measure; hollow: subjective; small: blanket result", note
        ),
    )
    # On a phone: a row per measure (its domain on the label's second line), a column per
    # study, so that a few studies, not some twenty measures, share the width.
    df["measure_row"] = df["measure"] + ROW_LINE_BREAK + df["domain"]
    measure_rows = list(dict.fromkeys(df.set_index("measure").loc[measure_order, "measure_row"]))
    turned = _marks(
        df,
        alt.X("study:N", sort=study_order, title=None, axis=_columns(orient="top", labelAngle=-90)),
        alt.Y("measure_row:N", sort=measure_rows, title=None, axis=_rows(170)),
    ).properties(width=alt.Step(MATRIX_ROW_STEP), height=alt.Step(MATRIX_ROW_STEP))
    narrow = alt.vconcat(turned, _assessment_key(True), spacing=16).properties(title=title)
    chart = alt.vconcat(matrix_chart, _assessment_key(False), spacing=16).properties(title=title)
    legend: dict[str, Any] = {"orient": "bottom", "columns": 1, "direction": "vertical"}
    return with_narrow(chart.configure_legend(**legend), narrow.configure_legend(**legend))


def _columns(**how: Any) -> alt.Axis:
    return alt.Axis(labelLimit=150, grid=False, **how)


def _rows(limit: int) -> alt.Axis:
    return alt.Axis(labelLimit=limit, labelExpr=TWO_LINES)


def _marks(df: pd.DataFrame, x: alt.X, y: alt.Y) -> alt.Chart:
    """The matrix's marks on ``x`` and ``y``: colour and shape for the result, fill for the
    assessment, size for the basis."""
    return (
        alt.Chart(df)
        .mark_point(filled=True, strokeWidth=2)
        .encode(**_matrix_encodings())
        .encode(x=x, y=y)
    )


def _matrix_encodings() -> dict[str, Any]:
    return {
        **result_encodings("result_label", title="Result"),
        "fillOpacity": alt.FillOpacity(
            "assessment:N",
            scale=alt.Scale(domain=list(ASSESSMENT_FILL), range=list(ASSESSMENT_FILL.values())),
            legend=None,
        ),
        "size": alt.Size(
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
        "tooltip": tooltips(
            "study design measure_letter domain assessment result_label basis quote"
        ),
    }
