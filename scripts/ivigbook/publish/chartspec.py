"""The site's charts: each Altair chart compiled to Vega at build time, with a narrow layout
for phones, and the HTML that draws it.

:func:`chart_html` (used by :func:`ivigbook.publish.render.altair_renderer`) embeds the Vega
spec of the print layout and of the narrow one; ``charts.js`` (appended to the page's vega
bundle by :mod:`ivigbook.publish.build`) draws whichever fits the chart's container and lays
it out for the container's width. The PDF prints :func:`print_spec` at its own width.
"""

from __future__ import annotations

import hashlib
import html
import json
import textwrap
from typing import Any

import altair as alt
import vl_convert as vlc

from ivigbook.figures.theme import wrap_label_expr


def json_for_script(value: Any) -> str:
    """JSON that is safe inside an HTML ``<script>`` element."""
    text = json.dumps(value, sort_keys=True, separators=(",", ":"))
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


#: The Vega-Lite version the specs are compiled with: Altair's own (vl-convert pins it).
VEGA_LITE_VERSION = ".".join(alt.SCHEMA_VERSION.split(".")[:2])
#: Where a chart factory puts the narrow (phone) variant of a chart: ``usermeta`` of the
#: Vega-Lite spec (see :func:`ivigbook.figures.theme.with_narrow`).
USERMETA_KEY = "ivigbook"
#: A flexible panel of a concatenated chart keeps at least this share of its print width.
FLEX_MIN_SHARE = 0.3


def chart_id(spec: dict[str, Any]) -> str:
    """A deterministic element id derived from the spec's content."""
    digest = hashlib.sha256(json.dumps(spec, sort_keys=True).encode("utf-8")).hexdigest()
    return f"ivig-chart-{digest[:16]}"


def print_spec(spec: dict[str, Any]) -> dict[str, Any]:
    """The spec as printed: fixed widths, without the narrow variant the site uses."""
    usermeta = dict(spec.get("usermeta") or {})
    if USERMETA_KEY not in usermeta:
        return spec
    usermeta.pop(USERMETA_KEY)
    out = {k: v for k, v in spec.items() if k != "usermeta"}
    if usermeta:
        out["usermeta"] = usermeta
    return out


def _flexible_widths(vega: dict[str, Any]) -> list[dict[str, Any]]:
    """The width signals the runtime (``charts.js``) may change, with their least width.

    A single or layered chart's plot width; in a vertically concatenated chart, each
    panel's. The runtime grows or shrinks them by what the chart is too narrow or too wide
    for its container and lays the chart out again (axes, ticks and labels follow).
    """
    values = {s["name"]: s.get("value") for s in vega.get("signals", [])}
    if isinstance(vega.get("width"), (int, float)):
        values["width"] = vega["width"]
    names = ["width"] if "width" in values else []
    for mark in vega.get("marks", []):
        width = mark.get("encode", {}).get("update", {}).get("width", {})
        name = width.get("signal") if isinstance(width, dict) else None
        if (
            isinstance(name, str)
            and isinstance(values.get(name), (int, float))
            and name not in names
        ):
            names.append(name)
    return [
        {"name": n, "min": round(max(80.0, FLEX_MIN_SHARE * float(values[n])))}
        for n in names
        if isinstance(values.get(n), (int, float))
    ]


def vega_spec(spec: dict[str, Any]) -> dict[str, Any]:
    """The Vega spec the site draws for a Vega-Lite ``spec``, compiled at build time, with
    its flexible widths (:func:`_flexible_widths`) in ``usermeta.ivigFlex``."""
    vega = vlc.vegalite_to_vega(print_spec(spec), vl_version=VEGA_LITE_VERSION)
    flexible = _flexible_widths(vega)
    if flexible and "hconcat" not in spec:
        vega["usermeta"] = {**vega.get("usermeta", {}), "ivigFlex": flexible}
    return vega


#: On a narrow screen (a phone) titles wrap at about this many characters per line (15 px
#: bold for a title, 12 px for a subtitle).
NARROW_TITLE_CHARS = 28
NARROW_SUBTITLE_CHARS = 38
#: Axis and legend titles (13 px) wrap at this many characters.
NARROW_AXIS_TITLE_CHARS = 26
#: Axis labels are cut to this width in pixels, ending in an ellipsis (the tooltip and the
#: tables give them whole).
NARROW_LABEL_LIMIT = 140
#: Legend labels, likewise: a legend below the plot starts where the plot does, to the right
#: of the axis labels.
NARROW_LEGEND_LABEL_LIMIT = 160
#: Text marks (labels beside points, words in cells) are cut to this width on a phone.
NARROW_TEXT_LIMIT = 150
#: On a phone an axis or legend label longer than this many characters is wrapped onto lines
#: at spaces (never cut with an ellipsis): an axis label's line fits NARROW_LABEL_LIMIT at
#: 11-12 px, a legend label's NARROW_LEGEND_LABEL_LIMIT.
NARROW_AXIS_LABEL_CHARS = 20
NARROW_LEGEND_LABEL_CHARS = 24


def _wrap(text: Any, width: int) -> Any:
    lines = [text] if isinstance(text, str) else text
    if not isinstance(lines, list):
        return text
    out = [line for item in lines for line in textwrap.wrap(str(item), width) or [""]]
    return out if len(out) > 1 else (out[0] if out else "")


