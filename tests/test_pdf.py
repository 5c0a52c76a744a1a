"""Checks of the built PDF (run `make book` first; BUILD_DIR selects the build)."""

from __future__ import annotations

import re
import subprocess
from itertools import pairwise
from pathlib import Path

import pytest
import yaml
from conftest import ROOT, toc_files
from pypdf import PdfReader

from ivigbook.publish.version import book_metadata

pytestmark = pytest.mark.book

STY = ROOT / "scripts" / "ivigbook" / "publish" / "ivigbook.sty"
FORBIDDEN = ["alt.Chart(", "<IPython", "<div", "Traceback", "HTML object", "Loading ITables"]


def _title(page: str) -> str:
    for line in (ROOT / f"{page}.md").read_text(encoding="utf-8").splitlines():
        if line.startswith("# "):
            return line[2:].strip()
    msg = f"{page}.md has no '# ' title"
    raise AssertionError(msg)


def _normalise(text: str) -> str:
    return re.sub(r"\s+", " ", text)


@pytest.fixture(scope="module")
def reader(pdf_path: Path) -> PdfReader:
    return PdfReader(pdf_path)


@pytest.fixture(scope="module")
def pdf_text(reader: PdfReader) -> str:
    return _normalise("\n".join(page.extract_text() or "" for page in reader.pages))


def test_pdf_has_pages(reader: PdfReader) -> None:
    assert len(reader.pages) >= 3


def test_pdf_is_dated_the_release_date(reader: PdfReader) -> None:
    """The PDF's creation and modification dates are CITATION.cff's date-released (not the
    day and minute of the build), so two builds of one release give the same PDF."""
    released = book_metadata().date_released
    meta = reader.metadata
    assert meta is not None, "the PDF has no document information"
    assert "/CreationDate" in meta, "the PDF has no creation date"
    for name in ("/CreationDate", "/ModDate"):  # the engine may leave out the second
        stamp = str(meta.get(name, f"D:{released:%Y%m%d}000000"))
        assert stamp.startswith(f"D:{released:%Y%m%d}000000"), f"{name} is {stamp!r}"


@pytest.mark.parametrize("page", toc_files())
def test_chapter_titles(pdf_text: str, page: str) -> None:
    title = _normalise(_title(page))
    assert title in pdf_text, f"chapter title {title!r} not in the PDF"


@pytest.mark.parametrize("needle", FORBIDDEN)
def test_no_stray_reprs(pdf_text: str, needle: str) -> None:
    assert needle not in pdf_text


GLUE_FIGURE = re.compile(r"^(`{3,}|:{3,})\{glue:figure\}", re.M)
#: \sphinxincludegraphics[options]{{name}.ext} (Sphinx braces the name) or {name.ext}.
INCLUDED_GRAPHIC = re.compile(
    r"\\sphinxincludegraphics(?:\[[^\]]*\])?\{(?:\{([^}]+)\}(\.\w+)|([^}]+))\}"
)


@pytest.fixture(scope="module")
def tex(pdf_path: Path) -> str:
    return pdf_path.with_suffix(".tex").read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def latex_log(pdf_path: Path) -> str:
    return pdf_path.with_suffix(".log").read_text(encoding="utf-8", errors="replace")


def test_every_chart_is_a_vector_graphic(tex: str) -> None:
    """Each {glue:figure} of the chapters is one included PDF (vector) graphic."""
    figures = sum(
        len(GLUE_FIGURE.findall((ROOT / f"{page}.md").read_text(encoding="utf-8")))
        for page in toc_files()
    )
    graphics = [
        f"{name}{ext}" if name else plain for name, ext, plain in INCLUDED_GRAPHIC.findall(tex)
    ]
    assert figures, "no {glue:figure} in the chapters"
    assert len(graphics) == figures, (figures, graphics)
    raster = [g for g in graphics if not g.endswith(".pdf")]
    assert not raster, f"charts included as raster images: {raster}"


#: A chart in the PDF is drawn at build time from its print layout: a fixed width (in points,
#: one per pixel of the spec) that fits an A4 text block when LaTeX scales it to the line,
#: never the width of some browser window (the site's charts take their container's width).
PRINT_WIDTH_PT = (400, 700)


