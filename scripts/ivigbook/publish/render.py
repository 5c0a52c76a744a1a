"""Rendering set-up for chapters: offline Altair charts and itables tables.

Every chapter calls :func:`setup` in its one hidden first cell::

    from ivigbook.publish import render
    render.setup()

After that:

* an Altair chart's mimebundle holds ``text/html`` (a ``<div>`` plus a ``vegaEmbed`` call that
  uses the vega bundle served once from ``_static/ivigbook/``; tooltips work) and ``image/png``
  (print quality, made by vl-convert) for the PDF. ``glue(name, chart, display=False)`` plus
  ``{glue:figure}`` works in both builders.
* :func:`show_table` returns an object whose mimebundle holds ``text/html`` (an itables
  DataTable that loads DataTables from ``_static/ivigbook/itables/``), ``text/latex`` (a booktabs
  longtable) and ``text/plain``.

Nothing here reaches the network: the JavaScript is put in place by :mod:`ivigbook.publish.build`.
"""

from __future__ import annotations

import base64
import hashlib
import html
import json
import re
from typing import Any

import altair as alt
import pandas as pd
import vl_convert as vlc

RENDERER_NAME = "ivigbook"
#: PNG scale for the PDF (2 = ~150 dpi at the chart's nominal pixel size, sharp in print).
PNG_SCALE = 2
#: First line of every ``text/latex`` output made here; :mod:`ivigbook.publish.build` turns
#: such outputs into raw LaTeX (myst-nb would otherwise typeset them as an equation).
RAW_LATEX_MARKER = "%ivigbook:raw-latex"
#: vega-embed options: SVG (crisp, testable), no action menu (it links to external editors).
EMBED_OPTIONS: dict[str, Any] = {"renderer": "svg", "actions": False}
#: Defaults for every interactive table: searchable, sortable, paginated.
TABLE_DEFAULTS: dict[str, Any] = {
    "paging": True,
    "pageLength": 10,
    "lengthMenu": [10, 25, 50, 100],
    "ordering": True,
    # Differs from itables' default layout on purpose: itables strips the search box and
    # paging from tables that fit on one page, and every book table must be searchable.
    "layout": {
        "topStart": "pageLength",
        "topEnd": {"search": {"placeholder": "Filter rows"}},
        "bottomStart": "info",
        "bottomEnd": "paging",
    },
    "display_logo_when_loading": False,
    "allow_html": False,
    "classes": "display compact",
}


def _json_for_script(value: Any) -> str:
    """JSON that is safe inside an HTML ``<script>`` element."""
    text = json.dumps(value, sort_keys=True, separators=(",", ":"))
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


def chart_id(spec: dict[str, Any]) -> str:
    """A deterministic element id derived from the spec's content."""
    digest = hashlib.sha256(json.dumps(spec, sort_keys=True).encode("utf-8")).hexdigest()
    return f"ivig-chart-{digest[:16]}"


def chart_html(spec: dict[str, Any]) -> str:
    """``<div>`` + inline script that draws ``spec`` once the page's vega bundle has loaded."""
    element_id = chart_id(spec)
    return (
        f'<div id="{element_id}" class="ivig-chart vega-embed-container"></div>\n'
        "<script>\n"
        "(function () {\n"
        f"  var el = document.getElementById({json.dumps(element_id)});\n"
        f"  var spec = {_json_for_script(spec)};\n"
        f"  var opt = {_json_for_script(EMBED_OPTIONS)};\n"
        "  function draw() {\n"
        "    window.vegaEmbed(el, spec, opt).then(function (res) {\n"
        "      (window.ivigViews = window.ivigViews || {})[el.id] = res.view;\n"
        "    }).catch(function (err) {\n"
        "      el.textContent = 'Chart failed to render: ' + err;\n"
        "      console.error(err);\n"
        "    });\n"
        "  }\n"
        "  if (window.vegaEmbed) { draw(); }\n"
        "  else { document.addEventListener('DOMContentLoaded', draw); }\n"
        "})();\n"
        "</script>"
    )


def chart_png(spec: dict[str, Any], scale: float = PNG_SCALE) -> bytes:
    """The chart as a PNG made by vl-convert (no browser, no network)."""
    return vlc.vegalite_to_png(spec, scale=scale)


def _describe(spec: dict[str, Any]) -> str:
    title = spec.get("title")
    if isinstance(title, dict):
        title = title.get("text")
    if isinstance(title, list):
        title = " ".join(str(t) for t in title)
    return f"Chart: {title or spec.get('description') or 'untitled'}"


