"""The book as its readers meet it: the bottom line first, plain prose, tables and charts that
fit the screen.

* Fast tier: the key messages and the plain-language summary follow the numbers (wording for
  none, one, some), independently of the chapters.
* Built book: the home page opens with key messages whose numbers are glued and agree with an
  independent count from the CSV files; every argument chapter opens with "In short"; the
  prose meets the targets of the reader-first issue (mean sentence length, longest sentence)
  and shows no internal id or code name outside collapsed sections.
* Browser: at 1,280 px no table is wider than its column, no table of 25 rows or fewer is
  paged and none of 10 rows or fewer carries controls (filter, pages, count of rows), and no
  word in a table cell is split across lines; at 390 px (a phone) no chart is wider than the
  screen, and none draws text under 11 px, every chart keeps its legends and whole labels; at
  1,280 px charts take their column's width; a static chart is SVG in the page with its
  tooltips as native titles, and only an interactive one draws with the vega runtime alone.
"""

from __future__ import annotations

import csv
import re
from dataclasses import replace
from pathlib import Path

import pytest
from browser_tools import VISIBLE_SVG
from bs4 import BeautifulSoup
from reader_text import ARGUMENT_PAGES, AUDIT_PAGES, measure, page_path, visible_text

from ivigbook.analysis.summary import KeyFacts
from ivigbook.prose import words
from ivigbook.publish.sitetables import ALL_ROWS_MAX, NO_CONTROLS_MAX
from ivigbook.text.messages import key_messages, plain_summary, times_as_many

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT / "data"
#: Targets of the reader-first issue, measured on the prose a reader reads.
MEAN_WORDS = 21
MAX_WORDS = 45
PHONE = {"width": 390, "height": 844}
LAPTOP = {"width": 1280, "height": 800}

FACTS = KeyFacts(
    n_studies=10,
    n_trials=3,
    n_trial_patients=77,
    n_trials_objective_benefit=0,
    n_trials_placebo=3,
    trial_domains=("strength", "swallowing"),
    n_uncontrolled=5,
    n_uncontrolled_patients=33,
    n_uncontrolled_objective_benefit=3,
    n_signal_statements=17,
    n_signal_weak=11,
    n_improvement_reports=11,
    n_improvement_reports_weak=8,
    timing_verdict="not testable",
    marker_verdict="supported",
    n_added=0,
    next_trial_per_arm=84,
)


# --------------------------------------------------------------------------------------
# Fast: the wording follows the facts


def test_trials_message_follows_the_counts() -> None:
    none = key_messages(FACTS)["trials"]
    assert none.startswith("Three controlled trials (77 patients) found no measured benefit")
    assert "muscle strength or swallowing" in none
    one = key_messages(replace(FACTS, n_trials=4, n_trials_objective_benefit=1))["trials"]
    assert one.startswith("Four controlled trials")
    assert "one of them found a measured benefit" in one
    assert "no measured benefit" not in one


def test_signal_and_timing_messages_follow_the_verdicts() -> None:
    messages = key_messages(FACTS)
    assert "8 of the 11 reports that patients on IVIG improved" in messages["signals"]
    assert "cannot test" in messages["timing_markers"]
    assert "No marker is known" in messages["timing_markers"]
    other = key_messages(replace(FACTS, timing_verdict="supported", marker_verdict="partly"))
    assert "support the letter's view" in other["timing_markers"]
    assert "No marker is known" not in other["timing_markers"]


def test_times_as_many_in_words() -> None:
    # The ratio, rounded down, in words; exactly twice is not "more than twice".
    assert "more than twice as many" in times_as_many(168, 77)
    for total in (154, 100):
        assert times_as_many(total, 77).startswith("more ")
        assert "twice" not in times_as_many(total, 77)
    assert "more than three times as many" in times_as_many(232, 77)
    assert times_as_many(60, 77).startswith("no more")
    assert times_as_many(77, 77).startswith("no more")


