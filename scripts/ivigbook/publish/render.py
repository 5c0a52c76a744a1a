"""Rendering set-up for chapters: offline Altair charts and DataTables tables.

Every chapter calls :func:`setup` in its one hidden first cell::

    from ivigbook.publish import render
    render.setup()

After that:

* an Altair chart's mimebundle holds ``text/html`` (a ``<div>`` plus the chart compiled to
  Vega at build time by :mod:`ivigbook.publish.chartspec`, drawn by the vega runtime served
  once from ``_static/ivigbook/``, laid out for the width of its container; tooltips work) and
  ``application/pdf`` (vector, fonts embedded, made by vl-convert from the same spec) for the
  PDF. ``glue(name, chart, display=False)`` plus
  ``{glue:figure}`` works in both builders.
* :func:`show_table` returns an object whose mimebundle holds ``text/html`` (a complete HTML
  table that ``_static/book.js`` turns into a DataTable: search, sort, pages), ``text/latex``
  (a booktabs longtable) and ``text/plain``.

Nothing here reaches the network: the vega bundle is put in place by
:mod:`ivigbook.publish.build`, and so is the DataTables bundle (``_static/ivigbook/datatables/``).
"""

from __future__ import annotations

import base64
import hashlib
import html
import re
from typing import Any

import altair as alt
import pandas as pd
import vl_convert as vlc

from ivigbook.publish.chartspec import (
    VEGA_LITE_VERSION,
    chart_html,
    print_spec,
)
from ivigbook.publish.chartspec import json_for_script as _json_for_script

RENDERER_NAME = "ivigbook"
#: PNG scale for the PDF (2 = ~150 dpi at the chart's nominal pixel size, sharp in print).
PNG_SCALE = 2
#: First line of every ``text/latex`` output made here; :mod:`ivigbook.publish.build` turns
#: such outputs into raw LaTeX (myst-nb would otherwise typeset them as an equation).
RAW_LATEX_MARKER = "%ivigbook:raw-latex"
#: Defaults for every interactive table: searchable, sortable, paginated.
TABLE_DEFAULTS: dict[str, Any] = {
    "paging": True,
    "pageLength": 10,
    "lengthMenu": [10, 25, 50, 100],
    "ordering": True,
    # Every book table is searchable, even one that fits on one page.
    "layout": {
        "topStart": "pageLength",
        "topEnd": {"search": {"placeholder": "Filter rows"}},
        "bottomStart": "info",
        "bottomEnd": "paging",
    },
    "classes": "display compact",
}


def chart_png(spec: dict[str, Any], scale: float = PNG_SCALE) -> bytes:
    """The chart as a PNG made by vl-convert (no browser, no network)."""
    return vlc.vegalite_to_png(print_spec(spec), scale=scale)


def chart_pdf(spec: dict[str, Any]) -> bytes:
    """The chart as a vector PDF made by vl-convert, its fonts embedded: what the book's PDF
    prints (text stays text, lines stay sharp at any zoom)."""
    return vlc.vegalite_to_pdf(print_spec(spec), vl_version=VEGA_LITE_VERSION)


def _describe(spec: dict[str, Any]) -> str:
    title = spec.get("title")
    if isinstance(title, dict):
        title = title.get("text")
    if isinstance(title, list):
        title = " ".join(str(t) for t in title)
    return f"Chart: {title or spec.get('description') or 'untitled'}"


