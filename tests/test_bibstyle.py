"""The bibliography's labels stay printable letters however many entries share a label."""

from __future__ import annotations

import html
import re
from pathlib import Path

import pybtex.plugin
import pytest
from bs4 import BeautifulSoup
from pybtex.database import parse_string

from ivigbook.publish import bibstyle


@pytest.mark.parametrize(
    ("index", "suffix"),
    [(0, "a"), (1, "b"), (25, "z"), (26, "aa"), (27, "ab"), (51, "az"), (52, "ba"), (701, "zz")],
)
def test_letter_suffix(index: int, suffix: str) -> None:
    assert bibstyle.letter_suffix(index) == suffix


def test_letter_suffix_refuses_negative() -> None:
    with pytest.raises(ValueError, match="at least 0"):
        bibstyle.letter_suffix(-1)


def _entries(n: int) -> str:
    return "\n".join(
        f"@article{{synthetic{i:04d}, author = {{Synthetic, S.}}, title = {{Study {i}}}, "
        f"journal = {{J}}, year = {{2026}}}}"
        for i in range(n)
    )


def test_many_colliding_labels_stay_letters_and_unique() -> None:
    bibstyle.register()
    style = pybtex.plugin.find_plugin("pybtex.style.formatting", bibstyle.STYLE_NAME)()
    data = parse_string(_entries(1000), "bibtex")
    labels = [entry.label for entry in style.format_entries(data.entries.values())]
    assert len(set(labels)) == 1000
    # The cited names and year, then letters a-z only: nothing LaTeX or the site's
    # brackets would read as markup, no control character.
    assert all(re.fullmatch(r"Synthetic 2026[a-z]+", label) for label in labels), labels[-5:]
    assert labels[:2] == ["Synthetic 2026a", "Synthetic 2026b"]
    assert labels[26] == "Synthetic 2026aa"


def test_pybtex_alpha_alone_would_not() -> None:
    """The reason for the style: pybtex's own alpha labels leave the letters after 26."""
    style = pybtex.plugin.find_plugin("pybtex.style.formatting", "alpha")()
    data = parse_string(_entries(40), "bibtex")
    labels = [entry.label for entry in style.format_entries(data.entries.values())]
    assert not all(label.isalnum() for label in labels)


def test_register_is_idempotent() -> None:
    bibstyle.register()
    bibstyle.register()
    assert pybtex.plugin.find_plugin("pybtex.style.labels", bibstyle.STYLE_NAME) is (
        bibstyle.LabelStyle
    )


BIB = """
@article{amato1994, author = {Amato, A. A. and others}, title = {Inclusion body myositis:
  treatment with intravenous immunoglobulin}, journal = {Neurology}, year = {1994},
  volume = {44}, number = {8}, pages = {1516--1518}, doi = {10.1212/wnl.44.8.1516}}
@article{dalakas1997, author = {Dalakas, M. C. and Sonies, B. and Dambrosia, J.},
  title = {Treatment of inclusion-body myositis with IVIg}, journal = {Neurology},
  year = {1997}}
@misc{guide2024, key = {Dutch myositis guideline}, title = {Myositis},
  howpublished = {Dutch neurology guideline}, year = {2024}}
@misc{untitled2020, title = {Guideline}, howpublished = {A society}, year = {2020}}
"""


def _formatted() -> dict[str, str]:
    bibstyle.register()
    style = pybtex.plugin.find_plugin("pybtex.style.formatting", bibstyle.STYLE_NAME)()
    data = parse_string(BIB, "bibtex")
    return {
        entry.key: entry.text.render_as("text")
        for entry in style.format_entries(data.entries.values())
    }


def test_entries_are_author_year() -> None:
    text = _formatted()
    assert text["dalakas1997"].startswith("Dalakas, M. C., Sonies, B., and Dambrosia, J. (1997). ")
    # Titles keep their capitals (pybtex's default would print "ivig").
    assert "with IVIg." in text["dalakas1997"]
    # Without authors, the descriptive label leads, then the title.
    assert text["guide2024"].startswith("Dutch myositis guideline (2024). Myositis. ")
    # Without either, the title leads.
    assert text["untitled2020"].startswith("Guideline (2020). A society.")


