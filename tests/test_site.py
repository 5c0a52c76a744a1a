"""Checks of the built HTML site (run `make book` first; BUILD_DIR selects the build)."""

from __future__ import annotations

import re
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from bs4 import BeautifulSoup
from conftest import ROOT, toc_files

pytestmark = pytest.mark.book

PAGES = toc_files()
VEGA_BUNDLE = "_static/ivigbook/vega-bundle.js"
#: The table bundle, served at the site's root through html_extra_path (_extra/).
DATATABLES_BUNDLE = "ivigbook/datatables/datatables.min.js"


def _soup(html_dir: Path, page: str) -> BeautifulSoup:
    return BeautifulSoup((html_dir / f"{page}.html").read_text(encoding="utf-8"), "html.parser")


def _all_html(html_dir: Path) -> list[Path]:
    return sorted(p for p in html_dir.rglob("*.html") if "_static" not in p.parts)


@pytest.mark.parametrize("page", PAGES)
def test_page_built(html_dir: Path, page: str) -> None:
    assert (html_dir / f"{page}.html").is_file(), f"{page} is in _toc.yml but was not built"


@pytest.mark.parametrize("page", PAGES)
def test_no_error_output(html_dir: Path, page: str) -> None:
    soup = _soup(html_dir, page)
    bad = soup.select(".output_error, .output.traceback, .output.stderr, .system-message")
    assert not bad, f"{page}: error output in page: {[b.get_text()[:200] for b in bad]}"
    text = soup.get_text()
    assert "Traceback (most recent call last)" not in text
    assert "Chart failed to render" not in text


@pytest.mark.parametrize("page", PAGES)
def test_code_inputs_hidden(html_dir: Path, page: str) -> None:
    """No code in view: every code cell is collapsed (tag hide-input) or has no input on the
    page, the cells that hold a chapter's assumptions (tag parameters) too; the chapters state
    those assumptions in words or in a table."""
    soup = _soup(html_dir, page)
    shown = []
    for cell in soup.select("div.cell"):
        classes = cell.get("class", [])
        inputs = cell.select(".cell_input")
        if inputs and "tag_hide-input" not in classes:
            shown.append(inputs[0].get_text(" ", strip=True)[:60])
        # A collapsed input sits in a closed <details>: nothing of it is shown until opened.
        for element in inputs:
            details = element.find_parent("details")
            if details is None or details.has_attr("open"):
                shown.append(element.get_text(" ", strip=True)[:60])
    assert not shown, (
        f"{page}: code cells show their input (tag them hide-input or remove-input): {shown}"
    )


@pytest.mark.parametrize("page", PAGES)
def test_every_collapsible_shows_that_it_opens(html_dir: Path, page: str) -> None:
    """A styled disclosure (sphinx-design's dropdown look, which hides the browser's own
    triangle) carries the dropdown's state marker, the chevron that shows it opens."""
    soup = _soup(html_dir, page)
    unmarked = [
        details.summary.get_text(" ", strip=True)[:60] if details.summary else "(no summary)"
        for details in soup.select("main details.sd-dropdown")
        if not (details.summary and details.summary.select_one(".sd-summary-state-marker svg"))
    ]
    assert not unmarked, f"{page}: collapsed sections with nothing to show they open: {unmarked}"


def test_no_remote_resources(html_dir: Path) -> None:
    """Nothing loads from the network: no remote src/href in script, link, img, iframe..."""
    offenders = []
    for path in _all_html(html_dir):
        soup = BeautifulSoup(path.read_text(encoding="utf-8"), "html.parser")
        for tag in soup.find_all(["script", "link", "img", "iframe", "source", "video", "audio"]):
            for attr in ("src", "href", "data-src"):
                url = tag.get(attr)
                if url and (urlsplit(url).scheme in {"http", "https"} or url.startswith("//")):
                    offenders.append(f"{path.relative_to(html_dir)}: <{tag.name} {attr}={url}>")
    assert not offenders, "remote resources:\n" + "\n".join(offenders)