def _narrow_titles(node: Any, parent: str = "") -> Any:
    """Wrap every title and subtitle of a spec (charts, panels, axes and legends); legends
    go below their plot in one column; text marks are cut to a phone's width."""
    if isinstance(node, list):
        return [_narrow_titles(item, parent) for item in node]
    if not isinstance(node, dict) or parent == "tooltip":
        return node
    out = {}
    chart, channel = _is_chart(node), "field" in node or "aggregate" in node
    for key, value in node.items():
        if key == "title" and isinstance(value, (str, list)) and (chart or channel):
            out[key] = _wrap(value, NARROW_TITLE_CHARS if chart else NARROW_AXIS_TITLE_CHARS)
        elif key == "title" and isinstance(value, dict) and chart:
            title = dict(value)
            if "text" in title:
                title["text"] = _wrap(title["text"], NARROW_TITLE_CHARS)
            if "subtitle" in title:
                title["subtitle"] = _wrap(title["subtitle"], NARROW_SUBTITLE_CHARS)
            out[key] = title
        elif key == "legend" and isinstance(value, dict):
            legend = {**value, "orient": "bottom", "direction": "vertical"}
            legend.pop("columns", None)
            out[key] = legend
        elif key == "mark" and isinstance(value, dict) and value.get("type") == "text":
            out[key] = {"limit": NARROW_TEXT_LIMIT, **value}
        else:
            out[key] = _narrow_titles(value, key)
    return out


def _is_chart(node: dict[str, Any]) -> bool:
    return any(k in node for k in ("mark", "layer", "vconcat", "hconcat", "concat", "facet"))


def narrow_variant(spec: dict[str, Any]) -> dict[str, Any]:
    """The Vega-Lite spec of a chart for a narrow screen: the factory's own narrow layout if
    it made one (:func:`ivigbook.figures.theme.with_narrow`), else the chart itself; either
    way with wrapped titles, legends below the plot in one column and shorter labels."""
    narrow = (spec.get("usermeta") or {}).get(USERMETA_KEY, {}).get("narrow") or print_spec(spec)
    narrow = _narrow_titles(narrow)
    config = dict(narrow.get("config", {}))
    config["axis"] = {
        **config.get("axis", {}),
        "labelLimit": NARROW_LABEL_LIMIT,
        "labelExpr": wrap_label_expr(NARROW_AXIS_LABEL_CHARS),
    }
    config["legend"] = {
        **config.get("legend", {}),
        "labelLimit": NARROW_LEGEND_LABEL_LIMIT,
        "orient": "bottom",
        "direction": "vertical",
    }
    return {**narrow, "config": config}


def narrow_vega(vega: dict[str, Any]) -> dict[str, Any]:
    """The compiled narrow layout, finished for a phone: legend labels wrapped onto lines
    (:func:`wrap_label_expr`; Vega-Lite takes a legend's ``labelExpr`` only legend by legend)
    and several legends below the plot stacked one under another, not side by side."""

    def visit(node: Any) -> None:
        if isinstance(node, list):
            for item in node:
                visit(item)
            return
        if not isinstance(node, dict):
            return
        for legend in node.get("legends", []):
            labels = legend.setdefault("encode", {}).setdefault("labels", {})
            update = labels.setdefault("update", {})
            if "text" not in update:
                update["text"] = {"signal": wrap_label_expr(NARROW_LEGEND_LABEL_CHARS)}
        for key in ("marks", "legends"):
            visit(node.get(key, []))

    out = json.loads(json.dumps(vega))
    visit(out)
    config = out.setdefault("config", {})
    config["legend"] = {
        **config.get("legend", {}),
        "layout": {"bottom": {"anchor": "start", "direction": "vertical", "margin": 12}},
    }
    return out


#: A narrow layout's data set whose rows are those of a data set of the print layout names it
#: here instead of repeating them (``charts.js`` copies them back before drawing).
SHARED_VALUES_KEY = "ivigValuesOf"


def _share_data(wide: dict[str, Any], narrow: dict[str, Any]) -> dict[str, Any]:
    """``narrow`` with the rows it shares with ``wide`` named, not repeated: a page carries
    each chart's data once."""
    names = {
        json.dumps(d["values"], sort_keys=True): d["name"]
        for d in wide.get("data", [])
        if "values" in d
    }
    data = []
    for entry in narrow.get("data", []):
        key = json.dumps(entry["values"], sort_keys=True) if "values" in entry else None
        if key in names:
            entry = {k: v for k, v in entry.items() if k != "values"}
            entry[SHARED_VALUES_KEY] = names[key]
        data.append(entry)
    return {**narrow, "data": data} if "data" in narrow else narrow


#: Shown inside a chart's container until the chart is drawn, and instead of it where
#: JavaScript is off.
NO_SCRIPT_TEXT = (
    "The interactive chart needs JavaScript. The figure's caption says what it shows, and "
    "the book's PDF prints the same chart."
)


def chart_html(spec: dict[str, Any]) -> str:
    """``<div>`` + inline script that draws ``spec`` (compiled to Vega) once the page's vega
    bundle has loaded, with its narrow variant for a phone (:func:`narrow_variant`)."""
    wide = vega_spec(spec)
    narrow = _share_data(wide, narrow_vega(vega_spec(narrow_variant(spec))))
    element_id = chart_id(wide)
    return (
        f'<div id="{element_id}" class="ivig-chart">'
        f'<p class="ivig-chart-fallback">{html.escape(NO_SCRIPT_TEXT)}</p></div>\n'
        "<script>\n"
        "(function () {\n"
        f"  var el = document.getElementById({json.dumps(element_id)});\n"
        f"  var spec = {json_for_script(wide)};\n"
        f"  var narrow = {json_for_script(narrow)};\n"
        "  function draw() { window.ivigChart(el, spec, narrow); }\n"
        "  if (window.ivigChart) { draw(); }\n"
        "  else { document.addEventListener('DOMContentLoaded', draw); }\n"
        "})();\n"
        "</script>"
    )