def test_and_others_is_et_al_in_the_list() -> None:
    text = _formatted()["amato1994"]
    assert text.startswith("Amato, A. A. et al. (1994). ")
    assert "others" not in text
    # The DOI once, as a link's text.
    assert text.count("10.1212/wnl.44.8.1516") == 1


def _cited(bib: str, *keys: str) -> str:
    """The in-text citation ({cite:p}) of ``keys``, as sphinxcontrib-bibtex formats it."""
    from sphinxcontrib.bibtex.plugin import find_plugin
    from sphinxcontrib.bibtex.style.referencing import format_references
    from sphinxcontrib.bibtex.style.template import SphinxReferenceInfo

    bibstyle.register()
    reference_style = find_plugin("sphinxcontrib.bibtex.style.referencing", bibstyle.STYLE_NAME)()
    style = pybtex.plugin.find_plugin("pybtex.style.formatting", bibstyle.STYLE_NAME)()
    data = parse_string(bib, "bibtex")
    formatted = dict(zip(data.entries, style.format_entries(data.entries.values()), strict=True))
    info = SphinxReferenceInfo(None, "page", "references", "id", None, "", "")  # type: ignore[arg-type]
    references = [(data.entries[k], formatted[k], info) for k in keys]
    return str(format_references(reference_style, "p", references))


def test_text_cites_a_study_as_the_tables_name_it() -> None:
    """ "[Dalakas 1997]", as the tables say "Dalakas 1997" (not "[Dalakas et al., 1997]"); a
    descriptive label with its year; no "n.d." where no year is known; never "and others"."""
    assert _cited(BIB + CITED, "dalakas1997") == "[Dalakas 1997]"
    assert (
        _cited(BIB + CITED, "amato1994", "cohort2021")
        == "[Amato 1994, IBM natural-history cohort 2021]"
    )
    assert _cited(BIB + CITED, "cherin") == "[Cherin case series]"
    assert _cited(BIB + CITED, "pair2020", "zschuntzsch2012") == "[Smith 2020, Zschüntzsch 2012]"


CITED = """
@article{zschuntzsch2012, author = {Zsch{\\"u}ntzsch, J. and others}, title = {Provision},
  journal = {Arthritis}, year = {2012}}
@misc{letter2024, author = {{The letter}}, title = {Time for new evidence?}, year = {2024}}
@misc{cohort2021, key = {IBM natural-history cohort}, title = {Longitudinal study}, year = {2021}}
@misc{workshop, key = {2009 Paris workshop}, title = {[Workshop report]}}
@misc{cherin, author = {Cherin and others}, key = {Cherin case series}, title = {[Cases]}}
@article{dalakas2001, author = {Dalakas, M. C. and Koffman, B. and Fujii, M.},
  title = {A controlled study}, journal = {Neurology}, year = {2001}}
@article{pair2020, author = {Smith, A. and Jones, B.}, title = {Pair}, journal = {J}, year = {2020}}
"""


def _labelled(bib: str) -> list[tuple[str, str]]:
    bibstyle.register()
    style = pybtex.plugin.find_plugin("pybtex.style.formatting", bibstyle.STYLE_NAME)()
    data = parse_string(bib, "bibtex")
    return [(entry.key, entry.label) for entry in style.format_entries(data.entries.values())]


def test_list_sorted_as_the_text_cites() -> None:
    """By the names the text cites: an entry with a descriptive label by that label ("Dutch
    myositis guideline" under D, "Cherin case series" under C, though its authors are
    Cherin et al.), one without authors or label by its title ("Guideline" under G; pybtex's
    author-year-title sorting put it first, with an empty author), "{The letter}" under T
    (it sorted after Z, by its brace)."""
    keys = [key for key, _ in _labelled(BIB + CITED)]
    assert keys == [
        "workshop",  # "2009 Paris workshop"
        "amato1994",
        "cherin",
        "dalakas1997",
        "dalakas2001",
        "guide2024",
        "untitled2020",
        "cohort2021",
        "pair2020",
        "letter2024",
        "zschuntzsch2012",
    ]


