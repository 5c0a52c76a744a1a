"""Sphinx extension: a light, linkable, citable site."""

from __future__ import annotations

import hashlib
import html
import json
import re
import shutil
from functools import cache
from pathlib import Path
from typing import Any, ClassVar

from ivigbook import paths
from ivigbook.paths import PDF_NAME, ROOT, visible_files, write_if_changed
from ivigbook.publish.release import TOP_FILES, book_template, sha256sums, zip_bytes
from ivigbook.publish.sitetables import JSON_ROWS_MARKER
from ivigbook.publish.version import BookMetadata, book_metadata

DOWNLOADS = "downloads"
CHECKSUMS = "sha256sums.txt"


def data_zip_name(meta: BookMetadata) -> str:
    """The name of the data package's zip in the site's downloads."""
    return f"{meta.archive_name}-data.zip"


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


@cache
def _download_files(data_dir: Path, fingerprint: str) -> dict[str, bytes]:
    meta = book_metadata()
    data = {
        f"data/{p.relative_to(data_dir).as_posix()}": p.read_bytes()
        for p in visible_files(data_dir)
    }
    files: dict[str, bytes] = dict(data)
    files.update({name: (ROOT / name).read_bytes() for name in TOP_FILES})
    package = {name.removeprefix("data/"): content for name, content in data.items()}
    files[data_zip_name(meta)] = zip_bytes(f"{meta.archive_name}-data", package, meta.date_released)
    files[f"{meta.archive_name}.bib"] = (meta.bibtex() + "\n").encode("utf-8")
    files[f"{meta.archive_name}.ris"] = ris(meta).encode("utf-8")
    # Not named SHA256SUMS: the release zip has one SHA256SUMS, for the whole archive.
    files[CHECKSUMS] = sha256sums(files).encode("utf-8")
    return files


def download_files(data_dir: Path | None = None) -> dict[str, bytes]:
    """Path under ``downloads/`` -> contents: data files, their zip, citations, checksums."""
    folder = (data_dir or paths.data_dir()).resolve()
    digest = hashlib.sha256()
    for path in [*visible_files(folder), *(ROOT / name for name in TOP_FILES)]:
        digest.update(path.as_posix().encode() + path.read_bytes())
    return _download_files(folder, digest.hexdigest())


def write_downloads(outdir: Path) -> None:
    """Write the downloads (data files, their zip, the citation files) into the built site,
    removing any file the package no longer has."""
    files = download_files()
    folder = outdir / DOWNLOADS
    if folder.is_dir():  # a file dropped from the package (or renamed) leaves no stale copy
        for path in folder.rglob("*"):
            if path.is_file() and path.relative_to(folder).as_posix() not in files:
                path.unlink()
    for name, content in files.items():
        write_if_changed(folder / name, content)


# The {ivigbook-downloads} directive
def _size(n: int) -> str:
    return f"{n / 1024:,.1f} KB" if n < 1024 * 1024 else f"{n / 1024 / 1024:,.1f} MB"


def downloads_html(kind: str, prefix: str, home: str = "chapters/index") -> str:
    """HTML for the directive; ``prefix`` leads to the site's root, ``home`` names the home page."""
    meta = book_metadata()
    files = download_files()
    zip_name = data_zip_name(meta)
    data = [name for name in files if name.startswith("data/")]
    tables = [
        (name, Path(name).stem.replace("_", " "), _size(len(files[name])))
        for name in data
        if name.endswith(".csv")
    ]
    return book_template(
        "downloads.html",
        kind=kind,
        base=f"{prefix}{DOWNLOADS}/",
        home=prefix + home,
        archive=meta.archive_name,
        zip_name=zip_name,
        zip_size=_size(len(files[zip_name])),
        tables=tables,
        others=[name for name in data if not name.endswith(".csv")],
        sums=[(Path(n).name, hashlib.sha256(files[n]).hexdigest()) for n in [zip_name, *data]],
        checksums=CHECKSUMS,
    )


