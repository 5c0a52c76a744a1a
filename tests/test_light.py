"""Light, linkable, citable pages (issue 15): first-visit weight in a real browser, only the
scripts a page needs, large tables out of the page, the data package and the citation files
in the site, citation meta tags as reference managers read them, and a no-change build
that does nothing."""

from __future__ import annotations

import hashlib
import json
import re
import shutil
import subprocess
import time
import zipfile
from pathlib import Path
from urllib.parse import unquote, urljoin, urlsplit

import pandas as pd
import pytest
import yaml
from bs4 import BeautifulSoup
from conftest import ROOT, run_make, toc_files

from ivigbook.publish import build as build_module
from ivigbook.publish.render import Table
from ivigbook.publish.site import move_rows_out
from ivigbook.publish.sitetables import (
    ALL_ROWS_MAX,
    JSON_ROWS_FROM,
    JSON_ROWS_MARKER,
    NO_CONTROLS_MAX,
    PAGE_LENGTH,
    SOFT_HYPHEN,
    ZERO_WIDTH_SPACE,
    itables_args,
)
from ivigbook.publish.sitetables import (
    TABLE_BUNDLE as RENDER_TABLE_BUNDLE,
)

HOME = "chapters/index.html"
MB = 1024 * 1024
VEGA = "_static/ivigbook/vega-bundle.js"
#: The table bundle, at the site's root (html_extra_path), imported by itables' code.
TABLE_BUNDLE = "ivigbook/datatables/datatables.min.js"


def _soup(path: Path) -> BeautifulSoup:
    return BeautifulSoup(path.read_text(encoding="utf-8"), "html.parser")


def _cff() -> dict:
    """CITATION.cff read directly (not through the library that writes the tags)."""
    return yaml.safe_load((ROOT / "CITATION.cff").read_text(encoding="utf-8"))


def _pages(html_dir: Path) -> list[Path]:
    return [html_dir / f"{page}.html" for page in toc_files()]


def _local_target(page: Path, href: str, html_dir: Path) -> Path:
    path = unquote(urlsplit(href).path)
    target = (page.parent / path).resolve()
    assert html_dir.resolve() in target.parents, f"{page.name}: {href} leaves the site"
    return target


# --------------------------------------------------------------------------------------
# Zotero's Embedded Metadata translator, reduced to what it reads from these pages.
#
# Read in zotero/translators: "Embedded Metadata.js" (commit dcd14d6f47d3, lastUpdated
# 2024-06-13; the 2015 version reads the same tags for these fields) maps Highwire
# tags through HIGHWIRE_MAPPINGS (citation_title -> title, citation_publication_date /
# citation_date -> date; citation_author handled apart), which has no version; a tag named
# <prefix><. or : or _><property> whose prefix is in its _prefixes (dc, dcterms, prism, og,
# bibo, so, codemeta, z...) becomes an RDF statement for "RDF.js" (commit 0dd0169088ec,
# lastUpdated 2019-09-08).
# RDF.js takes the item type from z:itemType, then bib/bibo types, prism, eprints, og:type
# ("book" -> book), then dc:type; the edition from prism:edition, bibo:edition,
# schema:bookEdition or schema:version, and copies it into versionNumber. In Zotero's schema
# (zotero/zotero-schema, schema.json at b5b3f51217a9, schema version 13) a book has an
# "edition" field and a computer program a "versionNumber"; a journal article, RDF.js's
# fallback for a dataset, has neither.

_PREFIXES = {"dc", "dcterms", "prism", "og", "bibo", "so", "codemeta", "z", "eprints"}
_EDITION = ("prism:edition", "bibo:edition", "so:bookEdition", "so:version")
_VERSION_FIELD = {"book": "edition", "bookSection": "edition", "computerProgram": "versionNumber"}


def zotero_embedded_metadata(soup: BeautifulSoup) -> dict:
    """Item type, title, creators, date, version and PDF as the translators map them."""
    tags: dict[str, list[str]] = {}
    rdf: dict[str, list[str]] = {}
    for meta in soup.find_all("meta"):
        name = (meta.get("name") or meta.get("property") or "").strip()
        value = meta.get("content", "")
        if not name or not value:
            continue
        tags.setdefault(name.lower(), []).append(value)
        parts = re.split(r"[.:_]", name, maxsplit=1)
        if len(parts) == 2 and parts[0].lower() in _PREFIXES:
            prefix, prop = parts[0].lower(), parts[1][:1].lower() + parts[1][1:]
            rdf.setdefault(f"{prefix}:{prop}", []).append(value)

    def first(*names: str) -> str | None:
        for name in names:
            if tags.get(name.lower()):
                return tags[name.lower()][0]
        return None

    item_type = (
        (rdf.get("z:itemType") or [None])[0]
        or {"book": "book"}.get((rdf.get("og:type") or [""])[0])
        or ("journalArticle" if (rdf.get("dc:type") or [""])[0].lower() == "dataset" else None)
        or "journalArticle"
    )
    edition = next((rdf[key][0] for key in _EDITION if rdf.get(key)), None)
    date = first("citation_publication_date", "citation_date")
    return {
        "itemType": item_type,
        "title": first("citation_title"),
        "creators": tags.get("citation_author", []),
        "date": date.replace("/", "-") if date else None,
        # Zotero keeps a field only where the item type has it.
        "version": edition if item_type in _VERSION_FIELD else None,
        "pdf": first("citation_pdf_url"),
        "url": first("citation_public_url"),
    }


def _base_url() -> str:
    """html.baseurl from _config.yml, read directly."""
    config = yaml.safe_load((ROOT / "_config.yml").read_text(encoding="utf-8"))
    return str((config.get("html") or {}).get("baseurl") or "")


