"""Sphinx extension: a light, linkable, citable site.

Listed in ``_config.yml`` under ``sphinx: extra_extensions``. For the HTML builder it

* loads only what a page needs: the vega bundle on pages with charts (registered for every
  page by :mod:`ivigbook.publish.build`, then dropped here from pages without them; the
  table bundle is imported by the tables' own code). The theme's
  1.5 MB ``fontawesome.js`` is not loaded (``_templates/static/webpack-macros.html``): the
  theme's own CSS draws the icons with its web font. Source maps are not shipped;
* moves the rows of large tables (see :data:`ivigbook.publish.sitetables.JSON_ROWS_FROM`) out of
  the page into a JSON file beside it, which the table loads (DataTables' ``ajax``);
* writes the data package into ``downloads/``: a zip (descriptor, CSVs, bibliography,
  README), each file on its own and ``sha256sums.txt``; the ``{ivigbook-downloads}`` directive
  links to them (``data``: a list with checksums; ``data-line``: one sentence;
  ``citation``: the book's ``.bib`` and ``.ris``);
* puts Highwire ``citation_*`` meta tags (and the ones Zotero reads for the version) on every
  page and schema.org JSON-LD (the book and its dataset) on the home page, from CITATION.cff
  (:func:`ivigbook.publish.version.book_metadata`); their URLs are absolute when
  ``html.baseurl`` in _config.yml names the published site, relative otherwise.
"""

from __future__ import annotations

import hashlib
import html
import io
import json
import os
import re
import shutil
import zipfile
from functools import cache
from pathlib import Path
from typing import Any, ClassVar
from urllib.parse import quote

from ivigbook.paths import ROOT
from ivigbook.publish.sitetables import JSON_ROWS_MARKER
from ivigbook.publish.version import BookMetadata, book_metadata

DOWNLOADS = "downloads"
CHECKSUMS = "sha256sums.txt"
PDF_NAME = "ivig-sibm-evidence-book.pdf"
VEGA_MARK = "ivigbook/vega-bundle.js"
#: What in a page's body means it draws an interactive chart (static ones are SVG).
NEEDS_VEGA = ("window.ivigChart(",)


def _data_dir() -> Path:
    return Path(os.environ.get("IVIGBOOK_DATA_DIR") or ROOT / "data").resolve()


# --------------------------------------------------------------------------------------
# The data package and the citation files, as bytes


def _visible_files(folder: Path) -> list[Path]:
    files = [
        p
        for p in folder.rglob("*")
        if p.is_file()
        and not any(
            part.startswith(".") or part == "__pycache__" for part in p.relative_to(folder).parts
        )
    ]
    return sorted(files, key=lambda p: p.relative_to(folder).as_posix())


def data_zip_name(meta: BookMetadata) -> str:
    return f"{meta.archive_name}-data.zip"


def _zip_bytes(top: str, entries: dict[str, bytes], meta: BookMetadata) -> bytes:
    """A deterministic zip: sorted entries, the release date as every timestamp."""
    stamp = (meta.date_released.year, meta.date_released.month, meta.date_released.day, 0, 0, 0)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name in sorted(entries):
            info = zipfile.ZipInfo(f"{top}/{name}", date_time=stamp)
            info.create_system = 3
            info.external_attr = 0o644 << 16
            info.compress_type = zipfile.ZIP_DEFLATED
            archive.writestr(info, entries[name], compresslevel=9)
    return buffer.getvalue()


def ris(meta: BookMetadata) -> str:
    """The book's citation as RIS (type DATA: a dataset with its evidence book)."""
    lines = ["TY  - DATA", f"TI  - {meta.title}"]
    lines += [f"AU  - {author}" for author in meta.authors]
    lines += [
        f"PY  - {meta.date_released.year}",
        f"DA  - {meta.date_released:%Y/%m/%d}",
        f"ET  - Version {meta.version}",
        f"AB  - {meta.abstract}" if meta.abstract else "",
        *(f"KW  - {keyword}" for keyword in meta.keywords),
        f"N1  - Prose and data {meta.licence}, code {meta.code_licence}.",
        "ER  - ",
    ]
    return "\r\n".join(line for line in lines if line) + "\r\n"


