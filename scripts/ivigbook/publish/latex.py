"""Sphinx extension: the PDF as a publication (``extra_extensions: [ivigbook.publish.latex]``).

* **Title page** from CITATION.cff (:func:`ivigbook.publish.version.book_metadata`): title,
  version, release date, authors, licences and how to cite; never typed.
* **Front matter**: the contents page (titled "Contents", not the first part's caption), then
  every section of the home page that is left in the PDF, as unnumbered chapters before
  chapter 1. The home page is site-only except what it marks for print: a top-level
  (``##``) section outside its ``{only} html`` block (or inside an ``{only} latex`` block)
  prints here, e.g. ``(key-messages)=`` / ``## Key messages``. Text directly under the
  home page's title, before its first ``##``, stays on the site.
* **Parts** of ``_toc.yml`` as ``\\part`` pages; the unnumbered last part is back matter: its
  first chapter (the references, holding the bibliography) unnumbered, the others lettered
  appendices.
* **Builder-aware words** inside a paragraph or a caption, where ``{only}`` (a block)
  cannot go: ``{html-only}`text``` is printed on the site only, ``{pdf-only}`text``` in
  the PDF only, e.g. ``{html-only}`Hover over a mark for the letter's words.```
* **Bibliography** in the References chapter, not in a "Bibliography" chapter of its own at
  the end; author-year, without labels (the LaTeX environment is in ``_config.yml``'s
  preamble); DOIs printed once, as links, not repeated as footnotes.
* **Page layout** (:data:`LAYOUT_PREAMBLE`): the front matter's short sections run on,
  one after another; no figure with its caption is taller than a page; a cell's printed
  output (the update search's PubMed query) wraps at spaces, without continuation marks,
  so that it copies as one query; a short table is never split across two pages
  (:func:`keep_short_table_together`), nor a short list (:class:`ShortListsTogether`).
"""

from __future__ import annotations

import math
import re
from typing import Any

from docutils import nodes
from sphinx import addnodes
from sphinx.application import Sphinx
from sphinx.config import Config
from sphinx.transforms.post_transforms import SphinxPostTransform

from ivigbook.publish.render import latex_escape
from ivigbook.publish.version import BookMetadata, book_metadata

#: LaTeX macros (defined in _config.yml's preamble) that switch chapter numbering.
FRONT_MATTER = r"\ivigfrontmatter"
MAIN_MATTER = r"\ivigmainmatter"
BACK_MATTER = r"\ivigbackmatter"
APPENDICES = r"\ivigappendices"


#: LaTeX added to _config.yml's preamble (after it, so its macros are defined).
LAYOUT_PREAMBLE = r"""
\makeatletter
% \ivigneedspace{h}: start a new page unless h fits on this one (keep_short_table_together
% puts it before a table, h its head and the rows kept with its first row). Unlike needspace's
% \Needspace it also sees the room under a figure at the top of a page (the page's goal is
% \vsize there until text arrives), and it looks again after a break: a figure held over may
% take the top of the new page. A page with nothing but figures then keeps them alone.
\newcommand{\ivig@needspace}[1]{\begingroup
  \setlength{\dimen@}{#1}\dimen@ii\pagegoal
  \ifdim\dimen@ii=\maxdimen\dimen@ii\vsize\fi
  \advance\dimen@ii-\pagetotal
  \ifdim\dimen@>\dimen@ii\ifdim\pagetotal=\z@\null\fi\vfil\break\fi
  \endgroup}
\newcommand{\ivigneedspace}[1]{\par\ivig@needspace{#1}\ivig@needspace{#1}}
% No page break just before a list: a list stays with the line that leads into it, and an
% inner list with its item ("Swallowing" ended a page, its reasons on the next).
\@beginparpenalty=\@M
% fancyhdr asks for a header at least 13.6pt tall ("\headheight is too small").
\setlength{\headheight}{14pt}
% A figure's image at most 72% of the text block: with its caption and a section heading
% above it, it always fits on one page. (A heading followed by a page-high figure "here"
% left a page empty before it.)
\AtBeginDocument{\spx@image@maxheight=0.72\textheight}
% Figures float (figure_align: htbp): a figure may take up to 85% of a text page, at its
% top; a page of figures alone only when they fill 80% of it, and then from the top (with
% LaTeX's defaults a figure of half a page took a page of its own, centred).
\renewcommand{\topfraction}{0.85}\renewcommand{\bottomfraction}{0.5}
\renewcommand{\textfraction}{0.1}\renewcommand{\floatpagefraction}{0.8}
\setlength{\@fptop}{0pt}
% In the front matter (\ivigfrontmatter ... \ivigmainmatter) a chapter does not start a new
% page: the key messages, the plain-language summary and the short sections after them
% follow one another. Every other chapter starts on a new page, as before.
\newif\ifivig@runon
\renewcommand\chapter{\ifivig@runon\par\addpenalty{-\@highpenalty}\vspace{2\baselineskip}%
  \else\if@openright\cleardoublepage\else\clearpage\fi\thispagestyle{plain}\fi
  \global\@topnum\z@\@afterindentfalse\secdef\@chapter\@schapter}
\g@addto@macro\ivigfrontmatter{\ivig@runontrue}
\g@addto@macro\ivigmainmatter{\ivig@runonfalse}
% A cell's printed output (class cell_output): long lines wrap at spaces only, with no
% continuation marks (a hooked arrow, a red visible space), indented instead, so that a
% query copied from the PDF is the query.
\newenvironment{sphinxclasscell_output}{%
  \def\sphinxbreaksbeforelist{}\def\sphinxbreaksafterlist{}%
  \def\sphinxbreaksbeforeactivelist{}\def\sphinxbreaksafteractivelist{}%
  \def\spx@opt@verbatimvisiblespace{}%
  \def\spx@opt@verbatimcontinued{\hbox to 2em{}}}{}
\makeatother
"""


