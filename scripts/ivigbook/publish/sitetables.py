"""The book's tables on the site: itables tables, connected to the book's own bundle."""

from __future__ import annotations

import html
import json
import re
from functools import cache
from pathlib import Path
from typing import Any

import pandas as pd

from ivigbook.publish.chartspec import json_for_script as _json_for_script

#: Where a word may break besides at spaces: in print after _ or /, in a browser after - or /.
LATEX_BREAKS = "_/"
HTML_BREAKS = "-/"


def _break_after(breaks: str) -> re.Pattern[str]:
    """A break allowed after each character of ``breaks`` that a letter or digit follows."""
    return re.compile(f"([{re.escape(breaks)}])(?=\\w)")


def _pieces(text: str, breaks: str = LATEX_BREAKS) -> list[str]:
    """The unbreakable pieces of a cell: words, split where :func:`_break_after` allows."""
    after = _break_after(breaks)
    return [piece for word in text.split() for piece in after.sub(r"\1 ", word).split()]


def _cell(value: Any) -> str:
    return "" if pd.isna(value) else str(value)


#: Tables of at most this many rows are plain HTML: no controls, no script.
PLAIN_TABLE_MAX_ROWS = 5
#: Tables for reading (issue 22): up to ALL_ROWS_MAX rows, no pages; up to NO_CONTROLS_MAX,
#: no controls at all; longer tables show PAGE_LENGTH rows a page.
ALL_ROWS_MAX = 25
NO_CONTROLS_MAX = 10
PAGE_LENGTH = 25
_NO_CONTROLS = {"topStart": None, "topEnd": None, "bottomStart": None, "bottomEnd": None}
_SEARCH = {"search": {"placeholder": "Filter rows"}}
_PAGED = {"topStart": "pageLength", "topEnd": _SEARCH, "bottomStart": "info", "bottomEnd": "paging"}


def reading_options(n_rows: int) -> dict[str, Any]:
    """The DataTables options that fit a table of ``n_rows`` rows (see ALL_ROWS_MAX)."""
    if n_rows <= NO_CONTROLS_MAX:
        return {"paging": False, "searching": False, "info": False, "layout": _NO_CONTROLS}
    if n_rows <= ALL_ROWS_MAX:
        layout = {**_NO_CONTROLS, "topEnd": _SEARCH, "bottomStart": "info"}
        return {"paging": False, "layout": layout}
    lengths = [PAGE_LENGTH, 50, 100]
    return {"paging": True, "pageLength": PAGE_LENGTH, "lengthMenu": lengths, "layout": _PAGED}


#: A column of cells at most this long holds labels ("High risk"): its words stay whole
#: (class ``ivig-short``, _static/book.css).
SHORT_CELL_CHARS = 24
SHORT_CELL_CLASS = "ivig-short"


def _short_columns(df: pd.DataFrame) -> list[bool]:
    return [
        bool(len(df)) and int(df[c].map(_cell).str.len().max()) <= SHORT_CELL_CHARS
        for c in df.columns
    ]


def _td_open(df: pd.DataFrame) -> list[str]:
    """The opening ``<td`` of each column; short-label columns carry ``ivig-short``."""
    return [f'<td class="{SHORT_CELL_CLASS}"' if short else "<td" for short in _short_columns(df)]


# Numbers written as words ("Fifteen", "Twenty-two") or leading a cell ("6 cases").
_UNITS = [
    *("zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten"),
    *("eleven", "twelve", "thirteen", "fourteen", "fifteen", "sixteen", "seventeen"),
    *("eighteen", "nineteen"),
]
_TENS = ["twenty", "thirty", "forty", "fifty", "sixty", "seventy", "eighty", "ninety"]
_WORD_VALUES = {
    **{word: n for n, word in enumerate(_UNITS)},
    **{word: 10 * (n + 2) for n, word in enumerate(_TENS)},
    **{
        f"{tens}-{unit}": 10 * (n + 2) + k
        for n, tens in enumerate(_TENS)
        for k, unit in enumerate(_UNITS[1:10], 1)
    },
    "no": 0,
    "none": 0,
}
_LEADING_NUMBER = re.compile(r"\s*(?:(\d[\d,]*(?:\.\d+)?)|([A-Za-z]+(?:-[A-Za-z]+)?))")
#: Cells a column of numbers may hold besides numbers: they sort before every number.
_NOT_A_NUMBER = re.compile(r"\s*(?:not reported|not known|unknown|n/?a|[-\u2013\u2014]?)\s*$", re.I)