#: The repository's files that How to cite names, served beside the citation files: the
#: citation metadata, the changelog (with the versioning rule) and the two licences.
REPOSITORY_FILES = ("CITATION.cff", "CHANGELOG.md", "LICENSE-CC-BY-4.0.md", "LICENSE")


@cache
def _download_files(data_dir: Path, fingerprint: str) -> dict[str, bytes]:
    meta = book_metadata()
    data = {
        f"data/{p.relative_to(data_dir).as_posix()}": p.read_bytes()
        for p in _visible_files(data_dir)
    }
    files: dict[str, bytes] = dict(data)
    files.update({name: (ROOT / name).read_bytes() for name in REPOSITORY_FILES})
    files[data_zip_name(meta)] = _zip_bytes(
        f"{meta.archive_name}-data", {k.removeprefix("data/"): v for k, v in data.items()}, meta
    )
    files[f"{meta.archive_name}.bib"] = (meta.bibtex() + "\n").encode("utf-8")
    files[f"{meta.archive_name}.ris"] = ris(meta).encode("utf-8")
    # Not named SHA256SUMS: the release zip has one SHA256SUMS, for the whole archive.
    files[CHECKSUMS] = "".join(
        f"{hashlib.sha256(content).hexdigest()}  {name}\n"
        for name, content in sorted(files.items())
    ).encode("utf-8")
    return files


def download_files(data_dir: Path | None = None) -> dict[str, bytes]:
    """Path under ``downloads/`` -> contents: the data files, their zip, the citation files
    and their checksums (``sha256sums.txt``, in ``sha256sum -c`` format)."""
    folder = (data_dir or _data_dir()).resolve()
    digest = hashlib.sha256()
    for path in [*_visible_files(folder), *(ROOT / name for name in REPOSITORY_FILES)]:
        digest.update(path.as_posix().encode() + path.read_bytes())
    return _download_files(folder, digest.hexdigest())


def write_downloads(outdir: Path) -> None:
    files = download_files()
    folder = outdir / DOWNLOADS
    if folder.is_dir():  # a file dropped from the package (or renamed) leaves no stale copy
        for path in folder.rglob("*"):
            if path.is_file() and path.relative_to(folder).as_posix() not in files:
                path.unlink()
    for name, content in files.items():
        target = outdir / DOWNLOADS / name
        if target.is_file() and target.read_bytes() == content:
            continue
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(content)


# --------------------------------------------------------------------------------------
# The {ivigbook-downloads} directive


def _size(n: int) -> str:
    return f"{n / 1024:,.1f} KB" if n < 1024 * 1024 else f"{n / 1024 / 1024:,.1f} MB"