def _add_layout_preamble(app: Sphinx, config: Config) -> None:
    elements = dict(config.latex_elements or {})
    preamble = elements.get("preamble", "")
    if LAYOUT_PREAMBLE not in preamble:
        elements["preamble"] = preamble + LAYOUT_PREAMBLE
    config.latex_elements = elements


#: A longtable of at most this many rows, and at most :data:`SHORT_TABLE_LINES` estimated
#: lines (about a third of the text block), is kept on one page: it moves to the next page
#: whole, leaving at most that much of a page empty. (Measured on the book: an 11-row table
#: of 29 estimated lines, kept whole, left 40% of a page empty; split, it carried two rows.)
SHORT_TABLE_ROWS = 15
SHORT_TABLE_LINES = 20
#: A longer table breaks only where at least this many rows stay on either side of the
#: break (unless those rows would be more than :data:`SHORT_TABLE_LINES` lines): no page
#: holds a lone row "continued".
MIN_ROWS_AT_BREAK = 3
#: Lines a table's caption and column heads take, at most, before its first row.
HEAD_LINES = 6
#: Before a longtable: start a new page unless its head and the rows kept with its first row
#: fit on this one. (Without it, a short table after a float near the foot of a page printed
#: only its "Continued on next page" line there, and its head twice on the next page.)
NEEDSPACE = "\\ivigneedspace{{{lines}\\baselineskip}}\n"
#: Characters of \small text on one full line of the text block (about 100; fewer assumed,
#: so that the estimate of a table's lines errs high).
CHARS_PER_LINE = 90
_COLUMN_WIDTH = re.compile(r"p\{([0-9.]+)\\linewidth\}")
_UNESCAPED_AMPERSAND = re.compile(r"(?<!\\)&")
_COMMAND = re.compile(r"\\[A-Za-z]+\*?|[{}]")


def _estimated_lines(row: str, widths: list[float]) -> int:
    """Lines the tallest cell of a row takes, from its characters and its column's width."""
    cells = _UNESCAPED_AMPERSAND.split(row)
    lines = 1
    for cell, width in zip(cells, widths, strict=False):
        text = _COMMAND.sub("", cell).strip()
        per_line = max(width * CHARS_PER_LINE, 1.0)
        lines = max(lines, math.ceil(len(text) / per_line))
    return lines


def _body_rows(latex: str) -> tuple[int, int, list[str]] | None:
    """(start, end, rows) of a longtable's body: the rows after ``\\endlastfoot``, one a
    line; None for a landscape table or anything else."""
    start = latex.find("\\endlastfoot\n")
    end = latex.find("\\end{longtable}")
    if "\\begin{landscape}" in latex or start < 0 or end < start:
        return None
    start += len("\\endlastfoot\n")
    lines = latex[start:end].strip().split("\n")
    if not all(line.rstrip().endswith(("\\\\", ROW_END_KEPT)) for line in lines):
        return None
    return start, end, lines


def _widths(latex: str) -> list[float]:
    spec = latex[latex.find("\\begin{longtable}") :].split("\n", 1)[0]
    return [float(w) for w in _COLUMN_WIDTH.findall(spec)]