def test_next_trial_message_compares_with_the_trials_so_far() -> None:
    text = key_messages(FACTS)["next_trial"]
    assert "about 84 patients in each arm, 168 in all" in text
    assert "the three controlled trials together had 77" in text
    one = key_messages(replace(FACTS, n_trials=1, n_trial_patients=20))["next_trial"]
    assert "the only controlled trial had 20" in one
    means = plain_summary(FACTS)["means"]
    assert "more than twice as many people as all the earlier trials together" in means


def test_key_facts_take_the_next_trial_from_the_design() -> None:
    from ivigbook.analysis.design import continuous_design, planning_values
    from ivigbook.analysis.summary import key_facts
    from ivigbook.data.load import load

    ev = load()
    expected = continuous_design(planning_values(ev))["enrolled_per_arm"]
    assert key_facts(ev).next_trial_per_arm == int(expected) > 0


def test_plain_summary_has_no_statistics() -> None:
    text = " ".join(plain_summary(FACTS).values())
    assert "Three trials compared IVIG with a dummy treatment" in text
    for jargon in ("confidence", "interval", "%", "p <", "significant", "CI"):
        assert jargon not in text, jargon
    mixed = " ".join(plain_summary(replace(FACTS, n_trials_placebo=2)).values())
    assert "or another treatment" in mixed


# --------------------------------------------------------------------------------------
# Built book


def _rows(name: str) -> list[dict[str, str]]:
    with (DATA / f"{name}.csv").open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


@pytest.mark.book
def test_home_page_opens_with_glued_key_messages(html_dir: Path) -> None:
    soup = BeautifulSoup(page_path(html_dir, "index").read_text(encoding="utf-8"), "html.parser")
    section = soup.find(id="key-messages")
    assert section is not None, "no Key messages section on the home page"
    items = section.select("li")
    assert len(items) >= 4
    assert all(item.select(".pasted-text") for item in items), "a key message is not glued"
    # Independent count: trials are the designs with a comparator, from the CSV itself.
    trials = [
        s
        for s in _rows("studies")
        if s["design"] in ("placebo_controlled_trial", "controlled_trial")
    ]
    patients = sum(int(s["n_total"]) for s in trials)
    assert f"({patients} patients)" in items[0].get_text(" ", strip=True)
    assert words(len(trials), capital=True) in items[0].get_text(" ", strip=True)
    summary = soup.find(id="plain-language-summary")
    assert summary is not None, "no plain-language summary on the home page"
    # The bottom line (a box before any heading), then the summary of findings in brief, then
    # the key messages and the plain-language summary, before everything else on the page.
    headings = [h.get_text(" ", strip=True).rstrip("#").strip() for h in soup.select("section h2")]
    assert headings[2:4] == ["Key messages", "Plain-language summary"], headings
    assert headings[0] == "The answer in brief", headings
    assert headings[1].startswith("What the trials show"), headings
    first = soup.select_one("main .admonition")
    assert first is not None, "no bottom-line box on the home page"
    assert "How sure are we?" in first.get_text(" ", strip=True)


def _existing(html_dir: Path, pages: tuple[str, ...] = ARGUMENT_PAGES) -> list[str]:
    return [s for s in pages if page_path(html_dir, s).exists()]


@pytest.mark.book
def test_argument_chapters_open_with_their_answer(html_dir: Path) -> None:
    missing = []
    for stem in _existing(html_dir):
        if stem == "index":
            continue
        soup = BeautifulSoup(page_path(html_dir, stem).read_text(encoding="utf-8"), "html.parser")
        main = soup.select_one("main")
        first = main.select_one("section .admonition") if main else None
        box = main.select_one(".admonition.in-short") if main else None
        if box is None or first is not box or not box.select(".pasted-text"):
            missing.append(stem)
    assert not missing, f"chapters without a glued 'In short' answer first: {missing}"


