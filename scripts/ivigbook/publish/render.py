"""Rendering set-up for chapters: offline Altair charts and DataTables tables."""

from __future__ import annotations

import base64
import hashlib
import io
import re
from typing import Any

import altair as alt
import pandas as pd
import pikepdf
import vl_convert as vlc

from ivigbook.publish.chartspec import VEGA_LITE_VERSION, chart_html, print_spec
from ivigbook.publish.sitetables import (
    LATEX_BREAKS,
    PLAIN_TABLE_MAX_ROWS,
    _break_after,
    _cell,
    _pieces,
    itables_html,
    plain_table_html,
    reading_options,
)

RENDERER_NAME = "ivigbook"
#: First line of every ``text/latex`` output made here; :mod:`ivigbook.publish.build` turns
#: such outputs into raw LaTeX (myst-nb would otherwise typeset them as an equation).
RAW_LATEX_MARKER = "%ivigbook:raw-latex"
#: Defaults for every interactive table (reading_options sets controls and paging).
TABLE_DEFAULTS: dict[str, Any] = {"ordering": True, "classes": "display compact"}


def chart_pdf(spec: dict[str, Any]) -> bytes:
    """The chart as a vector PDF made by vl-convert, fonts embedded, for the book's PDF.

    vl-convert lists a page's resources and objects in a different order on each call, so
    qpdf (through pikepdf) writes the same PDF out again in its own canonical order, with an
    /ID derived from the content: the same chart always gives the same bytes, and so does
    the book's PDF that typesets it.
    """
    made = vlc.vegalite_to_pdf(print_spec(spec), vl_version=VEGA_LITE_VERSION)
    out = io.BytesIO()
    with pikepdf.open(io.BytesIO(made)) as pdf:
        pdf.save(out, deterministic_id=True)
    return out.getvalue()


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


_LATEX_SPECIALS = {ch: "\\" + ch for ch in "&%$#_{}"} | {"\\": r"\textbackslash{}"}
_LATEX_SPECIALS |= {"~": r"\textasciitilde{}", "^": r"\textasciicircum{}"}


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
#: On the site such wide tables scroll sideways (the container, _static/book.css: DataTables'
#: scrollX splits the header into a table screen readers cannot relate to the cells).
WIDE_TABLE_OPTIONS: dict[str, Any] = {"autoWidth": False}
_BREAK_AFTER = _break_after(LATEX_BREAKS)
_CODE_SPAN = re.compile(r"`([^`]+)`")


def _column_widths(frame: pd.DataFrame) -> list[dict[str, Any]]:
    """DataTables column widths that grow with the longest cell."""
    definitions = []
    for position, column in enumerate(frame.columns):
        longest = max(len(str(v)) for v in [column, *frame[column].dropna()])
        width = min(max(longest / 9, 5), 26)
        definitions.append({"targets": position, "width": f"{width:.0f}rem"})
    return definitions


def latex_column_format(frame: pd.DataFrame, char_width: float = CHAR_WIDTH) -> str:
    """Column spec that keeps a table inside the text block."""
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


def _cell_text(value: Any) -> str:
    """A cell as printed: floats with two decimals, Markdown code marks dropped."""
    if isinstance(value, float) and not pd.isna(value):
        return f"{value:.2f}"
    return _CODE_SPAN.sub(r"\1", _cell(value))


def latex_cell(value: Any) -> str:
    """A cell escaped for LaTeX: `code` in type, long identifiers breakable after _ or /."""
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


#: The PDF prints at most this many rows of a table (about eight pages; TeX runs out of memory
#: on thousands), with a note on the rest.
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
    """A booktabs longtable that fits the text block, every data and header text escaped."""
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
        self.options = {**TABLE_DEFAULTS, **reading_options(len(df)), **wide_options, **options}

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
        return itables_html(self.df, table_id, self.caption, self.options)

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


def show_table(df: pd.DataFrame, caption: str | None = None, **options: Any) -> Table:
    """Return ``df`` as a book table (make it the cell's last expression, or ``glue`` it)."""
    return Table(df, caption=caption, **options)


def setup() -> None:
    """Enable the book's offline renderers. Call once in each chapter's hidden first cell."""
    if RENDERER_NAME not in alt.renderers.names():
        alt.renderers.register(RENDERER_NAME, altair_renderer)
    alt.renderers.enable(RENDERER_NAME)
