"""Sphinx extension: the PDF as a publication (``extra_extensions: [ivigbook.publish.latex]``)."""

from __future__ import annotations

import math
import re
from functools import lru_cache
from pathlib import Path
from typing import Any

from docutils import nodes
from docutils.parsers.rst import roles
from sphinx import addnodes
from sphinx.application import Sphinx
from sphinx.config import Config
from sphinx.transforms.post_transforms import SphinxPostTransform

from ivigbook.publish.render import latex_escape
from ivigbook.publish.version import book_metadata


def _raw(text: str) -> nodes.raw:
    return nodes.raw("", text + "\n", format="latex")


def _insert_before(node: nodes.Node, text: str) -> None:
    node.parent.insert(node.parent.index(node), _raw(text))


# Rewrites render.py's table LaTeX: rows kept together by heights estimated from their text.

#: A table of at most SHORT_TABLE_ROWS rows and SHORT_TABLE_LINES lines (a third of a page)
#: is kept whole; a longer one breaks only with MIN_ROWS_AT_BREAK rows on either side.
SHORT_TABLE_ROWS = 15
SHORT_TABLE_LINES = 20
MIN_ROWS_AT_BREAK = 3
#: Lines a table's caption and column heads take, at most, before its first row.
HEAD_LINES = 6
#: Before a longtable: a new page unless its head and the rows kept with its first row fit
#: (else a page's foot may print only "Continued on next page").
NEEDSPACE = "\\ivigneedspace{{{lines}\\baselineskip}}\n"
#: Characters of \small text on a full line (about 100; fewer, so estimates err high).
CHARS_PER_LINE = 90
#: The end of a row with no page break after it (Sphinx's tabulary disables ``\\\\*``).
ROW_END_KEPT = "\\\\ \\noalign{\\nobreak}"
_COLUMN_WIDTH = re.compile(r"p\{([0-9.]+)\\linewidth\}")
_UNESCAPED_AMPERSAND = re.compile(r"(?<!\\)&")
_COMMAND = re.compile(r"\\[A-Za-z]+\*?|[{}]")


def _height(row: str, widths: list[float]) -> int:
    """Lines the tallest cell of a row takes, from its characters and its column's width."""
    cells = zip(_UNESCAPED_AMPERSAND.split(row), widths, strict=False)
    chars = [(len(_COMMAND.sub("", c).strip()), max(w * CHARS_PER_LINE, 1.0)) for c, w in cells]
    return max([1, *(math.ceil(n / per_line) for n, per_line in chars)])


def _rows(latex: str) -> tuple[int, int, list[str], list[int]] | None:
    """(start, end, rows, lines of each row) of a portrait longtable's body, or None."""
    start, end = latex.find("\\endlastfoot\n"), latex.find("\\end{longtable}")
    if "\\begin{landscape}" in latex or start < 0 or end < start:
        return None
    start += len("\\endlastfoot\n")
    lines = [line.rstrip() for line in latex[start:end].strip().split("\n")]
    if not all(line.endswith(("\\\\", ROW_END_KEPT)) for line in lines):
        return None
    rows = [r.removesuffix(ROW_END_KEPT).rstrip().removesuffix("\\\\").rstrip() for r in lines]
    spec = latex[latex.find("\\begin{longtable}") :].split("\n", 1)[0]
    widths = [float(w) for w in _COLUMN_WIDTH.findall(spec)]
    return start, end, rows, [_height(row, widths) for row in rows]


def _is_short(heights: list[int]) -> bool:
    return len(heights) <= SHORT_TABLE_ROWS and sum(heights) <= SHORT_TABLE_LINES


def is_short_table(latex: str) -> bool:
    """A longtable of 2 or more rows that is printed on one page (see SHORT_TABLE_ROWS)."""
    body = _rows(latex)
    return body is not None and len(body[2]) >= 2 and _is_short(body[3])


def _kept_after(lines: list[int]) -> set[int]:
    """Rows no page break may follow: all but the last if short, else those at either end."""
    n = len(lines)
    if _is_short(lines):
        return set(range(n - 1))
    room, edge = SHORT_TABLE_LINES, MIN_ROWS_AT_BREAK
    head = {i for i in range(min(edge, n) - 1) if sum(lines[: i + 2]) <= room}
    tail = {i for i in range(max(n - edge, 0), n - 1) if sum(lines[i:]) <= room}
    return head | tail