def test_labels_are_the_citations_in_the_text() -> None:
    labels = dict(_labelled(BIB + CITED))
    assert labels == {
        "amato1994": "Amato 1994",
        "workshop": "2009 Paris workshop",  # no year is known: no "n.d."
        "cohort2021": "IBM natural-history cohort 2021",
        "cherin": "Cherin case series",
        "dalakas1997": "Dalakas 1997",
        "dalakas2001": "Dalakas 2001",
        "guide2024": "Dutch myositis guideline 2024",
        "untitled2020": "Guideline 2020",
        "pair2020": "Smith 2020",
        "letter2024": "The letter 2024",
        "zschuntzsch2012": "Zschüntzsch 2012",
    }


#: What a citation label never is: a placeholder for missing authors or a missing year.
PLACEHOLDER = re.compile(r"Authors not (confirmed|reported)|\bn\.d\.|\bnot (confirmed|reported)")


SITE_LABEL = re.compile(
    r'<span class="label"><span class="fn-bracket">\[</span>(.*?)<span class="fn-bracket">\]'
)


@pytest.mark.book
def test_site_reference_list_reads_as_the_text_cites(html_dir: Path) -> None:
    """The site's reference list labels each entry as the text cites it ("Amato 1994",
    not release 0.2.0's "[A+94]" or "[Authorsnconfirmed13]"; "Oxford cohort 2013",
    not "Authors not confirmed, 2013"; "Cherin case series", not "Cherin et al., n.d."), in
    the order of those names."""
    page = (html_dir / "chapters" / "references.html").read_text(encoding="utf-8")
    labels = [html.unescape(label) for label in SITE_LABEL.findall(page)]
    assert len(labels) >= 10, "no reference list on the References page"
    odd = [label for label in labels if not re.fullmatch(r"\S.* \d{4}[a-z]*", label)]
    # Without a year: a descriptive label, never a placeholder.
    odd = [label for label in odd if "," in label or re.search(PLACEHOLDER, label)]
    assert not odd, f"labels that are not author-year citations or descriptive labels: {odd}"
    leads = [re.sub(r" \d{4}[a-z]*$", "", label).casefold() for label in labels]
    assert leads == sorted(leads), f"not in the order of the cited names: {leads}"


def test_an_entry_without_authors_is_cited_by_the_first_words_of_its_title() -> None:
    from ivigbook.publish.bibstyle import SHORT_TITLE_WORDS, short_title

    assert short_title("Myositis") == "Myositis"
    long = "Synthetic study 539 (fictitious, generated for benchmarks)"
    cut = short_title(long)
    assert cut == "Synthetic study 539\u2026"  # cut before the unclosed bracket
    assert len(cut.removesuffix("\u2026").split()) <= SHORT_TITLE_WORDS
    assert short_title("One two three four five") == "One two three four\u2026"


@pytest.mark.book
def test_no_placeholder_citation_labels(html_dir: Path, pdf_path: Path) -> None:
    """No page and no page of the PDF cites a source as "[Authors not confirmed, 2013]" or
    "[Cherin et al., n.d.]", and the bibliography files give no placeholder for an author:
    a source without confirmed authors or year has a descriptive label."""
    import subprocess

    from ivigbook.paths import ROOT

    found = {}
    for path in sorted((html_dir / "chapters").glob("*.html")):
        text = " ".join(
            BeautifulSoup(path.read_text(encoding="utf-8"), "html.parser").stripped_strings
        )
        hits = [
            m.group(0)
            for m in re.finditer(r"\[[^\[\]]{0,80}\]", text)
            if PLACEHOLDER.search(m.group(0))
        ]
        if hits:
            found[path.stem] = hits[:3]
    pdf = subprocess.run(["pdftotext", str(pdf_path), "-"], capture_output=True, text=True).stdout
    pdf_hits = [
        m.group(0) for m in re.finditer(r"\[[^\[\]]{0,80}\]", pdf) if PLACEHOLDER.search(m.group(0))
    ]
    assert not found, f"placeholder citation labels on the site: {found}"
    assert not pdf_hits, f"placeholder citation labels in the PDF: {pdf_hits[:5]}"
    bib = (ROOT / "data" / "references.bib").read_text(encoding="utf-8")
    assert not re.search(r"author\s*=\s*\{\{[^}]*not (confirmed|reported)", bib, re.I)
