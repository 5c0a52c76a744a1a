"""Hostile input: study text carrying HTML, JavaScript and LaTeX payloads.

Validation accepts such text (it is valid text) but rejects control characters and over-long
fields with clear messages. The book built from the hostile copy (HTML and PDF, into a tmp
folder) shows the payloads as text, runs none of them, and typesets the LaTeX literally.
"""

from __future__ import annotations

import re
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest
from browser_tools import ROOT, build_book, chromium, html_pages, open_page, serve, soup_of
from fixtures_hostile import (
    HTML_PAYLOADS,
    INJECTIONS,
    LATEX_PAYLOADS,
    PWNED_FILE,
    copy_data,
    derive_hostile,
    read_rows,
    set_cell,
)

from ivigbook.data.load import DataPackageError, clear_cache, load
from ivigbook.data.validate import validate

PDF_NAME = "ivig-sibm-evidence-book.pdf"


@pytest.fixture
def hostile_data(tmp_path: Path) -> Path:
    return derive_hostile(ROOT / "data", tmp_path / "data")


# --------------------------------------------------------------------------------------
# Validation


def test_validation_accepts_markup_and_latex_as_text(hostile_data: Path) -> None:
    assert [str(p) for p in validate(hostile_data)] == []
    clear_cache()
    studies = load(hostile_data).studies
    _, raw = read_rows(hostile_data / "studies.csv")  # the csv module, not the loader
    for index, field, payload in INJECTIONS:
        assert payload in raw[index][field]
        assert studies.loc[index, field] == raw[index][field], f"{field} changed on loading"


@pytest.mark.parametrize(
    ("field", "value", "expected"),
    [
        (
            "key_results_letter",
            "No effects.\x07 Two patients",
            "studies.csv:2: key_results_letter: control character U+0007 not allowed",
        ),
        ("first_author", "Am\x00ato", "studies.csv:2: first_author: control character U+0000"),
        ("weaknesses_letter", "x" * 1001, "studies.csv:2: weaknesses_letter: maxLength 1000"),
        ("first_author", "A" * 61, "studies.csv:2: first_author: maxLength 60"),
    ],
)
def test_validation_rejects_control_characters_and_long_fields(
    tmp_path: Path, field: str, value: str, expected: str
) -> None:
    data = copy_data(ROOT / "data", tmp_path / "data")
    set_cell(data, 0, field, value)
    problems = [str(p) for p in validate(data)]
    assert len(problems) == 1, problems
    assert problems[0].startswith(expected), problems
    clear_cache()
    with pytest.raises(DataPackageError, match=re.escape(expected)):
        load(data)


# --------------------------------------------------------------------------------------
# The book built from hostile data (slow)


@pytest.fixture(scope="module")
def hostile_build(tmp_path_factory: pytest.TempPathFactory) -> Path:
    if PWNED_FILE.exists():
        pytest.fail(f"{PWNED_FILE} exists before the build: remove it first", pytrace=False)
    base = tmp_path_factory.mktemp("hostile")
    data = derive_hostile(ROOT / "data", base / "data")
    build_dir = base / "build"
    build_book("book", build_dir, data_dir=data)
    return build_dir


@pytest.fixture(scope="module")
def hostile_site(hostile_build: Path) -> Iterator[str]:
    with serve(hostile_build / "html") as url:
        yield url


@pytest.mark.slow
def test_no_markup_from_data_in_html(hostile_build: Path) -> None:
    """No element, attribute or link made from the payloads exists in any page."""
    html = hostile_build / "html"
    problems = []
    for path in html_pages(html):
        page = str(path.relative_to(html))
        soup = soup_of(path)
        for script in soup.find_all("script"):
            if "window.__pwned=1" in script.get_text() and not script.get("type", "").endswith(
                "json"
            ):
                body = script.get_text()
                # Allowed only inside a JSON string literal of a chart spec: escaped "<".
                if "<script>" in body or "</script" in body:
                    problems.append(f"{page}: script element runs the payload: {body[:120]!r}")
        for tag in soup.find_all(True):
            for attr, value in tag.attrs.items():
                text = " ".join(value) if isinstance(value, list) else str(value)
                if attr.startswith("on") and "__pwned" in text:
                    problems.append(f"{page}: <{tag.name} {attr}={text!r}>")
                if text.strip().lower().startswith("javascript:"):
                    problems.append(f"{page}: <{tag.name} {attr}={text!r}>")
    assert not problems, "payloads became markup:\n" + "\n".join(problems)


