"""Accessibility of the built site (run `make book` first; BUILD_DIR selects the build).

* axe-core (npm, pinned in package-lock.json; `npm ci`) is injected into every page of the
  table of contents, in light and dark mode: no serious or critical violation may remain.
* Figures carry alt text that is not their caption or title repeated; tables have <th>.
* Chart text (the vega SVG) meets WCAG AA contrast against what is behind it, in both modes.

The negative tests at the end prove each checker fails, with a clear message, on a broken page.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from browser_tools import (
    AXE_JS,
    CHART_TEXT_JS,
    TABLES_WITHOUT_HEADERS_JS,
    alt_text_problems,
    chart_text_problems,
    contrast_ratio,
    opened,
    serve,
    table_header_problems,
)
from conftest import toc_files

MODES = ("light", "dark")
BLOCKING = {"serious", "critical"}


def axe_violations(tab: object, page: str, mode: str) -> list[str]:
    """Serious and critical axe-core violations of the open page, one line per node."""
    if not AXE_JS.is_file():
        pytest.fail(f"{AXE_JS} missing: run `npm ci --no-audit --no-fund`", pytrace=False)
    tab.add_script_tag(path=str(AXE_JS))  # type: ignore[attr-defined]
    result = tab.evaluate(  # type: ignore[attr-defined]
        "async () => await axe.run(document, {resultTypes: ['violations']})"
    )
    lines = []
    for violation in result["violations"]:
        if violation.get("impact") not in BLOCKING:
            continue
        for node in violation["nodes"]:
            lines.append(
                f"{page} [{mode}] {violation['id']} ({violation['impact']}): "
                f"{' '.join(map(str, node['target']))} — {violation['help']}"
            )
    return lines


def on_every_page_in_both_modes(test: Callable[..., None]) -> Callable[..., None]:
    """Run ``test`` on every page of the book, in light and dark mode, in the browser."""
    marks = (
        pytest.mark.parametrize("page", toc_files()),
        pytest.mark.parametrize("mode", MODES),
        pytest.mark.browser,
        pytest.mark.book,
    )
    for mark in marks:
        test = mark(test)
    return test


@on_every_page_in_both_modes
def test_axe_no_serious_violations(browser: object, site: str, page: str, mode: str) -> None:
    with opened(browser, f"{site}/{page}.html", mode=mode) as tab:
        problems = axe_violations(tab, page, mode)
    assert not problems, "axe-core violations:\n" + "\n".join(problems)


@on_every_page_in_both_modes
def test_chart_text_contrast(browser: object, site: str, page: str, mode: str) -> None:
    with opened(browser, f"{site}/{page}.html", mode=mode) as tab:
        items = tab.evaluate(CHART_TEXT_JS)  # type: ignore[attr-defined]
        headerless = tab.evaluate(TABLES_WITHOUT_HEADERS_JS)  # type: ignore[attr-defined]
    problems = chart_text_problems(items, page, mode)
    problems += [f"{page} [{mode}]: rendered table without <th>: {t!r}" for t in headerless]
    assert not problems, "\n".join(problems)


@pytest.mark.book
def test_figures_have_alt_text(html_dir: Path) -> None:
    problems = alt_text_problems(html_dir)
    assert not problems, "figures without proper alt text:\n" + "\n".join(problems)


@pytest.mark.book
def test_tables_have_headers(html_dir: Path) -> None:
    problems = table_header_problems(html_dir)
    assert not problems, "\n".join(problems)


# --------------------------------------------------------------------------------------
# The checkers catch what they should (small synthetic pages; no build needed)

PAGE = """<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>T</title></head>
<body><main>{body}</main></body></html>"""
SPEC = '{{"title": "Responses by study", "mark": "point"}}'
CHART = (
    '<div id="ivig-chart-0" class="ivig-chart"{attrs}></div>\n'
    "<script>\n(function () {{\n  var spec = " + SPEC + ";\n}})();\n</script>"
)


def _site(tmp_path: Path, body: str) -> Path:
    (tmp_path / "page.html").write_text(PAGE.format(body=body), encoding="utf-8")
    return tmp_path


def test_alt_checker_flags_chart_without_alt(tmp_path: Path) -> None:
    body = f'<figure id="fig-x">{CHART.format(attrs="")}<figcaption>Caption.</figcaption></figure>'
    problems = alt_text_problems(_site(tmp_path, body))
    assert any("chart #ivig-chart-0 lacks role" in p and "page.html" in p for p in problems)


def test_alt_checker_flags_image_without_alt(tmp_path: Path) -> None:
    body = '<figure id="fig-y"><img src="a.png"><figcaption>Caption.</figcaption></figure>'
    problems = alt_text_problems(_site(tmp_path, body))
    assert problems == ["page.html: <img src='a.png'> has no alt text"]


def test_alt_checker_flags_alt_repeating_caption_or_title(tmp_path: Path) -> None:
    attrs = ' role="img" aria-label="Chart: Responses by study"'
    body = (
        f'<figure id="fig-a">{CHART.format(attrs=attrs)}<figcaption>Other.</figcaption></figure>'
        '<figure id="fig-b"><img src="b.png" alt="Fig. 2 Share improved.">'
        "<figcaption>Fig. 2 Share improved.</figcaption></figure>"
    )
    problems = alt_text_problems(_site(tmp_path, body))
    assert any("#fig-a" in p and "repeats the title" in p for p in problems), problems
    assert any("#fig-b" in p and "repeats the caption" in p for p in problems), problems


def test_alt_checker_accepts_descriptive_alt(tmp_path: Path) -> None:
    attrs = ' role="img" aria-label="Dots for ten studies; only case reports improved."'
    body = f'<figure id="f">{CHART.format(attrs=attrs)}<figcaption>Results.</figcaption></figure>'
    assert alt_text_problems(_site(tmp_path, body)) == []


def test_table_checker_flags_table_without_th(tmp_path: Path) -> None:
    body = '<table id="t1"><tr><td>a</td></tr></table><table><tr><th>h</th></tr></table>'
    problems = table_header_problems(_site(tmp_path, body))
    assert len(problems) == 1
    assert "#t1 has no header cells" in problems[0]


def test_contrast_ratio_known_values() -> None:
    assert contrast_ratio((0, 0, 0), (255, 255, 255)) == pytest.approx(21.0)
    assert contrast_ratio((119, 119, 119), (255, 255, 255)) == pytest.approx(4.48, abs=0.01)


def test_contrast_checker_flags_dark_text_on_dark_page() -> None:
    items = [
        {
            "chart": "ivig-chart-0",
            "text": "Study",
            "fill": "rgb(0, 0, 0)",
            "opacity": 1,
            "size": 12,
            "weight": "400",
            "backgrounds": ["rgba(0, 0, 0, 0)", "rgb(18, 18, 18)"],
        }
    ]
    problems = chart_text_problems(items, "p", "dark")
    assert len(problems) == 1
    assert "'Study'" in problems[0]
    assert "contrast 1.1" in problems[0]
    items[0]["backgrounds"].insert(0, "rgb(255, 255, 255)")  # a white chart background
    assert chart_text_problems(items, "p", "dark") == []


@pytest.mark.browser
def test_axe_catches_an_image_without_alt(browser: object, tmp_path: Path) -> None:
    body = '<img src="data:image/gif;base64,R0lGODlhAQABAAAAACw=">'
    with serve(_site(tmp_path, body)) as url, opened(browser, f"{url}/page.html") as tab:
        problems = axe_violations(tab, "page", "light")
    assert any("image-alt (critical)" in p and "img" in p for p in problems), problems


def test_contrast_checker_uses_the_mark_under_a_label() -> None:
    label = {
        "chart": "ivig-chart-0",
        "text": "reported",
        "fill": "rgb(255, 255, 255)",
        "opacity": 1,
        "size": 11,
        "weight": "400",
        "backgrounds": ["rgb(255, 255, 255)"],
        "under": {"fill": "rgb(0, 114, 178)", "opacity": 1},  # Okabe-Ito blue: 5.1:1
    }
    assert chart_text_problems([label], "p", "light") == []
    label["under"] = {"fill": "rgb(232, 232, 232)", "opacity": 1}  # white on light grey
    (problem,) = chart_text_problems([label], "p", "light")
    assert "'reported'" in problem
    assert "< 4.5" in problem