def _downloads_directive() -> Any:
    from docutils import nodes
    from docutils.parsers.rst import directives
    from sphinx import addnodes
    from sphinx.util.docutils import SphinxDirective

    class Downloads(SphinxDirective):
        """``{ivigbook-downloads} data|data-line|citation``: links into downloads/, site only."""

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


# Citation metadata
def meta_tags(meta: BookMetadata, pdf_href: str, page_url: str = "") -> str:
    """Highwire Press tags (Google Scholar, Zotero, Mendeley), and Dublin Core for Zotero."""
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
    """schema.org Book and Dataset for the home page; ``prefix`` leads to the site's root."""
    authors = [{"@type": "Organization", "name": name} for name in meta.authors]
    licence = f"https://spdx.org/licenses/{meta.licence}"
    files = download_files()

    def download(name: str, kind: str) -> dict[str, str]:
        url, sha = f"{prefix}{DOWNLOADS}/{name}", hashlib.sha256(files[name]).hexdigest()
        return {"@type": "DataDownload", "encodingFormat": kind, "contentUrl": url, "sha256": sha}

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
            download(data_zip_name(meta), "application/zip"),
            *(
                download(n, "text/csv")
                for n in files
                if n.startswith("data/") and n.endswith(".csv")
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
    """The rows of large ``ivig-paginate`` tables (Sphinx's HTML) moved into JSON files."""
    from ivigbook.publish.sitetables import JSON_ROWS_FROM

    # A rewrite: Sphinx renders these cells (citations), so only its HTML holds their rows.
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
    """``body`` with large tables' rows moved into JSON files beside the page, and those files."""
    # A rewrite: a cell's output cannot put a file beside its page, so the rows ride in it.
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


# The icon font: _static/ivigbook/icons.css draws the icons the site shows as CSS masks
def _drop_icon_font(static: Path) -> None:
    """No Font Awesome in the site: its CSS rules, font and script removed (about 90 KB)."""
    theme_css = static / "styles" / "pydata-sphinx-theme.css"
    if theme_css.is_file():
        # A rewrite: the theme compiles Font Awesome's CSS into its own, with no option to omit it.
        text = theme_css.read_text(encoding="utf-8")
        theme_css.write_text(
            re.sub(
                r"@font-face\{[^}]*Font Awesome[^}]*\}|(?:\.fa-[a-z0-9-]+:(?:before|after),?)+"
                r"\{content:[^}]*\}",
                "",
                text,
            ),
            encoding="utf-8",
        )
    shutil.rmtree(static / "vendor" / "fontawesome", ignore_errors=True)
    for name in ("fontawesome.js", "fontawesome.js.LICENSE.txt"):
        (static / "scripts" / name).unlink(missing_ok=True)


# Events
def site_root(base_url: str, pagename: str) -> str:
    """What leads from a page to the site's root: ``html.baseurl`` if set, else a relative path."""
    if base_url.strip():
        return base_url.strip().rstrip("/") + "/"
    return "../" * pagename.count("/")


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
            write_if_changed(path, content)
        context["body"] = body
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
    # A rewrite: the theme ships its scripts naming their maps, with no option to omit them.
    comment = re.compile(rb"\n?/[/*]# sourceMappingURL=[^\n]*?(\*/)?\s*$")
    for path in [*static.rglob("*.js"), *static.rglob("*.css")]:
        data = path.read_bytes()
        if b"sourceMappingURL=" in data[-300:]:
            path.write_bytes(comment.sub(b"\n", data))


def _on_build_finished(app: Any, exception: Exception | None) -> None:
    if exception is None and app.builder.format == "html":
        outdir = Path(app.outdir)
        write_downloads(outdir)
        _strip_source_maps(outdir)
        _drop_icon_font(outdir / "_static")


def setup(app: Any) -> dict[str, Any]:
    app.add_directive("ivigbook-downloads", _downloads_directive())
    app.connect("html-page-context", _on_page_context, priority=950)
    app.connect("build-finished", _on_build_finished, priority=900)
    return {"version": "1", "parallel_read_safe": True, "parallel_write_safe": True}