@pytest.mark.book
def test_prose_is_plain(html_dir: Path) -> None:
    problems = []
    for stem in _existing(html_dir):
        m = measure(page_path(html_dir, stem))
        if m["mean_words"] > MEAN_WORDS:
            problems.append(f"{stem}: mean sentence {m['mean_words']:.1f} words")
        if m["max_words"] > MAX_WORDS:
            problems.append(f"{stem}: a sentence of {m['max_words']} words: {m['longest']!r}")
    assert not problems, "\n".join(problems)


@pytest.mark.book
def test_no_internal_ids_or_code_names_in_reader_text(html_dir: Path) -> None:
    found = {}
    # The argument, and the pages that show the verdicts and what changed (see AUDIT_PAGES).
    pages = _existing(html_dir, ARGUMENT_PAGES + AUDIT_PAGES)
    assert set(AUDIT_PAGES) <= set(pages), "the claims ledger or What changed is missing"
    for stem in pages:
        ids = measure(page_path(html_dir, stem))["identifiers"]
        if ids:
            found[stem] = ids[:6]
    assert not found, f"internal ids or code names a reader sees: {found}"


#: A file path or file name of the repository (``data/studies.csv``, ``render.py``).
FILE_PATH = re.compile(r"(?<![\w/.-])(?:[\w-]+/)*[\w-]+\.(?:csv|py|md|ya?ml|bib|json|ipynb)\b")
#: A code constant (``BODY_WEIGHT_KG``, ``RESPONDER_STATEMENT``).
CODE_CONSTANT = re.compile(r"\b[A-Z][A-Z0-9]*(?:_[A-Z0-9]+)+\b")
#: Pages whose visible text is checked for machinery: the argument, the verdicts and what
#: changed, the references and the glossary. (The data dictionary, adding a study,
#: reproducibility and how to cite are about the files themselves.)
MACHINERY_FREE = (*ARGUMENT_PAGES, *AUDIT_PAGES, "references", "glossary")


@pytest.mark.book
def test_no_paths_code_joins_or_release_bookkeeping_in_reader_text(html_dir: Path) -> None:
    """What a reader sees without opening anything holds no file path, no code constant, no
    cells joined with " | " and no release bookkeeping (that stays in collapsed sections)."""
    found = {}
    pages = _existing(html_dir, MACHINERY_FREE)
    assert set(MACHINERY_FREE) <= set(pages), "a page of the book is missing"
    for stem in pages:
        text = visible_text(page_path(html_dir, stem).read_text(encoding="utf-8"))
        hits = FILE_PATH.findall(text) + CODE_CONSTANT.findall(text)
        hits += [" | "] * (" | " in text)
        hits += re.findall(r"data call for", text)
        if hits:
            found[stem] = sorted(set(hits))[:6]
    assert not found, f"machinery a reader sees: {found}"


# --------------------------------------------------------------------------------------
# Browser