def number_key(text: object) -> float | None:
    """The number a cell starts with, in digits or words ("Twenty-two patients" -> 22), or None."""
    match = _LEADING_NUMBER.match(str(text))
    if match is None:
        return None
    if match.group(1):
        return float(match.group(1).replace(",", ""))
    value = _WORD_VALUES.get(match.group(2).lower())
    return None if value is None else float(value)


def order_keys(column: pd.Series) -> list[float | None] | None:
    """Sort keys for an ordered category or a text column of numbers in digits or words, or None."""
    if isinstance(column.dtype, pd.CategoricalDtype):
        if not column.cat.ordered:
            return None
        return [float(code + 1) for code in column.cat.codes]
    if pd.api.types.is_numeric_dtype(column.dtype) or not len(column):
        return None
    cells = [_cell(v) for v in column]
    keys = [number_key(c) for c in cells]
    numbered = [k for k in keys if k is not None]
    if len(numbered) < 2 or all(c.strip().replace(",", "").isdigit() for c in cells if c):
        return None
    if any(k is None and not _NOT_A_NUMBER.match(c) for k, c in zip(keys, cells, strict=True)):
        return None
    return keys


#: A column is at least as wide as its longest word, unless the table cannot fit ("Swallowin/g"
#: read badly); then the longest words give way first. Em of the 16-px table text; the
#: table's column at 1,280 px is 43 em.
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


#: A word too long for its column breaks after / or . in an identifier (zero-width space) and
#: at pyphen's hyphenation points (soft hyphen): browsers do neither without a dictionary.
SOFT_HYPHEN = "\u00ad"
ZERO_WIDTH_SPACE = "\u200b"
_IDENTIFIER_BREAK = re.compile(r"([/.])(?=\w)")
_LETTERS = re.compile(r"[^\W\d_]{5,}")
#: An identifier with underscores breaks only after its own separators, never by hyphenation.
_IDENTIFIER = re.compile(r"\w_\w")
_IDENTIFIER_SEPARATORS = re.compile(r"([/._])(?=\w)")


@cache
def _hyphenator() -> Any:
    import pyphen

    return pyphen.Pyphen(lang="en_US")


def column_word_chars(df: pd.DataFrame) -> list[int]:
    """The longest word (in characters) each column holds whole at its least width."""
    return [int((em - CELL_PADDING_EM) / BODY_CHAR_EM) for em in column_min_em(df)]


def fit_words(text: str, chars: int) -> str:
    """``text`` with break points in each word longer than ``chars`` characters."""

    def fit(match: re.Match[str]) -> str:
        word = match.group(0)
        if len(word) <= chars:
            return word
        if _IDENTIFIER.search(word):
            return _IDENTIFIER_SEPARATORS.sub(rf"\1{ZERO_WIDTH_SPACE}", word)
        word = _IDENTIFIER_BREAK.sub(rf"\1{ZERO_WIDTH_SPACE}", word)
        return _LETTERS.sub(lambda m: _hyphenator().inserted(m.group(0), hyphen=SOFT_HYPHEN), word)

    return re.sub(r"[^\s-]+", fit, text)