def _hover_marks(tab: object, limit: int = 40) -> list[str]:
    """Hover chart marks (best effort) and collect the tooltip texts shown, and the titles
    of static charts' marks."""
    texts = []
    marks = tab.locator(".ivig-chart svg .mark-symbol path, .ivig-chart svg .mark-rect path")  # type: ignore[attr-defined]
    for i in range(min(marks.count(), limit)):
        try:
            marks.nth(i).hover(timeout=1_000, force=True)
        except Exception:  # a mark hidden behind another one is fine
            continue
        tooltip = tab.locator("#vg-tooltip-element")  # type: ignore[attr-defined]
        if tooltip.count() and tooltip.is_visible():
            texts.append(tooltip.inner_text())
    # a static chart's tooltips are its marks' SVG titles, shown by the browser on hover
    texts += tab.eval_on_selector_all(  # type: ignore[attr-defined]
        ".ivig-chart svg title", "ts => ts.map(t => t.textContent)"
    )
    return texts


@pytest.mark.slow
@pytest.mark.browser
def test_payloads_never_run_and_show_as_text(hostile_build: Path, hostile_site: str) -> None:
    html = hostile_build / "html"
    pages = [str(p.relative_to(html).with_suffix("")) for p in html_pages(html)]
    pwned, seen = [], {payload: [] for payload in HTML_PAYLOADS}
    with chromium() as context:
        for page in pages:
            tab = open_page(context, f"{hostile_site}/{page}.html")
            tooltips = _hover_marks(tab)
            text = tab.locator("body").inner_text()  # type: ignore[attr-defined]
            if tab.evaluate("typeof window.__pwned") != "undefined":  # type: ignore[attr-defined]
                pwned.append(page)
            tab.close()  # type: ignore[attr-defined]
            for payload in HTML_PAYLOADS:
                if payload in text or any(payload in t for t in tooltips):
                    seen[payload].append(page)
    assert not pwned, f"window.__pwned was set (a payload ran) on: {pwned}"
    missing = [p for p, where in seen.items() if not where]
    assert not missing, (
        f"payloads not visible as text on any page (no chapter shows the study text fields "
        f"{sorted({f for _, f, _ in INJECTIONS})}?): {missing}"
    )


@pytest.mark.slow
def test_pdf_typesets_latex_literally(hostile_build: Path) -> None:
    pdf = hostile_build / "latex" / PDF_NAME
    assert pdf.is_file(), f"no PDF at {pdf}"
    text = subprocess.run(
        ["pdftotext", "-enc", "UTF-8", str(pdf), "-"], capture_output=True, text=True, check=True
    ).stdout
    squeezed = re.sub(r"\s+", "", text)
    missing = [p for p in LATEX_PAYLOADS if re.sub(r"\s+", "", p) not in squeezed]
    assert not missing, f"LaTeX payloads not shown literally in the PDF: {missing}"
    assert not PWNED_FILE.exists(), rf"\write18 ran: {PWNED_FILE} was created"
    passwd = Path("/etc/passwd").read_text(encoding="utf-8").splitlines()[0]
    assert passwd not in text, r"\input{/etc/passwd} was executed: its content is in the PDF"
    tex = (hostile_build / "latex" / PDF_NAME).with_suffix(".tex")
    if tex.is_file():
        source = tex.read_text(encoding="utf-8")
        assert "\\input{/etc/passwd}" not in source, "the .tex holds a live \\input"
        assert "\\write18{" not in source, "the .tex holds a live \\write18"


# --------------------------------------------------------------------------------------
# The checks fail on broken output (synthetic pages; no build)


@pytest.mark.browser
def test_payload_check_catches_a_script_that_runs(tmp_path: Path) -> None:
    page = tmp_path / "page.html"
    page.write_text(
        "<!DOCTYPE html><html><body><main><p>Key result: "
        f"{HTML_PAYLOADS[0]}</p></main></body></html>",
        encoding="utf-8",
    )
    with serve(tmp_path) as url, chromium() as context:
        tab = open_page(context, f"{url}/page.html")
        ran = tab.evaluate("typeof window.__pwned")  # type: ignore[attr-defined]
        shown = tab.locator("body").inner_text()  # type: ignore[attr-defined]
        tab.close()  # type: ignore[attr-defined]
    assert ran == "number"  # an unescaped payload runs, so the check above would fail
    assert HTML_PAYLOADS[0] not in shown  # ... and it is not shown as text either