#: An import in a page's module script: ``import ... from '<url>'`` or ``import('<url>')``.
_IMPORT = re.compile(r"""\bimport\b[^;'"]*?(?:\bfrom\s*)?\(?\s*['"]([^'"]+)['"]""")
#: Hosts that serve JavaScript packages (itables' connected mode imports from one).
_CDNS = ("unpkg", "jsdelivr", "cdnjs", "esm.sh", "skypack", "googleapis", "cdn.")


def test_no_page_imports_from_a_cdn(html_dir: Path) -> None:
    """No page imports a module from another host (itables' connected mode, and its
    init_notebook_mode, import from a CDN): every import is relative and names a file of
    the site; no script, link or style names a CDN."""
    offenders = []
    imports = 0
    for path in _all_html(html_dir):
        text = path.read_text(encoding="utf-8")
        soup = BeautifulSoup(text, "html.parser")
        for script in soup.find_all("script"):
            for url in _IMPORT.findall(script.get_text()):
                imports += 1
                if not url.startswith(("./", "../")):
                    offenders.append(f"{path.relative_to(html_dir)}: import from {url}")
                elif not (path.parent / url).resolve().is_file():
                    offenders.append(f"{path.relative_to(html_dir)}: import of a missing {url}")
        lowered = text.lower()
        offenders += [
            f"{path.relative_to(html_dir)}: names {cdn}"
            for cdn in _CDNS
            if re.search(rf"(?:src|href)=[\"']?https?://[^\"' >]*{re.escape(cdn)}", lowered)
            or re.search(rf"from\s*['\"]https?://[^'\"]*{re.escape(cdn)}", lowered)
        ]
        assert "set_or_remove_dark_class" not in text, f"{path}: init_notebook_mode output"
    assert imports, "no page imports the table bundle: the check found nothing"
    assert not offenders, "\n".join(offenders)


def test_bundles_served_once(html_dir: Path) -> None:
    """The vega and DataTables bundles are static files, referenced, never inlined."""
    for bundle, marker in ((VEGA_BUNDLE, "ivigChart"), (DATATABLES_BUNDLE, "DataTable")):
        path = html_dir / bundle
        assert path.is_file(), f"missing {bundle}"
        assert path.stat().st_size > 100_000
        assert marker in path.read_text(encoding="utf-8")
        copies = [p for p in html_dir.rglob(Path(bundle).name) if p != path]
        assert not copies, f"extra copies of {bundle}: {copies}"
    for path in _all_html(html_dir):
        text = path.read_text(encoding="utf-8")
        assert len(text) < 500_000, f"{path} is {len(text)} bytes: an inlined bundle?"
        assert "window.vega=" not in text, f"{path} inlines the vega bundle"
        assert "fn.dataTable=" not in text, f"{path} inlines the DataTables bundle"
    # Linked from the pages with interactive charts (issue 15: only there, see test_light.py).
    with_chart = [
        p for p in PAGES if _soup(html_dir, p).select_one(".ivig-chart:not(.ivig-static)")
    ]
    assert with_chart, "no page draws an interactive chart"
    demo = _soup(html_dir, with_chart[0]).find_all("script", src=True)
    assert any(s["src"].startswith("../" + VEGA_BUNDLE) for s in demo), "vega bundle not linked"


def test_pdf_in_site(html_dir: Path, pdf_path: Path) -> None:
    site_pdf = html_dir / pdf_path.name
    assert site_pdf.is_file(), "the PDF is not copied into the site"
    assert site_pdf.read_bytes() == pdf_path.read_bytes(), "the site's PDF is stale"
    links = [a["href"] for a in _soup(html_dir, PAGES[0]).find_all("a", href=True)]
    assert f"../{pdf_path.name}" in links, "the landing page does not link the PDF"


def test_toc_matches_sources() -> None:
    for page in PAGES:
        assert (ROOT / f"{page}.md").is_file() or (ROOT / f"{page}.ipynb").is_file(), page