@pytest.mark.book
@pytest.mark.parametrize("page", toc_files())
def test_citation_meta_tags_as_zotero_reads_them(html_dir: Path, page: str) -> None:
    path = html_dir / f"{page}.html"
    soup = _soup(path)
    item = zotero_embedded_metadata(soup)
    cff = _cff()
    assert item["title"] == cff["title"]
    assert item["creators"] == [a.get("name") or a["family-names"] for a in cff["authors"]]
    assert item["date"] == str(cff["date-released"])
    assert item["itemType"] == "book"
    assert item["version"] == str(cff["version"]), f"{page}: Zotero reads no version"
    assert item["pdf"], f"{page}: no citation_pdf_url"
    base = _base_url()
    canonical = soup.select_one("link[rel='canonical']")
    if base:
        assert item["pdf"] == base.rstrip("/") + "/" + build_module.PDF_NAME
        assert item["url"] == base.rstrip("/") + f"/{page}.html"
        assert canonical is not None
        assert canonical["href"] == item["url"]
    else:  # no published address: the metadata names none
        assert _local_target(path, item["pdf"], html_dir).is_file(), f"{page}: PDF URL no file"
        assert item["url"] is None
        assert canonical is None, f"{page}: a canonical link without a base URL"
        assert "://" not in item["pdf"]


def test_zotero_reading_needs_a_type_that_holds_the_version() -> None:
    """The emulation above can fail: a page typed only as a dataset loses its version."""
    page = BeautifulSoup(
        '<meta name="citation_title" content="T"><meta name="prism.edition" content="1.0">'
        '<meta name="DC.type" content="Dataset">',
        "html.parser",
    )
    assert zotero_embedded_metadata(page)["version"] is None
    page.append(BeautifulSoup('<meta property="og:type" content="book">', "html.parser"))
    assert zotero_embedded_metadata(page)["version"] == "1.0"


def test_metadata_urls_follow_the_base_url() -> None:
    from ivigbook.publish.site import json_ld, meta_tags, site_root
    from ivigbook.publish.version import book_metadata

    meta = book_metadata()
    assert site_root("", "chapters/trials") == "../"
    assert site_root("", "index") == ""
    root = site_root("https://example.org/book", "chapters/trials")
    assert root == "https://example.org/book/"
    soup = BeautifulSoup(
        meta_tags(meta, f"{root}x.pdf", f"{root}chapters/trials.html"), "html.parser"
    )
    item = zotero_embedded_metadata(soup)
    assert item["pdf"] == "https://example.org/book/x.pdf"
    assert item["url"] == "https://example.org/book/chapters/trials.html"
    relative = zotero_embedded_metadata(BeautifulSoup(meta_tags(meta, "../x.pdf"), "html.parser"))
    assert relative["url"] is None
    assert relative["pdf"] == "../x.pdf"
    graph = json.loads(BeautifulSoup(json_ld(meta, root), "html.parser").script.string)
    book = next(i for i in graph["@graph"] if i["@type"] == "Book")
    assert book["url"] == root
    assert book["encoding"]["contentUrl"].startswith(root)
    graph = json.loads(BeautifulSoup(json_ld(meta, "../"), "html.parser").script.string)
    book = next(i for i in graph["@graph"] if i["@type"] == "Book")
    assert "url" not in book


@pytest.mark.book
def test_home_page_json_ld_describes_book_and_dataset(html_dir: Path) -> None:
    page = html_dir / HOME
    scripts = _soup(page).find_all("script", type="application/ld+json")
    assert len(scripts) == 1, "the home page carries one JSON-LD block"
    graph = json.loads(scripts[0].string)["@graph"]
    kinds = {item["@type"]: item for item in graph}
    cff = _cff()
    assert kinds["Book"]["name"] == cff["title"]
    assert kinds["Book"]["version"] == str(cff["version"])
    assert kinds["Book"]["datePublished"] == str(cff["date-released"])
    dataset = kinds["Dataset"]
    assert dataset["version"] == str(cff["version"])
    formats = [d["encodingFormat"] for d in dataset["distribution"]]
    assert "application/zip" in formats
    assert formats.count("text/csv") == len(list((ROOT / "data").glob("*.csv")))
    for download in dataset["distribution"]:
        target = _local_target(page, download["contentUrl"], html_dir)
        assert hashlib.sha256(target.read_bytes()).hexdigest() == download["sha256"]
    others = [html_dir / f"{p}.html" for p in toc_files() if f"{p}.html" != HOME]
    assert not any(_soup(p).find("script", type="application/ld+json") for p in others)


# --------------------------------------------------------------------------------------
# Downloads


@pytest.mark.book
def test_data_files_in_site_match_the_package(html_dir: Path) -> None:
    data = ROOT / "data"
    downloads = html_dir / "downloads"
    csvs = sorted(data.glob("*.csv"))
    assert csvs
    for source in csvs:
        copy = downloads / "data" / source.name
        assert copy.read_bytes() == source.read_bytes(), f"{copy} differs from {source}"
    zips = list(downloads.glob("*-data.zip"))
    assert len(zips) == 1
    with zipfile.ZipFile(zips[0]) as archive:
        members = {name.split("/", 1)[1]: archive.read(name) for name in archive.namelist()}
    for name in ["datapackage.yaml", "references.bib", "README.md", *(p.name for p in csvs)]:
        assert members[name] == (data / name).read_bytes(), f"{name} missing or changed in zip"
    # the checksums verify, as `sha256sum -c` would check them
    lines = (downloads / "sha256sums.txt").read_text(encoding="utf-8").splitlines()
    listed = {}
    for line in lines:
        digest, name = line.split("  ", 1)
        listed[name] = digest
        assert hashlib.sha256((downloads / name).read_bytes()).hexdigest() == digest, name
    assert zips[0].name in listed
    assert all(f"data/{p.name}" in listed for p in csvs)