def test_chart_images_have_a_fixed_print_width(tex: str, pdf_path: Path) -> None:
    names = [f"{name}{ext}" for name, ext, _ in INCLUDED_GRAPHIC.findall(tex) if name]
    assert names, "no chart included"
    widths = {}
    for name in names:
        info = subprocess.run(
            ["pdfinfo", str(pdf_path.parent / name)], capture_output=True, text=True, check=True
        ).stdout
        size = re.search(r"Page size:\s+([\d.]+) x ([\d.]+) pts", info)
        assert size, f"{name}: no page size in pdfinfo's output"
        widths[name] = float(size.group(1))
    odd = {n: w for n, w in widths.items() if not PRINT_WIDTH_PT[0] <= w <= PRINT_WIDTH_PT[1]}
    assert not odd, f"chart images not print-sized (points): {odd}"


def test_no_raster_images(pdf_path: Path) -> None:
    """`pdfimages -list` finds no bitmap in the PDF: charts are vector drawings."""
    listing = subprocess.run(
        ["pdfimages", "-list", str(pdf_path)], capture_output=True, text=True, check=True
    ).stdout.splitlines()
    images = [line for line in listing[2:] if line.strip()]
    assert not images, "raster images in the PDF:\n" + "\n".join(images[:10])


def test_chart_fonts_embedded(pdf_path: Path) -> None:
    listing = subprocess.run(
        ["pdffonts", str(pdf_path)], capture_output=True, text=True, check=True
    ).stdout.splitlines()
    # The last five columns are emb, sub, uni, object and ID ("type" may hold spaces).
    rows = [line.split() for line in listing[2:] if line.strip()]
    assert rows, "no fonts listed"
    missing = [r for r in rows if r[-5] != "yes"]
    assert not missing, f"fonts not embedded: {missing}"


OVERFULL = re.compile(r"Overfull \\hbox \((\d+(?:\.\d+)?)pt too wide\) (.*)")


def test_overfull_detector() -> None:
    line = "Overfull \\hbox (56.6051pt too wide) in alignment at lines 2027--2032"
    match = OVERFULL.search(line)
    assert match
    assert float(match.group(1)) == pytest.approx(56.6051)


def test_nothing_runs_past_the_margin(latex_log: str) -> None:
    """No line or table in the PDF is more than 5 pt wider than the text block."""
    wide = [
        f"{float(m.group(1)):.0f} pt {m.group(2)}"
        for m in OVERFULL.finditer(latex_log)
        if float(m.group(1)) > 5
    ]
    assert not wide, f"{len(wide)} overfull boxes: " + "; ".join(wide[:10])


OVERFULL_PAGE = re.compile(r"Overfull \\vbox \((\d+(?:\.\d+)?)pt too high\)")


def test_nothing_runs_past_the_page_foot(latex_log: str) -> None:
    """No page is more than 5 pt taller than the text block (a figure overprinting the foot
    of a page beside a longtable showed as a 335 pt overfull vbox)."""
    tall = [float(m.group(1)) for m in OVERFULL_PAGE.finditer(latex_log) if float(m.group(1)) > 5]
    assert not tall, f"pages overfull by {tall} pt"


#: Words that only make sense on the interactive site: what a reader does with a mouse, a
#: finger or a page that recomputes (issue 22 found "lets a reader change them", "inputs a
#: reader can change", "searchable table" and "change BODY_WEIGHT_KG... and rebuild" printed).
SCREEN_ONLY = [
    "hover",
    "click",
    "scroll",
    "tap on",
    "point at",
    "zoom",
    "drag",
    "tooltip",
    "show code",
    "hide code",
    "the cell below",
    "the next cell",
    "filter box",
    "searchable",
    "search box",
    "in your browser",
    "move a slider",
    "sliders",
    "reader can change",
    "reader may change",
    "lets a reader change",
    "and rebuild",
    "rebuild to see",
    "open it under",
    "can be shown under",
    "shows when opened",
]


@pytest.mark.parametrize("words", SCREEN_ONLY)
def test_no_screen_only_words(pdf_text: str, words: str) -> None:
    found = [
        pdf_text[max(m.start() - 60, 0) : m.end() + 40]
        for m in re.finditer(rf"\b{re.escape(words)}\b", pdf_text, re.I)
    ]
    assert not found, f"{words!r} printed in the PDF: {found[:3]}"