def downloads_html(kind: str, prefix: str, home: str = "chapters/index") -> str:
    """HTML for the directive; ``prefix`` leads from the page to the site's root, ``home``
    is the home page's name (where the full list is)."""
    meta = book_metadata()
    files = download_files()
    base = f"{prefix}{DOWNLOADS}/"

    def link(name: str, text: str | None = None) -> str:
        label = html.escape(text or name.rsplit("/", 1)[-1])
        return f'<a href="{html.escape(base + name)}" download>{label}</a>'

    def table(name: str) -> str:
        """A table's CSV, named as a reader names the table ("risk of bias")."""
        return link(name, name.rsplit("/", 1)[-1].removesuffix(".csv").replace("_", " "))

    if kind == "citation":
        return (
            '<p class="ivig-downloads">Import this citation into a reference manager: '
            f"{link(f'{meta.archive_name}.bib', 'BibTeX (.bib)')} or "
            f"{link(f'{meta.archive_name}.ris', 'RIS (.ris)')}. The book's metadata, its "
            f"changes and its licences: {link('CITATION.cff')}, {link('CHANGELOG.md')}, "
            f"{link('LICENSE-CC-BY-4.0.md')} (prose and data) and {link('LICENSE')} "
            "(code).</p>"
        )
    zip_name = data_zip_name(meta)
    data = [name for name in files if name.startswith("data/")]
    csvs = [name for name in data if name.endswith(".csv")]
    if kind == "data-line":
        return (
            '<p class="ivig-downloads">Download the data package: '
            f"{link(zip_name, 'all files as a zip')} ({_size(len(files[zip_name]))}), or one "
            f"table as CSV: {', '.join(table(name) for name in csvs)}. Checksums are listed on "
            f'the <a href="{html.escape(prefix + home)}.html#ivig-data-downloads">'
            "home page</a>.</p>"
        )
    items = "".join(
        f"<li>{table(name)} (CSV, {_size(len(files[name]))})</li>"
        for name in data
        if name.endswith(".csv")
    )
    others = ", ".join(link(name) for name in data if not name.endswith(".csv"))
    sums = "".join(
        f"<li>{html.escape(name.rsplit('/', 1)[-1])}: "
        f"<code>{hashlib.sha256(files[name]).hexdigest()}</code></li>"
        for name in [zip_name, *data]
    )
    return (
        '<div class="ivig-downloads" id="ivig-data-downloads">'
        "<p>Download the data package the book is built from: "
        f"{link(zip_name, 'all files as a zip')}"
        f" ({_size(len(files[zip_name]))}: the descriptor, every table as CSV, the bibliography "
        "and a README). Each table on its own:</p>"
        f"<ul>{items}</ul><p>The other files: {others}.</p>"
        "<details><summary>SHA-256 checksums</summary>"
        f"<p>Check the files against these checksums, or with {link(CHECKSUMS)} and "
        f"<code>sha256sum -c {CHECKSUMS}</code> in the download folder.</p>"
        f'<ul class="ivig-checksums">{sums}</ul></details></div>'
    )


def _downloads_directive() -> Any:
    from docutils import nodes
    from docutils.parsers.rst import directives
    from sphinx import addnodes
    from sphinx.util.docutils import SphinxDirective

    class Downloads(SphinxDirective):
        """``{ivigbook-downloads} data|data-line|citation`` (option ``:title:``, a rubric above):
        links into ``downloads/``, on the site only."""

        required_arguments = 1
        option_spec: ClassVar[dict[str, Any]] = {"title": directives.unchanged}

        def run(self) -> list[Any]:
            kind = self.arguments[0]
            if kind not in {"data", "data-line", "citation"}:
                msg = f"unknown downloads kind {kind!r}"
                raise self.error(msg)
            self.env.note_dependency(str(ROOT / "CITATION.cff"))
            prefix = "../" * self.env.docname.count("/")
            home = self.config.root_doc
            only = addnodes.only(expr="html")  # the PDF has no files beside it
            if "title" in self.options:
                only += nodes.rubric(text=self.options["title"])
            only += nodes.raw("", downloads_html(kind, prefix, home), format="html")
            return [only]

    return Downloads


# --------------------------------------------------------------------------------------
# Citation metadata


def meta_tags(meta: BookMetadata, pdf_href: str, page_url: str = "") -> str:
    """Highwire Press tags, as Google Scholar, Zotero and Mendeley read them, and the tags
    Zotero reads for what Highwire has no field for.

    Zotero's "Embedded Metadata" translator (zotero/translators, Embedded Metadata.js) maps
    Highwire ``citation_*`` tags through its HIGHWIRE_MAPPINGS, which hold no version; tags
    named ``<prefix>.<property>`` with a prefix it knows (``prism``, ``og``, ``DC``...) go
    to its RDF translator (zotero/translators, RDF.js), which takes the edition from
    ``prism:edition`` (then ``bibo:edition``, ``schema:bookEdition``, ``schema:version``),
    copies it into ``versionNumber``, and the item type from ``og:type`` before ``DC.type``.
    ``og:type`` "book" makes the item a book, a Zotero type with an edition field; the
    ``prism.edition`` tag carries the version there. ``page_url`` (only with a base URL,
    see :func:`site_root`) is the page's published address."""
    pairs = [("citation_title", meta.title)]
    pairs += [("citation_author", author) for author in meta.authors]
    date = f"{meta.date_released:%Y/%m/%d}"
    pairs += [
        ("citation_publication_date", date),
        ("citation_date", date),
        ("citation_version", meta.version),
        ("citation_language", "en"),
        ("citation_pdf_url", pdf_href),
        ("citation_public_url", page_url),
        ("citation_keywords", "; ".join(meta.keywords)),
        ("prism.edition", meta.version),
        ("DC.title", meta.title),
        *(("DC.creator", author) for author in meta.authors),
        ("DC.date", meta.release_date),
        ("DC.type", "Dataset"),
        ("DC.rights", meta.licence),
    ]
    tags = "".join(
        f'<meta name="{name}" content="{html.escape(value, quote=True)}" />\n'
        for name, value in pairs
        if value
    )
    return tags + '<meta property="og:type" content="book" />\n'