def altair_renderer(spec: dict[str, Any], **_: Any) -> tuple[dict[str, str], dict[str, Any]]:
    """Altair renderer: interactive HTML for the site, a vector PDF for the book's PDF."""
    bundle = {
        "text/html": chart_html(spec),
        "application/pdf": base64.b64encode(chart_pdf(spec)).decode("ascii"),
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
#: Width of one character of \small text as a share of the portrait text line (about 100).
CHAR_WIDTH = 0.0105
#: Tables with this many text columns print on landscape pages in \footnotesize: as columns
#: they read across, which label/value blocks per row do not.
LANDSCAPE_FROM_TEXT_COLUMNS = 7
#: A \footnotesize character on a landscape line, as a share of that (1.41 times longer) line.
LANDSCAPE_CHAR_WIDTH = CHAR_WIDTH * (9 / 10) / 1.41
#: On the site, such wide tables scroll sideways with readable column widths instead of
#: squeezing every column into the text block.
# (Not DataTables' scrollX: it splits the header into a separate table, which screen
# readers cannot relate to the cells; the container scrolls instead, see _static/book.css.)
WIDE_TABLE_OPTIONS: dict[str, Any] = {"autoWidth": False}
#: Where a line may break inside a word, besides at spaces: a printed cell breaks after an
#: underscore or a slash (long identifiers and paths); a browser breaks after a hyphen or a
#: slash.
LATEX_BREAKS = "_/"
HTML_BREAKS = "-/"


def _break_after(breaks: str) -> re.Pattern[str]:
    """A break allowed after each character of ``breaks`` that a letter or digit follows."""
    return re.compile(f"([{re.escape(breaks)}])(?=\\w)")


_BREAK_AFTER = _break_after(LATEX_BREAKS)
_CODE_SPAN = re.compile(r"`([^`]+)`")


def _column_widths(frame: pd.DataFrame) -> list[dict[str, Any]]:
    """DataTables column widths that grow with the longest cell, so long text is not
    squeezed into a tall, thin column (about 12 characters per rem-pair)."""
    definitions = []
    for position, column in enumerate(frame.columns):
        longest = max(len(str(v)) for v in [column, *frame[column].dropna()])
        width = min(max(longest / 9, 5), 26)
        definitions.append({"targets": position, "width": f"{width:.0f}rem"})
    return definitions


def _pieces(text: str, breaks: str = LATEX_BREAKS) -> list[str]:
    """The unbreakable pieces of a cell: words, split again where :func:`_break_after`
    allows a break."""
    after = _BREAK_AFTER if breaks == LATEX_BREAKS else _break_after(breaks)
    return [piece for word in text.split() for piece in after.sub(r"\1 ", word).split()]


def latex_column_format(frame: pd.DataFrame, char_width: float = CHAR_WIDTH) -> str:
    """Column spec that keeps a table inside the text block.

    Numbers are right-aligned; a narrow table keeps natural-width ``l`` columns. In a wide
    one numbers keep one line (their header wraps) and every text column becomes a
    ragged-right paragraph column: first wide enough for its longest unbreakable piece, then
    the rest of the line shared out by the amount of text in it (mean and capped longest
    cell, so one long quote does not squeeze the other columns). If the pieces alone do not
    fit, every column shrinks in proportion (words then hyphenate).
    """
    texts = {c: [str(c), *(_cell_text(v) for v in frame[c].dropna())] for c in frame.columns}
    numeric = [pd.api.types.is_numeric_dtype(t) for t in frame.dtypes]
    natural = sum(max(len(t) for t in texts[c]) for c in frame.columns)
    if natural * char_width <= NATURAL_WIDTH_CHARS * CHAR_WIDTH:
        return "".join("r" if is_num else "l" for is_num in numeric)
    text_columns = [c for c, is_num in zip(frame.columns, numeric, strict=True) if not is_num]

    def header_piece(column: str) -> float:
        # Headers are bold, about a tenth wider than body text.
        return 1.1 * max(len(w) for w in _pieces(str(column)) or [""])

    # Numbers keep one line; a long header wraps above them.
    number_width = {
        c: char_width * max(header_piece(c), *(len(t) for t in texts[c][1:])) + 0.005
        for c, is_num in zip(frame.columns, numeric, strict=True)
        if is_num
    }
    # Each column costs 2\tabcolsep (8 pt, see table_latex) and a little slack: about 0.022
    # of a portrait line, 0.014 of a landscape one.
    padding = 0.022 if char_width == CHAR_WIDTH else 0.014
    share = 0.97 - padding * len(frame.columns)
    share -= sum(number_width.values())
    minimum = {
        c: char_width
        * max(header_piece(c), *(len(w) for t in texts[c][1:] for w in _pieces(t) or [""]))
        for c in text_columns
    }
    if sum(minimum.values()) > share:
        scale = share / sum(minimum.values())
        minimum = {c: width * scale for c, width in minimum.items()}
    # The rest of the line goes by the amount of text: mean and (capped) longest cell.
    weight = {}
    for c in text_columns:
        lengths = [len(t) for t in texts[c][1:]] or [len(c)]
        weight[c] = (sum(lengths) / len(lengths) * min(max(lengths), 120)) ** 0.5
    spare = max(share - sum(minimum.values()), 0.0)
    total = sum(weight.values()) or 1
    parts = []
    for column, is_num in zip(frame.columns, numeric, strict=True):
        if is_num:
            width = number_width[column]
            parts.append(f">{{\\raggedleft\\arraybackslash}}p{{{width:.3f}\\linewidth}}")
        else:
            fraction = minimum[column] + spare * weight[column] / total
            # \hspace{0pt}: TeX hyphenates the first word of a cell too.
            parts.append(
                f">{{\\raggedright\\arraybackslash\\hspace{{0pt}}}}p{{{fraction:.3f}\\linewidth}}"
            )
    return "".join(parts)


def _text_column_count(frame: pd.DataFrame) -> int:
    return sum(not pd.api.types.is_numeric_dtype(t) for t in frame.dtypes)


def _cell(value: Any) -> str:
    return "" if pd.isna(value) else str(value)


def _cell_text(value: Any) -> str:
    """A cell as printed: floats with two decimals, Markdown code marks dropped."""
    if isinstance(value, float) and not pd.isna(value):
        return f"{value:.2f}"
    return _CODE_SPAN.sub(r"\1", _cell(value))


def latex_cell(value: Any) -> str:
    """A cell escaped for LaTeX; `code` in the text prints in type, and long identifiers
    may break after ``_`` or ``/``."""
    if isinstance(value, float) and not pd.isna(value):
        return f"{value:.2f}"
    text = _cell(value)
    out = []
    for index, part in enumerate(_CODE_SPAN.split(text)):
        escaped = latex_escape(_BREAK_AFTER.sub("\\1\0", part)).replace("\0", r"\allowbreak{}")
        out.append(f"\\texttt{{{escaped}}}" if index % 2 else escaped)
    cell = "".join(out)
    # A row's first cell follows the previous row's \\, which would read a "[" as its
    # optional spacing argument: "{}" ends that look-ahead.
    return "{}" + cell if cell.startswith("[") else cell


#: The PDF prints at most this many rows of a table (about eight pages). A longer table, as
#: the data of a book with hundreds of studies make, is unreadable in print, and TeX runs
#: out of memory on a table of some thousands of rows. A note under the table says how many
#: rows were left out and where they all are. (No table of the real book comes near it.)
PDF_ROWS_MAX = 250


def rows_left_out_note(shown: int, total: int) -> str:
    """The line under a table the PDF cuts short: how much is printed, where the rest is."""
    return (
        f"The PDF prints the first {shown:,} of this table's {total:,} rows. "
        "All rows are in the same table in the web edition of this chapter, "
        "and in the book's data package."
    )


def table_latex(
    df: pd.DataFrame,
    caption: str | None = None,
    label: str | None = None,
    max_rows: int = PDF_ROWS_MAX,
) -> str:
    """A booktabs longtable that fits the text block, every data and header text escaped.

    Tables with many text columns go on landscape pages in smaller type. Of a table longer
    than ``max_rows``, the first ``max_rows`` rows are printed, with a note on the rest.
    """
    total = len(df)
    frame = df.iloc[:max_rows].copy()
    frame.columns = [str(c) for c in frame.columns]
    landscape = _text_column_count(frame) >= LANDSCAPE_FROM_TEXT_COLUMNS
    char_width = LANDSCAPE_CHAR_WIDTH if landscape else CHAR_WIDTH
    column_format = latex_column_format(frame, char_width)
    header = " & ".join(f"\\textbf{{{latex_cell(c)}}}" for c in frame.columns) + " \\\\"
    caption_line = f"\\caption{{{latex_escape(caption)}}}" if caption else ""
    if caption_line and label:
        caption_line += f"\\label{{{label}}}"
    n = len(frame.columns)
    lines = ["\\setlength{\\tabcolsep}{4pt}", f"\\begin{{longtable}}{{{column_format}}}"]
    if caption_line:
        lines.append(caption_line + " \\\\")
    lines += ["\\toprule", header, "\\midrule", "\\endfirsthead"]
    if caption:
        lines.append(f"\\caption[]{{{latex_escape(caption)} (continued)}} \\\\")
    lines += ["\\toprule", header, "\\midrule", "\\endhead"]
    lines += [
        f"\\midrule\\multicolumn{{{n}}}{{r}}{{\\emph{{Continued on next page}}}} \\\\",
        "\\endfoot",
    ]
    lines += ["\\bottomrule", "\\endlastfoot"]
    for _, row in frame.iterrows():
        lines.append(" & ".join(latex_cell(row[c]) for c in frame.columns) + " \\\\")
    lines.append("\\end{longtable}")
    if total > len(frame):
        note = latex_escape(rows_left_out_note(len(frame), total))
        lines.append(f"\\par\\noindent\\emph{{{note}}}\\par")
    body = "\n".join(lines)
    if landscape:
        body = f"\\begin{{landscape}}\n{{\\footnotesize\n{body}\n}}\n\\end{{landscape}}"
        return f"{RAW_LATEX_MARKER}\n{body}\n"
    return f"{RAW_LATEX_MARKER}\n{{\\small\n{body}\n}}\n"


#: Tables with at most this many rows are plain HTML tables: paging, search and "entries per
#: page" controls only get in the way of a reader of five rows.
PLAIN_TABLE_MAX_ROWS = 5


#: A column whose every cell is at most this long holds labels ("partly supported", "High
#: risk"): its cells keep their words whole (class ``ivig-short``, _static/book.css), so that
#: a narrow column never breaks a word in two; longer cells may break a long word.
SHORT_CELL_CHARS = 24
SHORT_CELL_CLASS = "ivig-short"


def _td_open(df: pd.DataFrame) -> list[str]:
    """The opening ``<td`` of each column (left open for attributes): short-label columns
    carry ``ivig-short``."""
    return [
        f'<td class="{SHORT_CELL_CLASS}"'
        if len(df) and df[c].map(_cell).str.len().max() <= SHORT_CELL_CHARS
        else "<td"
        for c in df.columns
    ]


def _sort_keys(column: pd.Series) -> list[int] | None:
    """For an ordered category column, each cell's rank (0 for a missing value): a table
    sorts such a column in the categories' order, not alphabetically."""
    if not isinstance(column.dtype, pd.CategoricalDtype):
        return None
    return [int(code) + 1 for code in column.cat.codes]


#: On the site a column is at least as wide as its longest word (a browser may also break
#: after a hyphen or a slash), so that a word breaks mid-word only where the table cannot
#: otherwise fit: "Swallowin/g" read badly. Widths in em of the 16-px table text: a body
#: character is about 0.58 em, a bold header character 0.63 em, and a cell's padding 1 em.
#: The table's column at 1,280 px is 43 em; when the words do not fit in TABLE_MIN_EM, the
#: longest words give way first (each column keeps min(its word, a cap) and the cap is the
#: largest that fits).
BODY_CHAR_EM = 0.58
HEADER_CHAR_EM = 0.63
CELL_PADDING_EM = 1.0
TABLE_MIN_EM = 42.0


def _longest_piece(texts: list[str]) -> int:
    """The longest piece a browser cannot break (:func:`_pieces` at :data:`HTML_BREAKS`)."""
    return max((len(p) for t in texts for p in _pieces(t, HTML_BREAKS)), default=0)


def column_min_em(df: pd.DataFrame) -> list[float]:
    """Each column's minimum width in em: its longest word, as far as the table allows."""
    words = [
        max(
            BODY_CHAR_EM * _longest_piece([_cell(v) for v in df[c]]),
            HEADER_CHAR_EM * _longest_piece([str(c)]),
        )
        for c in df.columns
    ]
    room = TABLE_MIN_EM - CELL_PADDING_EM * len(words)
    cap = max(words, default=0.0)
    if sum(words) > room > 0:
        # The largest cap whose capped words fit the room.
        for width in sorted(words, reverse=True):
            capped = [min(w, width) for w in words]
            if sum(capped) <= room:
                bigger = [w for w in words if w > width]
                cap = width + (room - sum(capped)) / max(len(bigger), 1)
                break
        else:
            cap = room / len(words)
    return [min(w, cap) + CELL_PADDING_EM for w in words]


def _table_html(
    df: pd.DataFrame,
    table_id: str,
    caption: str | None,
    classes: str,
    attributes: str = "",
    widths_of: pd.DataFrame | None = None,
) -> str:
    """The one writer of a book table's HTML: caption, column headers (``scope="col"``, each
    at least as wide as the column's longest word: :func:`column_min_em` of ``widths_of``,
    by default ``df``) and every cell escaped (text, never markup). ``df`` without rows
    writes an empty body (the rows then travel as JSON); an ordered category column's cells
    carry their rank as ``data-order``, so that DataTables sorts them in the categories'
    order."""
    minimums = column_min_em(df if widths_of is None else widths_of)
    head = "".join(
        f'<th scope="col" style="min-width:{k:.1f}em">{html.escape(str(c))}</th>'
        for c, k in zip(df.columns, minimums, strict=True)
    )
    opens = _td_open(df)
    keys = [_sort_keys(df[c]) for c in df.columns]
    rows = []
    for index, row in enumerate(df.itertuples(index=False)):
        cells = "".join(
            o
            + ("" if key is None else f' data-order="{key[index]}"')
            + f">{html.escape(_cell(value))}</td>"
            for value, key, o in zip(row, keys, opens, strict=True)
        )
        rows.append(f"<tr>{cells}</tr>")
    cap = f"<caption>{html.escape(caption)}</caption>" if caption else ""
    return (
        f'<table id="{table_id}" class="{html.escape(classes)}"{attributes}>'
        f"{cap}<thead><tr>{head}</tr></thead><tbody>{''.join(rows)}</tbody></table>"
    )


def plain_table_html(df: pd.DataFrame, table_id: str, caption: str | None = None) -> str:
    """A small table as plain, accessible HTML: caption, column headers, no controls."""
    return (
        # A region a keyboard can reach: on a narrow screen the wrapper may scroll sideways.
        f'<div class="ivig-table-wrap" tabindex="0" role="region" '
        f'aria-label="{html.escape(caption or "Table")}">'
        f"{_table_html(df, table_id, caption, 'ivig-plain')}</div>"
    )


#: Tables with more rows than this keep their rows out of the page: the HTML holds the header
#: and a script element that :mod:`ivigbook.publish.site` moves into a JSON file beside the
#: page at build time; ``_static/book.js`` loads it into the table (sorting, filtering and
#: paging as every other table). Without JavaScript the page names the file.
JSON_ROWS_FROM = 100
JSON_ROWS_MARKER = "ivig-table-rows"
#: The book's own options, not DataTables ones.
_BOOK_OPTIONS = {"classes", "caption", "table_id"}
#: Interactive tables of at most JSON_ROWS_FROM rows: marked for _static/book.js.
DATATABLE_CLASS = "ivig-datatable"


def _json_value(value: Any) -> Any:
    if value is None or (not isinstance(value, (list, dict)) and pd.isna(value)):
        return None
    if hasattr(value, "item"):
        value = value.item()
    if isinstance(value, (bool, int, float, str)):
        return value
    return str(value)


def _settings(options: dict[str, Any]) -> dict[str, Any]:
    """The DataTables options of a book table (the book's own keys left out)."""
    settings = {k: v for k, v in options.items() if k not in _BOOK_OPTIONS}
    settings.setdefault("order", [])
    return settings


def json_table_html(
    df: pd.DataFrame, table_id: str, caption: str | None, options: dict[str, Any]
) -> str:
    """A table whose rows travel as JSON (see JSON_ROWS_FROM)."""
    payload = {
        "columns": [str(c) for c in df.columns],
        "numeric": [bool(pd.api.types.is_numeric_dtype(t)) for t in df.dtypes],
        "options": _settings(options),
        "data": [[_json_value(v) for v in row] for row in df.itertuples(index=False)],
    }
    classes = str(options.get("classes", "display compact"))
    n = len(df)
    return (
        f'<div class="ivig-json-table" data-rows-for="{table_id}">\n'
        f"{_table_html(df.iloc[:0], table_id, caption, classes, widths_of=df)}\n"
        f'<p class="ivig-json-note">This table has {n:,} rows. They are loaded from the data '
        f'file <a href="ivig-rows-file:{table_id}">ivig-rows-file:{table_id}</a> beside this '
        "page, which needs JavaScript; the same rows are in the data package.</p>\n"
        f'<script type="application/json" class="{JSON_ROWS_MARKER}" data-table="{table_id}">'
        f"{_json_for_script(payload)}</script>\n</div>"
    )


def datatable_html(
    df: pd.DataFrame, table_id: str, caption: str | None, options: dict[str, Any]
) -> str:
    """A complete HTML table (every cell escaped: text, never markup) that _static/book.js
    turns into a DataTable with ``options``; without JavaScript it stays a plain table."""
    classes = f"{options.get('classes', 'display compact')} {DATATABLE_CLASS}"
    attributes = f' data-options="{html.escape(_json_for_script(_settings(options)))}"'
    return _table_html(df, table_id, caption, classes, attributes)


class Table:
    """A table for the book: interactive in HTML, typeset in the PDF."""

    def __init__(
        self,
        df: pd.DataFrame,
        caption: str | None = None,
        *,
        pdf: bool | pd.DataFrame = True,
        **options: Any,
    ) -> None:
        self.df = df
        self.caption = caption
        #: False: the table is left out of the PDF (one that repeats another table there);
        #: a DataFrame: the PDF prints it instead (the same rows, columns chosen for print).
        self.pdf = pdf
        wide = _text_column_count(df) >= LANDSCAPE_FROM_TEXT_COLUMNS
        wide_options = {**WIDE_TABLE_OPTIONS, "columnDefs": _column_widths(df)} if wide else {}
        self.options = {**TABLE_DEFAULTS, **wide_options, **options}

    def table_id(self) -> str:
        """A deterministic HTML id derived from the table's content and caption."""
        digest = hashlib.sha256()
        digest.update(self.df.to_json(orient="split", date_format="iso").encode("utf-8"))
        digest.update(str(self.caption).encode("utf-8"))
        return f"ivig-table-{digest.hexdigest()[:16]}"

    def to_html(self) -> str:
        if len(self.df) <= PLAIN_TABLE_MAX_ROWS:
            plain_id = self.table_id().replace("ivig-table-", "ivig-plain-")
            return plain_table_html(self.df, plain_id, self.caption)
        table_id = self.options.get("table_id") or self.table_id()
        if len(self.df) > JSON_ROWS_FROM:
            return json_table_html(self.df, table_id, self.caption, self.options)
        return datatable_html(self.df, table_id, self.caption, self.options)

    def to_latex(self) -> str:
        if self.pdf is False:
            return f"{RAW_LATEX_MARKER}\n"
        frame = self.pdf if isinstance(self.pdf, pd.DataFrame) else self.df
        if frame.empty:
            # No empty table in print: one line says what it would hold.
            what = latex_escape(self.caption or "Table")
            return f"{RAW_LATEX_MARKER}\n\\par\\noindent\\emph{{{what}: none.}}\\par\n"
        return table_latex(frame, caption=self.caption)

    def _repr_mimebundle_(self, include: Any = None, exclude: Any = None) -> dict[str, str]:
        return {
            "text/html": self.to_html(),
            "text/latex": self.to_latex(),
            "text/plain": self.df.to_string(),
        }


def show_table(
    df: pd.DataFrame,
    caption: str | None = None,
    *,
    pdf: bool | pd.DataFrame = True,
    **options: Any,
) -> Table:
    """Return ``df`` as a book table (make it the cell's last expression, or ``glue`` it).

    ``pdf=False`` leaves it out of the PDF (for a table that repeats another one there);
    ``pdf=<DataFrame>`` prints that frame instead (the same content with columns chosen for
    the page). An empty table prints as one line, "<caption>: none."
    """
    return Table(df, caption=caption, pdf=pdf, **options)


# --------------------------------------------------------------------------------------


def setup() -> None:
    """Enable the book's offline renderers. Call once in each chapter's hidden first cell."""
    if RENDERER_NAME not in alt.renderers.names():
        alt.renderers.register(RENDERER_NAME, altair_renderer)
    alt.renderers.enable(RENDERER_NAME)