def is_short_table(latex: str) -> bool:
    """A longtable of 2 to :data:`SHORT_TABLE_ROWS` rows whose rows take at most
    :data:`SHORT_TABLE_LINES` lines (estimated from their text and their columns' widths):
    it is printed on one page."""
    body = _body_rows(latex)
    if body is None:
        return False
    rows = body[2]
    lines = sum(_estimated_lines(row, _widths(latex)) for row in rows)
    return 2 <= len(rows) <= SHORT_TABLE_ROWS and lines <= SHORT_TABLE_LINES


#: The end of a row with no page break after it. (Not longtable's ``\\\\*``: with the
#: tabulary package loaded, as Sphinx loads it, the star is ignored.)
ROW_END_KEPT = "\\\\ \\noalign{\\nobreak}"


def _kept_after(lines: list[int]) -> set[int]:
    """Indices of rows that no page break may follow: every row but the last of a short
    table; otherwise the first and last :data:`MIN_ROWS_AT_BREAK` rows are kept together,
    as far as they fit in :data:`SHORT_TABLE_LINES` lines."""
    n = len(lines)
    if n <= SHORT_TABLE_ROWS and sum(lines) <= SHORT_TABLE_LINES:
        return set(range(n - 1))
    kept = set()
    for i in range(min(MIN_ROWS_AT_BREAK, n) - 1):
        if sum(lines[: i + 2]) <= SHORT_TABLE_LINES:
            kept.add(i)
    for i in range(max(n - MIN_ROWS_AT_BREAK, 0), n - 1):
        if sum(lines[i:]) <= SHORT_TABLE_LINES:
            kept.add(i)
    return kept


def keep_short_table_together(latex: str) -> str:
    """Rows that no page break may follow (:func:`_kept_after`) end in :data:`ROW_END_KEPT`:
    a short table moves to the next page whole, and a longer one never leaves a row or two
    alone above or below a break.

    Landscape tables and anything else come back unchanged.
    """
    body = _body_rows(latex)
    if body is None or len(body[2]) < 2:
        return latex
    start, end, rows = body
    plain = [
        row.rstrip().removesuffix(ROW_END_KEPT).rstrip().removesuffix("\\\\").rstrip()
        for row in rows
    ]
    heights = [_estimated_lines(row, _widths(latex)) for row in plain]
    kept = _kept_after(heights)
    lines = [row + " " + (ROW_END_KEPT if i in kept else "\\\\") for i, row in enumerate(plain)]
    begin = latex.find("\\begin{longtable}")
    before = latex[:begin]
    if "\\ivigneedspace{" not in before:
        before += NEEDSPACE.format(lines=HEAD_LINES + sum(heights[: _leading_run(kept) + 1]))
    return before + latex[begin:start] + "\n".join(lines) + "\n" + latex[end:]


def _leading_run(kept: set[int]) -> int:
    """How many rows from the first on are kept with the row after them."""
    n = 0
    while n in kept:
        n += 1
    return n


class ShortTablesTogether(SphinxPostTransform):
    """Apply :func:`keep_short_table_together` to the book's typeset tables."""

    default_priority = 900
    formats = ("latex",)

    def run(self, **_: Any) -> None:
        raw_latex = (n for n in self.document.findall(nodes.raw) if n.get("format") == "latex")
        for table in [n for n in raw_latex if "\\begin{longtable}" in n.astext()]:
            table.children = [nodes.Text(keep_short_table_together(table.astext()))]
            keep_heading_with_table(table)


#: Lines a section heading takes with the space around it, and the most text (in
#: characters) between a heading and its table for the two to be kept together.
HEADING_LINES = 4
LEAD_CHARS = 400
_NEEDED_LINES = re.compile(r"\\ivigneedspace\{(\d+)\\baselineskip\}")