def json_ld(meta: BookMetadata, prefix: str = "") -> str:
    """schema.org Book and Dataset for the home page; ``prefix`` leads to the site's root
    (the base URL if one is set, see :func:`site_root`; otherwise relative)."""
    authors = [{"@type": "Organization", "name": name} for name in meta.authors]
    licence = f"https://spdx.org/licenses/{meta.licence}"
    files = download_files()
    dataset = {
        "@type": "Dataset",
        "name": f"Data package of {meta.title}",
        "description": (
            "The letter's Table I as a validated Frictionless data package: studies, "
            "outcomes, responders, judgements and source checks."
        ),
        "version": meta.version,
        "datePublished": meta.release_date,
        "creator": authors,
        "license": licence,
        "keywords": list(meta.keywords),
        "distribution": [
            {
                "@type": "DataDownload",
                "encodingFormat": "application/zip",
                "contentUrl": f"{prefix}{DOWNLOADS}/{data_zip_name(meta)}",
                "sha256": hashlib.sha256(files[data_zip_name(meta)]).hexdigest(),
            },
            *(
                {
                    "@type": "DataDownload",
                    "encodingFormat": "text/csv",
                    "contentUrl": f"{prefix}{DOWNLOADS}/{name}",
                    "sha256": hashlib.sha256(files[name]).hexdigest(),
                }
                for name in files
                if name.startswith("data/") and name.endswith(".csv")
            ),
        ],
    }
    book = {
        "@type": "Book",
        "name": meta.title,
        "version": meta.version,
        "bookEdition": meta.version,
        "datePublished": meta.release_date,
        "author": authors,
        "abstract": meta.abstract,
        "keywords": list(meta.keywords),
        "inLanguage": "en",
        "license": licence,
        "encoding": {
            "@type": "MediaObject",
            "encodingFormat": "application/pdf",
            "contentUrl": f"{prefix}{PDF_NAME}",
        },
        "hasPart": dataset,
    }
    if "://" in prefix:  # a published base URL (see site_root): the book's address
        book["url"] = prefix
    text = json.dumps({"@context": "https://schema.org", "@graph": [book, dataset]}, indent=1)
    text = text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
    return f'<script type="application/ld+json">\n{text}\n</script>\n'


# --------------------------------------------------------------------------------------
# Large tables: rows into a JSON file beside the page

_ROWS_SCRIPT = re.compile(
    r'<script type="application/json" class="'
    + JSON_ROWS_MARKER
    + r'" data-table="(ivig-table-[0-9a-f]{16})">(.*?)</script>',
    re.S,
)


_PAGINATE_TABLE = re.compile(
    r'(<table class="[^"]*\bivig-paginate\b[^"]*" id="([\w-]+)")'
    r"(>.*?<tbody>)(.*?)(</tbody>\s*</table>)",
    re.S,
)
_ROW = re.compile(r"<tr\b[^>]*>(.*?)</tr>", re.S)
_CELL = re.compile(r"<td\b[^>]*>(.*?)</td>", re.S)


