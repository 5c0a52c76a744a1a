"""The answer on the first screen: the home page opens with the bottom line (the finding and
its certainty in words) within the first screen of a phone, and the summary of findings starts
within the first screen and a half of a laptop (run `make book` first)."""

from __future__ import annotations

import pytest

from ivigbook.analysis.summary import key_facts
from ivigbook.data.load import load
from ivigbook.text.messages import bottom_line

pytestmark = [pytest.mark.book, pytest.mark.browser]

PHONE = {"width": 390, "height": 844}
LAPTOP = {"width": 1280, "height": 900}

#: Where an element ends and starts, in page pixels, found by the words it holds.
BOX_OF_TEXT_JS = """
(words) => {
  const main = document.querySelector('main') || document.body;
  const hits = Array.from(main.querySelectorAll('p, li, h1, h2, h3'))
    .filter(el => el.textContent.includes(words));
  if (!hits.length) return null;
  const r = hits[0].getBoundingClientRect();
  return {top: r.top + window.scrollY, bottom: r.bottom + window.scrollY};
}
"""


def _box(tab: object, words: str) -> dict[str, float]:
    box = tab.evaluate(BOX_OF_TEXT_JS, words)  # type: ignore[attr-defined]
    assert box is not None, f"no element on the home page holds {words!r}"
    return box


def _open(browser: object, site: str, size: dict[str, int]) -> object:
    tab = browser.new_page()  # type: ignore[attr-defined]
    tab.set_viewport_size(size)
    tab.goto(f"{site}/index.html", wait_until="load")
    tab.wait_for_load_state("networkidle")
    return tab


def test_bottom_line_in_the_first_phone_screen(browser: object, site: str) -> None:
    line = bottom_line(key_facts(load()))
    tab = _open(browser, site, PHONE)
    answer = _box(tab, line["answer"][:60])
    certainty = _box(tab, line["certainty"][:40])
    assert answer["bottom"] <= PHONE["height"], answer
    assert certainty["top"] < PHONE["height"], certainty
    # the finding and the certainty word are both in view without scrolling
    seen = tab.evaluate(  # type: ignore[attr-defined]
        "(h) => { const t = []; for (const el of document.querySelectorAll('main p')) {"
        " const r = el.getBoundingClientRect(); if (r.top < h) t.push(el.textContent); }"
        " return t.join(' '); }",
        PHONE["height"],
    )
    assert "benefit" in seen
    assert any(word in seen for word in ("very low", "low", "moderate", "high"))
    tab.close()  # type: ignore[attr-defined]


def test_summary_of_findings_within_a_screen_and_a_half_on_a_laptop(
    browser: object, site: str
) -> None:
    tab = _open(browser, site, LAPTOP)
    heading = _box(tab, "What the trials show, outcome by outcome")
    assert heading["top"] <= 1.5 * LAPTOP["height"], heading
    tab.close()  # type: ignore[attr-defined]