TABLES_WIDER_THAN_THEIR_COLUMN_JS = """
() => {
  const article = document.querySelector('main article') || document.querySelector('main');
  const box = article.getBoundingClientRect();
  const style = getComputedStyle(article);
  const right = box.right - parseFloat(style.paddingRight);
  return Array.from(article.querySelectorAll('table'))
    .filter(t => t.offsetParent !== null)
    .map(t => [t.id || t.innerText.slice(0, 40), Math.ceil(t.getBoundingClientRect().right)])
    .filter(([, edge]) => edge > right + 1)
    .map(([id, edge]) => `${id}: right edge at ${edge} px, column ends at ${Math.floor(right)} px`);
}
"""
#: Per interactive table: its rows (counted in the table a reader without JavaScript reads,
#: null when its rows come from a file) and the controls DataTables drew.
TABLE_CONTROLS_JS = """
() => Array.from(document.querySelectorAll('main table.dataTable')).map(t => {
  const fallback = t.closest('.ivig-json-table') ? null
    : document.getElementById(t.id + '_fallback');
  const wrapper = t.closest('.dt-container');
  const has = selector => Boolean(wrapper && wrapper.querySelector(selector));
  return {id: t.id, rows: fallback ? fallback.querySelectorAll('tbody tr').length : null,
          shown: t.querySelectorAll('tbody tr').length,
          paging: has('.dt-paging'), search: has('.dt-search'), info: has('.dt-info'),
          length: has('.dt-length')};
})
"""
#: Words of a table cell split across two lines: each word's DOM range has more than one
#: line box. A break at a hyphen, a slash or a full stop the word holds, or at a hyphenation
#: point the book marked (a soft hyphen, shown as a hyphen; a zero-width space in an
#: identifier: sitetables.fit_words), is no split.
WORDS_SPLIT_IN_CELLS_JS = """
() => {
  const found = [];
  for (const cell of document.querySelectorAll('main table td, main table th')) {
    if (cell.offsetParent === null) { continue; }
    const walker = document.createTreeWalker(cell, NodeFilter.SHOW_TEXT);
    for (let node = walker.nextNode(); node; node = walker.nextNode()) {
      const re = /[^\\s\\-\\/.\\u00ad\\u200b]+/g;
      let m;
      while ((m = re.exec(node.data))) {
        const range = document.createRange();
        range.setStart(node, m.index);
        range.setEnd(node, m.index + m[0].length);
        let rects = Array.from(range.getClientRects()).filter(r => r.width > 0);
        // After a soft hyphen the line ends: Chromium gives the piece that follows the box
        // of the hyphen it draws there (about a third of an em) as its first rectangle.
        const em = parseFloat(getComputedStyle(cell).fontSize);
        if (node.data[m.index - 1] === '\\u00ad' && rects.length > 1
            && rects[0].width <= 0.45 * em) {
          rects = rects.slice(1);
        }
        const tops = new Set(rects.map(r => Math.round(r.top)));
        if (tops.size > 1) { found.push(m[0]); }
      }
    }
  }
  return found;
}
"""
CHARTS_WIDER_THAN_THE_SCREEN_JS = """
() => Array.from(document.querySelectorAll('.ivig-chart'))
  .map(el => [el.id, Math.ceil(__VISIBLE_SVG__(el).getBoundingClientRect().right)])
  .filter(([, right]) => right > window.innerWidth)
  .map(([id, right]) => `${id}: right edge at ${right} px`)
""".replace("__VISIBLE_SVG__", VISIBLE_SVG)


def _open(browser: object, url: str, size: dict[str, int]) -> object:
    from browser_tools import open_page

    tab = open_page(browser, url)
    tab.set_viewport_size(size)  # type: ignore[attr-defined]
    tab.wait_for_timeout(400)  # type: ignore[attr-defined]
    return tab


@pytest.mark.book
@pytest.mark.browser
@pytest.mark.parametrize("stem", ARGUMENT_PAGES)
def test_tables_fit_and_charts_fit_a_phone(
    browser: object, site: str, html_dir: Path, stem: str
) -> None:
    if not page_path(html_dir, stem).exists():
        pytest.skip(f"{stem} is not in this book")
    url = f"{site}/chapters/{stem}.html"
    tab = _open(browser, url, LAPTOP)
    wide = tab.evaluate(TABLES_WIDER_THAN_THEIR_COLUMN_JS)  # type: ignore[attr-defined]
    controls = tab.evaluate(TABLE_CONTROLS_JS)  # type: ignore[attr-defined]
    split = tab.evaluate(WORDS_SPLIT_IN_CELLS_JS)  # type: ignore[attr-defined]
    tab.set_viewport_size(PHONE)  # type: ignore[attr-defined]
    tab.wait_for_timeout(600)  # type: ignore[attr-defined]
    charts = tab.evaluate(CHARTS_WIDER_THAN_THE_SCREEN_JS)  # type: ignore[attr-defined]
    tab.close()  # type: ignore[attr-defined]
    assert not wide, f"{stem}: tables wider than their column at 1280 px: {wide}"
    paged = [t["id"] for t in controls if t["rows"] and t["rows"] <= ALL_ROWS_MAX and t["paging"]]
    assert not paged, f"{stem}: tables of {ALL_ROWS_MAX} rows or fewer with pages: {paged}"
    hidden = [t["id"] for t in controls if t["rows"] and t["shown"] < min(t["rows"], ALL_ROWS_MAX)]
    assert not hidden, f"{stem}: tables that hide some of their first {ALL_ROWS_MAX} rows: {hidden}"
    small = [
        t["id"]
        for t in controls
        if t["rows"] is not None
        and t["rows"] <= NO_CONTROLS_MAX
        and (t["paging"] or t["search"] or t["info"] or t["length"])
    ]
    assert not small, f"{stem}: tables of {NO_CONTROLS_MAX} rows or fewer with controls: {small}"
    assert not split, f"{stem}: words split across lines in table cells at 1,280 px: {split}"
    assert not charts, f"{stem}: charts wider than a 390 px phone: {charts}"