def _table_html(
    df: pd.DataFrame,
    table_id: str | None,
    caption: str | None,
    classes: str,
    attributes: str = "",
    widths_of: pd.DataFrame | None = None,
) -> str:
    """The book's own HTML table: caption, headers at least a word wide, every cell escaped."""
    minimums = column_min_em(df if widths_of is None else widths_of)
    chars = column_word_chars(df if widths_of is None else widths_of)
    head = "".join(
        f'<th scope="col" style="min-width:{k:.1f}em">{html.escape(str(c))}</th>'
        for c, k in zip(df.columns, minimums, strict=True)
    )
    opens = _td_open(df)
    keys = [order_keys(df[c]) for c in df.columns]
    rows = []
    for index, row in enumerate(df.itertuples(index=False)):
        cells = "".join(
            o
            + ("" if key is None else f' data-order="{_order_attr(key[index])}"')
            + f">{html.escape(fit_words(_cell(value), n))}</td>"
            for value, key, o, n in zip(row, keys, opens, chars, strict=True)
        )
        rows.append(f"<tr>{cells}</tr>")
    cap = f"<caption>{html.escape(caption)}</caption>" if caption else ""
    ident = f' id="{table_id}"' if table_id else ""
    return (
        f'<table{ident} class="{html.escape(classes)}"{attributes}>'
        f"{cap}<thead><tr>{head}</tr></thead><tbody>{''.join(rows)}</tbody></table>"
    )


def _order_attr(key: float | None) -> str:
    return "-1" if key is None else f"{key:g}"


def plain_table_html(df: pd.DataFrame, table_id: str, caption: str | None = None) -> str:
    """A small table as plain, accessible HTML: caption, column headers, no controls."""
    return (
        # A region a keyboard can reach: on a narrow screen the wrapper may scroll sideways.
        f'<div class="ivig-table-wrap" tabindex="0" role="region" '
        f'aria-label="{html.escape(caption or "Table")}">'
        f"{_table_html(df, table_id, caption, 'ivig-plain')}</div>"
    )


# Interactive tables: itables, connected to the book's own bundle

#: The table bundle (DataTables, jQuery, ITable; scripts/build-datatables.sh, served from
#: _extra/ at the site's root through html_extra_path).
TABLE_BUNDLE = "ivigbook/datatables/datatables.min.js"
#: 0 turns off itables' silent downsampling: the book shows every row.
MAX_BYTES = 0
#: Larger tables' rows go to a JSON file beside the page (:mod:`ivigbook.publish.site`),
#: loaded through DataTables' ``ajax`` with ``deferRender``.
JSON_ROWS_FROM = 100
JSON_ROWS_MARKER = "ivig-table-rows"
#: The book's own options, not DataTables ones.
_BOOK_OPTIONS = {"classes", "caption", "table_id"}
#: The column of sort keys added for a column in words (see order_keys): hidden.
ORDER_COLUMN_SUFFIX = " (order)"


def page_depth(cwd: Path | None = None) -> int:
    """How many folders below the book's root (``_config.yml``) a chapter runs in ``cwd``."""
    here = (cwd or Path.cwd()).resolve()
    for depth, folder in enumerate([here, *here.parents]):
        if (folder / "_config.yml").is_file():
            return depth
    return 0


def dt_url(depth: int | None = None) -> str:
    """itables' ``dt_url`` for a page ``depth`` folders deep: relative, starting ./ or ../."""
    depth = page_depth() if depth is None else depth
    return ("../" * depth or "./") + TABLE_BUNDLE


def _for_itables(df: pd.DataFrame) -> tuple[pd.DataFrame, list[dict[str, Any]]]:
    """The frame itables receives (cells as the readable table's text) and its columnDefs."""
    frame = pd.DataFrame(index=range(len(df)))
    defs: list[dict[str, Any]] = []
    extra: dict[str, list[str]] = {}
    chars = column_word_chars(df)
    for position, column in enumerate(df.columns):
        values = df[column].reset_index(drop=True)
        keys = order_keys(values)
        if not pd.api.types.is_integer_dtype(values.dtype) or values.isna().any():
            # As the readable table shows them: text, missing empty, long words broken.
            values = values.map(lambda v, n=chars[position]: fit_words(_cell(v), n))
            values = values.astype(object)
        frame[str(column)] = values
        if keys is not None:
            extra[f"{column}{ORDER_COLUMN_SUFFIX}"] = [_order_attr(k) for k in keys]
            defs.append({"targets": position, "orderData": [len(df.columns) + len(extra) - 1]})
    for name, column_keys in extra.items():
        frame[name] = pd.Series(column_keys, dtype=object)
    if extra:
        hidden = list(range(len(df.columns), len(df.columns) + len(extra)))
        defs.append({"targets": hidden, "visible": False, "searchable": False})
    return frame, defs