@pytest.mark.book
@pytest.mark.parametrize(
    "page", ["chapters/index", "chapters/evidence", "chapters/data-dictionary"]
)
def test_pages_link_the_zip_and_every_csv(html_dir: Path, page: str) -> None:
    path = html_dir / f"{page}.html"
    hrefs = [a["href"] for a in _soup(path).select("main a[href]")]
    targets = {_local_target(path, h, html_dir) for h in hrefs if "downloads/" in h}
    assert all(t.is_file() for t in targets), [t for t in targets if not t.is_file()]
    names = {t.name for t in targets}
    assert any(n.endswith("-data.zip") for n in names), f"{page}: no link to the zip"
    missing = {p.name for p in (ROOT / "data").glob("*.csv")} - names
    assert not missing, f"{page}: no link to {sorted(missing)}"


@pytest.mark.book
def test_how_to_cite_links_bib_and_ris(html_dir: Path) -> None:
    path = html_dir / "chapters" / "how-to-cite.html"
    hrefs = [a["href"] for a in _soup(path).select("main a[href]")]
    cff = _cff()
    bib = [h for h in hrefs if h.endswith(".bib")]
    ris = [h for h in hrefs if h.endswith(".ris")]
    assert len(bib) == 1, hrefs
    assert len(ris) == 1, hrefs
    bib_text = _local_target(path, bib[0], html_dir).read_text(encoding="utf-8")
    assert re.search(r"title\s*=\s*\{\{" + re.escape(cff["title"]) + r"\}\}", bib_text)
    assert f"version   = {{{cff['version']}}}" in bib_text
    ris_lines = _local_target(path, ris[0], html_dir).read_text(encoding="utf-8").splitlines()
    fields: dict[str, list[str]] = {}
    for line in ris_lines:
        if re.match(r"^[A-Z][A-Z0-9]  - ", line):
            fields.setdefault(line[:2], []).append(line[6:])
    assert fields["TY"] == ["DATA"]
    assert fields["ER"] == [""]
    assert fields["TI"] == [cff["title"]]
    assert fields["AU"] == [a["name"] for a in cff["authors"]]
    assert fields["PY"] == [str(cff["date-released"])[:4]]
    assert str(cff["version"]) in fields["ET"][0]


@pytest.mark.book
def test_how_to_cite_links_the_metadata_changelog_and_licences(html_dir: Path) -> None:
    """The files the page names are one click away, as the repository holds them."""
    path = html_dir / "chapters" / "how-to-cite.html"
    hrefs = [a["href"] for a in _soup(path).select("main a[href]")]
    for name in ("CITATION.cff", "CHANGELOG.md", "LICENSE-CC-BY-4.0.md", "LICENSE"):
        links = [h for h in hrefs if h.endswith(f"downloads/{name}")]
        assert len(links) == 1, f"how-to-cite: {len(links)} links to {name}"
        target = _local_target(path, links[0], html_dir)
        assert target.read_bytes() == (ROOT / name).read_bytes(), f"{name} differs"
    listed = (html_dir / "downloads" / "sha256sums.txt").read_text(encoding="utf-8")
    assert "  CITATION.cff\n" in listed


@pytest.mark.book
def test_release_data_in_release_archive_site(html_dir: Path) -> None:
    """The release zip copies the site, so its downloads must be plain visible files."""
    from ivigbook.paths import visible_files as _visible_files

    visible = {p.relative_to(html_dir).as_posix() for p in _visible_files(html_dir)}
    assert "downloads/sha256sums.txt" in visible
    assert any(v.startswith("downloads/") and v.endswith("-data.zip") for v in visible)


# --------------------------------------------------------------------------------------
# Only what a page needs


@pytest.mark.book
def test_scripts_only_where_needed(html_dir: Path) -> None:
    for path in _pages(html_dir):
        soup = _soup(path)
        sources = [s.get("src", "") for s in soup.find_all("script")]
        main = soup.find("main") or soup
        # the chart runtime only where a chart is interactive (static ones are SVG)
        has_chart = bool(main.select(".ivig-chart:not(.ivig-static)"))
        has_table = bool(main.select("table[id^='ivig-table-']"))
        modules = " ".join(
            s.get_text() for s in soup.find_all("script") if s.get("type") == "module"
        )
        assert any(VEGA in urljoin("x/", s) or s.endswith("vega-bundle.js") for s in sources) == (
            has_chart
        ), f"{path.name}: vega bundle loaded={not has_chart}, interactive charts={has_chart}"
        # itables' code imports the table bundle where there is an interactive table, and
        # nowhere else (the theme's and the book's scripts do not load it)
        assert (TABLE_BUNDLE in modules) == has_table, path.name
        assert not any("datatables" in s for s in sources), path.name
        assert not any("fontawesome" in s for s in sources), f"{path.name} loads fontawesome.js"
    home = _soup(html_dir / HOME)
    assert not any("vega-bundle" in (s.get("src") or "") for s in home.find_all("script"))


@pytest.mark.book
def test_no_source_maps_and_a_favicon(html_dir: Path) -> None:
    maps = list(html_dir.rglob("*.map"))
    assert not maps, maps[:5]
    named = [
        p
        for p in (html_dir / "_static").rglob("*")
        if p.suffix in {".js", ".css"} and b"sourceMappingURL=" in p.read_bytes()[-300:]
    ]
    assert not named, named[:5]
    for path in _pages(html_dir):
        icons = _soup(path).select("link[rel~='icon']")
        assert icons, f"{path.name}: no favicon"
        assert _local_target(path, icons[0]["href"], html_dir).is_file()


#: The only addresses the vega runtime names: XML namespaces (SVG, XLink), never loaded.
NAMESPACE_HOSTS = {"www.w3.org"}