# --------------------------------------------------------------------------------------
# Charts reflow instead of shrinking (issues 9, 15, 22): on a phone every chart fits and its
# smallest text, as rendered (font size times every scaling of the SVG), is at least 11 CSS px;
# at 1,280 px a chart takes its column's width; narrowing the window shows a layout made for
# the new width (not the old one scaled); no page loads vega-lite or vega-embed, and a page
# whose charts are all static (SVG made at build time) loads no chart runtime.

#: The least rendered text size (CSS px) a reader should have to read.
MIN_TEXT_PX = 11
#: Rounding of the rendered size (a chart fitted to its column is scaled by 0.9999...).
TEXT_PX_ROUNDING = 0.01
#: At 1,280 px a chart takes at least this share of its column's width.
MIN_COLUMN_SHARE = 0.95

#: Per chart: its SVG's rendered box, its container's width, and its smallest visible text
#: as rendered. The rendered size of a text is its font size times the scale of its screen
#: transform (getScreenCTM takes in the viewBox, CSS sizing and every transform above it).
CHART_BOXES_JS = """
() => Array.from(document.querySelectorAll('.ivig-chart')).map(el => {
  const svg = __VISIBLE_SVG__(el);
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
    const scale = Math.sqrt(Math.abs(m.a * m.d - m.b * m.c));
    const size = parseFloat(getComputedStyle(t).fontSize) * scale;
    if (size < smallest) { smallest = size; text = t.textContent.trim().slice(0, 40); }
  }
  return {id: el.id, left: box.left, right: box.right, width: box.width,
          laidOut: parseFloat(svg.getAttribute('width')), column: el.clientWidth, smallest, text};
})
""".replace("__VISIBLE_SVG__", VISIBLE_SVG)


def chart_pages(html_dir: Path) -> list[str]:
    from browser_tools import soup_of

    pages = []
    for path in sorted((html_dir / "chapters").glob("*.html")):
        if soup_of(path).select_one(".ivig-chart"):
            pages.append(path.stem)
    return pages


def _boxes(browser: object, url: str, size: dict[str, int]) -> list[dict]:
    tab = _open(browser, url, size)
    tab.wait_for_timeout(800)  # type: ignore[attr-defined]
    boxes = tab.evaluate(CHART_BOXES_JS)  # type: ignore[attr-defined]
    tab.close()  # type: ignore[attr-defined]
    return boxes


@pytest.mark.book
def test_some_pages_draw_charts(html_dir: Path) -> None:
    assert len(chart_pages(html_dir)) >= 5, chart_pages(html_dir)