ALPHA_LABEL = re.compile(r"\[[A-Za-z]{1,20}\+?\d{0,2}[a-z]{0,2}\]")


def test_alpha_label_pattern() -> None:
    for label in ("[A+94]", "[DSD+97]", "[C+]", "[Authorsnconfirmed24]", "[dut24]"):
        assert ALPHA_LABEL.search(label), label
    assert not ALPHA_LABEL.search("Dalakas et al. (1997)")


def test_bibliography_is_author_year(pdf_text: str, reader: PdfReader) -> None:
    """No alpha label in the bibliography (the References chapter, where the entries are
    printed), and "et al." throughout. Elsewhere square brackets are content: the update
    search's PubMed query prints its field tags ("[tiab]", "[mh]")."""
    outline = _outline(reader)
    start = _page_of(outline, _normalise(_title("chapters/references")))
    end = min((p for _, p in outline if p > start), default=len(reader.pages) - 1)
    references = " ".join(reader.pages[i].extract_text() or "" for i in range(start, end + 1))
    assert "Dalakas" in references, "the References pages hold no bibliography"
    labels = ALPHA_LABEL.findall(references)
    assert not labels, f"alpha labels in the bibliography: {labels[:10]}"
    assert " and others" not in pdf_text, "'and others' printed; the text says 'et al.'"


def _outline(reader: PdfReader) -> list[tuple[str, int]]:
    """(title, page index) of every bookmark, in order, flattened."""
    out: list[tuple[str, int]] = []

    def walk(items: list) -> None:
        for item in items:
            if isinstance(item, list):
                walk(item)
            else:
                out.append((_normalise(item.title), reader.get_destination_page_number(item)))

    walk(reader.outline)
    return out


def _page_of(outline: list[tuple[str, int]], title: str) -> int:
    for text, page in outline:
        if text == title or text.endswith(" " + title):
            return page
    msg = f"{title!r} not in the PDF's bookmarks: {[t for t, _ in outline]}"
    raise AssertionError(msg)


def test_bibliography_in_references_chapter(reader: PdfReader) -> None:
    """Every DOI of references.bib is printed once, inside the References chapter."""
    outline = _outline(reader)
    start = _page_of(outline, _normalise(_title("chapters/references")))
    end = min(p for _, p in outline if p > start)
    dois = re.findall(r"doi\s*=\s*\{([^}]+)\}", (ROOT / "data" / "references.bib").read_text())
    assert dois
    pages = [
        "".join((reader.pages[i].extract_text() or "").split()) for i in range(len(reader.pages))
    ]
    for doi in dois:
        where = [i for i, text in enumerate(pages) for _ in range(text.count(doi))]
        assert len(where) == 1, f"DOI {doi} printed {len(where)} times (pages {where})"
        assert start <= where[0] <= end, f"DOI {doi} on page {where[0]}, not in References"


def test_contents_page_is_titled(reader: PdfReader) -> None:
    """The contents page is headed "Contents" (Sphinx would name it after the first part)."""
    first_part = yaml.safe_load((ROOT / "_toc.yml").read_text(encoding="utf-8"))["parts"][0]
    heading = (reader.pages[1].extract_text() or "").strip().splitlines()[0]
    assert heading.casefold() == "contents", f"the contents page is headed {heading!r}"
    assert heading.casefold() != first_part["caption"].casefold()


def test_parts_are_parts(tex: str) -> None:
    toc = yaml.safe_load((ROOT / "_toc.yml").read_text(encoding="utf-8"))
    numbered = [p["caption"] for p in toc["parts"] if p.get("numbered")]
    parts = re.findall(r"\\part\{([^}]*)\}", tex)
    assert [p.replace("\\", "") for p in parts] == list(numbered), parts


def test_title_page_from_citation(reader: PdfReader) -> None:
    from ivigbook.publish.version import book_metadata

    meta = book_metadata()
    first = _normalise(reader.pages[0].extract_text() or "")
    for needle in (f"Version {meta.version}", meta.release_date_long, meta.licence, "How to cite"):
        assert needle in first, f"{needle!r} not on the title page"