def _json_rows(frame: pd.DataFrame) -> list[list[Any]]:
    """Rows as itables writes them into ``data_json`` (HTML escaped), for a rows file."""
    from itables.datatables_format import datatables_rows

    return json.loads(datatables_rows(frame))


_ITABLES_LOADING = re.compile(r"<tbody>\s*<tr>\s*<td[^>]*>\s*Loading ITables.*?</tbody>", re.S)


def itables_html(
    df: pd.DataFrame, table_id: str, caption: str | None, options: dict[str, Any]
) -> str:
    """An interactive itables table, its rows in the page or, if many, in a file beside it."""
    import itables

    frame, order_defs = _for_itables(df)
    large = len(df) > JSON_ROWS_FROM
    settings = {k: v for k, v in options.items() if k not in _BOOK_OPTIONS}
    settings.setdefault("order", [])
    short = [i for i, is_short in enumerate(_short_columns(df)) if is_short]
    column_defs = [*settings.pop("columnDefs", []), *order_defs]
    if short:
        column_defs.append({"targets": short, "className": SHORT_CELL_CLASS})
    if column_defs:
        settings["columnDefs"] = column_defs
    if large:
        settings.update(ajax=f"ivig-rows-file:{table_id}", deferRender=True)
    # The header cells' least widths: an option of the book's ITable (the bundle's).
    settings["column_min_widths"] = [f"{k:.1f}em" for k in column_min_em(df)]
    out = itables.to_html_datatable(
        frame.iloc[:0] if large else frame,
        caption=caption,
        table_id=table_id,
        connected=True,
        dt_url=dt_url(),
        maxBytes=MAX_BYTES,
        showIndex=False,
        allow_html=False,
        display_logo_when_loading=False,
        classes=str(options.get("classes", "display compact")),
        style="table-layout:auto;width:100%;caption-side:top",
        warn_on_undocumented_option=False,
        **settings,
    )
    # Not rewriting a rendered page: the two parts of itables' output named above.
    out, n_loading = _ITABLES_LOADING.subn("<tbody></tbody>", out)
    fallback_open = f'<div id="{table_id}_fallback">'
    start = out.find(fallback_open)
    end = out.find("</div><script>", start)
    if n_loading != 1 or start < 0 or end < 0:
        msg = "itables' output changed: see ivigbook.publish.render.itables_html"
        raise RuntimeError(msg)
    if large:
        readable = _table_html(df.iloc[:0], None, caption, "ivig-plain", widths_of=df)
    else:
        readable = _table_html(df, None, caption, "ivig-plain")
    out = out[: start + len(fallback_open)] + readable + out[end:]
    if large:
        rows = {"data": _json_rows(frame)}
        out = (
            f'<div class="ivig-json-table" data-rows-for="{table_id}">\n{out}\n'
            f'<p class="ivig-json-note">This table has {len(df):,} rows. They are loaded from '
            f'the data file <a href="ivig-rows-file:{table_id}">ivig-rows-file:{table_id}</a> '
            "beside this page when you come to it, which needs JavaScript; the same rows are "
            "in the data package.</p>\n"
            f'<script type="application/json" class="{JSON_ROWS_MARKER}" '
            f'data-table="{table_id}">{_json_for_script(rows)}</script>\n</div>'
        )
    return out


_DT_ARGS = re.compile(r"let dt_args = (\{.*?\});\s*new ITable\(", re.S)


def itables_args(text: str) -> dict[str, Any]:
    """The arguments that itables' code in ``text`` passes to ``ITable`` (its first table)."""
    match = _DT_ARGS.search(text)
    if match is None:
        msg = "no itables table in the text"
        raise LookupError(msg)
    args: dict[str, Any] = json.loads(match.group(1))
    return args
