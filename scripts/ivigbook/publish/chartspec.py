"""The site's charts, compiled at build time: a static chart as SVG for a laptop and a phone
(:func:`static_html`), an interactive one as Vega specs that ``charts.js`` draws
(:func:`runtime_html`). The PDF prints :func:`print_spec`.
"""

from __future__ import annotations

import hashlib
import html
import json
import re
import textwrap
from typing import Any

import altair as alt
import vl_convert as vlc

from ivigbook.figures.theme import FONT, NARROW_KEY, dicts, wrap_label_expr


def json_for_script(value: Any) -> str:
    """JSON that is safe inside an HTML ``<script>`` element."""
    text = json.dumps(value, sort_keys=True, separators=(",", ":"))
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


#: The Vega-Lite version the specs are compiled with: Altair's own.
VEGA_LITE_VERSION = ".".join(alt.SCHEMA_VERSION.split(".")[:2])


def chart_id(spec: dict[str, Any]) -> str:
    """A deterministic element id derived from the spec's content."""
    digest = hashlib.sha256(json.dumps(spec, sort_keys=True).encode("utf-8")).hexdigest()
    return f"ivig-chart-{digest[:16]}"


def print_spec(spec: dict[str, Any]) -> dict[str, Any]:
    """The spec as printed: fixed widths, without the narrow variant the site uses."""
    usermeta = {k: v for k, v in (spec.get("usermeta") or {}).items() if k != NARROW_KEY}
    out = {k: v for k, v in spec.items() if k != "usermeta"}
    return {**out, "usermeta": usermeta} if usermeta else out


def _flexible_widths(vega: dict[str, Any]) -> list[dict[str, Any]]:
    """The plot width signals (each panel's in a vconcat) that may be fitted to a column,
    with their least width: 30% of the print width."""
    values = {s["name"]: s.get("value") for s in vega.get("signals", [])}
    if isinstance(vega.get("width"), (int, float)):
        values["width"] = vega["width"]
    widths = [m.get("encode", {}).get("update", {}).get("width") for m in vega.get("marks", [])]
    names = ["width", *(w.get("signal") for w in widths if isinstance(w, dict))]
    return [
        {"name": n, "min": round(max(80.0, 0.3 * float(values[n])))}
        for n in dict.fromkeys(names)
        if isinstance(n, str) and isinstance(values.get(n), (int, float))
    ]


def vega_spec(spec: dict[str, Any]) -> dict[str, Any]:
    """``spec`` compiled to Vega, with its flexible widths in ``usermeta.ivigFlex``."""
    vega = vlc.vegalite_to_vega(print_spec(spec), vl_version=VEGA_LITE_VERSION)
    flexible = _flexible_widths(vega)
    if flexible and "hconcat" not in spec:
        vega["usermeta"] = {**vega.get("usermeta", {}), "ivigFlex": flexible}
    return vega


#: On a phone: characters per line of chart titles (of subtitles 38, of axis and legend titles 26).
NARROW_TITLE_CHARS = 28


def _wrap(text: Any, width: int) -> Any:
    lines = [text] if isinstance(text, str) else text
    if not isinstance(lines, list):
        return text
    out = [line for item in lines for line in textwrap.wrap(str(item), width) or [""]]
    return out if len(out) > 1 else (out[0] if out else "")


def _narrow_titles(node: Any, parent: str = "") -> Any:
    """Every title wrapped, legends below their plot in one column, text marks cut to 150 px."""
    if isinstance(node, list):
        return [_narrow_titles(item, parent) for item in node]
    if not isinstance(node, dict) or parent == "tooltip":
        return node
    out = {}
    chart, channel = _is_chart(node), "field" in node or "aggregate" in node
    for key, value in node.items():
        if key == "title" and isinstance(value, (str, list)) and (chart or channel):
            out[key] = _wrap(value, NARROW_TITLE_CHARS if chart else 26)
        elif key == "title" and isinstance(value, dict) and chart:
            chars = {"text": NARROW_TITLE_CHARS, "subtitle": 38}
            out[key] = {k: _wrap(v, chars[k]) if k in chars else v for k, v in value.items()}
        elif key == "legend" and isinstance(value, dict):
            kept = {k: v for k, v in value.items() if k != "columns"}
            out[key] = {**kept, "orient": "bottom", "direction": "vertical"}
        elif key == "mark" and isinstance(value, dict) and value.get("type") == "text":
            out[key] = {"limit": 150, **value}
        else:
            out[key] = _narrow_titles(value, key)
    return out


def _is_chart(node: dict[str, Any]) -> bool:
    return any(k in node for k in ("mark", "layer", "vconcat", "hconcat", "concat", "facet"))


