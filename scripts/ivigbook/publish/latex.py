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
"""

from __future__ import annotations

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
    app.add_post_transform(PrintStructure)
    app.add_post_transform(DoiOnce)
    return {"version": "1", "parallel_read_safe": True, "parallel_write_safe": True}
