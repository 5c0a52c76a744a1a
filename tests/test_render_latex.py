"""Tables typeset for the page: column widths that add up to the text block."""

from __future__ import annotations

import re

import pandas as pd
import pytest

from ivigbook.publish import render, sitetables


def _widths(spec: str) -> list[float]:
    return [float(w) for w in re.findall(r"p\{([0-9.]+)\\linewidth\}", spec)]


@pytest.mark.parametrize("n_columns", [3, 6, 9, 13])
def test_wide_tables_fit_the_line(n_columns: int) -> None:
    frame = pd.DataFrame(
        {
            f"column {i}": ["a long cell of prose " * (i + 1), "identifier_with_parts"]
            for i in range(n_columns)
        }
    ).assign(**{"Patients in study": [19, 200]})
    landscape = n_columns >= render.LANDSCAPE_FROM_TEXT_COLUMNS
    char_width = render.LANDSCAPE_CHAR_WIDTH if landscape else render.CHAR_WIDTH
    widths = _widths(render.latex_column_format(frame, char_width))
    assert len(widths) == n_columns + 1  # the numbers keep a column of their own
    # 4 pt of padding each side of a column: 8/430 of a portrait line, 8/700 of a landscape one.
    padding = (8 / 700 if landscape else 8 / 430) * (n_columns + 1)
    assert sum(widths) + padding <= 1.0


def test_many_text_columns_go_landscape() -> None:
    frame = pd.DataFrame(
        {f"c{i}": ["text " * 20] for i in range(render.LANDSCAPE_FROM_TEXT_COLUMNS)}
    )
    latex = render.table_latex(frame, caption="Wide")
    assert "\\begin{landscape}" in latex
    assert "\\footnotesize" in latex
    narrow = render.table_latex(frame.iloc[:, :3], caption="Narrow")
    assert "landscape" not in narrow


def test_cells_escape_and_break() -> None:
    assert render.latex_cell("a_b & 50 %") == "a\\_\\allowbreak{}b \\& 50 \\%"
    assert render.latex_cell("see `x_y`") == "see \\texttt{x\\_\\allowbreak{}y}"
    assert render.latex_cell(0.5) == "0.50"
    # After a row's \\, a cell starting with "[" is not read as a spacing argument.
    assert render.latex_cell("[Authors not confirmed]") == "{}[Authors not confirmed]"


def test_empty_table_prints_a_line_and_pdf_false_prints_nothing() -> None:
    empty = render.show_table(pd.DataFrame({"a": []}), caption="Studies added").to_latex()
    assert "longtable" not in empty
    assert "Studies added: none." in empty
    hidden = render.show_table(pd.DataFrame({"a": [1]}), caption="Repeat", pdf=False).to_latex()
    assert hidden.strip() == render.RAW_LATEX_MARKER


def _printed_rows(latex: str) -> list[str]:
    body = latex.split("\\endlastfoot", 1)[1].split("\\end{longtable}", 1)[0]
    return [line for line in body.strip().splitlines() if line.endswith("\\\\")]


def test_a_long_table_prints_its_first_rows_and_says_where_the_rest_are() -> None:
    n = render.PDF_ROWS_MAX + 37
    frame = pd.DataFrame({"Study": [f"study {i}" for i in range(n)], "Patients": range(n)})
    latex = render.show_table(frame, caption="Every judgement").to_latex()
    rows = _printed_rows(latex)
    assert len(rows) == render.PDF_ROWS_MAX
    assert rows[0].startswith("study 0 &")
    assert rows[-1].startswith(f"study {render.PDF_ROWS_MAX - 1} &")
    note = re.search(r"\\emph\{(The PDF prints the first [^}]*)\}", latex)
    assert note, "a cut table must say so"
    assert f"{render.PDF_ROWS_MAX:,}" in note.group(1)
    assert f"{n:,}" in note.group(1)
    assert "web edition" in note.group(1)
    # The note follows the table, outside it.
    assert latex.index("\\end{longtable}") < latex.index("The PDF prints the first")


def test_a_table_at_the_limit_prints_every_row_and_no_note() -> None:
    n = render.PDF_ROWS_MAX
    frame = pd.DataFrame({"Study": [f"study {i}" for i in range(n)], "Patients": range(n)})
    latex = render.table_latex(frame, caption="Every judgement")
    assert len(_printed_rows(latex)) == n
    assert "The PDF prints the first" not in latex


# On the site: each column at least as wide as its longest word, as far as the table allows.


