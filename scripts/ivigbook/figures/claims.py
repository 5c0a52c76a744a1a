"""The claims-by-verdict chart."""

from __future__ import annotations

import altair as alt
import pandas as pd

from ivigbook.figures.theme import VERDICT_STYLES, WIDTH, tooltips


def verdict_chart(counts: pd.DataFrame) -> alt.LayerChart | alt.FacetChart:
    """Bars of the number of claims per verdict, each bar labelled with its count."""
    domain = list(counts["verdict"])
    base = alt.Chart(counts).encode(
        y=alt.Y("verdict:N", sort=domain, title="Verdict"),
        x=alt.X("claims:Q", title="Claims of the letter", axis=alt.Axis(tickMinStep=1)),
        tooltip=tooltips("verdict claims:Q"),
    )
    colours = alt.Scale(domain=domain, range=[VERDICT_STYLES[v][0] for v in domain])
    bars = base.mark_bar().encode(color=alt.Color("verdict:N", legend=None, scale=colours))
    labels = base.mark_text(align="left", dx=4, fontSize=12).encode(text="claims:Q")
    return alt.layer(bars, labels).properties(
        width=WIDTH - 200,
        height=40 * len(domain),
        title=alt.TitleParams(
            "The letter's claims, checked against the data", subtitle="Number of claims per verdict"
        ),
    )