def move_static_rows_out(body: str, page_path: Path) -> tuple[str, dict[Path, bytes]]:
    """The same for the book's own paginated tables (``ivig-paginate``, e.g. the source
    checks): above JSON_ROWS_FROM rows, their rows' HTML (made by Sphinx, citations
    included) goes into ``<page>.<table id>.json`` and ``_static/book.js`` puts it back."""
    from ivigbook.publish.sitetables import JSON_ROWS_FROM

    files: dict[Path, bytes] = {}

    def replace(match: re.Match[str]) -> str:
        rows = [_CELL.findall(row) for row in _ROW.findall(match.group(4))]
        if len(rows) <= JSON_ROWS_FROM:
            return match.group(0)
        name = f"{page_path.stem}.{match.group(2)}.json"
        payload = {"html": True, "data": [[cell.strip() for cell in row] for row in rows]}
        files[page_path.parent / name] = json.dumps(payload, separators=(",", ":")).encode()
        note = (
            f'<p class="ivig-json-note">This table has {len(rows):,} rows. They are loaded '
            f'from the data file <a href="{html.escape(name)}">{html.escape(name)}</a> beside '
            "this page, which needs JavaScript; the same rows are in the data package.</p>"
        )
        return (
            f'{match.group(1)} data-src="{html.escape(name)}"{match.group(3)}{match.group(5)}{note}'
        )

    return _PAGINATE_TABLE.sub(replace, body), files


def move_rows_out(body: str, page_path: Path) -> tuple[str, dict[Path, bytes]]:
    """``body`` with every large table's rows replaced by a link to ``<page>.<table id>.json``
    beside the page (``page_path`` is the page's HTML file); returns the files to write."""
    files: dict[Path, bytes] = {}

    def replace(match: re.Match[str]) -> str:
        table_id, payload = match.group(1), match.group(2)
        json.loads(payload)  # fails the build on a malformed table
        files[page_path.parent / f"{page_path.stem}.{table_id}.json"] = payload.strip().encode()
        return ""

    body = _ROWS_SCRIPT.sub(replace, body)
    for path in files:
        table_id = path.name.split(".")[-2]
        body = body.replace(f'data-rows-for="{table_id}"', f'data-src="{html.escape(path.name)}"')
        body = body.replace(f"ivig-rows-file:{table_id}", html.escape(path.name))
    return body, files


# --------------------------------------------------------------------------------------
# Icons: the few Font Awesome icons the theme shows, as CSS masks, instead of a web font

#: Every icon the theme's templates, its scripts and _templates/ use (tests/test_light.py
#: checks the built pages and scripts against this list).
ICONS = (
    "angle-left",
    "angle-right",
    "arrow-up",
    "bars",
    "chevron-down",
    "circle-half-stroke",
    "compress",
    "expand",
    "list",
    "magnifying-glass",
    "moon",
    "outdent",
    "sun",
    "xmark",
)
ICONS_CSS = "ivigbook/icons.css"
#: Icons the theme's stylesheets draw as glyphs of the icon font in a ``::before`` or
#: ``::after`` (``font: var(--fa-font-solid)``, ``content: var(--pst-icon-...)``): the same
#: selectors, drawn as masks instead. Admonition titles by type, as the theme maps them.
PSEUDO_ICONS: dict[str, str] = {
    "div.admonition>.admonition-title::after": "bell",
    "div.admonition.note>.admonition-title::after": "circle-info",
    "div.admonition.attention>.admonition-title::after": "circle-exclamation",
    "div.admonition.important>.admonition-title::after": "circle-exclamation",
    "div.admonition.caution>.admonition-title::after": "triangle-exclamation",
    "div.admonition.warning>.admonition-title::after": "triangle-exclamation",
    "div.admonition.danger>.admonition-title::after": "triangle-exclamation",
    "div.admonition.error>.admonition-title::after": "circle-xmark",
    "div.admonition.hint>.admonition-title::after": "lightbulb",
    "div.admonition.tip>.admonition-title::after": "lightbulb",
    "div.admonition.seealso>.admonition-title::after": "share",
    "div.admonition.admonition-todo>.admonition-title::after": "pencil",
    "a.reference.download::before": "download",
    ".nav-link.nav-external::after": "up-right-from-square",
    "nav.bd-links li>a.reference.external::after": "up-right-from-square",
    "ul.bd-breadcrumbs li.breadcrumb-item:not(.breadcrumb-home)::before": "angle-right",
    "div#searchbox p.highlight-link a::before": "magnifying-glass-minus",
    "span.versionmodified::before": "circle-exclamation",
}