def test_vega_bundle_names_no_remote_host() -> None:
    """The bundle is built from vl-convert's vendored vega under a CDN-shaped module name; the
    built file must neither import nor name any host but XML namespaces."""
    bundle = build_module.vega_bundle()
    assert "window.vega" in bundle  # the vega runtime
    assert "ivigChart" in bundle  # and the book's chart runtime
    hosts = set(re.findall(r"(?:https?:)?//([a-z0-9.-]+\.[a-z]{2,})", bundle, re.I))
    assert hosts <= NAMESPACE_HOSTS, sorted(hosts - NAMESPACE_HOSTS)
    assert not re.search(r"\bimport\s*\(|\bimport\s[^;]*\bfrom\s*[\"']", bundle)


# --------------------------------------------------------------------------------------
# Large tables: rows in JSON beside the page


def _visible(text: object) -> object:
    """Text as a reader sees it: without the break points of long words (fit_words)."""
    if isinstance(text, str):
        return text.replace(SOFT_HYPHEN, "").replace(ZERO_WIDTH_SPACE, "")
    if isinstance(text, list):
        return [_visible(t) for t in text]
    return text


def _big_frame(n: int) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "study": [f"study {i:04d}" for i in range(n)],
            "patients": [(i * 37) % 101 for i in range(n)],
            "note": ["<b>bold?</b>" if i % 7 == 0 else f"note {i % 5}" for i in range(n)],
        }
    )


@pytest.mark.book
def test_search_index_only_on_the_search_page(html_dir: Path) -> None:
    """The theme's search-as-you-type box is off, so only search.html loads the index."""
    for path in [*_pages(html_dir), html_dir / "search.html"]:
        sources = [s.get("src", "") for s in _soup(path).find_all("script")]
        loads = any(s.endswith("searchindex.js") for s in sources)
        search_page = path == html_dir / "search.html"  # not chapters/search.html
        assert loads == search_page, f"{path}: searchindex.js loaded={loads}"


@pytest.mark.book
@pytest.mark.browser
def test_search_page_finds_a_chapter(html_dir: Path) -> None:
    from browser_tools import chromium, open_page, serve

    with serve(html_dir) as base, chromium() as context:
        tab = open_page(context, f"{base}/search.html?q=immunoglobulin")
        tab.locator("#search-results ul.search li").first.wait_for(timeout=15_000)
        links = tab.locator("#search-results ul.search li a").all_inner_texts()
    assert links, "the search page found nothing"


@pytest.mark.browser  # needs node_modules (npm ci), which the browser tests install
def test_datatables_bundle_is_built_from_the_pinned_packages(tmp_path: Path) -> None:
    """The committed bundle is what scripts/build-datatables.sh makes from package-lock.json."""
    lock = json.loads((ROOT / "package-lock.json").read_text(encoding="utf-8"))["packages"]
    installed = {
        name: json.loads((ROOT / "node_modules" / name / "package.json").read_text())["version"]
        for name in ("datatables.net", "datatables.net-dt", "jquery", "esbuild")
    }
    assert installed == {n: lock[f"node_modules/{n}"]["version"] for n in installed}, (
        "node_modules differs from package-lock.json: run npm ci"
    )
    subprocess.run(
        ["bash", str(ROOT / "scripts" / "build-datatables.sh"), str(tmp_path)], check=True
    )
    committed = ROOT / "_extra" / "ivigbook" / "datatables"
    for name in ("datatables.min.js", "datatables.min.css"):
        assert (tmp_path / name).read_bytes() == (committed / name).read_bytes(), (
            f"{name} is stale: run bash scripts/build-datatables.sh"
        )
    banner = (committed / "datatables.min.js").read_text(encoding="utf-8").splitlines()[0]
    assert f"DataTables {installed['datatables.net']}," in banner
    assert f"jQuery {installed['jquery']};" in banner


def test_interactive_table_is_a_complete_escaped_table() -> None:
    """6 to JSON_ROWS_FROM rows: an itables table (connected to the book's bundle by a
    relative dt_url), every row in the page, cells as text, and a complete plain table for a
    reader without JavaScript; an ordered category and a column of numbers in words sort by
    their value."""
    n = 12
    frame = _big_frame(n).assign(
        grade=pd.Categorical(["low", "high", None] * 4, categories=["low", "high"], ordered=True),
        cases=["Fifteen", "6 cases", "Four", "Nine"] * 3,
    )
    out = Table(frame, caption="Small <i>x</i>").to_html()
    soup = BeautifulSoup(out, "html.parser")
    table = soup.select_one("table[id^='ivig-table-']")
    (module,) = [s for s in soup.find_all("script") if s.get("type") == "module"]
    assert f"from './{RENDER_TABLE_BUNDLE}'" in module.get_text()
    assert "Loading ITables" not in out
    assert "itables.org" not in out
    args = itables_args(out)
    assert args["caption"] == "Small <i>x</i>"
    assert _visible(json.loads(args["data_json"])[0][:3]) == [
        "study 0000",
        0,
        "&lt;b&gt;bold?&lt;/b&gt;",
    ]
    assert len(json.loads(args["data_json"])) == n
    # 11 to 25 rows: every row, a filter, no pages
    assert args["paging"] is False
    assert args["order"] == []
    assert args["layout"]["topEnd"] == {"search": {"placeholder": "Filter rows"}}
    assert "keys_to_be_evaluated" not in args, "itables wrote code to evaluate"
    # grade and cases sort by hidden columns of their values
    order = {d["targets"]: d["orderData"][0] for d in args["columnDefs"] if "orderData" in d}
    rows = json.loads(args["data_json"])
    assert [r[order[3]] for r in rows[:3]] == ["1", "2", "0"]
    assert [r[order[4]] for r in rows[:4]] == ["15", "6", "4", "9"]
    assert any(d.get("visible") is False for d in args["columnDefs"])
    # without JavaScript: the book's own complete table, escaped
    readable = soup.select_one(f"#{table['id']}_fallback table")
    assert readable.caption.get_text() == "Small <i>x</i>"
    assert not soup.find(["i", "b"]), "markup from the data"
    cells = [
        [_visible(td.get_text()) for td in tr.find_all("td")]
        for tr in readable.tbody.find_all("tr")
    ]
    assert len(cells) == n
    assert cells[0] == ["study 0000", "0", "<b>bold?</b>", "low", "Fifteen"]
    assert [td.get("data-order") for td in readable.select("tbody td:nth-of-type(5)")][:4] == [
        "15",
        "6",
        "4",
        "9",
    ]