def keep_heading_with_table(table: nodes.raw) -> nodes.raw | None:
    """Where a section opens with ``table`` (after its heading, at most :data:`LEAD_CHARS`
    of text), put the table's :data:`NEEDSPACE` before the heading too, grown by the
    heading and that text: a heading never ends a page whose table starts on the next one
    (section 9.6 of the build of 30 November 2026). Returns the node put before the
    heading, or None (no such section; a chapter, which starts a page anyway)."""
    need = _NEEDED_LINES.search(table.astext())
    child: nodes.Node = table
    section = table.parent
    while section is not None and not isinstance(section, nodes.section):
        child, section = section, section.parent
    if need is None or section is None or not isinstance(section.parent, nodes.section):
        return None
    lead = section.children[: section.index(child)]
    if not lead or not isinstance(lead[0], nodes.title):
        return None
    text = lead[1:]
    chars = sum(len(n.astext()) for n in text)
    if chars > LEAD_CHARS or not all(isinstance(n, (nodes.paragraph, nodes.target)) for n in text):
        return None
    lines = int(need.group(1)) + HEADING_LINES + math.ceil(chars / CHARS_PER_LINE)
    # Figures held over print first, as the heading's own float barrier (placeins' [section]
    # option) would print them: the room is measured under them.
    before = nodes.raw("", "\\FloatBarrier\n" + NEEDSPACE.format(lines=lines), format="latex")
    parent = section.parent
    parent.insert(parent.index(section), before)
    return before


#: A bullet list of at most this many characters (about a dozen printed lines) is kept on
#: one page: its last item never stands alone at the top of the next page (release 0.2.0
#: printed the last point of a chapter's summary alone on a page).
KEEP_LIST_CHARS = 1200


def short_lists(document: nodes.Node) -> list[nodes.bullet_list]:
    """The bullet lists to keep on one page: short, and not inside another list (an inner
    list is kept with the outer one)."""
    return [
        node
        for node in document.findall(nodes.bullet_list)
        if len(node.astext()) <= KEEP_LIST_CHARS
        and not any(isinstance(a, nodes.list_item) for a in _ancestors(node))
    ]


def _ancestors(node: nodes.Node) -> list[nodes.Node]:
    out = []
    while node.parent is not None:
        node = node.parent
        out.append(node)
    return out


class ShortListsTogether(SphinxPostTransform):
    """Put each of :func:`short_lists` in LaTeX's ``samepage``: no page break inside it."""

    default_priority = 900
    formats = ("latex",)

    def run(self, **_: Any) -> None:
        for node in short_lists(self.document):
            parent = node.parent
            i = parent.index(node)
            parent.insert(i + 1, nodes.raw("", "\\end{samepage}\n", format="latex"))
            parent.insert(i, nodes.raw("", "\\begin{samepage}\n", format="latex"))


def title_page(meta: BookMetadata) -> str:
    """The PDF's title page, from the book's metadata."""
    e = latex_escape
    licences = (
        f"Prose and data: {e(meta.licence)}. Code: {e(meta.code_licence)}. "
        "The letter and the studies are cited from their own sources."
    )
    return "\n".join(
        [
            r"\hypersetup{pdftitle={"
            + e(meta.title)
            + "}, pdfauthor={"
            + e(meta.author_text)
            + "}}",
            r"\begin{titlepage}",
            r"\noindent\rule{\textwidth}{1pt}\par\vspace{2em}",
            r"\begin{flushleft}",
            r"{\sffamily\bfseries\Huge " + e(meta.title) + r"\par}",
            r"\vspace{2em}",
            r"{\sffamily\Large Version " + e(meta.version) + r"\par}",
            r"\vspace{0.5em}",
            r"{\sffamily\large " + e(meta.release_date_long) + r"\par}",
            r"\vspace{3em}",
            r"{\large " + e(meta.author_text) + r"\par}",
            r"\vfill",
            r"\noindent\rule{\textwidth}{0.5pt}\par\vspace{0.5em}",
            r"{\small\textbf{How to cite.} " + e(meta.citation_text()) + r"\par}",
            r"\vspace{0.5em}",
            r"{\small\textbf{Licence.} " + licences + r"\par}",
            r"\end{flushleft}",
            r"\end{titlepage}",
        ]
    )


def _set_title_page(app: Sphinx, config: Config) -> None:
    elements = dict(config.latex_elements or {})
    elements["maketitle"] = title_page(book_metadata())
    config.latex_elements = elements


def toc_parts(app: Sphinx) -> list[tuple[str | None, bool, list[str]]]:
    """(caption, numbered, docnames) of each part of _toc.yml, in order."""
    from sphinx_external_toc.api import FileItem

    site_map = getattr(app.env, "external_site_map", None)
    if site_map is None:
        return []
    parts = []
    for toctree in site_map.root.subtrees:
        docnames = [str(item) for item in toctree.items if isinstance(item, FileItem)]
        parts.append((toctree.caption, bool(toctree.numbered), docnames))
    return parts


def _raw(text: str) -> nodes.raw:
    return nodes.raw("", text + "\n", format="latex")