def _print_headings(source: str) -> list[str]:
    """The ``##`` headings of the home page that are not inside an ``{only} html`` block:
    the block of the home page that the PDF prints before chapter 1."""
    headings: list[str] = []
    fence: list[tuple[str, bool]] = []  # (closing marker, html-only)
    for line in source.splitlines():
        stripped = line.strip()
        if fence and stripped == fence[-1][0]:
            fence.pop()
            continue
        opening = re.match(r"^(`{3,}|:{3,})\{?([\w:-]*)\}?\s*(.*)$", stripped)
        if opening and opening.group(2):
            fence.append(
                (opening.group(1), opening.group(2) == "only" and "html" in opening.group(3))
            )
            continue
        if line.startswith("## ") and not any(html for _, html in fence):
            headings.append(line[3:].strip())
    return headings


def test_print_headings_parser() -> None:
    source = "# T\n:::{only} html\n## Site\n:::\n## Key messages\n```{note}\nx\n```\n## Summary"
    assert _print_headings(source) == ["Key messages", "Summary"]


def test_key_messages_before_chapter_one(reader: PdfReader) -> None:
    """The home page's block marked for print (its ``##`` sections outside the site-only
    block) comes after the contents and before chapter 1."""
    headings = _print_headings((ROOT / "chapters" / "index.md").read_text(encoding="utf-8"))
    assert headings, "the home page marks no section for print (key messages)"
    outline = _outline(reader)
    first_chapter = _page_of(outline, _normalise(_title(toc_files()[1])))
    for heading in headings:
        page = _page_of(outline, _normalise(heading))
        assert page < first_chapter, f"{heading!r} on page {page}, chapter 1 on {first_chapter}"


@pytest.mark.parametrize("page", toc_files())
def test_site_only_sections_not_printed(reader: PdfReader, page: str) -> None:
    """A section inside an ``{only} html`` block is not in the PDF (MyST lifts its heading
    out of the block: the home page's "How to read it", on a page of its own, told a reader
    of paper to open the code under each figure)."""
    source = (ROOT / f"{page}.md").read_text(encoding="utf-8")
    every = [line[3:].strip() for line in source.splitlines() if line.startswith("## ")]
    site_only = [h for h in every if h not in _print_headings(source)]
    printed = {title for title, _ in _outline(reader)}
    leaked = [h for h in site_only if any(t.endswith(_normalise(h)) for t in printed)]
    assert not leaked, f"site-only sections of {page} printed: {leaked}"


#: Every table of the PDF, the book's own (ivigbook.publish.render) and Sphinx's
#: (_templates/*.tex.jinja) alike: its environment and its text up to its end.
TABLE = re.compile(r"\\begin\{(longtable|tabulary|tabularx|tabular)\}(.*?)\\end\{\1\}", re.S)
#: The book's table style, set just before the table: small type (footnotesize on a landscape
#: page) and 4pt column padding.
TABLE_TYPE = re.compile(
    r"\\(?:small|footnotesize)\s*\\setlength\{\\tabcolsep\}\{4pt\}\s*(?:\\centering\s*)?"
    r"(?:\\ivigneedspace\{\d+\\baselineskip\}\s*)?$"
)
#: A caption's text: braces inside it one deep (\textendash{}).
CAPTION = re.compile(r"\\caption\{((?:[^{}]|\{[^{}]*\})*)\}")