@pytest.mark.parametrize(
    ("n", "paging", "search"),
    [
        (NO_CONTROLS_MAX, False, False),
        (NO_CONTROLS_MAX + 1, False, True),
        (ALL_ROWS_MAX, False, True),
        (ALL_ROWS_MAX + 1, True, True),
    ],
)
def test_tables_for_reading(n: int, paging: bool, search: bool) -> None:
    """Up to ALL_ROWS_MAX rows every row shows (no pages); up to NO_CONTROLS_MAX rows no
    controls at all; longer tables show PAGE_LENGTH rows a page."""
    args = itables_args(Table(_big_frame(n)).to_html())
    assert args["paging"] is paging
    controls = {k: v for k, v in args["layout"].items() if v}
    assert bool(controls) == (n > NO_CONTROLS_MAX)
    assert ("search" in json.dumps(controls)) == search
    if paging:
        assert args["pageLength"] == PAGE_LENGTH
    if n <= NO_CONTROLS_MAX:
        assert args["searching"] is False
        assert args["info"] is False


def test_the_dt_url_follows_the_page_depth(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """itables needs a relative dt_url to start with ./ or ../: one per page depth, found
    from the folder the chapter executes in (the book's root holds _config.yml)."""
    from ivigbook.publish.sitetables import dt_url, page_depth

    (tmp_path / "_config.yml").write_text("title: t\n")
    deep = tmp_path / "chapters" / "part"
    deep.mkdir(parents=True)
    assert page_depth(tmp_path) == 0
    assert page_depth(deep) == 2
    assert dt_url(0) == f"./{RENDER_TABLE_BUNDLE}"
    monkeypatch.chdir(tmp_path / "chapters")
    assert dt_url() == f"../{RENDER_TABLE_BUNDLE}"
    out = Table(_big_frame(8)).to_html()
    assert f"from '../{RENDER_TABLE_BUNDLE}'" in out
    assert f'href="../{RENDER_TABLE_BUNDLE.removesuffix(".js")}.css"' in out


def test_small_tables_stay_in_the_page() -> None:
    html = Table(_big_frame(JSON_ROWS_FROM)).to_html()
    assert JSON_ROWS_MARKER not in html
    assert "study 0099" in html


def test_large_table_rows_move_to_json(tmp_path: Path) -> None:
    frame = _big_frame(JSON_ROWS_FROM + 1)
    body = f"<main>{Table(frame, caption='Big').to_html()}</main>"
    page = tmp_path / "chapters" / "big.html"
    new_body, files = move_rows_out(body, page)
    assert JSON_ROWS_MARKER not in new_body
    assert "study 0050" not in new_body, "the rows are still in the page"
    assert len(files) == 1
    ((path, content),) = files.items()
    assert path.parent == page.parent
    assert path.name.startswith("big.ivig-table-")
    payload = json.loads(content)
    assert len(payload["data"]) == len(frame)
    assert payload["data"][3] == ["study 0003", 10, "note 3"]
    assert _visible(payload["data"][0][2]) == "&lt;b&gt;bold?&lt;/b&gt;", "escaped as itables does"
    soup = BeautifulSoup(new_body, "html.parser")
    holder = soup.select_one("div.ivig-json-table")
    assert holder["data-src"] == path.name
    note = soup.select_one(".ivig-json-note")
    assert note.a["href"] == path.name
    assert path.name in note.get_text()
    assert [th.get_text() for th in soup.select("thead th")] == list(frame.columns)
    # the table loads the file through DataTables' ajax, rendering rows as they show
    args = itables_args(new_body)
    assert args["ajax"] == path.name
    assert args["deferRender"] is True
    assert json.loads(args["data_json"]) == []


def _table_site(root: Path) -> Path:
    """A site holding the book's table bundle (from _extra/, as html_extra_path serves it)
    and its scripts and styles; pages at its root (itables' dt_url "./...")."""
    shutil.copytree(ROOT / "_extra", root)
    shutil.copytree(ROOT / "_static", root / "_static")
    return root


def _table_page(site: Path, name: str, body: str, before: str = "") -> dict[Path, bytes]:
    page = site / name
    body, files = move_rows_out(body, page)
    for path, content in files.items():
        path.write_bytes(content)
    page.write_text(
        "<!doctype html><html lang='en'><head><meta charset='utf-8'><title>t</title>"
        "<script src='_static/book.js'></script></head>"
        f"<body><main>{before}{body}</main></body></html>",
        encoding="utf-8",
    )
    return files


@pytest.mark.browser
def test_json_table_sorts_filters_and_paginates(tmp_path: Path) -> None:
    """A page with a JSON-backed itables table, served with the book's table bundle."""
    from browser_tools import chromium, open_page, serve

    n = 250
    frame = _big_frame(n)
    site = _table_site(tmp_path / "site")
    files = _table_page(site, "big.html", Table(frame, caption="Synthetic").to_html())
    table_id = next(iter(files)).name.split(".")[1]

    def rows(tab: object) -> list[list[str]]:
        return [
            _visible(row)
            for row in tab.evaluate(  # type: ignore[attr-defined]
                f"""() => Array.from(document.querySelectorAll('#{table_id} tbody tr'))
                    .map(tr => Array.from(tr.cells).map(td => td.textContent))"""
            )
        ]

    with serve(site) as base, chromium() as context:
        tab = open_page(context, f"{base}/big.html")
        shown = rows(tab)
        assert len(shown) == PAGE_LENGTH
        assert [r[0] for r in shown] == list(frame["study"][:PAGE_LENGTH])
        assert not tab.locator(".ivig-json-note").is_visible()
        # HTML in a cell is shown as text, never rendered
        assert shown[0][2] == "<b>bold?</b>"
        # sort by patients, ascending then descending
        header = tab.locator(f"#{table_id} thead th", has_text="patients")
        header.click()
        tab.wait_for_timeout(200)
        expected = sorted(frame["patients"])[:PAGE_LENGTH]
        assert [int(r[1]) for r in rows(tab)] == expected
        header.click()
        tab.wait_for_timeout(200)
        descending = sorted(frame["patients"], reverse=True)
        assert [int(r[1]) for r in rows(tab)] == descending[:PAGE_LENGTH]
        # filter: a word that only the HTML-looking notes hold
        tab.locator(f"#{table_id}_wrapper input[type='search']").fill("bold")
        tab.wait_for_timeout(300)
        matching = int(frame["note"].str.contains("bold").sum())
        info = tab.locator(f"#{table_id}_wrapper .dt-info").inner_text()
        assert f"{matching} entries" in info.replace(",", ""), info
        assert all(r[2] == "<b>bold?</b>" for r in rows(tab))
        tab.locator(f"#{table_id}_wrapper input[type='search']").fill("")
        tab.wait_for_timeout(300)
        # paginate: the second page of the descending order
        tab.locator(f"#{table_id}_wrapper .dt-paging-button", has_text="2").first.click()
        tab.wait_for_timeout(200)
        page_two = [int(r[1]) for r in rows(tab)]
        assert page_two == descending[PAGE_LENGTH : 2 * PAGE_LENGTH]
        info = tab.locator(f"#{table_id}_wrapper .dt-info").inner_text().replace(",", "")
        assert f"{PAGE_LENGTH + 1} to {2 * PAGE_LENGTH} of {n}" in info, info


@pytest.mark.browser
def test_json_rows_load_only_when_the_reader_comes_near(tmp_path: Path) -> None:
    """A JSON-backed table two screens down is not fetched on load; scrolled to, it is made."""
    from browser_tools import chromium, serve

    site = _table_site(tmp_path / "site")
    files = _table_page(
        site,
        "far.html",
        Table(_big_frame(150), caption="Far").to_html(),
        before="<p style='height:3000px'>Text first.</p>",
    )
    rows_file = next(iter(files)).name

    def fetched(tab: object) -> bool:
        names = tab.evaluate(  # type: ignore[attr-defined]
            "() => performance.getEntriesByType('resource').map(e => e.name)"
        )
        return any(name.split("?")[0].endswith(rows_file) for name in names)

    with serve(site) as base, chromium() as context:
        tab = context.new_page()  # type: ignore[attr-defined]
        tab.goto(f"{base}/far.html", wait_until="load")
        tab.wait_for_load_state("networkidle")
        tab.wait_for_timeout(500)
        assert not fetched(tab), "the rows of a table far below were loaded on arrival"
        assert tab.locator(".ivig-json-note").is_visible()  # it says where the rows are
        assert tab.locator(".dt-container").count() == 0
        tab.locator("div.ivig-json-table").scroll_into_view_if_needed()
        tab.locator(".dt-container").wait_for(state="attached", timeout=10_000)
        tab.wait_for_timeout(500)
        assert fetched(tab)
        assert tab.locator("div.ivig-json-table table.dataTable tbody tr").count() == PAGE_LENGTH


#: What the code itables 2.9.1 writes imports from its dt_url, and what the book's bundle
#: exports: an itables upgrade that imports or passes anything else fails here, loudly.
ITABLES_IMPORTS = {"ITable", "jQuery"}
BUNDLE_EXPORTS = {"ITable", "default", "jQuery", "set_or_remove_dark_class"}
#: The arguments itables 2.9.1 writes for the book's tables (beside DataTables options the
#: book sets itself), which the bundle's ITable reads.
ITABLES_ARGS = {"caption", "classes", "data_json", "style", "table_html"}
ITABLES_ARGS_OPTIONAL = {"text_in_header_can_be_selected", "downsampling_warning"}


def test_itables_interface_is_the_one_the_bundle_serves() -> None:
    """The generated code's import and arguments, as the bundle's ITable expects them."""
    import itables

    out = Table(_big_frame(30), caption="c").to_html()
    module = re.search(r"import \{([^}]*)\} from '([^']+)'", out)
    assert module is not None
    names = {part.split(" as ")[0].strip() for part in module.group(1).split(",")}
    assert names == ITABLES_IMPORTS, f"itables {itables.__version__} imports {names}"
    assert module.group(2) == f"./{RENDER_TABLE_BUNDLE}"
    args = itables_args(out)
    book = {"columnDefs", "column_min_widths", "layout", "order", "ordering", "paging"}
    book |= {"pageLength", "lengthMenu"}
    written = set(args) - book
    assert ITABLES_ARGS <= written <= ITABLES_ARGS | ITABLES_ARGS_OPTIONAL, written
    entry = (ROOT / "scripts" / "ivigbook" / "publish" / "datatables" / "entry.mjs").read_text()
    for key in ITABLES_ARGS | ITABLES_ARGS_OPTIONAL | {"keys_to_be_evaluated"}:
        assert f'"{key}"' in entry or f"args.{key}" in entry, f"ITable ignores {key}"


@pytest.mark.browser
def test_the_bundle_serves_the_itables_interface(tmp_path: Path) -> None:
    """In a browser: the bundle exports what itables' code imports, and the code itables
    writes makes a working table with it (rows, sorting by a hidden column of values)."""
    from browser_tools import chromium, open_page, serve

    frame = pd.DataFrame(
        {
            "Study": [f"Study {i}" for i in range(12)],
            "Patients": ["Fifteen", "6 cases", "Four", "Nine", "Twenty-two", "3"] * 2,
        }
    )
    site = _table_site(tmp_path / "site")
    _table_page(site, "t.html", Table(frame, caption="Words").to_html())
    table_id = Table(frame, caption="Words").table_id()
    with serve(site) as base, chromium() as context:
        tab = open_page(context, f"{base}/t.html")
        exports = tab.evaluate(  # type: ignore[attr-defined]
            f"async () => Object.keys(await import('./{RENDER_TABLE_BUNDLE}')).sort()"
        )
        assert set(exports) == BUNDLE_EXPORTS
        assert tab.locator(f"#{table_id}_fallback").is_hidden()
        assert tab.locator(f"#{table_id} tbody tr").count() == len(frame)
        assert tab.locator(f"#{table_id} thead th").count() == 2  # the key column hidden
        tab.locator(f"#{table_id} thead th", has_text="Patients").click()
        tab.wait_for_timeout(200)
        shown = tab.evaluate(  # type: ignore[attr-defined]
            f"""() => Array.from(document.querySelectorAll('#{table_id} tbody tr'))
                .map(tr => tr.cells[1].textContent)"""
        )
        assert shown[::2] == ["3", "Four", "6 cases", "Nine", "Fifteen", "Twenty-two"]
        assert tab.locator(f"#{table_id}_wrapper .dt-paging").count() == 0
        tab.close()  # type: ignore[attr-defined]


# --------------------------------------------------------------------------------------
# First visit, in a real browser, empty cache


@pytest.fixture(scope="module")
def visits(html_dir: Path) -> dict:
    from ivigbook.publish.transfer import first_visits

    return first_visits(html_dir)


@pytest.mark.book
@pytest.mark.browser
def test_first_visit_home_page_and_no_404(visits: dict, html_dir: Path) -> None:
    assert set(visits) >= {f"{p}.html" for p in toc_files()}
    assert visits[HOME]["bytes"] <= 1 * MB, f"home page: {visits[HOME]['bytes']:,} bytes"
    not_found = {p: i["not_found"] for p, i in visits.items() if i["not_found"]}
    refused = {p: i["refused"] for p, i in visits.items() if i["refused"]}
    assert not not_found, not_found
    assert not refused, refused
    # the measurement counts what the page loads: the home page's own HTML is in it
    assert visits[HOME]["bytes"] >= (html_dir / HOME).stat().st_size
    # and a page without charts or tables fetches neither bundle
    files = visits[HOME]["files"]
    assert not any(name.endswith(("vega-bundle.js", "datatables.min.js")) for name in files), files


#: Issue 22: every page's first visit at most 1 MB, but the next-trial page (its planner
#: needs the chart runtime) at most 1.7 MB; ``make bench`` reports against the same targets.
PLANNER = "chapters/next-trial.html"


@pytest.mark.book
@pytest.mark.browser
def test_first_visit_of_every_page_within_its_target(visits: dict, html_dir: Path) -> None:
    from ivigbook.publish.bench import first_visit_target

    assert first_visit_target(HOME) == 1 * MB
    assert first_visit_target(PLANNER) == int(1.7 * MB)
    over = {
        page: f"{info['bytes']:,} bytes > {first_visit_target(page):,}"
        for page, info in visits.items()
        if info["bytes"] > first_visit_target(page)
    }
    assert not over, over
    # only the planner's page fetches the chart runtime
    runtime = sorted(p for p, i in visits.items() if any("vega-bundle" in f for f in i["files"]))
    assert runtime == [PLANNER], runtime
    assert (html_dir / PLANNER).is_file()


# --------------------------------------------------------------------------------------
# Nothing to do, nothing done


def _fake_source(root: Path) -> Path:
    root.mkdir(parents=True)
    for name in build_module.BUILD_INPUTS:
        source = ROOT / name
        if source.is_dir():
            shutil.copytree(source, root / name, ignore=shutil.ignore_patterns("__pycache__"))
        else:
            shutil.copy2(source, root / name)
    shutil.copytree(ROOT / "data", root / "data")
    return root


def test_fingerprint_follows_every_input(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    source = _fake_source(tmp_path / "src")
    monkeypatch.setenv("IVIGBOOK_DATA_DIR", str(source / "data"))
    base = build_module.book_fingerprint("book", source)
    assert build_module.book_fingerprint("book", source) == base
    assert build_module.book_fingerprint("html", source) != base
    edits = [
        source / "chapters" / "evidence.md",
        source / "_static" / "book.css",
        source / "_config.yml",
        source / "scripts" / "ivigbook" / "analysis" / "trials.py",
        source / "data" / "studies.csv",
        source / "_templates" / "theme-switcher.html",
    ]
    for path in edits:
        original = path.read_bytes()
        path.write_bytes(original + b"\n")
        assert build_module.book_fingerprint("book", source) != base, f"{path} not followed"
        path.write_bytes(original)
        assert build_module.book_fingerprint("book", source) == base
    # a touch that changes nothing rebuilds nothing
    (source / "chapters" / "evidence.md").touch()
    assert build_module.book_fingerprint("book", source) == base


def test_up_to_date_needs_stamp_and_outputs(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    source = _fake_source(tmp_path / "src")
    monkeypatch.setenv("IVIGBOOK_DATA_DIR", str(source / "data"))
    build_dir = tmp_path / "build"
    assert not build_module.up_to_date("book", build_dir, source)
    (build_dir / "html").mkdir(parents=True)
    (build_dir / "html" / "index.html").write_text("x")
    (build_dir / "html" / build_module.PDF_NAME).write_text("x")
    (build_dir / ".book-fingerprint").write_text(build_module.book_fingerprint("book", source))
    assert build_module.up_to_date("book", build_dir, source)
    (source / "chapters" / "index.md").write_text("changed\n")
    assert not build_module.up_to_date("book", build_dir, source)


@pytest.mark.book
def test_make_book_with_nothing_changed_is_quick(build_dir: Path) -> None:
    if not build_module.up_to_date("book", build_dir):
        pytest.skip("the build is older than the tree (run `make book` first)")
    start = time.perf_counter()
    result = run_make("book", f"BUILD_DIR={build_dir}")
    seconds = time.perf_counter() - start
    assert result.returncode == 0, result.stdout + result.stderr
    assert "nothing changed" in result.stdout, result.stdout
    assert "jupyter-book" not in result.stdout + result.stderr
    assert seconds < 1.0, f"no-change make book took {seconds:.2f} s"


@pytest.mark.book
def test_every_icon_the_site_uses_is_drawn(html_dir: Path) -> None:
    """No icon font: each fa-* icon in the pages or the theme's scripts has a CSS mask."""
    css = (html_dir / "_static" / "ivigbook" / "icons.css").read_text(encoding="utf-8")
    drawn = set(re.findall(r"\.fa-([a-z0-9-]+)::before\{--ivig-icon", css))
    helpers = {"solid", "regular", "brands", "lg", "xs", "sm", "fw", "spin"}
    used: set[str] = set()
    texts = [p.read_text(encoding="utf-8") for p in _pages(html_dir)]
    texts += [p.read_text(encoding="utf-8") for p in (html_dir / "_static").rglob("*.js")]
    for text in texts:
        used |= set(re.findall(r"\bfa-(?:solid|regular) fa-([a-z0-9-]+)", text))
        used |= set(re.findall(r'class="[^"]*\bfa-([a-z0-9-]+)', text)) - helpers
    assert used, "no icon found: the check found nothing to check"
    assert used <= drawn, f"icons without a drawing: {sorted(used - drawn)}"
    theme_css = (html_dir / "_static" / "styles" / "pydata-sphinx-theme.css").read_text()
    assert "webfonts/fa-" not in theme_css, "the theme still declares the icon font"
    assert not list(html_dir.rglob("fa-*.woff2")), "the icon font is still shipped"


#: Each element's ::before and ::after that would draw a glyph of the (no longer shipped)
#: icon font: a non-empty content in a Font Awesome font family.
GLYPHS_WITHOUT_FONT_JS = """() => {
  const found = [];
  for (const el of document.querySelectorAll("body *")) {
    for (const pseudo of ["::before", "::after"]) {
      const style = getComputedStyle(el, pseudo);
      const content = style.content;
      if (content === "none" || content === "normal" || content === '""') continue;
      if (/Font Awesome/i.test(style.fontFamily)) {
        found.push(`${el.tagName.toLowerCase()}.${el.className}${pseudo} ${content}`);
      }
    }
  }
  return found.slice(0, 10);
}"""


@pytest.mark.book
@pytest.mark.browser
def test_no_icon_is_a_glyph_of_the_missing_font(html_dir: Path) -> None:
    """Admonition titles, download links and the like draw their icon as a mask; none asks
    the icon font (not shipped) for a glyph, which a browser shows as an empty box."""
    from browser_tools import chromium, opened, serve

    pages = [p for p in toc_files() if (html_dir / f"{p}.html").is_file()]
    admonitions = 0
    with serve(html_dir) as base, chromium() as context:
        for page in pages:
            with opened(context, f"{base}/{page}.html") as tab:
                found = tab.evaluate(GLYPHS_WITHOUT_FONT_JS)  # type: ignore[attr-defined]
                assert not found, f"{page}: icon glyphs of a font the site does not ship: {found}"
                admonitions += tab.evaluate(  # type: ignore[attr-defined]
                    """() => Array.from(document.querySelectorAll('.admonition-title'))
                        .filter(t => getComputedStyle(t, '::after').maskImage.includes('svg'))
                        .length"""
                )
    assert admonitions, "no admonition title with a drawn icon: the check found nothing"


def test_large_static_table_rows_move_to_json(tmp_path: Path) -> None:
    """The book's own paginated tables (cells with citations) move out above the threshold."""
    from ivigbook.publish.site import move_static_rows_out

    def table(n: int) -> str:
        rows = "".join(
            f'<tr class="row-odd"><td><p>study {i}</p></td>'
            f'<td><p><a href="references.html#id{i}">ref {i}</a></p></td></tr>\n'
            for i in range(n)
        )
        return (
            '<table class="longtable ivig-paginate table" id="id15">\n<caption>c</caption>'
            "<thead><tr><th>Study</th><th>Source</th></tr></thead>\n"
            f"<tbody>\n{rows}</tbody>\n</table>"
        )

    page = tmp_path / "ledger.html"
    small = table(JSON_ROWS_FROM)
    assert move_static_rows_out(small, page) == (small, {})
    body, files = move_static_rows_out(table(JSON_ROWS_FROM + 5), page)
    ((path, content),) = files.items()
    assert path == tmp_path / "ledger.id15.json"
    payload = json.loads(content)
    assert len(payload["data"]) == JSON_ROWS_FROM + 5
    assert payload["data"][7] == [
        "<p>study 7</p>",
        '<p><a href="references.html#id7">ref 7</a></p>',
    ]
    soup = BeautifulSoup(body, "html.parser")
    assert soup.table["data-src"] == "ledger.id15.json"
    assert not soup.select("tbody tr"), "the rows are still in the page"
    assert [th.get_text() for th in soup.select("thead th")] == ["Study", "Source"]
    assert soup.select_one(".ivig-json-note a")["href"] == "ledger.id15.json"