def narrow_variant(spec: dict[str, Any]) -> dict[str, Any]:
    """The spec for a phone: the factory's narrow layout (or the chart), with wrapped titles,
    legends below the plot and labels cut or wrapped (20 and 24 characters a line)."""
    narrow = (spec.get("usermeta") or {}).get(NARROW_KEY, {}).get("narrow") or print_spec(spec)
    narrow = _narrow_titles(narrow)
    config = dict(narrow.get("config", {}))
    axis = {"labelLimit": 140, "labelExpr": wrap_label_expr(20)}
    legend = {"labelLimit": 160, "orient": "bottom", "direction": "vertical"}
    config["axis"] = {**config.get("axis", {}), **axis}
    config["legend"] = {**config.get("legend", {}), **legend}
    return {**narrow, "config": config}


def narrow_vega(vega: dict[str, Any]) -> dict[str, Any]:
    """The compiled narrow layout with legend labels wrapped (Vega-Lite takes a ``labelExpr``
    only legend by legend) and legends stacked below the plot."""
    out = json.loads(json.dumps(vega))
    for node in [out, *(m for m in dicts(out.get("marks", [])) if "type" in m)]:
        for legend in node.get("legends", []):
            labels = legend.setdefault("encode", {}).setdefault("labels", {})
            labels.setdefault("update", {}).setdefault("text", {"signal": wrap_label_expr(24)})
    config = out.setdefault("config", {})
    stacked = {"bottom": {"anchor": "start", "direction": "vertical", "margin": 12}}
    config["legend"] = {**config.get("legend", {}), "layout": stacked}
    return out


#: Shown until an interactive chart is drawn, and where JavaScript is off.
NO_SCRIPT_TEXT = (
    "The interactive chart needs JavaScript. The figure's caption says what it shows, and "
    "the book's PDF prints the same chart."
)


def is_interactive(node: Any) -> bool:
    """Whether a Vega-Lite spec has a parameter a reader moves (a control or a selection)."""
    if not isinstance(node, dict):
        return False
    found = dicts({k: v for k, v in node.items() if k != "datasets"})
    params = [p for d in found for p in d.get("params") or [] if isinstance(p, dict)]
    return any("bind" in p or "select" in p for p in params)


def chart_html(spec: dict[str, Any]) -> str:
    """The chart for the site: :func:`runtime_html` if interactive, else :func:`static_html`."""
    return runtime_html(spec) if is_interactive(spec) else static_html(spec)


def runtime_html(spec: dict[str, Any]) -> str:
    """``<div>`` + script drawing ``spec`` and its narrow variant once the vega bundle loads."""
    wide = vega_spec(spec)
    narrow = narrow_vega(vega_spec(narrow_variant(spec)))
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


#: The text column of a 1,280-px window and of a 390-px phone (``_static/book.css`` shows
#: the one that fits).
WIDE_COLUMN = 672
NARROW_COLUMN = 342


def _tooltip_text(signal: str) -> str:
    """A Vega expression giving Vega-Lite's tooltip object ``signal`` as "Title: value" lines."""
    body = signal.strip()
    if not (body.startswith("{") and body.endswith("}")):
        return f'"" + ({body})'
    parts, depth, start, quote, i = [], 0, 1, "", 1
    while i < len(body) - 1:
        char = body[i]
        if quote:
            i += char == "\\"  # an escaped character is skipped
            quote = "" if char == quote else quote
        elif char in "\"'":
            quote = char
        elif char in "([{" or char in ")]}":
            depth += 1 if char in "([{" else -1
        elif char == "," and not depth:
            parts.append(body[start:i])
            start = i + 1
        i += 1
    lines = []
    for part in [*parts, body[start:-1]]:
        key, end = json.JSONDecoder().raw_decode(part.strip())
        lines.append(f"{json.dumps(f'{key}: ')} + ({part.strip()[end:].lstrip()[1:].strip()})")
    return ' + "\\n" + '.join(lines)


def _described(vega: dict[str, Any], tooltips: bool) -> dict[str, Any]:
    """A copy of ``vega`` whose marks are described by their tooltips (or not at all); a text
    mark repeating a shape's tooltip drops it and lets the pointer through."""

    def tip(mark: dict[str, Any]) -> str | None:
        found = mark.get("encode", {}).get("update", {}).get("tooltip", {})
        return found.get("signal") if isinstance(found, dict) else None

    def visit(node: dict[str, Any]) -> None:
        shapes = {tip(m) for m in node.get("marks", []) if m.get("type") != "text"} - {None}
        for mark in node.get("marks", []):
            repeated = mark.get("type") == "text" and tip(mark) in shapes
            mark.update({"interactive": False} if repeated else {})
            for channels in mark.get("encode", {}).values():
                channels.pop("description", None)
                found = channels.pop("tooltip", None) if repeated else channels.get("tooltip")
                if tooltips and isinstance(found, dict) and "signal" in found and not repeated:
                    channels["description"] = {"signal": _tooltip_text(found["signal"])}
            visit(mark)

    out: dict[str, Any] = json.loads(json.dumps(vega))
    visit(out)
    return out