def test_every_table_in_one_style(tex: str) -> None:
    """One style for every table (Table 11.4, Sphinx's own, was typeset in Sphinx's: normal
    type, sans-serif heads, "Table 11.4 - continued from previous page"): small type and 4pt
    padding, booktabs rules only, bold heads, and on a long table's later pages its caption
    with "(continued)" and "Continued on next page" at the foot of the page before."""
    body = tex[tex.index("\\begin{document}") :]
    tables = list(TABLE.finditer(body))
    assert len(tables) >= 10, "no tables found in the LaTeX"
    odd: dict[str, list[str]] = {}
    for match in tables:
        env, table = match.group(1), match.group(2)
        caption = CAPTION.search(table)
        name = (caption.group(1) if caption else table[:80]).strip()
        head = table.split("\\toprule", 1)[-1].split("\\midrule", 1)[0]
        faults = {
            "type": not TABLE_TYPE.search(body[max(match.start() - 300, 0) : match.start()]),
            "rules": not all(r in table for r in ("\\toprule", "\\midrule", "\\bottomrule"))
            or any(r in table for r in ("\\hline", "\\sphinxtoprule", "\\rowcolor", "colorrows")),
            "heads": "\\textbf{" not in head and "\\sphinxstyletheadfamily" not in head,
            "continued": env == "longtable"
            and caption is not None
            and (
                f"\\caption[]{{{caption.group(1)} (continued)}}" not in table
                or "Continued on next page" not in table
            ),
        }
        for fault in (f for f, bad in faults.items() if bad):
            odd.setdefault(fault, []).append(name)
    assert not odd, f"tables not in the book's style: {odd}"
    assert "continued from previous page" not in tex
    # Sphinx's heads (\sphinxstyletheadfamily) are bold, as the book's (\textbf) are.
    assert "\\protected\\def\\sphinxstyletheadfamily{\\bfseries}" in STY.read_text(encoding="utf-8")


def test_tables_typeset(tex: str) -> None:
    """No printed table is empty, and none is printed twice."""
    tables = re.findall(r"\\begin\{longtable\}.*?\\end\{longtable\}", tex, re.S)
    assert tables
    bodies = [
        t.split("\\endlastfoot", 1)[-1].replace("\\end{longtable}", "").strip() for t in tables
    ]
    empty = [t[:200] for t, body in zip(tables, bodies, strict=True) if not body]
    assert not empty, f"empty tables: {empty}"
    seen: dict[str, int] = {}
    for body in bodies:
        seen[body] = seen.get(body, 0) + 1
    twice = [body[:200] for body, n in seen.items() if n > 1]
    assert not twice, f"tables printed more than once: {twice}"


PARAMETER_CELL = re.compile(r"```\{code-cell\}[^\n]*\n:tags: \[parameters[^\]]*\]\n(.*?)```", re.S)


@pytest.mark.parametrize("page", toc_files())
def test_no_code_printed(pdf_text: str, page: str) -> None:
    """No code in the PDF, the parameters cells (a chapter's assumptions) included: none of
    the names they set is printed (the chapters state the assumptions in words or tables)."""
    source = (ROOT / f"{page}.md").read_text(encoding="utf-8")
    names = [
        line.split("=", 1)[0].strip()
        for cell in PARAMETER_CELL.findall(source)
        for line in cell.splitlines()
        if re.match(r"^[A-Z_][A-Z0-9_]* *=", line)
    ]
    printed = [name for name in names if name in pdf_text.replace(" ", "")]
    assert not printed, f"code of {page} printed in the PDF: {printed}"
    assert "render.show_table(" not in pdf_text.replace(" ", "")


def test_claims_with_reasons_printed_once(tex: str) -> None:
    """The claims and the reasons for their verdicts make one long table; the PDF prints
    it once (other chapters refer to it, or print only their own claims)."""
    from ivigbook.analysis import claims
    from ivigbook.data.load import load
    from ivigbook.publish.render import latex_cell

    evaluated = claims.evaluate(load())
    counts = {str(r)[:40]: tex.count(latex_cell(r)[:60]) for r in evaluated["reason"]}
    assert any(counts.values()), "no claim reason found in the PDF's tables"
    repeated = {reason: n for reason, n in counts.items() if n > 1}
    assert not repeated, f"{len(repeated)} claim reasons printed more than once: {repeated}"


# --- Page layout ----------------------------------------------------------------------