def altair_renderer(spec: dict[str, Any], **_: Any) -> tuple[dict[str, str], dict[str, Any]]:
    """Altair renderer: interactive HTML for the site, a PNG for the PDF."""
    png = chart_png(spec)
    bundle = {
        "text/html": chart_html(spec),
        "image/png": base64.b64encode(png).decode("ascii"),
        "text/plain": _describe(spec),
    }
    return bundle, {}


# --------------------------------------------------------------------------------------
# Tables

_LATEX_SPECIALS = {
    "\\": r"\textbackslash{}",
    "&": r"\&",
    "%": r"\%",
    "$": r"\$",
    "#": r"\#",
    "_": r"\_",
    "{": r"\{",
    "}": r"\}",
    "~": r"\textasciitilde{}",
    "^": r"\textasciicircum{}",
}


def latex_escape(text: object) -> str:
    """Escape text so that LaTeX typesets it literally."""
    return "".join(_LATEX_SPECIALS.get(ch, ch) for ch in str(text))


#: Tables whose widest cells add up to fewer characters than this fit a line as they are.
NATURAL_WIDTH_CHARS = 90
#: Width of one character of \small text as a share of the line (about 100 per line).
CHAR_WIDTH = 0.0105
#: Tables with this many text columns print as records (see records_latex).
RECORDS_FROM_TEXT_COLUMNS = 7
#: On the site, such wide tables scroll sideways with readable column widths instead of
#: squeezing every column into the text block.
# (Not DataTables' scrollX: it splits the header into a separate table, which screen
# readers cannot relate to the cells; the container scrolls instead, see _static/book.css.)
WIDE_TABLE_OPTIONS: dict[str, Any] = {"autoWidth": False}


def _column_widths(frame: pd.DataFrame) -> list[dict[str, Any]]:
    """DataTables column widths that grow with the longest cell, so long text is not
    squeezed into a tall, thin column (about 12 characters per rem-pair)."""
    definitions = []
    for position, column in enumerate(frame.columns):
        longest = max(len(str(v)) for v in [column, *frame[column].dropna()])
        width = min(max(longest / 9, 5), 26)
        definitions.append({"targets": position, "width": f"{width:.0f}rem"})
    return definitions


def latex_column_format(frame: pd.DataFrame) -> str:
    """Column spec that keeps a table inside the text block.

    Numbers are right-aligned; a narrow table keeps natural-width ``l`` columns. In a wide
    one every text column becomes a ragged-right paragraph column: first wide enough for
    its longest word, then the rest of the line shared out by the length of its longest
    cell (capped, so that one long quote does not squeeze the other columns).
    """
    texts = {c: [str(c), *(str(v) for v in frame[c].dropna())] for c in frame.columns}
    numeric = [pd.api.types.is_numeric_dtype(t) for t in frame.dtypes]
    if sum(max(len(t) for t in texts[c]) for c in frame.columns) <= NATURAL_WIDTH_CHARS:
        return "".join("r" if is_num else "l" for is_num in numeric)
    text_columns = [c for c, is_num in zip(frame.columns, numeric, strict=True) if not is_num]
    # Each column costs 2\tabcolsep of padding; numbers keep their natural width.
    share = 0.97 - 0.025 * len(frame.columns) - 0.05 * sum(numeric)
    minimum = {
        c: CHAR_WIDTH * max(len(w) for t in texts[c] for w in t.split() or [""])
        for c in text_columns
    }
    weight = {c: min(max(len(t) for t in texts[c]), 60) for c in text_columns}
    spare = max(share - sum(minimum.values()), 0.0)
    total = sum(weight.values()) or 1
    parts = []
    for column, is_num in zip(frame.columns, numeric, strict=True):
        if is_num:
            parts.append("r")
        else:
            fraction = minimum[column] + spare * weight[column] / total
            parts.append(f">{{\\raggedright\\arraybackslash}}p{{{fraction:.3f}\\linewidth}}")
    return "".join(parts)