def _render(vega: dict[str, Any], column: float) -> str:
    """SVG of ``vega`` with its flexible widths fitted to ``column`` pixels."""
    flexible = (vega.get("usermeta") or {}).get("ivigFlex", [])
    for _ in range(5):
        svg = vlc.vega_to_svg(vega)
        delta = column - _svg_width(svg)
        if not flexible or 0 <= delta < 2:
            break
        for entry in flexible:
            name, least = entry["name"], entry["min"]
            if name == "width" and isinstance(vega.get("width"), (int, float)):
                vega["width"] = max(least, vega["width"] + delta)
            for signal in vega.get("signals", []):
                if signal["name"] == name and "value" in signal:
                    signal["value"] = max(least, signal["value"] + delta)
    return svg


def _svg_width(svg: str) -> float:
    match = re.search(r'<svg[^>]* width="([0-9.]+)"', svg)
    return float(match.group(1)) if match else 0.0


_MARK_LABEL = re.compile(r'<(path|rect|line|image)([^>]*?) aria-label="([^"]*)"([^>]*?)/>')
_TEXT_LABEL = re.compile(r'<text([^>]*?) aria-label="([^"]*)"([^>]*>.*?</text>)', re.S)
_ARIA = re.compile(r' (?:role|aria-[a-z]+)="[^"]*"')
#: Coordinates (in tags, never in text) to a tenth of a pixel: more digits draw nothing.
_DIGITS = re.compile(r"(\d\.\d)\d+")
#: What Vega writes that draws nothing: the empty frame of an axis or a legend, full opacity.
_NOTHING = re.compile(
    r'<path class="(?:back|fore)ground" d="(?:M0,0h0v0h0Z)?"[^>]*/>| opacity="1"(?=[ />])'
)


def _title(attribute: str) -> str:
    """An escaped attribute's text as a ``<title>`` element."""
    return f"<title>{html.escape(html.unescape(attribute), quote=False)}</title>"


def _finish_svg(svg: str, prefix: str, variant: str, title: str) -> str:
    """Mark descriptions as ``<title>``, no other ARIA (the figure's alt text describes it),
    ids unique on the page, the variant's class, the chart's title as ``<desc>``."""
    svg = _MARK_LABEL.sub(lambda m: f"<{m[1]}{m[2]}{m[4]}>{_title(m[3])}</{m[1]}>", svg)
    svg = _TEXT_LABEL.sub(lambda m: f"<g>{_title(m[2])}<text{m[1]}{m[3]}</g>", svg)
    svg = _NOTHING.sub("", _ARIA.sub("", svg))
    svg = re.sub(r"<[^>]+>", lambda tag: _DIGITS.sub(r"\1", tag.group()), svg)
    # the theme's font once, on the root element, which every text inherits
    svg = svg.replace(f' font-family="{FONT}"', "").replace(
        "<svg ", f'<svg font-family="{FONT}" ', 1
    )
    for name in set(re.findall(r' id="([^"]+)"', svg)):
        svg = svg.replace(f'id="{name}"', f'id="{prefix}-{name}"')
        svg = svg.replace(f"url(#{name})", f"url(#{prefix}-{name})")
    svg = svg.replace('class="marks"', f'class="marks ivig-{variant}"', 1)
    head = svg.index(">") + 1
    return f"{svg[:head]}<desc>{html.escape(title)}</desc>{svg[head:]}"


def chart_title(spec: dict[str, Any]) -> str:
    """The chart's title (its lines joined) for the SVG's ``<desc>``."""
    title = spec.get("title") or ""
    title = title.get("text") or "" if isinstance(title, dict) else title
    return " ".join(" ".join(map(str, title) if isinstance(title, list) else [title]).split())


def static_html(spec: dict[str, Any]) -> str:
    """``<div>`` with the chart as SVG for a laptop and for a phone, tooltips as titles."""
    element_id = chart_id(spec)
    wide = vega_spec(spec)
    narrow = narrow_vega(vega_spec(narrow_variant(spec)))
    wide_svg = _render(_described(wide, tooltips=True), WIDE_COLUMN)
    if _svg_width(wide_svg) > WIDE_COLUMN + 1:  # the print layout does not fit: the narrow one
        wide_svg = _render(_described(narrow, tooltips=True), WIDE_COLUMN)
    # No titles on a phone's layout: a touch screen never shows them.
    narrow_svg = _render(_described(narrow, tooltips=False), NARROW_COLUMN)
    title = chart_title(spec)
    svgs = "".join(
        _finish_svg(svg, f"{element_id}-{name[0]}", name, title)
        for name, svg in (("wide", wide_svg), ("narrow", narrow_svg))
    )
    return f'<div id="{element_id}" class="ivig-chart ivig-static">{svgs}</div>'