@pytest.mark.book
@pytest.mark.browser
def test_charts_fit_a_phone_and_stay_legible(browser: object, site: str, html_dir: Path) -> None:
    problems = []
    for page in chart_pages(html_dir):
        tab = _open(browser, f"{site}/chapters/{page}.html", PHONE)
        tab.wait_for_timeout(1000)  # type: ignore[attr-defined]
        boxes = tab.evaluate(CHART_BOXES_JS)  # type: ignore[attr-defined]
        tab.close()  # type: ignore[attr-defined]
        assert boxes, f"{page}: no chart drawn"
        for box in boxes:
            if box.get("missing"):
                problems.append(f"{page}: chart {box['id']} has no SVG")
                continue
            # Laid out for the column (the SVG's own width), not merely scaled down to it.
            too_wide = max(box["width"], box["laidOut"]) > box["column"] + 1
            if box["right"] > PHONE["width"] or too_wide:
                problems.append(
                    f"{page}: chart {box['id']} is laid out {box['laidOut']:.0f} px wide, drawn "
                    f"{box['width']:.0f} px, right edge at {box['right']:.0f} px "
                    f"(column {box['column']} px)"
                )
            if box["smallest"] < MIN_TEXT_PX - TEXT_PX_ROUNDING:
                problems.append(
                    f"{page}: chart {box['id']} draws {box['text']!r} at {box['smallest']:.1f} px"
                )
    assert not problems, "on a 390 px phone:\n" + "\n".join(problems)


@pytest.mark.book
@pytest.mark.browser
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
            if box["smallest"] < MIN_TEXT_PX - TEXT_PX_ROUNDING:
                problems.append(f"{page}: chart {box['id']} text at {box['smallest']:.1f} px")
    assert not problems, "at 1,280 px:\n" + "\n".join(problems)


#: Per chart: the titles of its legends (spaces dropped: a phone wraps them onto lines) and
#: every text of it that Vega cut short with an ellipsis.
CHART_LEGENDS_AND_CUTS_JS = """
() => Array.from(document.querySelectorAll('.ivig-chart')).map(el => {
  const svg = __VISIBLE_SVG__(el);
  if (!svg) { return {id: el.id, legends: [], cut: ['(no chart drawn)']}; }
  const legends = Array.from(svg.querySelectorAll('.role-legend-title text'))
    .map(t => t.textContent.replace(/\\s+/g, '')).filter(Boolean);
  const cut = Array.from(svg.querySelectorAll('text'))
    .map(t => t.textContent.trim()).filter(t => t.endsWith('\u2026'));
  return {id: el.id, legends, cut};
})
""".replace("__VISIBLE_SVG__", VISIBLE_SVG)


@pytest.mark.book
@pytest.mark.browser
def test_charts_keep_their_legends_and_whole_labels_on_a_phone(
    browser: object, site: str, html_dir: Path
) -> None:
    """At 390 px every chart keeps every legend it has at 1,280 px (a phone layout stacks them
    below the plot) and no text of any chart is cut short with "…" (labels wrap instead)."""
    problems = []
    for page in chart_pages(html_dir):
        url = f"{site}/chapters/{page}.html"
        laptop = {c["id"]: c for c in _evaluate(browser, url, LAPTOP, CHART_LEGENDS_AND_CUTS_JS)}
        phone = _evaluate(browser, url, PHONE, CHART_LEGENDS_AND_CUTS_JS)
        assert len(phone) == len(laptop), f"{page}: charts differ between widths"
        for chart in phone:
            lost = sorted(set(laptop[chart["id"]]["legends"]) - set(chart["legends"]))
            if lost:
                problems.append(f"{page}: chart {chart['id']} drops its legends {lost}")
            for size, found in (("390", chart), ("1280", laptop[chart["id"]])):
                if found["cut"]:
                    problems.append(f"{page} at {size} px: chart {chart['id']} cuts {found['cut']}")
    assert not problems, "\n".join(problems)


def _evaluate(browser: object, url: str, size: dict[str, int], script: str) -> list[dict]:
    tab = _open(browser, url, size)
    tab.wait_for_timeout(800)  # type: ignore[attr-defined]
    found = tab.evaluate(script)  # type: ignore[attr-defined]
    tab.close()  # type: ignore[attr-defined]
    return found


