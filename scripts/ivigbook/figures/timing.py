"""The timing matrix: what each study reports about when treatment began."""

from __future__ import annotations

import altair as alt
import pandas as pd

from ivigbook.figures.theme import (
    OKABE_ITO,
    limit_studies,
    tooltips,
    with_narrow,
    with_note,
)

#: Width of one timing aspect's column: four fit the text column and an A4 page.
TIMING_CELL_WIDTH = 100


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
    # On a phone the cells are too narrow for "not reported": they say yes or no.
    df["status_short"] = df["status"].map({"reported": "yes", "not reported": "no"})
    chart = _timing_layers(df, studies, aspects, "status", note)
    narrow = _timing_layers(df, studies, aspects, "status_short", note)
    return with_narrow(chart, narrow, x_label_angle=-90)


def _timing_layers(
    df: pd.DataFrame, studies: list[str], aspects: list[str], text: str, note: str | None
) -> alt.LayerChart:
    """The matrix, each cell's words taken from the ``text`` field."""

    def by_status(colours: list[str]) -> alt.Color:
        # Every cell says "reported" or "not reported" in words: no legend needed.
        scale = alt.Scale(domain=["reported", "not reported"], range=colours)
        return alt.Color("status:N", scale=scale, legend=None)

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
        tooltip=tooltips("study design_label aspect_label status letter_words"),
    )
    cells = base.mark_rect(stroke="white", strokeWidth=2).encode(
        color=by_status([OKABE_ITO["blue"], "#E8E8E8"])
    )
    words = base.mark_text(fontSize=11).encode(
        text=f"{text}:N", color=by_status(["white", OKABE_ITO["black"]])
    )
    return (
        alt.layer(cells, words)
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