def keep_short_table_together(latex: str) -> str:
    """Rows of :func:`_kept_after` end in ROW_END_KEPT; NEEDSPACE asks room for them."""
    body = _rows(latex)
    if body is None or len(body[2]) < 2:
        return latex
    start, end, rows, heights = body
    kept = _kept_after(heights)
    lines = [row + " " + (ROW_END_KEPT if i in kept else "\\\\") for i, row in enumerate(rows)]
    begin = latex.find("\\begin{longtable}")
    before = latex[:begin]
    if "\\ivigneedspace{" not in before:
        first = next(i for i in range(len(rows)) if i not in kept)
        before += NEEDSPACE.format(lines=HEAD_LINES + sum(heights[: first + 1]))
    return before + latex[begin:start] + "\n".join(lines) + "\n" + latex[end:]


#: Lines of a heading, and the most characters between a heading and a table kept with it.
HEADING_LINES = 4
LEAD_CHARS = 400
_NEEDED_LINES = re.compile(r"\\ivigneedspace\{(\d+)\\baselineskip\}")


def keep_heading_with_table(table: nodes.raw) -> nodes.raw | None:
    """NEEDSPACE before a heading whose section opens with ``table``; the node put there or None."""
    need = _NEEDED_LINES.search(table.astext())
    child: nodes.Node = table
    section = table.parent
    while section is not None and not isinstance(section, nodes.section):
        child, section = section, section.parent
    if need is None or section is None or not isinstance(section.parent, nodes.section):
        return None
    lead = section.children[: section.index(child)]
    chars = sum(len(n.astext()) for n in lead[1:])
    prose = all(isinstance(n, (nodes.paragraph, nodes.target)) for n in lead[1:])
    if not lead or not isinstance(lead[0], nodes.title) or chars > LEAD_CHARS or not prose:
        return None
    lines = int(need.group(1)) + HEADING_LINES + math.ceil(chars / CHARS_PER_LINE)
    # Held-over figures print first (as placeins' [section] would): room is measured under them.
    before = _raw("\\FloatBarrier\n" + NEEDSPACE.format(lines=lines).rstrip("\n"))
    section.parent.insert(section.parent.index(section), before)
    return before


#: A bullet list of at most this many characters (about a dozen lines) is kept on one page.
KEEP_LIST_CHARS = 1200


def short_lists(document: nodes.Node) -> list[nodes.bullet_list]:
    """Bullet lists to keep on one page: short, and not inside another list."""
    inner = {
        id(b) for item in document.findall(nodes.list_item) for b in item.findall(nodes.bullet_list)
    }
    lists = document.findall(nodes.bullet_list)
    return [n for n in lists if len(n.astext()) <= KEEP_LIST_CHARS and id(n) not in inner]


class KeepTogether(SphinxPostTransform):
    """No page break in short tables and lists, nor after a heading opening a table."""

    default_priority = 900
    formats = ("latex",)

    def run(self, **_: Any) -> None:
        raw_latex = (n for n in self.document.findall(nodes.raw) if n.get("format") == "latex")
        for table in [n for n in raw_latex if "\\begin{longtable}" in n.astext()]:
            table.children = [nodes.Text(keep_short_table_together(table.astext()))]
            keep_heading_with_table(table)
        for node in short_lists(self.document):
            node.parent.insert(node.parent.index(node) + 1, _raw("\\end{samepage}"))
            _insert_before(node, "\\begin{samepage}")


def _set_title_page(app: Sphinx, config: Config) -> None:
    # Computed, not in ivigbook.sty: the title, version, date and authors come from CITATION.cff.
    meta = book_metadata()
    licence = f"Prose and data: {meta.licence}. Code: {meta.code_licence}. "
    licence += "The letter and the studies are cited from their own sources."
    fields = [meta.title, meta.version, meta.release_date_long, meta.author_text]
    fields += [meta.citation_text(), licence]
    title = "\\ivigtitlepage" + "".join("{" + latex_escape(f) + "}" for f in fields)
    config.latex_elements = {**(config.latex_elements or {}), "maketitle": title}