def _fontawesome_js() -> str:
    import pydata_sphinx_theme

    theme = Path(pydata_sphinx_theme.__file__).parent / "theme" / "pydata_sphinx_theme"
    return (theme / "static" / "scripts" / "fontawesome.js").read_text(encoding="utf-8")


def icon_paths(source: str, icons: tuple[str, ...] = ICONS) -> dict[str, tuple[int, int, str]]:
    """Icon -> (width, height, SVG path) from the solid pack of the theme's fontawesome.js."""
    end = source.index('d("fas",')  # the solid pack is the one defined last, just before this
    start = source.rindex('d("far",', 0, end)
    found = {}
    for icon in icons:
        name = re.escape(icon)
        pattern = re.compile(
            rf'(?:"{name}"|(?<![\w-]){name}):\[(\d+),(\d+),\[[^\]]*\],"[0-9a-f]+","([^"]+)"\]'
        )
        match = pattern.search(source, start, end)
        if match is None:
            msg = f"icon {icon!r} not found in the theme's solid icons"
            raise LookupError(msg)
        found[icon] = (int(match.group(1)), int(match.group(2)), match.group(3))
    return found


def icons_css(paths: dict[str, tuple[int, int, str]]) -> str:
    """Each icon drawn as a mask over ``currentColor``: it follows the text colour in both
    colour modes, and no font is downloaded."""
    lines = [
        "/* Font Awesome Free 6 icons (CC BY 4.0, https://fontawesome.com/license/free), the",
        "   ones the theme uses, as CSS masks: generated by ivigbook.publish.site. */",
        '.fa-solid::before,.fa-regular::before,.fas::before,.far::before{content:"";'
        "display:inline-block;height:1em;vertical-align:-.125em;background-color:currentColor;"
        "-webkit-mask:var(--ivig-icon) no-repeat center/contain;"
        "mask:var(--ivig-icon) no-repeat center/contain}",
    ]
    for icon, (width, height, path) in sorted(paths.items()):
        if icon in ICONS:
            lines.append(
                f".fa-{icon}::before{{--ivig-icon:{_svg_url(width, height, path)};"
                f"width:{width / height:.4f}em}}"
            )
    # The theme's glyphs in pseudo-elements: the same element, an empty content, the mask.
    # ("html " outranks the theme's own rule, whatever the order of the stylesheets.)
    for selector, icon in PSEUDO_ICONS.items():
        width, height, path = paths[icon]
        lines.append(
            f'html {selector}{{content:"";display:inline-block;'
            f"min-width:{width / height:.4f}em;height:1em;vertical-align:-.125em;"
            f"background-color:currentColor;-webkit-mask:{_svg_url(width, height, path)} "
            f"no-repeat center/contain;mask:{_svg_url(width, height, path)} "
            "no-repeat center/contain}"
        )
    return "\n".join(lines) + "\n"


def _svg_url(width: int, height: int, path: str) -> str:
    svg = (
        f"<svg xmlns='http://www.w3.org/2000/svg' viewBox='0 0 {width} {height}'>"
        f"<path d='{path}'/></svg>"
    )
    return 'url("data:image/svg+xml,' + quote(svg, safe=" '=/:") + '")'


_FA_FONT_FACE = re.compile(r"@font-face\{[^}]*Font Awesome[^}]*\}")
_FA_GLYPHS = re.compile(r"(?:\.fa-[a-z0-9-]+:(?:before|after),?)+\{content:[^}]*\}")


def strip_icon_font(css: str) -> str:
    """The theme's stylesheet without Font Awesome's @font-face rules and per-icon glyph
    rules (about 90 KB): icons.css draws the icons the site uses."""
    return _FA_GLYPHS.sub("", _FA_FONT_FACE.sub("", css))