def records_latex(frame: pd.DataFrame, caption: str | None = None) -> str:
    """A wide table as a list of records: one block per row, one line per column.

    A table with many text columns cannot be read on a portrait page as columns; as records
    every value keeps the full width of the line. The first column names each record.
    """
    ragged = ">{\\raggedright\\arraybackslash}"
    spec = f"{ragged}p{{0.26\\linewidth}}{ragged}p{{0.68\\linewidth}}"
    lines = [f"\\begin{{longtable}}{{{spec}}}"]
    if caption:
        lines.append(f"\\caption{{{latex_escape(caption)}}}\\\\")
    lines += [
        "\\toprule",
        "\\endfirsthead",
        "\\toprule",
        "\\endhead",
        "\\bottomrule",
        "\\endlastfoot",
    ]
    title_column, *columns = frame.columns
    for index, (_, row) in enumerate(frame.iterrows()):
        if index:
            lines.append("\\midrule")
        lines.append(
            f"\\multicolumn{{2}}{{p{{0.96\\linewidth}}}}{{\\textbf{{{latex_escape(_cell(row[title_column]))}}}}}\\\\*"
        )
        lines += [
            f"{latex_escape(str(column))} & {latex_escape(_cell(row[column]))}\\\\"
            for column in columns
        ]
    lines.append("\\end{longtable}")
    return "\n".join(lines) + "\n"


def _text_column_count(frame: pd.DataFrame) -> int:
    return sum(not pd.api.types.is_numeric_dtype(t) for t in frame.dtypes)


def _cell(value: Any) -> str:
    return "" if pd.isna(value) else str(value)


def table_latex(df: pd.DataFrame, caption: str | None = None, label: str | None = None) -> str:
    """A booktabs longtable, every data and header text escaped for LaTeX."""
    frame = df.copy()
    frame.columns = [str(c) for c in frame.columns]
    if _text_column_count(frame) >= RECORDS_FROM_TEXT_COLUMNS:
        return f"{RAW_LATEX_MARKER}\n{{\\small\n{records_latex(frame, caption)}}}\n"
    styler = frame.style.hide(axis="index")
    styler = styler.format(escape="latex", na_rep="", precision=2)
    styler = styler.format_index(escape="latex", axis=1)
    column_format = latex_column_format(frame)
    body = styler.to_latex(
        environment="longtable",
        hrules=True,
        column_format=column_format,
        caption=latex_escape(caption) if caption else None,
        label=label,
    )
    return f"{RAW_LATEX_MARKER}\n{{\\small\n{body}}}\n"


ITABLES_LINK = re.compile(r"<a href=https://itables\.org/[^>]*>(.*?)</a>", re.S)


class Table:
    """A table for the book: interactive in HTML, typeset in the PDF."""

    def __init__(self, df: pd.DataFrame, caption: str | None = None, **options: Any) -> None:
        self.df = df
        self.caption = caption
        wide = _text_column_count(df) >= RECORDS_FROM_TEXT_COLUMNS
        wide_options = {**WIDE_TABLE_OPTIONS, "columnDefs": _column_widths(df)} if wide else {}
        self.options = {**TABLE_DEFAULTS, **wide_options, **options}

    def table_id(self) -> str:
        """A deterministic HTML id derived from the table's content and caption."""
        digest = hashlib.sha256()
        digest.update(self.df.to_json(orient="split", date_format="iso").encode("utf-8"))
        digest.update(str(self.caption).encode("utf-8"))
        return f"ivig-table-{digest.hexdigest()[:16]}"

    def to_html(self) -> str:
        from itables import to_html_datatable

        options = dict(self.options)
        options.setdefault("table_id", self.table_id())
        if self.caption:
            options["caption"] = html.escape(self.caption)
        # connected=False: the page loads DataTables once from _static (see build.py)
        # instead of itables' per-page inline copy or its CDN.
        # itables' placeholder and static fallback link to itables.org; the book links only
        # to DOIs, PubMed and licences (tests/test_links.py), so keep the link text only.
        return ITABLES_LINK.sub(r"\1", to_html_datatable(self.df, connected=False, **options))

    def to_latex(self) -> str:
        return table_latex(self.df, caption=self.caption)

    def _repr_mimebundle_(self, include: Any = None, exclude: Any = None) -> dict[str, str]:
        return {
            "text/html": self.to_html(),
            "text/latex": self.to_latex(),
            "text/plain": self.df.to_string(),
        }


def show_table(df: pd.DataFrame, caption: str | None = None, **itables_options: Any) -> Table:
    """Return ``df`` as a book table (make it the cell's last expression, or ``glue`` it)."""
    return Table(df, caption=caption, **itables_options)


# --------------------------------------------------------------------------------------


def setup() -> None:
    """Enable the book's offline renderers. Call once in each chapter's hidden first cell."""
    if RENDERER_NAME not in alt.renderers.names():
        alt.renderers.register(RENDERER_NAME, altair_renderer)
    alt.renderers.enable(RENDERER_NAME)
