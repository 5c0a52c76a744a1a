"""The living review end to end: add a (fictitious) study and rebuild the book.

Each variant is a temporary copy of ``data/`` plus rows from ``tests/fixtures_living`` (first
author "Fictitious", never in ``data/``). The book is built with the project's own command,
``python -m ivigbook build html``, from a temporary source folder that links to the
repository's book files and holds the variant's data as ``data/`` (so the bibliography that
Sphinx reads matches the package), with ``IVIGBOOK_DATA_DIR`` pointing at the variant.

* a positive randomised trial: a full build; the study appears in Table I's page, the claim
  verdicts flip in the ledger and What changed lists it;
* a case report: chapters executed with ``tests/chapter_outputs.py`` (faster than a build):
  counts change, no trial verdict does;
* rebuilding into the same folder with other data shows the other data (no stale cache);
* an invalid study: ``make validate`` and the build refuse it with a clear message and the
  book built before is left as it was.
"""

from __future__ import annotations

import hashlib
import os
import re
import subprocess
import sys
import time
from html import unescape
from pathlib import Path

import pytest
import yaml
from chapter_outputs import ChapterOutputs, execute_chapter
from conftest import run_make
from fixtures_living.living import (
    DATA,
    FLIPPED_BY_POSITIVE_TRIAL,
    ROOT,
    package_with,
    read_rows,
)

pytestmark = pytest.mark.slow

#: Pages the living review needs in the book.
REQUIRED_PAGES = ("chapters/evidence", "chapters/claims-ledger", "chapters/what-changed")
#: Repository entries a book source must not link (the variant provides data/).
NOT_LINKED = {".git", ".venv", "_build", "data", "dist", "node_modules", "_toc.yml", "tests"}
TIMINGS: dict[str, float] = {}


def toc_for_test() -> dict:
    """The repository's table of contents, or, while it lacks the living-review pages, one
    that lists every chapter."""
    toc = yaml.safe_load((ROOT / "_toc.yml").read_text(encoding="utf-8"))
    text = (ROOT / "_toc.yml").read_text(encoding="utf-8")
    if all(page in text for page in REQUIRED_PAGES):
        return toc
    pages = [
        str(Path(p.relative_to(ROOT)).with_suffix(""))
        for p in sorted((ROOT / "chapters").glob("*.md"))
    ]
    root = toc["root"]
    return {
        "format": "jb-book",
        "root": root,
        "chapters": [{"file": p} for p in pages if p != root],
    }


def book_source(tmp: Path) -> Path:
    """A book source folder: links to the repository's book files; data/ is set per build."""
    source = tmp / "src"
    source.mkdir()
    for entry in ROOT.iterdir():
        if entry.name not in NOT_LINKED:
            (source / entry.name).symlink_to(entry, target_is_directory=entry.is_dir())
    (source / "_toc.yml").write_text(yaml.safe_dump(toc_for_test()), encoding="utf-8")
    return source


def use_data(source: Path, data_dir: Path) -> None:
    """Point the source's data/ at a variant (the bibliography Sphinx reads comes with it)."""
    link = source / "data"
    if link.is_symlink():
        link.unlink()
    link.symlink_to(data_dir, target_is_directory=True)


def build(source: Path, data_dir: Path, build_dir: Path, label: str) -> subprocess.CompletedProcess:
    use_data(source, data_dir)
    env = {**os.environ, "IVIGBOOK_DATA_DIR": str(data_dir)}
    cmd = [sys.executable, "-m", "ivigbook", "build", "html", "--build-dir", str(build_dir)]
    start = time.perf_counter()
    result = subprocess.run(
        [*cmd, "--source", str(source)],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=False,
        timeout=1800,
    )
    TIMINGS[label] = time.perf_counter() - start
    print(f"[living review] {label}: {TIMINGS[label]:.1f} s")
    return result


def page(build_dir: Path, name: str) -> str:
    """A built page's HTML with the break points that tables put into long words (soft
    hyphens, zero-width spaces; as characters or as JSON escapes) taken out: a reader does not
    see them."""
    html = (build_dir / "html" / "chapters" / f"{name}.html").read_text(encoding="utf-8")
    for mark, escaped in (("\u00ad", "\\u00ad"), ("\u200b", "\\u200b")):
        html = html.replace(mark, "").replace(escaped, "")
    return html