def _write_icons(outdir: Path) -> None:
    static = outdir / "_static"
    target = static / ICONS_CSS
    target.parent.mkdir(parents=True, exist_ok=True)
    every = tuple(sorted({*ICONS, *PSEUDO_ICONS.values()}))
    target.write_text(icons_css(icon_paths(_fontawesome_js(), every)), encoding="utf-8")
    theme_css = static / "styles" / "pydata-sphinx-theme.css"
    if theme_css.is_file():
        text = theme_css.read_text(encoding="utf-8")
        stripped = strip_icon_font(text)
        if stripped != text:
            theme_css.write_text(stripped, encoding="utf-8")
    shutil.rmtree(static / "vendor" / "fontawesome", ignore_errors=True)


# --------------------------------------------------------------------------------------
# Events


def site_root(base_url: str, pagename: str) -> str:
    """What leads from a page to the site's root: the published base URL (``html.baseurl``
    in _config.yml, empty by default) when there is one, else a relative path. The book
    knows no address of its own, so without the setting no metadata names one."""
    if base_url.strip():
        return base_url.strip().rstrip("/") + "/"
    return "../" * pagename.count("/")


def _asset_name(asset: Any) -> str:
    return str(getattr(asset, "filename", asset) or "")


def _on_page_context(
    app: Any, pagename: str, templatename: str, context: dict, doctree: Any
) -> None:
    if app.builder.format != "html":
        return
    body = context.get("body") or ""
    if JSON_ROWS_MARKER in body or "ivig-paginate" in body:
        page_path = Path(app.outdir) / app.builder.get_target_uri(pagename)
        body, files = move_rows_out(body, page_path)
        body, static_files = move_static_rows_out(body, page_path)
        files.update(static_files)
        for path, content in files.items():
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(content)
        context["body"] = body
    vega = any(mark in body for mark in NEEDS_VEGA)
    for key in ("script_files", "css_files"):
        assets = context.get(key)
        if assets is not None:
            assets[:] = [
                asset for asset in assets if not (VEGA_MARK in _asset_name(asset) and not vega)
            ]
    meta = book_metadata()
    base_url = app.config.html_baseurl or ""
    root = site_root(base_url, pagename)
    page_url = f"{root}{app.builder.get_target_uri(pagename)}" if base_url.strip() else ""
    tags = meta_tags(meta, f"{root}{PDF_NAME}", page_url)
    if pagename == app.config.root_doc:
        tags += json_ld(meta, root)
    context["metatags"] = context.get("metatags", "") + tags


def _strip_source_maps(outdir: Path) -> None:
    """No source maps in the site: the .map files go, and so do the comments naming them."""
    static = outdir / "_static"
    for path in static.rglob("*.map"):
        path.unlink()
    comment = re.compile(rb"\n?/[/*]# sourceMappingURL=[^\n]*?(\*/)?\s*$")
    for path in [*static.rglob("*.js"), *static.rglob("*.css")]:
        data = path.read_bytes()
        if b"sourceMappingURL=" in data[-300:]:
            path.write_bytes(comment.sub(b"\n", data))
    # Not loaded by any page (see _templates/static/webpack-macros.html).
    for name in ("fontawesome.js", "fontawesome.js.LICENSE.txt"):
        (static / "scripts" / name).unlink(missing_ok=True)


def _on_build_finished(app: Any, exception: Exception | None) -> None:
    if exception is None and app.builder.format == "html":
        outdir = Path(app.outdir)
        write_downloads(outdir)
        _strip_source_maps(outdir)
        _write_icons(outdir)


def _on_builder_inited(app: Any) -> None:
    if app.builder.format == "html":
        app.add_css_file(ICONS_CSS, priority=900)


def setup(app: Any) -> dict[str, Any]:
    app.add_directive("ivigbook-downloads", _downloads_directive())
    app.connect("builder-inited", _on_builder_inited)
    app.connect("html-page-context", _on_page_context, priority=950)
    app.connect("build-finished", _on_build_finished, priority=900)
    return {"version": "1", "parallel_read_safe": True, "parallel_write_safe": True}
