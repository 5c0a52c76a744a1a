"""Shared helpers for the quality gates: a loopback server, headless Chromium, page readiness,
colour contrast, and static (BeautifulSoup) checkers of a built HTML site.

The checkers return lists of problem strings (empty = fine), so that the gates can run them on
the real build and on small broken pages made by the negative tests.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import unquote, urlsplit

from bs4 import BeautifulSoup, Tag

# The loopback server of the first-visit measurement serves the tests too.
from ivigbook.publish.transfer import serve as serve

ROOT = Path(__file__).resolve().parents[1]
CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
FLAGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
LOOPBACK = {"127.0.0.1", "localhost"}
AXE_JS = ROOT / "node_modules" / "axe-core" / "axe.min.js"

#: External links the book may carry: DOIs, PubMed records, Creative Commons licences.
ALLOWED_EXTERNAL = (
    re.compile(r"^https://doi\.org/10\.\d{4,9}/\S+$"),
    re.compile(r"^https://pubmed\.ncbi\.nlm\.nih\.gov/\d+/?$"),
    re.compile(r"^https://www\.ncbi\.nlm\.nih\.gov/pubmed/\d+/?$"),
    re.compile(r"^https://creativecommons\.org/(licenses|publicdomain)/[\w./-]+$"),
)


# --------------------------------------------------------------------------------------
# Building a copy of the book


def clean_source(target: Path) -> Path:
    """Copy the working tree as a clean checkout would have it (tracked and untracked files,
    never ignored ones: no _build, .venv, caches, node_modules) into ``target``."""
    listed = subprocess.run(
        ["git", "ls-files", "--cached", "--others", "--exclude-standard", "-z"],
        cwd=ROOT,
        capture_output=True,
        check=True,
    ).stdout.decode("utf-8")
    for name in filter(None, listed.split("\0")):
        source = ROOT / name
        if source.is_file():
            dest = target / name
            dest.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, dest)
    return target


def build_book(target: str, build_dir: Path, data_dir: Path | None = None) -> None:
    """``python -m ivigbook build`` of a clean copy of the tree into ``build_dir``;
    ``data_dir`` selects a data package (IVIGBOOK_DATA_DIR).

    Raises AssertionError with the tail of the log when the build fails.
    """
    source = clean_source(build_dir.parent / f"{build_dir.name}-source")
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    if data_dir is not None:
        env["IVIGBOOK_DATA_DIR"] = str(data_dir)
    cmd = [
        sys.executable, "-m", "ivigbook", "build", target,
        "--build-dir", str(build_dir), "--source", str(source),
    ]  # fmt: skip
    result = subprocess.run(
        cmd, cwd=ROOT, env=env, capture_output=True, text=True, check=False, timeout=1800
    )
    if result.returncode != 0:
        log = (result.stdout + result.stderr)[-4000:]
        msg = f"build {target} into {build_dir} failed (exit {result.returncode}):\n{log}"
        raise AssertionError(msg)


# --------------------------------------------------------------------------------------
# Browser


@contextlib.contextmanager
def chromium() -> Iterator[object]:
    """A headless Chromium context (Debian's /usr/bin/chromium, never a download)."""
    from playwright.sync_api import sync_playwright

    if not Path(CHROMIUM).is_file():
        msg = f"{CHROMIUM} missing: run `make system`"
        raise AssertionError(msg)
    with tempfile.TemporaryDirectory() as profile, sync_playwright() as pw:
        context = pw.chromium.launch_persistent_context(
            profile, executable_path=CHROMIUM, headless=True, args=FLAGS
        )
        try:
            yield context
        finally:
            context.close()


def open_page(context: object, url: str, mode: str | None = None) -> object:
    """Open ``url`` in a new tab with only loopback requests allowed, in colour ``mode``
    (light/dark, the pydata theme's ``mode`` in localStorage), and wait for charts and tables.
    """
    from playwright.sync_api import Route

    tab = context.new_page()  # type: ignore[attr-defined]

    def route(r: Route) -> None:
        if urlsplit(r.request.url).hostname in LOOPBACK:
            r.continue_()
        else:
            r.abort()

    tab.route("**/*", route)
    if mode is not None:
        tab.add_init_script(
            f"localStorage.setItem('mode', {json.dumps(mode)});"
            f"localStorage.setItem('theme', {json.dumps(mode)});"
        )
    tab.goto(url, wait_until="load")
    tab.wait_for_load_state("networkidle")
    if mode is not None:
        actual = tab.evaluate("document.documentElement.dataset.theme")
        if actual != mode:
            msg = f"{url}: asked for {mode} mode, the page shows data-theme={actual!r}"
            raise AssertionError(msg)
    charts = tab.locator(".ivig-chart")
    for i in range(charts.count()):
        charts.nth(i).locator("svg").first.wait_for(state="attached", timeout=15_000)
    tables = tab.locator("table[id^='ivig-table-']")
    for i in range(tables.count()):
        table_id = tables.nth(i).get_attribute("id")
        if tables.nth(i).is_visible():
            # A table whose rows are in a JSON file is made when a reader scrolls near it.
            tables.nth(i).scroll_into_view_if_needed()
        tab.locator(f"#{table_id}_wrapper").wait_for(state="attached", timeout=15_000)
    tab.evaluate("window.scrollTo(0, 0)")
    tab.wait_for_timeout(300)  # theme transitions
    return tab


@contextlib.contextmanager
def opened(context: object, url: str, mode: str | None = None) -> Iterator[object]:
    """:func:`open_page`, closing the tab afterwards whatever the test found."""
    tab = open_page(context, url, mode=mode)
    try:
        yield tab
    finally:
        tab.close()  # type: ignore[attr-defined]


#: Visible tables of the rendered page (after DataTables ran) that have no header cell.
TABLES_WITHOUT_HEADERS_JS = """
() => Array.from(document.querySelectorAll('main table'))
  .filter(t => t.offsetParent !== null && !t.querySelector('th'))
  .map(t => (t.id ? '#' + t.id + ' ' : '') + t.innerText.slice(0, 80))
"""


# --------------------------------------------------------------------------------------
# Colour contrast (WCAG 2.x)

_RGB = re.compile(r"rgba?\(\s*([\d.]+)[,\s]+([\d.]+)[,\s]+([\d.]+)(?:\s*[,/]\s*([\d.]+%?))?\s*\)")


def parse_colour(value: str) -> tuple[float, float, float, float] | None:
    """``rgb()``/``rgba()``/``#rgb``/``#rrggbb`` -> (r, g, b, alpha); None if unparsable."""
    value = value.strip().lower()
    if value in {"", "none", "transparent"}:
        return (0, 0, 0, 0)
    if value.startswith("#"):
        hexes = value[1:]
        if len(hexes) in (3, 4):
            hexes = "".join(c * 2 for c in hexes)
        if len(hexes) not in (6, 8):
            return None
        parts = [int(hexes[i : i + 2], 16) for i in range(0, len(hexes), 2)]
        alpha = parts[3] / 255 if len(parts) == 4 else 1.0
        return (parts[0], parts[1], parts[2], alpha)
    m = _RGB.match(value)
    if not m:
        return None
    alpha_text = m.group(4)
    if alpha_text is None:
        alpha = 1.0
    elif alpha_text.endswith("%"):
        alpha = float(alpha_text[:-1]) / 100
    else:
        alpha = float(alpha_text)
    return (float(m.group(1)), float(m.group(2)), float(m.group(3)), alpha)


def blend(
    top: tuple[float, float, float, float], bottom: tuple[float, float, float]
) -> tuple[float, float, float]:
    a = top[3]
    return tuple(top[i] * a + bottom[i] * (1 - a) for i in range(3))  # type: ignore[return-value]


def luminance(rgb: tuple[float, float, float]) -> float:
    def channel(c: float) -> float:
        c = c / 255
        return c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4

    r, g, b = (channel(c) for c in rgb)
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast_ratio(fg: tuple[float, float, float], bg: tuple[float, float, float]) -> float:
    lighter, darker = sorted((luminance(fg), luminance(bg)), reverse=True)
    return (lighter + 0.05) / (darker + 0.05)


#: A chart's SVG as the screen shows it: a static chart holds one laid out for a laptop and one
#: for a phone (CSS shows one), an interactive one the SVG its runtime drew.
VISIBLE_SVG = (
    "(el => Array.from(el.querySelectorAll('svg')).find(s => s.getClientRects().length) || null)"
)

#: Collects, for every <text> in a rendered chart SVG: its text, font size, fill colour and
#: fill-opacity, and the stack of background colours behind it (chart background rect, then
#: every ancestor element's CSS background, innermost first).
CHART_TEXT_JS = """
() => {
  const VISIBLE_SVG = __VISIBLE_SVG__;
  const out = [];
  const shapes = new Set(['path', 'rect', 'circle', 'ellipse', 'polygon']);
  for (const chart of document.querySelectorAll('.ivig-chart')) {
    const svg = VISIBLE_SVG(chart);
    if (!svg) { out.push({chart: chart.id, missing: true}); continue; }
    const bgs = [];
    const bgRect = svg.querySelector('rect.background, g.background > rect, path.background');
    if (bgRect) { bgs.push(getComputedStyle(bgRect).fill); }
    for (let el = svg; el; el = el.parentElement) {
      bgs.push(getComputedStyle(el).backgroundColor);
    }
    for (const t of svg.querySelectorAll('text')) {
      const cs = getComputedStyle(t);
      const opacity = parseFloat(cs.fillOpacity) * parseFloat(cs.opacity);
      // vega hides overlapping axis labels with opacity 0: they are not shown to anyone.
      if (!t.textContent.trim() || cs.visibility === 'hidden' || cs.display === 'none'
          || opacity === 0) continue;
      // A mark drawn under the text (a label inside a bar or a cell) is its background.
      t.scrollIntoView({block: 'center', inline: 'center'});
      const box = t.getBoundingClientRect();
      let under = null;
      for (const el of document.elementsFromPoint(box.x + box.width / 2, box.y + box.height / 2)) {
        if (el === t || !svg.contains(el) || !shapes.has(el.tagName.toLowerCase())) continue;
        const ecs = getComputedStyle(el);
        const alpha = parseFloat(ecs.fillOpacity) * parseFloat(ecs.opacity);
        if (ecs.fill && ecs.fill !== 'none' && alpha > 0) {
          under = {fill: ecs.fill, opacity: alpha};
          break;
        }
      }
      out.push({chart: chart.id, text: t.textContent.trim().slice(0, 60), fill: cs.fill,
                opacity: opacity, size: parseFloat(cs.fontSize), weight: cs.fontWeight,
                backgrounds: bgs, under: under});
    }
  }
  return out;
}
""".replace("__VISIBLE_SVG__", VISIBLE_SVG)


def chart_text_problems(items: list[dict], page: str, mode: str) -> list[str]:
    """Chart texts whose contrast with what is behind them is below WCAG AA."""
    problems = []
    for item in items:
        if item.get("missing"):
            problems.append(f"{page} [{mode}]: chart {item['chart']} has no SVG")
            continue
        bg: tuple[float, float, float] = (255, 255, 255)
        for colour in reversed(item["backgrounds"]):  # outermost first
            parsed = parse_colour(colour)
            if parsed is None:
                problems.append(f"{page} [{mode}]: cannot parse background {colour!r}")
                continue
            bg = blend(parsed, bg)
        under = item.get("under")
        if under:
            parsed = parse_colour(under["fill"])
            if parsed is not None:
                bg = blend((*parsed[:3], parsed[3] * float(under["opacity"])), bg)
        fill = parse_colour(item["fill"])
        if fill is None:
            problems.append(f"{page} [{mode}]: cannot parse text fill {item['fill']!r}")
            continue
        fg = blend((*fill[:3], fill[3] * float(item["opacity"])), bg)
        ratio = contrast_ratio(fg, bg)
        large = item["size"] >= 24 or (item["size"] >= 18.66 and int(item["weight"]) >= 700)
        needed = 3.0 if large else 4.5
        if ratio < needed:
            problems.append(
                f"{page} [{mode}]: chart {item['chart']} text {item['text']!r} "
                f"fill {item['fill']} on rgb{tuple(round(c) for c in bg)}: "
                f"contrast {ratio:.2f} < {needed}"
            )
    return problems


# --------------------------------------------------------------------------------------
# Static checks of built HTML


def html_pages(html_dir: Path) -> list[Path]:
    """Every HTML page of a site (not the vendored files under _static)."""
    return sorted(
        p
        for p in html_dir.rglob("*.html")
        if "_static" not in p.relative_to(html_dir).parts
        and "_sources" not in p.relative_to(html_dir).parts
    )


def soup_of(path: Path) -> BeautifulSoup:
    return BeautifulSoup(path.read_text(encoding="utf-8"), "html.parser")


def _norm(text: str) -> str:
    text = re.sub(r"^((?:figure|fig)\.?\s*[\d.]*\s*:?|chart\s*:)\s*", "", text.strip(), flags=re.I)
    return " ".join(re.sub(r"[^\w\s]", " ", text).split()).casefold()


def _chart_spec(container: Tag) -> dict | None:
    """The Vega spec embedded after an interactive chart (a static chart has none)."""
    script = container.find_next("script")
    if script is None or "ivig-static" in container.get("class", []):
        return None
    m = re.search(r"var spec = (\{.*?\});\n", script.get_text(), flags=re.S)
    return json.loads(m.group(1)) if m else None


def _spec_title(spec: dict | None) -> str:
    if not spec:
        return ""
    title = spec.get("title", "")
    if isinstance(title, dict):
        title = title.get("text", "")
    if isinstance(title, list):
        title = " ".join(map(str, title))
    return str(title)


def chart_title(container: Tag) -> str:
    """A chart's title: a static chart's SVG carries it (with the subtitle) as <desc>."""
    desc = container.select_one("svg > desc")
    return desc.get_text() if desc is not None else _spec_title(_chart_spec(container))


def chart_specs(soup: BeautifulSoup) -> dict[str, dict]:
    """Interactive chart element id -> the Vega spec embedded after it."""
    specs = {}
    for div in soup.select(".ivig-chart:not(.ivig-static)"):
        spec = _chart_spec(div)
        specs[str(div.get("id"))] = spec if spec is not None else {}
    return specs


def static_charts(soup: BeautifulSoup) -> dict[str, str]:
    """Static chart element id -> its SVG markup (made when the book was built)."""
    return {str(div.get("id")): str(div) for div in soup.select(".ivig-chart.ivig-static")}


def alt_text_problems(html_dir: Path) -> list[str]:
    """Images need alt text, charts need role="img" + aria-label, and neither may merely
    repeat the figure's caption or the chart's title."""
    problems = []
    for path in html_pages(html_dir):
        page = str(path.relative_to(html_dir))
        soup = soup_of(path)
        main = soup.select_one("main") or soup
        for img in main.find_all("img"):
            alt = (img.get("alt") or "").strip()
            if not alt:
                problems.append(f"{page}: <img src={img.get('src')!r}> has no alt text")
        for div in main.select(".ivig-chart"):
            label = (div.get("aria-label") or "").strip()
            if div.get("role") != "img" or not label:
                problems.append(
                    f'{page}: chart #{div.get("id")} lacks role="img" and an aria-label '
                    f"(the figure's :alt: text must reach the chart container)"
                )
        for figure in main.find_all("figure"):
            caption_tag = figure.find("figcaption")
            caption = caption_tag.get_text(" ", strip=True) if caption_tag else ""
            texts = []
            for img in figure.find_all("img"):
                texts.append(("img alt", (img.get("alt") or "").strip(), ""))
            for div in figure.select(".ivig-chart"):
                title = chart_title(div)
                texts.append(("chart aria-label", (div.get("aria-label") or "").strip(), title))
            if not texts:
                problems.append(f"{page}: figure #{figure.get('id')} holds no image or chart")
            for kind, alt, title in texts:
                if not alt:
                    continue  # reported above
                if caption and _norm(alt) == _norm(caption):
                    problems.append(
                        f"{page}: figure #{figure.get('id')}: {kind} {alt!r} repeats the caption"
                    )
                if title and _norm(alt) == _norm(title):
                    problems.append(
                        f"{page}: figure #{figure.get('id')}: {kind} {alt!r} repeats the title"
                    )
    return problems


def table_header_problems(html_dir: Path) -> list[str]:
    """Every data table in the content has header cells (<th>) in its first row or <thead>."""
    problems = []
    for path in html_pages(html_dir):
        page = str(path.relative_to(html_dir))
        main = soup_of(path).select_one("main") or soup_of(path)
        for table in main.find_all("table"):
            if (
                table.get("role") == "presentation"
                or table.has_attr("hidden")  # a placeholder that JavaScript replaces
                or {"highlighttable", "indextable", "modindextable"} & set(table.get("class", []))
            ):
                continue
            head = table.find("thead")
            header_cells = head.find_all("th") if head else []
            if not header_cells:
                first = table.find("tr")
                header_cells = first.find_all("th") if first else []
            if not header_cells:
                problems.append(
                    f"{page}: table #{table.get('id')} has no header cells (<th>): "
                    f"{table.get_text(' ', strip=True)[:80]!r}"
                )
    return problems


def _ids(soup: BeautifulSoup) -> set[str]:
    ids = {str(t["id"]) for t in soup.find_all(id=True)}
    ids |= {str(t["name"]) for t in soup.find_all("a", attrs={"name": True})}
    return ids


def link_problems(html_dir: Path) -> list[str]:
    """Internal links, cross-references and citations resolve; external links are DOIs,
    PubMed records or Creative Commons licences. Nothing is fetched."""
    html_dir = html_dir.resolve()
    problems: list[str] = []
    id_cache: dict[Path, set[str]] = {}

    def ids_of(path: Path) -> set[str]:
        if path not in id_cache:
            id_cache[path] = _ids(soup_of(path))
        return id_cache[path]

    for path in html_pages(html_dir):
        page = str(path.relative_to(html_dir))
        soup = soup_of(path)
        id_cache[path.resolve()] = _ids(soup)
        # Cross-references Sphinx could not resolve stay as bare xref spans (no link).
        for span in soup.select("span.xref, code.xref"):
            if span.find_parent("a") is None:
                problems.append(f"{page}: unresolved cross-reference {span.get_text()!r}")
        for cite in soup.select("span.citation, .bibtex-unresolved"):
            if cite.find_parent("a") is None and cite.find("a") is None:
                problems.append(f"{page}: unresolved citation {cite.get_text()!r}")
        refs = [(a, "href") for a in soup.find_all(["a", "link", "area"], href=True)]
        refs += [(t, "src") for t in soup.find_all(["img", "script", "iframe", "source"], src=True)]
        for tag, attr in refs:
            url = str(tag[attr]).strip()
            parts = urlsplit(url)
            where = f"{page}: <{tag.name} {attr}={url!r}>"
            if parts.scheme in {"http", "https"} or url.startswith("//"):
                if tag.name != "a" or not any(p.match(url) for p in ALLOWED_EXTERNAL):
                    problems.append(f"{where} is an external link outside DOI/PubMed/CC")
                continue
            if parts.scheme:
                problems.append(f"{where} uses scheme {parts.scheme!r}")
                continue
            if not parts.path:
                target = path.resolve()
            else:
                target = (path.parent / unquote(parts.path)).resolve()
                if html_dir not in target.parents and target != html_dir:
                    problems.append(f"{where} points outside the site")
                    continue
                if target.is_dir():
                    target = target / "index.html"
                if not target.is_file():
                    problems.append(f"{where}: no such file {target.relative_to(html_dir)}")
                    continue
            fragment = unquote(parts.fragment)
            if fragment and target.suffix == ".html" and fragment not in ids_of(target):
                problems.append(
                    f"{where}: no element with id {fragment!r} in {target.relative_to(html_dir)}"
                )
    return problems