def _page_texts(pdf: Path) -> list[str]:
    """Each page's text, as pdftotext lays it out (pages end in a form feed)."""
    out = subprocess.run(
        ["pdftotext", "-layout", "-enc", "UTF-8", str(pdf), "-"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    return out.split("\f")[:-1]


#: The last line of a page when it is the running foot: a section's title and a page number
#: (arabic, or roman in the contents), or the number alone.
FOOT = re.compile(r"(^|\s)([0-9]+|[ivxlc]+)$")


def _body_lines(page: str, running_head: str) -> list[str]:
    """A page's lines without its running head (the first line, holding the book's title
    and release) and its running foot."""
    lines = [line.strip() for line in page.splitlines() if line.strip()]
    if lines and running_head in lines[0]:
        lines = lines[1:]
    if lines and FOOT.search(lines[-1]):
        lines = lines[:-1]
    return lines


def test_body_lines_detector() -> None:
    head = "IVIG in sporadic inclusion body myositis, Release 9.9"
    empty = f"   {head}\n\n\n6.1. What the letter counts            44\n"
    assert _body_lines(empty, "Release 9.9") == []
    full = f"{head}\n6.2 The signals\nSome text.\n6.2. The signals   45\n"
    assert _body_lines(full, "Release 9.9") == ["6.2 The signals", "Some text."]
    assert _body_lines("Part I\nThe letter's argument\n5\n", "Release 9.9") == [
        "Part I",
        "The letter's argument",
    ]


def test_no_empty_page(pdf_path: Path) -> None:
    """No page holds only its running head and foot (a heading followed by a figure taller
    than what was left of the page once left page 44 of release 0.2.0 empty)."""
    from ivigbook.publish.version import book_metadata

    head = f"Release {book_metadata().version}"
    pages = _page_texts(pdf_path)
    assert len(pages) >= 3
    empty = [n for n, page in enumerate(pages, 1) if not _body_lines(page, head)]
    assert not empty, f"pages with nothing but a running head and foot: {empty}"


def test_no_table_heads_twice_on_a_page(pdf_path: Path) -> None:
    """No page prints a table's caption twice. A table kept on one page that did not fit
    under a figure at the top of a page printed only "Continued on next page" there, then its
    "(continued)" head and its first head on the next page (Tables 4.3, 5.1 and 5.2 of the
    build of 30 November 2026)."""
    twice = []
    for n, page in enumerate(_page_texts(pdf_path), 1):
        captions = re.findall(r"Table (\d+\.\d+):", page)
        twice += [f"page {n}: Table {c}" for c in sorted(set(captions)) if captions.count(c) > 1]
    assert not twice, f"a table's head printed twice on one page: {twice}"


def test_no_page_holds_a_lone_list_item(pdf_path: Path) -> None:
    """No page holds nothing but the end of a list (release 0.2.0 printed the last point of
    the next-trial chapter's summary alone on page 64)."""
    from ivigbook.publish.version import book_metadata

    head = f"Release {book_metadata().version}"
    lone = []
    for n, page in enumerate(_page_texts(pdf_path), 1):
        body = _body_lines(page, head)
        if body and len(body) <= 2 and body[0].startswith("\u2022"):
            lone.append(f"page {n}: {body[0][:60]}")
    assert not lone, f"pages with nothing but a list's last item: {lone}"


def _figure_sections(tex: str) -> list[str]:
    """For each figure of the LaTeX, in order, the title of the section it stands in."""
    out = []
    section = ""
    for m in re.finditer(r"\\section\{(.*?)\}\n|\\begin\{figure\}", tex):
        if m.group(0).startswith("\\section"):
            section = m.group(1)
        else:
            out.append(section)
    return out


def test_every_figure_prints_in_its_own_section(tex: str, pdf_path: Path) -> None:
    """A figure prints after its section's heading and before the next section's (release
    0.2.0 printed the update search's flow diagram after the chapter's summary, four pages
    from its text)."""
    sections = re.findall(r"\\section\{(.*?)\}\n", tex)
    homes = _figure_sections(tex)
    plain = {title: re.sub(r"\\[A-Za-z]+\{\}", "", title) for title in sections}
    assert len(homes) >= 10, "fewer figures in the LaTeX than the book has"
    # The body lines in print order, from the first chapter on (the contents lists headings).
    lines = [line.strip() for page in _page_texts(pdf_path) for line in page.splitlines()]
    start = next(i for i, line in enumerate(lines) if line.startswith("1.1 ") and ". ." not in line)
    lines = lines[start:]
    heading_at: list[int] = []
    at = 0
    for title in sections:
        want = _letters(plain[title])[:24]
        at = next(
            i
            for i in range(at, len(lines))
            if want and _letters(lines[i]).find(want) in (1, 2, 3, 4)
        )
        heading_at.append(at)
    captions = [i for i, line in enumerate(lines) if re.match(r"Fig\. \d+\.\d+:", line)]
    assert len(captions) == len(homes)
    astray = []
    for n, (caption, home) in enumerate(zip(captions, homes, strict=True), 1):
        k = sections.index(home)
        end = heading_at[k + 1] if k + 1 < len(heading_at) else len(lines)
        if not heading_at[k] < caption < end:
            astray.append(f"figure {n} ({lines[caption][:30]}) outside section {home!r}")
    assert not astray, astray


#: A numbered section heading as pdftotext prints it ("9.6 How far ...", "A.2 The ...").
NUMBERED_HEADING = re.compile(r"^([0-9]+|[A-Z])\.[0-9]+(\.[0-9]+)? [A-Z]")


def test_no_heading_ends_a_page(pdf_path: Path) -> None:
    """No page ends with a section heading, its text on the next page (section 9.6 of the
    build of 30 November 2026 ended a page above a third of it left empty)."""
    from ivigbook.publish.version import book_metadata

    head = f"Release {book_metadata().version}"
    ending = []
    for n, page in enumerate(_page_texts(pdf_path), 1):
        body = _body_lines(page, head)
        if body and NUMBERED_HEADING.match(body[-1]) and ". ." not in body[-1]:
            ending.append(f"page {n}: {body[-1][:50]}")
    assert not ending, f"pages that end with a heading: {ending}"


def test_no_item_ends_a_page_away_from_its_inner_list(pdf_path: Path) -> None:
    """A list item never ends a page while its inner list starts the next ("Swallowing"
    ended page 37 of the build of 30 November 2026, its reasons on page 38)."""
    from ivigbook.publish.version import book_metadata

    head = f"Release {book_metadata().version}"
    bodies = [_body_lines(page, head) for page in _page_texts(pdf_path)]
    apart = [
        f"page {n}: {this[-1][:40]}"
        for n, (this, after) in enumerate(pairwise(bodies), 1)
        if this and after and this[-1].startswith("\u2022") and after[0].startswith("\u2013")
    ]
    assert not apart, f"items whose inner list starts on the next page: {apart}"


def _letters(text: str) -> str:
    return re.sub(r"[^a-z0-9]", "", text.lower())


#: A table as render.py writes it into the LaTeX (landscape ones with their environment).
RAW_TABLE = re.compile(
    r"%ivigbook:raw-latex\n(.*?\\end\{longtable\}(?:\n\}\n\\end\{landscape\})?)", re.S
)


def test_short_tables_never_continued(tex: str, pdf_text: str) -> None:
    """A short table (ivigbook.publish.latex.is_short_table) is printed on one page: its
    caption never appears again with "(continued)" (release 0.2.0 carried the last of three
    rows of Table 2.1 over to the next page)."""
    from ivigbook.publish.latex import is_short_table

    short = [t for t in RAW_TABLE.findall(tex) if is_short_table(t)]
    assert len(short) >= 3, "no short tables found in the LaTeX"
    printed = _letters(pdf_text)
    continued = []
    for table in short:
        caption = re.search(r"\\caption\{(.*?)\}(?:\\label\{[^}]*\})? \\\\", table)
        if caption and _letters(caption.group(1)) + "continued" in printed:
            continued.append(caption.group(1))
    assert not continued, f"short tables split across pages: {continued}"


def test_pubmed_query_printed_whole(pdf_text: str) -> None:
    """The update search's PubMed query prints as text that copies whole: wrapped at its
    spaces, with no continuation marks (arrows, visible spaces) inside it."""
    from ivigbook.analysis.search import update_searches
    from ivigbook.data.load import load

    queries = [search.pubmed_query for search in update_searches(load())]
    assert queries, "the data record no update search"
    for query in queries:
        assert _normalise(query) in pdf_text, f"query not printed whole: {query[:60]}"


def test_no_index(tex: str, reader: PdfReader) -> None:
    """No index: Sphinx's listed only the glossary's terms, each pointing to the glossary."""
    assert "\\printindex" not in tex
    assert not [title for title, _ in _outline(reader) if title.lower() == "index"]
