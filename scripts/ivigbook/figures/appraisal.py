"""The risk-of-bias charts: a traffic-light plot (study x domain, as robvis draws it) and a
summary bar per domain. Colour is paired with the judgement's symbol in every cell and bar."""

from __future__ import annotations

from collections.abc import Callable

import altair as alt
import pandas as pd

from ivigbook.analysis.vocabulary import (
    ROB_DOMAIN_LABELS,
    ROB_JUDGEMENT_LABELS,
    ROB_SYMBOLS,
    ROB_TOOL_LABELS,
)
from ivigbook.figures.theme import (
    OKABE_ITO,
    WIDTH,
    limit_studies,
    tooltips,
    with_narrow,
    with_note,
    wrap_label_expr,
)

#: Risk-of-bias colours: robvis's traffic lights, colour-blind safe.
ROB_COLOURS = {
    "low": OKABE_ITO["bluish_green"],
    "unclear": OKABE_ITO["yellow"],
    "high": OKABE_ITO["vermillion"],
    "not_assessed": "#DDDDDD",
}
#: Width of the study labels of the risk-of-bias charts; the cells share the rest of WIDTH.
ROB_LABEL_WIDTH = 190

_LEGEND = [f"{ROB_SYMBOLS[k]} {label}" for k, label in ROB_JUDGEMENT_LABELS.items()]


def _colour() -> alt.Color:
    return alt.Color(
        "legend:N",
        title="Risk of bias",
        scale=alt.Scale(domain=_LEGEND, range=[ROB_COLOURS[k] for k in ROB_JUDGEMENT_LABELS]),
        legend=alt.Legend(orient="bottom", direction="horizontal"),
    )


def _panels(
    frame: pd.DataFrame, panel: Callable[[pd.DataFrame, list[str]], alt.LayerChart | alt.FacetChart]
) -> list[alt.LayerChart | alt.FacetChart]:
    """A ``panel`` per tool (given its rows and its domains' labels), titled by the tool."""
    frame = frame.assign(legend=frame["symbol"] + " " + frame["judgement_label"])
    return [
        panel(part, [ROB_DOMAIN_LABELS[d] for d in dict.fromkeys(part["domain"])]).properties(
            title=alt.TitleParams(ROB_TOOL_LABELS[tool], anchor="start", fontSize=13)
        )
        for tool in ROB_TOOL_LABELS
        if not (part := frame[frame["tool"] == tool]).empty
    ]


def _panel(part: pd.DataFrame, domains: list[str]) -> alt.LayerChart | alt.FacetChart:
    studies = list(dict.fromkeys(part["study"]))
    step = max(24.0, (WIDTH - ROB_LABEL_WIDTH) / max(len(domains), 1))
    base = alt.Chart(part).encode(
        x=alt.X(
            "domain_label:N",
            sort=domains,
            title=None,
            axis=alt.Axis(orient="top", labelAngle=-40, labelLimit=230),
        ),
        y=alt.Y(
            "study:N",
            sort=studies,
            title=None,
            # A long study name goes on two lines, whole, not cut short.
            axis=alt.Axis(labelLimit=ROB_LABEL_WIDTH - 10, labelExpr=wrap_label_expr(22)),
        ),
        tooltip=tooltips("study domain_label judgement_label support source_label"),
    )
    cells = base.mark_rect(stroke="white", strokeWidth=2).encode(color=_colour())
    symbols = base.mark_text(fontSize=16, fontWeight="bold", color="black").encode(text="symbol:N")
    return alt.layer(cells, symbols).properties(width=step * len(domains), height=alt.Step(26))


def rob_traffic_light(table: pd.DataFrame) -> alt.VConcatChart:
    """One panel per tool: a row per study, a column per domain, a coloured cell with the
    judgement's symbol (+ low, ? unclear, - high, dot not assessed)."""
    shown, note = limit_studies(table)
    chart = alt.vconcat(*_panels(shown, _panel), spacing=24).properties(
        title=alt.TitleParams(
            "Risk of bias, study by study",
            subtitle=with_note(
                "Each cell: the judgement for one domain, as colour and symbol", note
            ),
        )
    )
    # On a phone the domain names stand upright above their column.
    return with_narrow(chart, x_label_angle=-90)


def rob_summary_chart(summary: pd.DataFrame) -> alt.VConcatChart:
    """Per domain, the share of studies judged low, unclear, high or not assessed."""
    order = {k: i for i, k in enumerate(ROB_JUDGEMENT_LABELS)}
    frame = summary.assign(order=summary["judgement"].map(order))

    def panel(part: pd.DataFrame, domains: list[str]) -> alt.LayerChart | alt.FacetChart:
        base = alt.Chart(part).encode(
            y=alt.Y("domain_label:N", sort=domains, title=None, axis=alt.Axis(labelLimit=220)),
            x=alt.X(
                "share:Q",
                stack="zero",
                title="Share of studies",
                axis=alt.Axis(format="%"),
                scale=alt.Scale(domain=[0, 1]),
            ),
            order=alt.Order("order:Q"),
            tooltip=tooltips("domain_label judgement_label studies:Q share:Q:.0%"),
        )
        bars = base.mark_bar(stroke="white").encode(color=_colour())
        labels = base.mark_text(fontSize=13, fontWeight="bold", color="black", dx=-8).encode(
            x=alt.X("share:Q", stack="zero", bandPosition=1),
            text="symbol:N",
        )
        return alt.layer(bars, labels).properties(width=WIDTH - 240, height=alt.Step(24))

    return alt.vconcat(*_panels(frame, panel), spacing=20).properties(
        title=alt.TitleParams(
            "Risk of bias, domain by domain",
            subtitle="Share of studies with each judgement; the symbol repeats the colour",
        )
    )
