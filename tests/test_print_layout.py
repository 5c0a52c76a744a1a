"""The PDF's page layout rules (ivigbook.publish.latex): short tables kept on one page."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pandas as pd
import pytest
from docutils import nodes

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
    # Before it: start a new page unless the head and the three one-line rows fit.
    need = latex.NEEDSPACE.format(lines=latex.HEAD_LINES + 3)
    assert kept.count(need) == 1
    assert kept.index(need) < kept.index("\\begin{longtable}")
    assert kept.replace(" " + latex.ROW_END_KEPT, " \\\\").replace(need, "") == _table(3)


def test_keeping_is_idempotent() -> None:
    once = latex.keep_short_table_together(_table(5))
    assert latex.keep_short_table_together(once) == once


def _kept_rows(table: str) -> list[int]:
    return [i for i, row in enumerate(_body(table)) if row.endswith(latex.ROW_END_KEPT)]


def test_a_long_table_keeps_three_rows_on_either_side_of_a_break() -> None:
    n = latex.SHORT_TABLE_ROWS + 5
    table = _table(n)
    assert not latex.is_short_table(table)
    # No break after the first two rows, nor after the third and second from last.
    assert _kept_rows(latex.keep_short_table_together(table)) == [0, 1, n - 3, n - 2]


def test_rows_too_tall_to_keep_together_may_break() -> None:
    """Rows of about 30 estimated lines each: two of them would not fit the budget."""
    table = _table(4, "a long cell of prose that wraps over several lines " * 40)
    assert not latex.is_short_table(table)
    assert _kept_rows(latex.keep_short_table_together(table)) == []


def test_a_single_row_is_left_alone() -> None:
    table = _table(1)
    assert not latex.is_short_table(table)
    assert latex.keep_short_table_together(table) == table


def test_landscape_tables_are_left_alone() -> None:
    frame = pd.DataFrame({f"column {i}": ["prose"] * 3 for i in range(12)})
    table = render.table_latex(frame, caption="Wide")
    assert "\\begin{landscape}" in table
    assert latex.keep_short_table_together(table) == table


def test_at_the_limit_is_short() -> None:
    assert latex.is_short_table(_table(latex.SHORT_TABLE_ROWS))


def test_layout_is_the_package_the_config_loads() -> None:
    """_config.yml copies ivigbook.sty beside the .tex and loads it, and it defines every
    macro that latex.py and the table templates write."""
    import re

    import yaml

    from ivigbook.paths import ROOT

    config = yaml.safe_load((ROOT / "_config.yml").read_text(encoding="utf-8"))["sphinx"]["config"]
    (sty,) = [ROOT / f for f in config["latex_additional_files"] if f.endswith(".sty")]
    assert config["latex_elements"]["preamble"].strip() == f"\\usepackage{{{sty.stem}}}"
    text = sty.read_text(encoding="utf-8")
    assert f"\\ProvidesPackage{{{sty.stem}}}" in text
    written = Path(latex.__file__).read_text(encoding="utf-8")
    written += "".join(
        p.read_text(encoding="utf-8") for p in (ROOT / "_templates").glob("*.tex.jinja")
    )
    used = set(re.findall(r"\\+(ivig[a-z]+)", written))
    assert {"ivigfrontmatter", "ivigtitlepage", "ivigneedspace"} <= used
    defined = set(re.findall(r"\\newcommand\{?\\(ivig[a-z]+)", text))
    assert used <= defined, f"used but not defined in {sty.name}: {used - defined}"


#: Fills most of the first page: the table starts below it, and only some of its rows would
#: fit on what is left (the test passes with anything from 0.6 to 0.8 of the page).
FILLER = "\\noindent\\rule{1pt}{0.7\\textheight}\\par"


def _pages_with_rows(tmp_path: Path, row_end: str) -> list[int]:
    """Compile a page mostly full, then an 8-row table as the book prints it, with
    the packages Sphinx loads (array, tabulary); the pages on which its rows print."""
    frame = pd.DataFrame(
        {
            "Study": [f"Row {i}" for i in range(8)],
            "What": ["a cell of several words that wraps"] * 8,
            "Why": ["another cell, of more words than the first one has, so that it wraps"] * 8,
        }
    )
    table = render.table_latex(frame, caption="A table")
    assert latex.is_short_table(table)
    table = latex.keep_short_table_together(table)
    # The rows' ends alone (not the \\ivigneedspace before the table, tested below).
    table = table.split("\n", 1)[1].replace(latex.ROW_END_KEPT, row_end)
    table = "\n".join(line for line in table.split("\n") if not line.startswith("\\ivigneedspace"))
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


def _bullets(*items: str) -> nodes.bullet_list:
    return nodes.bullet_list("", *(nodes.list_item("", nodes.paragraph(text=t)) for t in items))


def test_short_lists_are_kept_on_one_page_and_long_ones_may_break() -> None:
    short = _bullets("first point", "second point")
    long = _bullets(*["a point of many words " * 10] * 8)
    inner = _bullets("an inner point")
    outer = _bullets("outer point")
    outer[0] += inner
    document = nodes.section("", short, long, outer)
    assert len(long.astext()) > latex.KEEP_LIST_CHARS
    kept = latex.short_lists(document)
    assert kept == [short, outer]  # the inner list goes with the outer one


def _section(title: str, *body: nodes.Node) -> nodes.section:
    return nodes.section("", nodes.title(text=title), *body)


def test_a_heading_is_kept_with_the_table_that_opens_its_section() -> None:
    table = nodes.raw("", latex.keep_short_table_together(_table(3)), format="latex")
    lead = nodes.paragraph(text="x" * 100)
    inner = _section("Inner", lead, nodes.container("", table))
    outer = _section("Outer", nodes.paragraph(text="text"), inner)
    document = nodes.document(None, None)
    document += outer
    before = latex.keep_heading_with_table(table)
    assert before is not None
    assert outer.index(before) == outer.index(inner) - 1
    # The table's own need, the heading's lines and the lead text's two lines.
    lines = latex.HEAD_LINES + 3 + latex.HEADING_LINES + 2
    assert before.astext() == "\\FloatBarrier\n" + latex.NEEDSPACE.format(lines=lines)


def test_no_heading_need_after_long_text_or_for_a_chapter() -> None:
    table = nodes.raw("", latex.keep_short_table_together(_table(3)), format="latex")
    long_lead = nodes.paragraph(text="x" * (latex.LEAD_CHARS + 1))
    outer = _section("Outer", _section("Inner", long_lead, table))
    assert latex.keep_heading_with_table(table) is None
    chapter_table = nodes.raw("", latex.keep_short_table_together(_table(3)), format="latex")
    document = nodes.document(None, None)
    document += _section("Chapter", chapter_table)
    assert latex.keep_heading_with_table(chapter_table) is None
    assert outer.children[0].astext() == "Outer"
