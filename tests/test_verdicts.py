"""The verdicts a chapter shows: short reasons in the table, the long reasoning collapsed.

Fast tier: the block as the chapters make it (``publish/verdicts.py``); book tier: the built
argument pages carry it closed, and the PDF prints the table alone.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from bs4 import BeautifulSoup
from reader_text import IDENTIFIER, page_path

from ivigbook.analysis import claims
from ivigbook.analysis.cohorts import readable
from ivigbook.data.load import load
from ivigbook.publish.sitetables import SHORT_CELL_CLASS
from ivigbook.publish.verdicts import AUDIT_SUMMARY, show_verdicts

EV = load()
#: Chapters that discuss at least one of the letter's claims (from claims.csv).
CHAPTERS = sorted(set(EV.claims["chapter"].astype(str)))


#: The dropdown in the site's MyST output: fence, title, options, content.
DROPDOWN = re.compile(
    r"^(:{3,})\{dropdown\} ([^\n]*)\n((?::[\w-]+:[^\n]*\n)*)(.*?)^\1$", re.M | re.S
)
#: A ``{raw} html`` block's HTML.
RAW_HTML = re.compile(r"^(`{3,})\{raw\} html\n(.*?)\n\1$", re.M | re.S)


def _parts(chapter: str) -> tuple[BeautifulSoup, list[tuple[str, str, str]]]:
    """The HTML outside any dropdown, and each dropdown's (title, options, HTML)."""
    block = show_verdicts(EV, chapter, caption="Claims")
    markdown = block._repr_mimebundle_()["text/markdown"]

    def html(text: str) -> str:
        return "".join(m.group(2) for m in RAW_HTML.finditer(text))

    dropdowns = [(m.group(2), m.group(3), html(m.group(4))) for m in DROPDOWN.finditer(markdown)]
    outside = BeautifulSoup(html(DROPDOWN.sub("", markdown)), "html.parser")
    return outside, dropdowns


def _audit(chapter: str) -> BeautifulSoup:
    return BeautifulSoup(_parts(chapter)[1][0][2], "html.parser")


def _soup(chapter: str) -> BeautifulSoup:
    return _parts(chapter)[0]


@pytest.mark.parametrize("chapter", CHAPTERS)
def test_short_reasons_in_the_table_and_long_ones_collapsed(chapter: str) -> None:
    evaluated = claims.evaluate(EV)
    mine = evaluated[evaluated["chapter"] == chapter]
    soup, dropdowns = _parts(chapter)
    assert len(dropdowns) == 1
    title, options, audit_html = dropdowns[0]
    assert ":open:" not in options, "the audit starts collapsed"
    assert title == AUDIT_SUMMARY
    audit = BeautifulSoup(audit_html, "html.parser")
    shown = soup.find("table")  # the verdict table comes first, outside the disclosure
    assert shown is not None
    table_text = shown.get_text(" ")
    audit_text = audit.get_text(" ")
    for _, row in mine.iterrows():
        assert str(row["short_reason"]) in table_text
        assert str(row["verdict"]) in table_text
        # The long reason is in the disclosure, with study names instead of ids.
        assert readable(row["reason"], EV) in audit_text
        assert readable(row["reason"], EV) not in table_text
    assert len(audit.find_all("tr")) == len(mine) + 1  # a header row, one row a claim


@pytest.mark.parametrize("chapter", CHAPTERS)
def test_the_audit_names_no_ids(chapter: str) -> None:
    audit_text = _audit(chapter).get_text(" ")
    assert not IDENTIFIER.findall(audit_text)


def test_the_pdf_prints_the_table_alone() -> None:
    bundle = show_verdicts(EV, "trials", caption="Claims")._repr_mimebundle_()
    assert AUDIT_SUMMARY not in bundle["text/latex"]
    assert "longtable" in bundle["text/latex"] or "tabular" in bundle["text/latex"]


@pytest.mark.book
@pytest.mark.parametrize("chapter", CHAPTERS)
def test_built_pages_carry_the_collapsed_audit(html_dir: Path, chapter: str) -> None:
    soup = BeautifulSoup(page_path(html_dir, chapter).read_text(encoding="utf-8"), "html.parser")
    audits = [
        d
        for d in soup.find_all("details")
        if re.fullmatch(AUDIT_SUMMARY, d.summary.get_text(strip=True))
    ]
    assert len(audits) == 1, chapter
    assert not audits[0].has_attr("open")


def test_verdict_cells_keep_their_words_whole() -> None:
    # "partly supported" must not break inside a word in a narrow column: the Verdict column
    # holds short labels and is marked so (sitetables.SHORT_CELL_CLASS, _static/book.css).
    soup = _soup("trials")
    table = soup.find("table")
    headers = [th.get_text(strip=True) for th in table.find_all("th")]
    verdict_at = headers.index("Verdict")
    why_at = headers.index("Why")
    for tr in table.find("tbody").find_all("tr"):
        cells = tr.find_all("td")
        assert SHORT_CELL_CLASS in (cells[verdict_at].get("class") or [])
        assert SHORT_CELL_CLASS not in (cells[why_at].get("class") or [])
