"""The PDF's page layout rules (ivigbook.publish.latex): short tables kept on one page."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pandas as pd
import pytest

from ivigbook.publish import latex, render


def _table(n_rows: int, cell: str = "short text") -> str:
    frame = pd.DataFrame({"Step": range(n_rows), "What": [cell] * n_rows})
    return render.table_latex(frame, caption="A table")


def _body(table: str) -> list[str]:
    return table.split("\\endlastfoot\n", 1)[1].split("\\end{longtable}", 1)[0].strip().split("\n")


def test_a_short_table_is_kept_together() -> None:
    kept = latex.keep_short_table_together(_table(3))
    rows = _body(kept)
    assert len(rows) == 3
    assert all(row.endswith(latex.ROW_END_KEPT) for row in rows[:2])
    # The last row ends the table as before, and nothing else changed.
    assert rows[2].endswith(" \\\\")
    assert latex.ROW_END_KEPT not in rows[2]
    assert kept.replace(" " + latex.ROW_END_KEPT, " \\\\") == _table(3)


def test_keeping_is_idempotent() -> None:
    once = latex.keep_short_table_together(_table(5))
    assert latex.keep_short_table_together(once) == once


@pytest.mark.parametrize(
    "table",
    [
        _table(latex.SHORT_TABLE_ROWS + 1),  # too many rows
        _table(8, "a long cell of prose that wraps over several lines " * 6),  # too tall
        _table(1),  # one row cannot be split
    ],
)
def test_other_tables_are_left_to_break(table: str) -> None:
    assert not latex.is_short_table(table)
    assert latex.keep_short_table_together(table) == table


def test_landscape_tables_are_left_alone() -> None:
    frame = pd.DataFrame({f"column {i}": ["prose"] * 3 for i in range(12)})
    table = render.table_latex(frame, caption="Wide")
    assert "\\begin{landscape}" in table
    assert latex.keep_short_table_together(table) == table


def test_at_the_limit_is_short() -> None:
    assert latex.is_short_table(_table(latex.SHORT_TABLE_ROWS))


def test_layout_preamble_added_once() -> None:
    from types import SimpleNamespace

    config = SimpleNamespace(latex_elements={"preamble": "\\usepackage{booktabs}"})
    latex._add_layout_preamble(None, config)  # type: ignore[arg-type]
    latex._add_layout_preamble(None, config)  # type: ignore[arg-type]
    preamble = config.latex_elements["preamble"]
    assert preamble.startswith("\\usepackage{booktabs}")
    assert preamble.count(latex.LAYOUT_PREAMBLE) == 1


#: Fills most of the first page: the table starts below it, and only some of its rows would
#: fit on what is left (the test passes with anything from 0.5 to 0.75 of the page).
FILLER = "\\noindent\\rule{1pt}{0.6\\textheight}\\par"


def _pages_with_rows(tmp_path: Path, row_end: str) -> list[int]:
    """Compile a page mostly full, then a 12-row table as the book prints it, with
    the packages Sphinx loads (array, tabulary); the pages on which its rows print."""
    frame = pd.DataFrame(
        {
            "Study": [f"Row {i}" for i in range(12)],
            "What": ["a cell of several words that wraps"] * 12,
            "Why": ["another cell, of more words than the first one has, so that it wraps"] * 12,
        }
    )
    table = latex.keep_short_table_together(render.table_latex(frame, caption="A table"))
    assert latex.ROW_END_KEPT in table
    table = table.split("\n", 1)[1].replace(latex.ROW_END_KEPT, row_end)
    document = "\n".join(
        [
            "\\documentclass{article}",
            "\\usepackage{array}\\usepackage{tabulary}\\usepackage{longtable}",
            "\\usepackage{booktabs}",
            "\\begin{document}",
            FILLER,
            table,
            "\\end{document}",
        ]
    )
    (tmp_path / "t.tex").write_text(document, encoding="utf-8")
    subprocess.run(
        ["pdflatex", "-interaction=nonstopmode", "t.tex"],
        cwd=tmp_path,
        capture_output=True,
        check=True,
        timeout=120,
    )
    pages = []
    for page in range(1, 4):
        text = subprocess.run(
            ["pdftotext", "-f", str(page), "-l", str(page), "t.pdf", "-"],
            cwd=tmp_path,
            capture_output=True,
            text=True,
            check=False,
        ).stdout
        if "Row" in text:
            pages.append(page)
    return pages


@pytest.mark.skipif(not shutil.which("pdflatex"), reason="needs pdflatex")
def test_kept_rows_move_to_the_next_page_whole(tmp_path: Path) -> None:
    """In TeX itself: the table's rows print on one page. With longtable's own ``\\\\*``
    they split (with tabulary loaded, as Sphinx loads it, longtable ignores the star in a
    table of paragraph columns such as the book's)."""
    assert len(_pages_with_rows(tmp_path, latex.ROW_END_KEPT)) == 1
    assert len(_pages_with_rows(tmp_path, "\\\\*")) == 2
