"""The chart of verdicts that moved since the letter."""

from __future__ import annotations

import json
import textwrap
from typing import TYPE_CHECKING

import altair as alt

from ivigbook.analysis import claims
from ivigbook.analysis.vocabulary import chapter_label
from ivigbook.figures.theme import VERDICT_STYLES, WIDTH, keyed_encodings, tooltips

if TYPE_CHECKING:
    from ivigbook.data.load import Evidence


def verdict_change_chart(ev: Evidence) -> alt.LayerChart | alt.FacetChart:
    """Claims by chapter (in the book's order) and verdict: a mark sized by the count, and
    the count beside it."""
    counts = claims.verdict_counts(ev)
    counts = counts[counts["claims"] > 0].copy()
    counts["chapter"] = counts["chapter"].astype(str).map(chapter_label)
    counts["verdict"] = counts["verdict"].astype(str)
    chapters = [
        chapter_label(c)
        for c in ev.enum("claims", "chapter")
        if chapter_label(c) in set(counts["chapter"])
    ]
    verdicts = list(claims.VERDICTS)
    x = alt.X("verdict:N", title="Verdict", sort=verdicts, scale=alt.Scale(domain=verdicts))
    # Each verdict's name on at most two lines, so that five fit under the plot.
    lines = {v: textwrap.wrap(v, width=max(len(v) // 2 + 1, 12)) for v in verdicts}
    label = "datum.label"
    for v in verdicts:
        label = f"datum.label === {json.dumps(v)} ? {json.dumps(lines[v])} : ({label})"
    x = x.axis(labelAngle=0, labelExpr=label)
    y = alt.Y("chapter:N", title="Chapter", sort=chapters)
    tooltip = tooltips("chapter verdict claims:Q")
    base = alt.Chart(counts)
    marks = base.mark_point(filled=True, opacity=0.9).encode(
        x=x,
        y=y,
        size=alt.Size("claims:Q", scale=alt.Scale(range=[120, 900]), legend=None),
        # The legend under the plot: beside it, it would widen the chart past the page.
        **keyed_encodings(
            "verdict:N",
            "Verdict",
            verdicts,
            [VERDICT_STYLES[v] for v in verdicts],
            legend=alt.Legend(orient="bottom", columns=2),
        ),
        tooltip=tooltip,
    )
    labels = base.mark_text(dx=22, align="left", fontSize=13).encode(
        x=x, y=y, text=alt.Text("claims:Q"), tooltip=tooltip
    )
    return (marks + labels).properties(
        width=WIDTH - 40,
        height=36 * max(len(chapters), 1),
        title=alt.Title(
            "The letter's claims by chapter and verdict",
            subtitle="Number of claims; verdicts computed from the data at build time",
        ),
    )