@pytest.mark.book
@pytest.mark.browser
def test_charts_reflow_when_the_window_narrows(browser: object, site: str, html_dir: Path) -> None:
    """Drawn in a laptop window, then the window becomes a phone's: the charts are laid
    out again for the new width (not scaled down)."""
    page = chart_pages(html_dir)[0]
    tab = _open(browser, f"{site}/chapters/{page}.html", LAPTOP)
    tab.wait_for_timeout(800)  # type: ignore[attr-defined]
    wide = tab.evaluate(CHART_BOXES_JS)  # type: ignore[attr-defined]
    tab.set_viewport_size(PHONE)  # type: ignore[attr-defined]
    tab.wait_for_timeout(1200)  # type: ignore[attr-defined]
    narrow = tab.evaluate(CHART_BOXES_JS)  # type: ignore[attr-defined]
    tab.close()  # type: ignore[attr-defined]
    for before, after in zip(wide, narrow, strict=True):
        assert after["width"] < before["width"], (before, after)
        assert after["right"] <= PHONE["width"], after
        assert after["smallest"] >= MIN_TEXT_PX - TEXT_PX_ROUNDING, after


def _interactive_chart_pages(html_dir: Path) -> list[str]:
    from browser_tools import soup_of

    return [
        page
        for page in chart_pages(html_dir)
        if soup_of(html_dir / "chapters" / f"{page}.html").select_one(
            ".ivig-chart:not(.ivig-static)"
        )
    ]


@pytest.mark.book
@pytest.mark.browser
def test_pages_load_vega_alone(browser: object, site: str, html_dir: Path) -> None:
    """No page requests vega-lite or vega-embed, and the bundle it loads holds neither; a
    page whose charts are all static loads no chart runtime at all."""
    bundle = (html_dir / "_static" / "ivigbook" / "vega-bundle.js").read_text(encoding="utf-8")
    for name in ("vega-lite", "vegaLite", "vega-embed", "vegaEmbed"):
        assert name not in bundle, f"the chart bundle still holds {name}"
    interactive = _interactive_chart_pages(html_dir)
    static = [p for p in chart_pages(html_dir) if p not in interactive]
    assert interactive, "no page has an interactive chart"
    assert static, "no page has only static charts"
    for page, views in ((interactive[0], True), (static[0], False)):
        tab = _open(browser, f"{site}/chapters/{page}.html", LAPTOP)
        scripts = tab.evaluate(  # type: ignore[attr-defined]
            "() => performance.getEntriesByType('resource').map(e => e.name)"
        )
        found = tab.evaluate(  # type: ignore[attr-defined]
            "() => [typeof window.vega, typeof window.vegaEmbed, typeof window.vegaLite,"
            " Object.keys(window.ivigViews || {}).length]"
        )
        tab.close()  # type: ignore[attr-defined]
        assert not [s for s in scripts if "vega-lite" in s or "vega-embed" in s], scripts
        if views:
            assert found[:3] == ["object", "undefined", "undefined"], found
            assert found[3] >= 1, "no chart view was made"
        else:
            assert found == ["undefined"] * 3 + [0], (page, found)
            assert not [s for s in scripts if "vega-bundle" in s], (page, scripts)


@pytest.mark.book
@pytest.mark.browser
def test_tooltip_shows_a_marks_values(browser: object, site: str) -> None:
    """A static chart's marks carry their tooltip as the SVG's own title (the browser shows
    it on hover): the mark under the pointer names the study and its result."""
    tab = _open(browser, f"{site}/chapters/evidence.html", LAPTOP)
    marks = tab.locator(".ivig-chart svg.ivig-wide .mark-symbol.role-mark path")  # type: ignore[attr-defined]
    assert marks.count(), "no marks to hover"
    marks.first.scroll_into_view_if_needed()
    box = marks.first.bounding_box()
    assert box, "the first mark is not drawn"
    x, y = box["x"] + box["width"] / 2, box["y"] + box["height"] / 2
    text = tab.evaluate(  # type: ignore[attr-defined]
        """([x, y]) => {
          const el = document.elementFromPoint(x, y);
          const title = el && el.querySelector(':scope > title');
          return title ? title.textContent : '';
        }""",
        [x, y],
    )
    tab.close()  # type: ignore[attr-defined]
    assert "Study: " in text, text
    assert "Overall result: " in text, text


