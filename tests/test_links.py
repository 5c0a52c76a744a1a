"""Links of the built site (run `make book` first; BUILD_DIR selects the build). Offline.

Every internal link, cross-reference and citation resolves to an existing file and, for a
#fragment, to an element with that id; external links are DOIs, PubMed records or Creative
Commons licences only. No URL is ever fetched.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from browser_tools import link_problems


@pytest.mark.book
def test_links_resolve_and_external_links_are_allowed(html_dir: Path) -> None:
    problems = link_problems(html_dir)
    assert not problems, f"{len(problems)} link problem(s):\n" + "\n".join(problems)


# --------------------------------------------------------------------------------------
# The checker catches broken pages (small synthetic sites)

PAGE = """<!DOCTYPE html><html lang="en"><head><title>T</title></head><body><main>
<section id="intro"><h1>Intro</h1>{body}</section></main></body></html>"""


def _site(tmp_path: Path, body: str, other: str = "") -> Path:
    (tmp_path / "chapters").mkdir()
    (tmp_path / "chapters" / "a.html").write_text(PAGE.format(body=body), encoding="utf-8")
    (tmp_path / "chapters" / "b.html").write_text(PAGE.format(body=other), encoding="utf-8")
    return tmp_path


def test_good_links_pass(tmp_path: Path) -> None:
    body = (
        '<a class="reference internal" href="b.html#intro">b</a>'
        '<a href="#intro">self</a><a href="../chapters/b.html">b</a>'
        '<a href="https://doi.org/10.1212/WNL.48.3.712">doi</a>'
        '<a href="https://pubmed.ncbi.nlm.nih.gov/9065552/">pm</a>'
        '<a href="https://creativecommons.org/licenses/by/4.0/">cc</a>'
    )
    assert link_problems(_site(tmp_path, body)) == []


def test_dead_cross_reference_fails(tmp_path: Path) -> None:
    body = '<a class="reference internal" href="b.html#fig-missing">Fig. 3</a>'
    problems = link_problems(_site(tmp_path, body))
    assert problems == [
        "chapters/a.html: <a href='b.html#fig-missing'>: "
        "no element with id 'fig-missing' in chapters/b.html"
    ]


def test_missing_page_and_same_page_anchor_fail(tmp_path: Path) -> None:
    body = '<a href="gone.html">x</a><a href="#nowhere">y</a>'
    problems = link_problems(_site(tmp_path, body))
    assert any("no such file chapters/gone.html" in p for p in problems), problems
    assert any("no element with id 'nowhere' in chapters/a.html" in p for p in problems)


def test_unresolved_reference_and_citation_fail(tmp_path: Path) -> None:
    body = (
        '<span class="xref std std-ref">fig-lost</span><span class="citation">[amato1994?]</span>'
    )
    problems = link_problems(_site(tmp_path, body))
    assert any("unresolved cross-reference 'fig-lost'" in p for p in problems), problems
    assert any("unresolved citation '[amato1994?]'" in p for p in problems), problems


@pytest.mark.parametrize(
    "url",
    [
        "https://example.org/paper",
        "http://doi.org/10.1000/x",  # not https
        "https://itables.org/troubleshooting.html",
        "https://pubmed.ncbi.nlm.nih.gov/?term=ivig",  # a search, not a record
    ],
)
def test_disallowed_external_links_fail(tmp_path: Path, url: str) -> None:
    problems = link_problems(_site(tmp_path, f'<a href="{url}">x</a>'))
    assert problems == [
        f"chapters/a.html: <a href={url!r}> is an external link outside DOI/PubMed/CC"
    ]


def test_javascript_link_and_remote_script_fail(tmp_path: Path) -> None:
    body = (
        '<a href="javascript:window.__pwned=1">x</a>'
        '<script src="https://cdn.example.org/x.js"></script>'
    )
    problems = link_problems(_site(tmp_path, body))
    assert any("uses scheme 'javascript'" in p for p in problems), problems
    assert any("<script src='https://cdn.example.org/x.js'>" in p for p in problems), problems