_ONLY_HTML = re.compile(r"(`{3,}|:{3,})\{only\}\s*html")


@lru_cache(maxsize=64)
def html_only_lines(path: str) -> frozenset[int]:
    """Lines of a Markdown page inside its ``{only} html`` blocks."""
    lines, close = set(), None
    text = Path(path).read_text(encoding="utf-8") if path.endswith(".md") else ""
    for number, line in enumerate(text.splitlines(), 1):
        if close is None and (opening := _ONLY_HTML.fullmatch(line.strip())):
            close = opening.group(1)
        elif close is not None:
            close = None if line.strip() == close else close
            lines.add(number)
    return frozenset(lines)


class PrintStructure(SphinxPostTransform):
    """Front matter, parts, back matter and the bibliography's place in the PDF."""

    default_priority = 800
    formats = ("latex",)

    def run(self, **_: Any) -> None:
        starts = {node["docname"]: node for node in self.document.findall(addnodes.start_of_file)}
        if not starts:
            return
        self._site_only_lead()
        # MyST lifts a heading out of an {only} block (reST nests it), so the PDF would print it.
        for section in list(self.document.findall(nodes.section)):
            if section.line in html_only_lines(str(section.source)):
                section.parent.remove(section)
        self.document.insert(0, _raw("\\ivigfrontmatter"))
        markup = ["\\ivigmainmatter"]
        site_map = getattr(self.app.env, "external_site_map", None)
        for part in site_map.root.subtrees if site_map is not None else []:
            caption, numbered = part.caption, bool(part.numbered)
            present = [starts[str(d)] for d in part.items if str(d) in starts]
            if not present:
                continue
            part = r"\part{" + latex_escape(caption or "") + "}"
            _insert_before(
                present[0], "\n".join([*markup, part if numbered else "\\ivigbackmatter"])
            )
            markup = []
            if not numbered and len(present) > 1:
                _insert_before(present[1], "\\ivigappendices")
        self._move_bibliography(starts)

    def _site_only_lead(self) -> None:
        """Drop the home page's welcome text before its first section (the PDF has a title page)."""
        root = next(iter(self.document.findall(nodes.section)), nodes.section())
        for child in list(root.children):
            kept = isinstance(child, (nodes.title, nodes.section, nodes.target, nodes.raw))
            if not kept and next(child.findall(addnodes.start_of_file), None) is None:
                root.remove(child)

    def _move_bibliography(self, starts: dict[str, Any]) -> None:
        """Move the bibliography from the PDF's end into the chapter that holds its directive."""
        from sphinx.builders.latex.nodes import thebibliography

        lists = list(self.document.findall(thebibliography))
        citations = lists[0].findall(nodes.citation) if lists else []
        home = next((starts[c["docname"]] for c in citations if c.get("docname") in starts), None)
        if home is None:
            return
        target = next(iter(home.findall(nodes.section)), home)
        for node in lists:
            node.parent.remove(node)
            target.append(node)


ONLY_ROLES = {"html-only": "ivig-html-only", "pdf-only": "ivig-pdf-only"}


class BuilderAwareText(SphinxPostTransform):
    """Drop the ``{pdf-only}`` words from the site and the ``{html-only}`` ones from the PDF."""

    default_priority = 50

    def run(self, **_: Any) -> None:
        drop = ONLY_ROLES["html-only" if self.app.builder.format == "latex" else "pdf-only"]
        for node in list(self.document.findall(nodes.inline)):
            if drop in node["classes"]:
                node.parent.remove(node)


def setup(app: Sphinx) -> dict[str, Any]:
    for name, css_class in ONLY_ROLES.items():
        inline = roles.GenericRole(name, nodes.inline)
        app.add_role(name, roles.CustomRole(name, inline, {"class": [css_class]}))  # type: ignore[arg-type]
    app.connect("config-inited", _set_title_page, priority=950)
    for transform in (BuilderAwareText, KeepTogether, PrintStructure):
        app.add_post_transform(transform)
    return {"version": "1", "parallel_read_safe": True, "parallel_write_safe": True}