@pytest.mark.book
def test_charts_say_what_to_do_without_javascript(html_dir: Path) -> None:
    """A static chart is in the page as SVG, wide and narrow, and needs no script; before an
    interactive chart's script runs (or where it never does) its container says so."""
    from browser_tools import soup_of

    for page in chart_pages(html_dir):
        for chart in soup_of(html_dir / "chapters" / f"{page}.html").select(".ivig-chart"):
            if "ivig-static" in chart.get("class", []):
                kinds = [svg.get("class", [])[-1] for svg in chart.find_all("svg")]
                assert kinds == ["ivig-wide", "ivig-narrow"], f"{page}: {chart.get('id')} {kinds}"
                assert not chart.find("script"), f"{page}: static chart {chart.get('id')}"
                continue
            fallback = chart.select_one(".ivig-chart-fallback")
            assert fallback is not None, f"{page}: chart {chart.get('id')} has no fallback"
            assert "JavaScript" in fallback.get_text(), fallback


# --------------------------------------------------------------------------------------
# On a phone, tables of three or more columns read as cards

CARD_TABLES_JS = """
() => Array.from(document.querySelectorAll('main table'))
  .filter(t => t.offsetParent !== null && t.querySelectorAll('thead th').length >= 3)
  .map(t => {
    const heads = Array.from(t.querySelectorAll('thead th')).map(
      th => th.textContent.replace(/\\s+/g, ' ').trim());
    const cells = Array.from(t.querySelectorAll('tbody tr')).flatMap(r => Array.from(r.children)
      .map((td, i) => [td.getAttribute('data-label'), heads[i],
                       getComputedStyle(td).display,
                       getComputedStyle(td, '::before').content]));
    return {id: t.id || t.innerText.slice(0, 30), cards: t.classList.contains('ivig-cards'),
            right: Math.ceil(t.getBoundingClientRect().right), cells: cells};
  })
"""


@pytest.mark.book
@pytest.mark.browser
@pytest.mark.parametrize("stem", ["appraisal", "claims-ledger"])
def test_tables_read_as_cards_on_a_phone(browser: object, site: str, stem: str) -> None:
    """Each cell under its column's header, every column on the screen; rows a DataTable
    draws later (its second page) are labelled too."""
    tab = _open(browser, f"{site}/chapters/{stem}.html", PHONE)
    tab.evaluate("document.querySelectorAll('main details').forEach(d => { d.open = true; })")  # type: ignore[attr-defined]
    tab.wait_for_timeout(300)  # type: ignore[attr-defined]
    nexts = tab.locator("main .dt-paging button.next:not(.disabled)")  # type: ignore[attr-defined]
    if nexts.count():
        nexts.first.scroll_into_view_if_needed()
        nexts.first.click()
        tab.wait_for_timeout(300)  # type: ignore[attr-defined]
    tables = tab.evaluate(CARD_TABLES_JS)  # type: ignore[attr-defined]
    tab.close()  # type: ignore[attr-defined]
    assert tables, f"{stem}: no table of three or more columns"
    problems = []
    for t in tables:
        if not t["cards"]:
            problems.append(f"{t['id']}: not laid out as cards")
        if t["right"] > PHONE["width"]:
            problems.append(f"{t['id']}: right edge at {t['right']} px")
        for label, head, display, before in t["cells"]:
            if label != head or display != "block" or before != f'"{head}"':
                problems.append(f"{t['id']}: a cell labelled {label!r} under {head!r}")
                break
    assert not problems, problems
