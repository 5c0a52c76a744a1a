"""What a reader reads on a built page: the running prose, without tables, figures, code,
captions or collapsed sections, split into sentences.

Used by ``test_reader.py`` (targets for plain prose) and handy from the shell::

    python tests/reader_text.py _build/html      # mean and longest sentence per page
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

from bs4 import BeautifulSoup

#: Pages a reader meets first: the home page and the argument part of the book.
ARGUMENT_PAGES = (
    "index",
    "introduction",
    "search",
    "evidence",
    "trials",
    "appraisal",
    "signals",
    "timing",
    "biomarkers",
    "next-trial",
    "conclusions",
)
#: Pages where readers meet the verdicts and what changed, beyond the argument: no id may show
#: there either. Their identifiers (claim ids, checks, deciding rows as table:row) stay in a
#: collapsed section of the ledger (a ``details`` element, left out of the visible text like
#: every collapsed section) and in the downloadable data; the ledger's audit table names the
#: deciding rows as readers know them ("MMT (Dalakas 1997)"), so it needs no exception.
AUDIT_PAGES = ("claims-ledger", "what-changed")
#: Internal ids (``dalakas1997``, ``dalakas1997-r1``), snake_case code names and the package.
IDENTIFIER = re.compile(
    r"\b[a-z]{3,}(?:19|20)\d\d(?:-[a-z0-9_]+)?\b|\b[a-z]+_[a-z0-9_]+\b|\bivigbook\b"
)
#: Elements that are not running prose: a reader scans them, or opens them on purpose.
NOT_PROSE = (
    "table",
    "figure",
    "figcaption",
    "details",
    "script",
    "style",
    "pre",
    "code",
    ".cell_input",
    ".cell_output",
    ".dropdown",
    ".toggle-details",
    ".admonition.dropdown",
    ".caption",
    ".ivig-chart",
    ".bibliography",
    ".footnote",
    "nav",
    ".headerlink",
    "h1",
    "h2",
    "h3",
    "h4",
    ".rubric",
    "dl.glossary",
    ".sd-btn",
    "[hidden]",
    ".ivig-downloads",
)
_SENTENCE_END = re.compile(r"(?<=[.!?])[\"\u201d\u2019)]*\s+(?=[A-Z\u201c\"(0-9])")
_SPACE_BEFORE = re.compile(r"\s+([\u201d\u2019),.;:!?\]])")
_ABBREVIATIONS = re.compile(r"\b(?:et al|e\.g|i\.e|ref|refs|vs|Fig|No|cf|approx)\.$")


def page_path(html_dir: Path, stem: str) -> Path:
    return html_dir / "chapters" / f"{stem}.html"


def prose(html: str) -> str:
    """The running text of a page's main content."""
    soup = BeautifulSoup(html, "html.parser")
    main = soup.select_one("main article") or soup.select_one("main") or soup
    for selector in NOT_PROSE:
        for element in main.select(selector):
            element.decompose()
    blocks = [" ".join(p.get_text(" ", strip=True).split()) for p in main.select("p, li")]
    # get_text puts a space around every inline element (glued values, links): close them up.
    blocks = [_SPACE_BEFORE.sub(r"\1", b) for b in blocks]
    return "\n".join(b for b in blocks if b)


def visible_text(html: str) -> str:
    """Everything a reader sees without opening anything (tables and captions included)."""
    soup = BeautifulSoup(html, "html.parser")
    main = soup.select_one("main article") or soup.select_one("main") or soup
    for selector in (
        "script",
        "style",
        "details",
        ".cell_input",
        ".dropdown",
        ".toggle-details",
        "[hidden]",
        # The data downloads list file names (risk_of_bias.csv): names to download, not ids.
        ".ivig-downloads",
    ):
        for element in main.select(selector):
            element.decompose()
    return main.get_text(" ", strip=True)


def sentences(text: str) -> list[str]:
    """Sentences of the prose; a list item without a full stop counts as one sentence."""
    out: list[str] = []
    for block in text.split("\n"):
        pieces = _SENTENCE_END.split(block)
        merged: list[str] = []
        for piece in pieces:
            if merged and _ABBREVIATIONS.search(merged[-1]):
                merged[-1] += " " + piece
            else:
                merged.append(piece)
        out.extend(p.strip() for p in merged if len(p.split()) >= 3)
    return out


def words(sentence: str) -> int:
    return len(re.findall(r"[A-Za-z0-9][\w'\u2019\-.,%/]*", sentence))


def measure(path: Path) -> dict[str, object]:
    html = path.read_text(encoding="utf-8")
    found = sentences(prose(html))
    lengths = [words(s) for s in found]
    longest = max(found, key=words) if found else ""
    return {
        "sentences": len(found),
        "mean_words": sum(lengths) / len(lengths) if lengths else 0.0,
        "max_words": max(lengths) if lengths else 0,
        "longest": longest,
        "identifiers": sorted(set(IDENTIFIER.findall(visible_text(html)))),
    }


if __name__ == "__main__":
    html_dir = Path(sys.argv[1] if len(sys.argv) > 1 else "_build/html")
    for stem in ARGUMENT_PAGES:
        path = page_path(html_dir, stem)
        if not path.exists():
            continue
        m = measure(path)
        print(
            f"{stem:13} {m['sentences']:3} sentences, mean {m['mean_words']:4.1f}, "
            f"max {m['max_words']:3}  ids: {', '.join(m['identifiers'][:6])}"
        )
        if "-v" in sys.argv:
            print("    longest:", m["longest"])
