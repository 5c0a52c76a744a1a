"""Headless Chromium against the built site, served from loopback (run `make book` first).

Playwright for Python drives Debian's /usr/bin/chromium (never `playwright install`).
"""

from __future__ import annotations

import os
import socket
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from browser_tools import LOOPBACK, VISIBLE_SVG
from conftest import toc_files

# Tables for reading (ivigbook.publish.render.reading_options): every row of a table of up to
# ALL_ROWS_MAX rows in view, and at most PAGE_LENGTH rows of a longer one.
from ivigbook.publish.sitetables import ALL_ROWS_MAX, PAGE_LENGTH

pytestmark = [pytest.mark.book, pytest.mark.browser]


#: A laptop-size browser window: every chart must fit the text column at this size.
LAPTOP_WINDOW = {"width": 1280, "height": 800}
#: Charts whose drawing is wider than the column that holds them, as "id: chart in column".
CHARTS_WIDER_THAN_THEIR_COLUMN_JS = """
() => Array.from(document.querySelectorAll('.ivig-chart'))
  .map(el => [el.id, Math.ceil(__VISIBLE_SVG__(el).getBoundingClientRect().width),
              el.clientWidth])
  .filter(([, chart, column]) => chart > column)
  .map(([id, chart, column]) => `${id}: ${chart} px in a ${column} px column`)
""".replace("__VISIBLE_SVG__", VISIBLE_SVG)


def test_loopback_server_is_local(site: str) -> None:
    host = urlsplit(site).hostname
    assert host in LOOPBACK
    with socket.create_connection((host, urlsplit(site).port), timeout=5):
        pass


@pytest.mark.parametrize("page", toc_files())
def test_page_in_browser(browser: object, site: str, page: str, tmp_path: Path) -> None:
    from playwright.sync_api import Route

    tab = browser.new_page()  # type: ignore[attr-defined]
    tab.set_viewport_size(LAPTOP_WINDOW)
    remote: list[str] = []
    errors: list[str] = []

    def route(r: Route) -> None:
        if urlsplit(r.request.url).hostname in LOOPBACK:
            r.continue_()
        else:
            remote.append(r.request.url)
            r.abort()

    tab.route("**/*", route)
    tab.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    tab.on("pageerror", lambda e: errors.append(f"pageerror: {e}"))
    tab.goto(f"{site}/{page}.html", wait_until="load")
    tab.wait_for_load_state("networkidle")

    charts = tab.locator(".ivig-chart")
    for i in range(charts.count()):
        charts.nth(i).locator("svg, canvas").first.wait_for(state="attached", timeout=15_000)

    too_wide = tab.evaluate(CHARTS_WIDER_THAN_THEIR_COLUMN_JS)

    # A table in a collapsed section (a dropdown, a <details>) is hidden until the reader
    # opens it, and Playwright waits for a hidden search box to become visible before it types
    # into it: without this, such a table times the test out. Open every section first, as a
    # reader does, so that collapsed tables are tested too.
    tab.evaluate("document.querySelectorAll('main details').forEach(d => { d.open = true; })")
    tab.wait_for_timeout(200)

    # The book's interactive tables (itables), and its static tables long enough to be made
    # interactive (book.js: more than ALL_ROWS_MAX rows, or rows in a file).
    long_static = tab.evaluate(
        f"""() => Array.from(document.querySelectorAll('table.ivig-paginate'))
            .filter(t => t.hasAttribute('data-src')
                         || t.querySelectorAll('tbody tr').length > {ALL_ROWS_MAX})
            .map(t => t.id)"""
    )
    ids = [*tab.eval_on_selector_all("table[id^='ivig-table-']", "ts => ts.map(t => t.id)")]
    for table_id in [*ids, *long_static]:
        table = tab.locator(f"#{table_id}")
        wrapper = tab.locator(f"#{table_id}_wrapper")
        # A table whose rows are in a JSON file is made when a reader scrolls near it.
        table.scroll_into_view_if_needed()
        wrapper.wait_for(state="attached", timeout=15_000)
        rows = tab.locator(f"#{table_id} tbody tr")
        # (rows loaded from a file: "Loading..." until they come)
        tab.wait_for_function(
            "id => !document.querySelector(`#${id} tbody td.dt-empty`)", arg=table_id
        )
        before = rows.count()
        assert before <= PAGE_LENGTH, f"{page}: #{table_id} shows {before} rows at once"
        search = wrapper.locator("input[type=search]")
        if not search.count():  # a short table: no controls (see tests/test_reader.py)
            continue
        # as a reader types it: without the break points of long words (fit_words)
        first_cell = rows.first.locator("td").first.inner_text().strip()
        first_cell = first_cell.replace("\u00ad", "").replace("\u200b", "")
        search.fill(first_cell + " no such row zz")
        tab.wait_for_function(
            "([id, n]) => document.querySelectorAll(`#${id} tbody tr td.dt-empty`).length == 1"
            " || document.querySelectorAll(`#${id} tbody tr`).length != n",
            arg=[table_id, before],
            timeout=5_000,
        )
        search.fill(first_cell)
        tab.wait_for_timeout(200)
        shown = tab.locator(f"#{table_id} tbody").inner_text()
        assert first_cell in shown.replace("\u00ad", "").replace("\u200b", "")

    shot = os.environ.get("SCREENSHOT_DIR")
    if shot:
        Path(shot).mkdir(parents=True, exist_ok=True)
        tab.screenshot(path=f"{shot}/{page.replace('/', '_')}.png", full_page=True)
    tab.close()
    assert not remote, f"{page}: requests to non-loopback hosts: {remote}"
    assert not errors, f"{page}: console errors: {errors}"
    assert not too_wide, (
        f"{page}: charts wider than the text column in a {LAPTOP_WINDOW['width']}-px window "
        f"(readers would have to scroll sideways, and the PDF prints them smaller): {too_wide}"
    )
