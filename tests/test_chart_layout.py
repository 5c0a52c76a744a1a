"""Charts reflow instead of shrinking, and draw with the vega runtime alone (issues 9 and 15).

* On a 390 px phone every chart fits the screen and its smallest text, as rendered (font
  size times every scaling of the SVG: viewBox, CSS, transforms), is at least 10 CSS px.
* At 1,280 px every chart takes the width of its column, without going past it.
* Turning a laptop window into a phone's lays the charts out again.
* The pages load the vega runtime, not vega-lite or vega-embed; tooltips still show.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from browser_tools import chromium, open_page, serve, soup_of

pytestmark = [pytest.mark.book, pytest.mark.browser]

PHONE = {"width": 390, "height": 844}
LAPTOP = {"width": 1280, "height": 800}
#: The least rendered text size (CSS px) a reader should have to read.
MIN_TEXT_PX = 10
#: At 1,280 px a chart takes at least this share of its column's width.
MIN_COLUMN_SHARE = 0.95

#: Per chart: its SVG's rendered box, its container's width, and its smallest visible text
#: as rendered. The rendered size of a text is its font size times the scale of its screen
#: transform (getScreenCTM takes in the viewBox, CSS sizing and every transform above it).
CHART_BOXES_JS = """
() => Array.from(document.querySelectorAll('.ivig-chart')).map(el => {
  const svg = el.querySelector('svg');
  if (!svg) { return {id: el.id, missing: true}; }
  const box = svg.getBoundingClientRect();
  let smallest = Infinity, text = '';
  for (const t of svg.querySelectorAll('text')) {
    if (!t.textContent.trim()) { continue; }
    let hidden = false;
    for (let n = t; n && n !== svg; n = n.parentElement) {
      const cs = getComputedStyle(n);
      if (cs.display === 'none' || cs.visibility === 'hidden' || cs.opacity === '0'
          || n.getAttribute('opacity') === '0') { hidden = true; break; }
    }
    if (hidden) { continue; }
    const m = t.getScreenCTM();
    const size = parseFloat(getComputedStyle(t).fontSize) * Math.sqrt(Math.abs(m.a * m.d - m.b * m.c));
    if (size < smallest) { smallest = size; text = t.textContent.trim().slice(0, 40); }
  }
  return {id: el.id, left: box.left, right: box.right, width: box.width,
          column: el.clientWidth, smallest, text};
})
"""


def chart_pages(html_dir: Path) -> list[str]:
    pages = []
    for path in sorted((html_dir / "chapters").glob("*.html")):
        if soup_of(path).select_one(".ivig-chart"):
            pages.append(path.stem)
    return pages


@pytest.fixture(scope="module")
def site(html_dir: Path) -> Iterator[str]:
    with serve(html_dir) as url:
        yield url


@pytest.fixture(scope="module")
def browser() -> Iterator[object]:
    with chromium() as context:
        yield context


def _boxes(browser: object, url: str, size: dict[str, int]) -> list[dict]:
    tab = open_page(browser, url)
    tab.set_viewport_size(size)  # type: ignore[attr-defined]
    tab.wait_for_timeout(800)  # type: ignore[attr-defined]
    boxes = tab.evaluate(CHART_BOXES_JS)  # type: ignore[attr-defined]
    tab.close()  # type: ignore[attr-defined]
    return boxes


def test_some_pages_draw_charts(html_dir: Path) -> None:
    assert len(chart_pages(html_dir)) >= 5, chart_pages(html_dir)


def test_charts_fit_a_phone_and_stay_legible(browser: object, site: str, html_dir: Path) -> None:
    problems = []
    for page in chart_pages(html_dir):
        tab = open_page(browser, f"{site}/chapters/{page}.html")
        tab.set_viewport_size(PHONE)  # type: ignore[attr-defined]
        tab.wait_for_timeout(1000)  # type: ignore[attr-defined]
        boxes = tab.evaluate(CHART_BOXES_JS)  # type: ignore[attr-defined]
        tab.close()  # type: ignore[attr-defined]
        assert boxes, f"{page}: no chart drawn"
        for box in boxes:
            if box.get("missing"):
                problems.append(f"{page}: chart {box['id']} has no SVG")
                continue
            if box["right"] > PHONE["width"] or box["width"] > box["column"] + 1:
                problems.append(
                    f"{page}: chart {box['id']} is {box['width']:.0f} px wide, right edge at "
                    f"{box['right']:.0f} px (column {box['column']} px)"
                )
            if box["smallest"] < MIN_TEXT_PX:
                problems.append(
                    f"{page}: chart {box['id']} draws {box['text']!r} at "
                    f"{box['smallest']:.1f} px"
                )
    assert not problems, "on a 390 px phone:\n" + "\n".join(problems)


def test_charts_use_the_column_on_a_laptop(browser: object, site: str, html_dir: Path) -> None:
    problems = []
    for page in chart_pages(html_dir):
        for box in _boxes(browser, f"{site}/chapters/{page}.html", LAPTOP):
            share = box["width"] / box["column"]
            if not MIN_COLUMN_SHARE <= share <= 1 + 1 / box["column"]:
                problems.append(
                    f"{page}: chart {box['id']} is {box['width']:.0f} px in a "
                    f"{box['column']} px column"
                )
            if box["smallest"] < MIN_TEXT_PX:
                problems.append(f"{page}: chart {box['id']} text at {box['smallest']:.1f} px")
    assert not problems, "at 1,280 px:\n" + "\n".join(problems)


def test_charts_reflow_when_the_window_narrows(
    browser: object, site: str, html_dir: Path
) -> None:
    """Drawn in a laptop window, then the window becomes a phone's: the charts are laid
    out again for the new width (not scaled down)."""
    page = chart_pages(html_dir)[0]
    tab = open_page(browser, f"{site}/chapters/{page}.html")
    tab.set_viewport_size(LAPTOP)  # type: ignore[attr-defined]
    tab.wait_for_timeout(800)  # type: ignore[attr-defined]
    wide = tab.evaluate(CHART_BOXES_JS)  # type: ignore[attr-defined]
    tab.set_viewport_size(PHONE)  # type: ignore[attr-defined]
    tab.wait_for_timeout(1200)  # type: ignore[attr-defined]
    narrow = tab.evaluate(CHART_BOXES_JS)  # type: ignore[attr-defined]
    tab.close()  # type: ignore[attr-defined]
    for before, after in zip(wide, narrow, strict=True):
        assert after["width"] < before["width"], (before, after)
        assert after["right"] <= PHONE["width"], after
        assert after["smallest"] >= MIN_TEXT_PX, after


def test_pages_load_vega_alone(browser: object, site: str, html_dir: Path) -> None:
    """No page requests vega-lite or vega-embed, and the bundle it loads holds neither."""
    bundle = (html_dir / "_static" / "ivigbook" / "vega-bundle.js").read_text(encoding="utf-8")
    for name in ("vega-lite", "vegaLite", "vega-embed", "vegaEmbed"):
        assert name not in bundle, f"the chart bundle still holds {name}"
    page = chart_pages(html_dir)[0]
    tab = open_page(browser, f"{site}/chapters/{page}.html")
    scripts = tab.evaluate(  # type: ignore[attr-defined]
        "() => performance.getEntriesByType('resource').map(e => e.name)"
    )
    found = tab.evaluate(  # type: ignore[attr-defined]
        "() => [typeof window.vega, typeof window.vegaEmbed, typeof window.vegaLite,"
        " Object.keys(window.ivigViews || {}).length]"
    )
    tab.close()  # type: ignore[attr-defined]
    assert not [s for s in scripts if "vega-lite" in s or "vega-embed" in s], scripts
    assert found[:3] == ["object", "undefined", "undefined"], found
    assert found[3] >= 1, "no chart view was made"


def test_tooltip_shows_a_marks_values(browser: object, site: str) -> None:
    tab = open_page(browser, f"{site}/chapters/evidence.html")
    marks = tab.locator(".ivig-chart svg .mark-symbol path")  # type: ignore[attr-defined]
    assert marks.count(), "no marks to hover"
    marks.first.hover(force=True)
    tooltip = tab.locator("#vg-tooltip-element")  # type: ignore[attr-defined]
    tooltip.wait_for(state="visible", timeout=5_000)
    text = tooltip.inner_text()
    tab.close()  # type: ignore[attr-defined]
    assert "Study" in text and "Overall result" in text, text


def test_charts_say_what_to_do_without_javascript(html_dir: Path) -> None:
    """Before the script runs (or where it never does) the chart's container says so."""
    for page in chart_pages(html_dir):
        for chart in soup_of(html_dir / "chapters" / f"{page}.html").select(".ivig-chart"):
            fallback = chart.select_one(".ivig-chart-fallback")
            assert fallback is not None, f"{page}: chart {chart.get('id')} has no fallback"
            assert "JavaScript" in fallback.get_text(), fallback
