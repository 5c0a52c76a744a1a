"""The book's chart theme (Okabe-Ito palette, shapes, fonts, width) and shared helpers.

Colour never carries meaning alone: each colour encoding is paired with a shape, a text
label or a position.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any, TypeVar

import altair as alt
import pandas as pd

from ivigbook.analysis.vocabulary import (
    CONTRADICTED,
    NOT_TESTABLE,
    PARTLY,
    QUALIFIED,
    RESULT_LABELS,
    SUPPORTED,
)

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


#: Colour and marker shape of each result, design and verdict.
RESULT_STYLES = {
    "improved": (OKABE_ITO["blue"], "triangle-up"),
    "subjective_improvement": (OKABE_ITO["orange"], "diamond"),
    "trend": (OKABE_ITO["sky_blue"], "circle"),
    "not_clinically_relevant": (OKABE_ITO["reddish_purple"], "square"),
    "no_effect": (OKABE_ITO["vermillion"], "cross"),
    "not_reported": (OKABE_ITO["grey"], "stroke"),
}

FONT = "DejaVu Sans, Helvetica, Arial, sans-serif"
WIDTH = 560  # fits the book's text column and an A4 page at print scale


def keyed_encodings(
    field: str, title: str, domain: list[str], styles: list[tuple[str, str]], **how: Any
) -> dict[str, alt.Color | alt.Shape]:
    """Colour and shape encodings of one field (``styles``: a colour and a shape per value of
    ``domain``) that share one legend (``how``: e.g. its legend)."""
    colours, shapes = [c for c, _ in styles], [s for _, s in styles]
    return {
        "color": alt.Color(
            field, title=title, scale=alt.Scale(domain=domain, range=colours), **how
        ),
        "shape": alt.Shape(field, title=title, scale=alt.Scale(domain=domain, range=shapes), **how),
    }


def result_encodings(
    field: str = "result_label", title: str = "Result"
) -> dict[str, alt.Color | alt.Shape | alt.Stroke]:
    """Colour, shape and stroke encodings of a result field, sharing one legend."""
    domain = list(RESULT_LABELS.values())
    styles = [RESULT_STYLES[k] for k in RESULT_LABELS]
    colours = [c for c, _ in styles]
    stroke = alt.Stroke(f"{field}:N", title=title, scale=alt.Scale(domain=domain, range=colours))
    return {**keyed_encodings(f"{field}:N", title, domain, styles), "stroke": stroke}


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


#: Charts with one row per study show at most this many studies (see :func:`limit_studies`).
MAX_STUDIES_SHOWN = 30


def is_added_study(label: object) -> bool:
    """Whether a study label reads "... (added)" or "... (added) [study_id]"."""
    text = str(label)
    return text.endswith("(added)") or "(added) [" in text


def limit_studies(
    frame: pd.DataFrame, column: str = "study", limit: int = MAX_STUDIES_SHOWN
) -> tuple[pd.DataFrame, str | None]:
    """The rows of the letter's studies and of the last added ones, at most ``limit`` studies
    in all, and a note saying what was left out (None if nothing was)."""
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
    """A subtitle with ``note`` (if any) as its last line."""
    if note is None:
        return subtitle
    lines = [subtitle] if isinstance(subtitle, str) else list(subtitle)
    return [*lines, note]


DESIGN_STYLES = {
    design: (OKABE_ITO[colour], shape)
    for design, colour, shape in [
        ("placebo_controlled_trial", "blue", "square"),
        ("controlled_trial", "sky_blue", "diamond"),
        ("case_control", "bluish_green", "triangle-up"),
        ("open_label", "orange", "triangle-down"),
        ("case_series", "vermillion", "circle"),
        ("case_report", "reddish_purple", "cross"),
    ]
}

VERDICT_STYLES = {
    SUPPORTED: ("#009E73", "circle"),
    QUALIFIED: ("#56B4E9", "triangle-up"),
    PARTLY: ("#E69F00", "diamond"),
    CONTRADICTED: ("#D55E00", "cross"),
    NOT_TESTABLE: ("#999999", "square"),
}


#: The ``usermeta`` key of the layout a chart takes on a phone (see ``chartspec.narrow_variant``).
NARROW_KEY = "ivigbook"
ChartT = TypeVar("ChartT", bound=alt.TopLevelMixin)


def with_narrow(
    chart: ChartT,
    narrow: alt.TopLevelMixin | None = None,
    *,
    width: float | None = None,
    y_title: bool = True,
    x_label_angle: float | None = None,
    text_limit: float | None = None,
) -> ChartT:
    """``chart`` carrying its phone layout: ``narrow`` or ``chart`` itself, with the plot
    ``width``, no y title, x labels at ``x_label_angle``, text cut to ``text_limit`` px."""
    spec = (narrow if narrow is not None else chart).to_dict()
    if width is not None and isinstance(spec.get("width"), (int, float)):
        spec["width"] = width
    for node in dicts(spec):
        encoding, mark = node.get("encoding", {}), node.get("mark")
        if not y_title and isinstance(encoding.get("y"), dict):
            encoding["y"]["title"] = None
        x = encoding.get("x")
        if x_label_angle is not None and isinstance(x, dict) and "axis" in x:
            # Turned labels wrapped small and close (two lines fit the narrowest column),
            # unless the chart breaks them its own way.
            x["axis"] = {
                "labelExpr": wrap_label_expr(24),
                "labelFontSize": 11,
                "labelLineHeight": 12,
                **(x["axis"] or {}),
                "labelAngle": x_label_angle,
            }
        if text_limit is not None and isinstance(mark, dict) and mark["type"] == "text":
            mark["limit"] = text_limit
    return chart.properties(usermeta={NARROW_KEY: {"narrow": spec}})


def dicts(node: Any) -> Iterator[dict[str, Any]]:
    """Every dict in a JSON tree, each before its children (which may change meanwhile)."""
    if isinstance(node, dict):
        yield node
        node = list(node.values())
    if isinstance(node, list):
        for item in node:
            yield from dicts(item)


def wrap_label_expr(chars: int) -> str:
    """A Vega expression breaking a label longer than ``chars`` into lines at spaces."""
    pattern = f"(.{{1,{chars}}})(\\\\s+|$)"
    return (
        f"length(datum.label) > {chars} ? split(trim(replace(datum.label, "
        f"regexp('{pattern}', 'g'), '$1\\n')), '\\n') : datum.label"
    )


#: Tooltip titles of the fields, unless a chart names them otherwise; a field in
#: :data:`CAPITALISED` is titled by its name, and ``x_label`` as ``x`` would be.
TOOLTIP_TITLES = {
    "dose_letter": "Dose (letter)",
    "dose": "g/kg per month",
    "months_text": "Planned months",
    "count_text": "Count",
    "quote": "The letter's words",
    "study_type_letter": "Study type (letter)",
    "n": "Patients",
    "overall_basis": "Decided by measures that are",
    "key_results": "Key results (letter)",
    "scenario": "Without IVIG",
    "n_per_arm": "Patients per arm",
    "arms": "IVIG vs control",
    "arms_basis": "Arms",
    "placebo_rate": "Without treatment",
    "group_letter": "Group",
    "stated_as": "Stated as",
    "counts_text": "Count",
    "share_text": "Share",
    "ci_text": "95% CI",
    "reason": "Denominator",
    "measure_text": "Measure",
    "n_study": "Patients in study",
    "controlled": "Control group",
    "blinding_check": "Source check on blinding",
    "letter_words": "The letter's words",
    "measure_letter": "Measure (letter)",
}
CAPITALISED = (
    "study design domain support studies share chapter verdict claims stage detail power "
    "method slowing blinded status assessment basis"
)


def tooltips(fields: str, **titles: str) -> list[alt.Tooltip]:
    """Tooltips of ``fields`` ("name", "name:Q" or "name:Q:format", space separated), titled
    from ``titles``, :data:`TOOLTIP_TITLES` or the capitalised name."""
    out = []
    for token in fields.split():
        name, kind, number_format = [*token.split(":", 2), "", ""][:3]
        kind = kind or "N"
        stem = name.removesuffix("_label")
        capital = stem in CAPITALISED.split() or stem != name
        default = stem.capitalize() if capital else TOOLTIP_TITLES.get(name, name)
        title = titles.get(name, default)
        form = number_format or alt.Undefined
        out.append(alt.Tooltip(f"{name}:{kind}", title=title, format=form))
    return out