def chart_tooltips(html: str) -> list[str]:
    """The tooltips of the marks of a page's static charts (``<title>`` inside an SVG)."""
    charts = re.findall(r"<svg\b.*?</svg>", html, re.S)
    return [unescape(t) for svg in charts for t in re.findall(r"<title>(.*?)</title>", svg, re.S)]


def snapshot(folder: Path) -> dict[str, tuple[int, str]]:
    return {
        str(path.relative_to(folder)): (
            path.stat().st_mtime_ns,
            hashlib.sha256(path.read_bytes()).hexdigest(),
        )
        for path in sorted(folder.rglob("*"))
        if path.is_file()
    }


def pasted(html: str) -> list[str]:
    """The glued values on a page, in order."""
    return re.findall(r'class="pasted-text">([^<]*)<', html)


@pytest.fixture(scope="module")
def variants(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    base = tmp_path_factory.mktemp("living")
    return {
        name: package_with(base / name / "data", name)
        for name in ("positive_trial", "case_report", "invalid_study")
    }


@pytest.fixture(scope="module")
def source(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One book source for every build, as a contributor has one repository."""
    return book_source(tmp_path_factory.mktemp("book"))


@pytest.fixture(scope="module")
def built(variants: dict[str, Path], source: Path) -> Path:
    """The book built with the positive trial, in a fresh folder (one full build)."""
    build_dir = source.parent / "build"
    result = build(source, variants["positive_trial"], build_dir, "full build, positive trial")
    assert result.returncode == 0, result.stdout[-4000:] + result.stderr[-4000:]
    return build_dir


def test_the_new_study_appears_in_table_one(built: Path) -> None:
    html = page(built, "evidence")
    assert "fictitious2026" in html or "Fictitious" in html
    assert "FICTITIOUS TEST DATA" in html


def test_the_new_trial_appears_in_the_risk_of_bias_figure_and_table(built: Path) -> None:
    html = page(built, "appraisal")
    # The traffic-light chart (drawn as SVG, each mark's values in its tooltip) and the
    # risk-of-bias table both carry the trial's row.
    marks = chart_tooltips(html)
    assert any("Fictitious" in mark and "Judgement: High risk" in mark for mark in marks), (
        "the fictitious trial's risk-of-bias row is not in the chart"
    )
    assert "FICTITIOUS TEST DATA: a judgement invented for the tests." in html


def test_the_trial_claims_flip_in_the_ledger(built: Path) -> None:
    html = page(built, "claims-ledger")
    # The verdict chart's marks and the ledger's tables are in the page; the chart names the
    # chapter "trials" as "Trials".
    marks = chart_tooltips(html)
    assert any("Chapter: Trials" in mark and "Verdict: contradicted" in mark for mark in marks), (
        "no contradicted trial claim in the verdict chart"
    )
    for claim_id in FLIPPED_BY_POSITIVE_TRIAL:
        assert claim_id in html
    # The overview sentence glues the number of contradicted claims just before the word.
    contradicted = re.findall(r'pasted-text">(\d+)</span>\s*contradicted', html)
    assert contradicted == [str(len(FLIPPED_BY_POSITIVE_TRIAL))]


def label_of(data_dir: Path, study_id: str) -> str:
    """The study's label as the book computes it from the variant's data."""
    from ivigbook.analysis.cohorts import labels_by_id
    from ivigbook.data.load import load

    return str(labels_by_id(load(data_dir))[study_id])


def test_what_changed_lists_the_study(built: Path, variants: dict[str, Path]) -> None:
    html = page(built, "what-changed")
    # The added study is shown by its label (computed from the data), not by its id.
    assert html_text(label_of(variants["positive_trial"], "fictitious2026")) in html
    # Each moved claim is named by the letter's words, then its move.
    quotes = {c["claim_id"]: c["quote"] for c in read_rows(DATA / "claims.csv")}
    for claim_id in FLIPPED_BY_POSITIVE_TRIAL:
        assert html_text(f"\u201c{quotes[claim_id]}\u201d (") in html, claim_id
    assert "\u2192 contradicted" in html
    assert "major" in pasted(html)


def html_text(text: str) -> str:
    """``text`` as Sphinx writes it into a page's HTML."""
    import html as html_module

    return html_module.escape(text, quote=False)


def real_additions() -> int:
    """Studies the real data already added since the letter (before the fixture's)."""
    return sum(s["included_by"] == "update" for s in read_rows(DATA / "studies.csv"))


def assert_one_study_added(
    variant: Path, design: str, n_changed: int, level: str
) -> ChapterOutputs:
    """The chapters on ``variant`` (the real data and one added study of ``design``): the
    evidence counts one more study of that design, the ledger and what-changed chapters
    ``n_changed`` contradicted or changed verdicts, and the release is ``level``. Returns the
    what-changed chapter's glued values."""
    studies = read_rows(DATA / "studies.csv")
    same_design = sum(s["design"] == design for s in studies)
    evidence = execute_chapter("evidence", variant)
    assert evidence["ev_n_studies"] == len(studies) + 1
    assert evidence[f"ev_n_{design}"] == same_design + 1
    ledger = execute_chapter("claims-ledger", variant)
    assert ledger["cl_n_contradicted"] == n_changed
    changed = execute_chapter("what-changed", variant)
    assert changed["wc_n_added"] == 1 + real_additions()
    assert changed["wc_n_changed"] == n_changed
    assert changed["wc_release_level"] == level
    return changed


def test_counts_change_with_the_positive_trial(variants: dict[str, Path]) -> None:
    assert_one_study_added(
        variants["positive_trial"],
        "placebo_controlled_trial",
        len(FLIPPED_BY_POSITIVE_TRIAL),
        "major",
    )


def test_a_case_report_changes_counts_but_no_verdict(variants: dict[str, Path]) -> None:
    start = time.perf_counter()
    changed = assert_one_study_added(variants["case_report"], "case_report", 0, "minor")
    # The study is named as a reader sees it (author and year), without its internal id.
    assert "Fictitious 2026" in changed["wc_added_summary"]
    assert "fictitiouscase2026" not in changed["wc_added_summary"]
    TIMINGS["chapters, case report"] = time.perf_counter() - start
    print(f"[living review] chapters, case report: {TIMINGS['chapters, case report']:.1f} s")


def test_rebuilding_with_other_data_shows_the_other_data(
    built: Path, variants: dict[str, Path], source: Path
) -> None:
    """Same source, same build folder, unchanged chapters, new data: the pages must follow
    the data (neither the notebook execution cache nor Sphinx's saved doctrees may serve
    pages computed from the previous data)."""
    result = build(source, variants["case_report"], built, "rebuild, case report")
    assert result.returncode == 0, result.stdout[-4000:] + result.stderr[-4000:]
    html = page(built, "what-changed")
    # The added-studies table shows each study's key results: the case report's, not the trial's.
    case = read_rows(ROOT / "tests" / "fixtures_living" / "case_report" / "studies.csv")[0]
    trial = read_rows(ROOT / "tests" / "fixtures_living" / "positive_trial" / "studies.csv")[0]
    assert html_text(case["key_results_letter"]) in html
    assert html_text(trial["key_results_letter"]) not in html
    assert "minor" in pasted(html)


def test_an_invalid_study_is_refused_and_the_book_is_left_intact(
    built: Path, variants: dict[str, Path], source: Path
) -> None:
    invalid = variants["invalid_study"]
    validate = run_make("validate", f"DATA_DIR={invalid}")
    assert validate.returncode != 0
    assert "design: enum" in validate.stdout
    assert 'violated by value "rct"' in validate.stdout
    assert "crossover study needs n_ivig == n_total (12)" in validate.stdout

    before = snapshot(built / "html")
    assert before
    result = build(source, invalid, built, "refused build, invalid study")
    assert result.returncode != 0, "the build accepted an invalid data package"
    output = result.stdout + result.stderr
    assert "invalid" in output
    assert 'violated by value "rct"' in output
    assert snapshot(built / "html") == before, "the failed build changed the previous book"