class PrintStructure(SphinxPostTransform):
    """Front matter, parts, back matter and the bibliography's place in the PDF.

    Runs on the assembled PDF document, after Sphinx dropped the site-only blocks and
    gathered the citations into one bibliography (priority 750).
    """

    default_priority = 800
    formats = ("latex",)

    def run(self, **_: Any) -> None:
        starts = {node["docname"]: node for node in self.document.findall(addnodes.start_of_file)}
        if not starts:
            return
        self._site_only_lead()
        self.document.insert(0, _raw(FRONT_MATTER))
        first = True
        for caption, numbered, docnames in toc_parts(self.app):
            present = [d for d in docnames if d in starts]
            if not present:
                continue
            head = starts[present[0]]
            markup = [MAIN_MATTER] if first else []
            first = False
            if numbered:
                markup.append(r"\part{" + latex_escape(caption or "") + "}")
                head.parent.insert(head.parent.index(head), _raw("\n".join(markup)))
                continue
            markup.append(BACK_MATTER)
            head.parent.insert(head.parent.index(head), _raw("\n".join(markup)))
            if len(present) > 1:
                second = starts[present[1]]
                second.parent.insert(second.parent.index(second), _raw(APPENDICES))
        self._move_bibliography(starts)

    def _site_only_lead(self) -> None:
        """Text of the home page directly under its title (before its first ``##``) is the
        site's welcome; the PDF has its title page instead, and would print it loose on a
        page of its own between the contents and the key messages."""
        root = next(iter(self.document.findall(nodes.section)), None)
        if root is None:
            return
        for child in list(root.children):
            if isinstance(child, (nodes.title, nodes.section, nodes.target, nodes.raw)):
                continue
            if next(iter(child.findall(addnodes.start_of_file)), None) is not None:
                continue
            root.remove(child)

    def _move_bibliography(self, starts: dict[str, Any]) -> None:
        """Sphinx puts every citation in one list at the very end of the PDF, after the
        last appendix; put it in the chapter whose page holds the bibliography directive."""
        from sphinx.builders.latex.nodes import thebibliography

        lists = list(self.document.findall(thebibliography))
        if not lists:
            return
        home = None
        for docname, start in starts.items():
            for citation in lists[0].findall(nodes.citation):
                if citation.get("docname") == docname:
                    home = start
                    break
            if home is not None:
                break
        if home is None:
            return
        sections = list(home.findall(nodes.section))
        target = sections[0] if sections else home
        for node in lists:
            node.parent.remove(node)
            target.append(node)


class DoiOnce(SphinxPostTransform):
    """A bibliography's DOI link printed as its address, so Sphinx's "show URLs as
    footnotes" (priority 400) does not repeat it in a footnote: the DOI appears once."""

    default_priority = 390
    formats = ("latex",)

    def run(self, **_: Any) -> None:
        for citation in self.document.findall(nodes.citation):
            for ref in citation.findall(nodes.reference):
                uri = ref.get("refuri", "")
                if uri.startswith("https://doi.org/") and ref.astext() != uri:
                    ref.children = [nodes.Text(uri)]


#: Role name -> the class its text carries.
ONLY_ROLES = {"html-only": "ivig-html-only", "pdf-only": "ivig-pdf-only"}


def _only_role(css_class: str) -> Any:
    def role(
        name: str,
        rawtext: str,
        text: str,
        lineno: int,
        inliner: Any,
        options: Any = None,
        content: Any = (),
    ) -> tuple[list[nodes.Node], list[Any]]:
        return [nodes.inline(rawtext, text, classes=[css_class])], []

    return role


class BuilderAwareText(SphinxPostTransform):
    """Drop the ``{pdf-only}`` words from the site and the ``{html-only}`` ones from the PDF."""

    default_priority = 50

    def run(self, **_: Any) -> None:
        in_print = self.app.builder.format == "latex"
        drop = ONLY_ROLES["html-only" if in_print else "pdf-only"]
        for node in list(self.document.findall(nodes.inline)):
            if drop in node["classes"]:
                node.parent.remove(node)


def setup(app: Sphinx) -> dict[str, Any]:
    for name, css_class in ONLY_ROLES.items():
        app.add_role(name, _only_role(css_class))
    app.add_post_transform(BuilderAwareText)
    app.connect("config-inited", _set_title_page, priority=950)
    app.connect("config-inited", _add_layout_preamble, priority=950)
    app.add_post_transform(ShortTablesTogether)
    app.add_post_transform(ShortListsTogether)
    app.add_post_transform(PrintStructure)
    app.add_post_transform(DoiOnce)
    return {"version": "1", "parallel_read_safe": True, "parallel_write_safe": True}