def test_a_column_keeps_its_longest_word_whole() -> None:
    frame = pd.DataFrame({"Outcome": ["Swallowing", "Strength"], "Trials": ["1 (19)", "3 (77)"]})
    outcome, trials = sitetables.column_min_em(frame)
    assert outcome >= sitetables.BODY_CHAR_EM * len("Swallowing") + sitetables.CELL_PADDING_EM
    assert trials >= sitetables.HEADER_CHAR_EM * len("Trials") + sitetables.CELL_PADDING_EM
    html = render.show_table(frame, caption="Findings").to_html()
    assert f'style="min-width:{outcome:.1f}em">Outcome</th>' in html


def test_a_wide_table_fits_and_the_longest_words_give_way_first() -> None:
    long_words = {f"c{i}": ["incomprehensibilities " * 3] for i in range(4)}
    frame = pd.DataFrame({**long_words, "Short": ["Swallowing"]})
    widths = sitetables.column_min_em(frame)
    assert sum(widths) <= sitetables.TABLE_MIN_EM + 1e-9
    # The short-word column keeps its word; the long words are cut to the same cap.
    assert widths[-1] >= sitetables.BODY_CHAR_EM * len("Swallowing") + sitetables.CELL_PADDING_EM
    assert len({round(w, 6) for w in widths[:-1]}) == 1
    assert widths[0] < sitetables.BODY_CHAR_EM * len("incomprehensibilities") + 1


def test_a_hyphen_or_slash_is_a_place_to_break() -> None:
    frame = pd.DataFrame({"Who": ["patient-reported", "and/or"]})
    (width,) = sitetables.column_min_em(frame)
    assert width < sitetables.BODY_CHAR_EM * len("patient-reported")


def test_a_word_longer_than_its_column_gets_break_points() -> None:
    """A word wider than its column's least width hyphenates (soft hyphens, shown only where
    the line breaks); an identifier breaks after a slash or a full stop; shorter words stay
    as they are."""
    fitted = sitetables.fit_words("No recommendation on IVIG", 10)
    assert sitetables.SOFT_HYPHEN in fitted
    assert fitted.replace(sitetables.SOFT_HYPHEN, "") == "No recommendation on IVIG"
    assert sitetables.fit_words("No recommendation on IVIG", 14) == "No recommendation on IVIG"
    doi = sitetables.fit_words("DOI 10.1093/rheumatology/keaa459", 12)
    assert f"/{sitetables.ZERO_WIDTH_SPACE}keaa459" in doi
    assert doi.replace(sitetables.ZERO_WIDTH_SPACE, "").replace(sitetables.SOFT_HYPHEN, "") == (
        "DOI 10.1093/rheumatology/keaa459"
    )
    # an identifier with underscores breaks after them, never inside a word with a hyphen
    ident = sitetables.fit_words("no_statistical_evidence", 8)
    assert sitetables.SOFT_HYPHEN not in ident
    assert f"no_{sitetables.ZERO_WIDTH_SPACE}statistical_" in ident
    assert ident.replace(sitetables.ZERO_WIDTH_SPACE, "") == "no_statistical_evidence"
    # the site's table carries the break points; the typeset table does not
    frame = pd.DataFrame({f"c{i}": ["Electrodiagnostic recommendations"] * 2 for i in range(6)})
    assert sitetables.SOFT_HYPHEN in render.show_table(frame, caption="Wide").to_html()
    assert sitetables.SOFT_HYPHEN not in render.show_table(frame, caption="Wide").to_latex()


@pytest.mark.parametrize(
    ("cell", "value"),
    [("Fifteen", 15), ("Twenty-two.", 22), ("6 cases", 6), ("1,250 records", 1250), ("One", 1)],
)
def test_numbers_in_words_have_their_value(cell: str, value: float) -> None:
    assert sitetables.number_key(cell) == value


def test_a_column_of_numbers_in_words_sorts_by_value() -> None:
    words = pd.Series(["Nine", "Twenty-two.", "6 cases", "Four", "not reported"])
    assert sitetables.order_keys(words) == [9, 22, 6, 4, None]
    assert sitetables.order_keys(pd.Series(["Dalakas 1997", "Walter 2000"])) is None
    assert sitetables.order_keys(pd.Series([3, 1, 2])) is None  # numbers sort by themselves
    ranked = pd.Series(pd.Categorical(["high", "low"], categories=["low", "high"], ordered=True))
    assert sitetables.order_keys(ranked) == [2, 1]
