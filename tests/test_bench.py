"""The benchmark's pure parts: page-size accounting, ratios, target marks, log parsing and
the generated package that keeps the real studies. No build, nothing timed."""

from __future__ import annotations

from pathlib import Path

import pytest

from ivigbook.data import load
from ivigbook.data.synthetic import generate_package
from ivigbook.data.validate import default_data_dir, run_validation
from ivigbook.publish.bench import (
    _kb,
    build_rows,
    edit_code_cell,
    mark,
    page_sizes,
    parse_build_output,
    ratio,
)


def _write(path: Path, size: int) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(b"x" * size)


def test_page_sizes_counts_each_page_and_static_once(tmp_path: Path) -> None:
    html = tmp_path / "html"
    _write(html / "index.html", 1000)
    _write(html / "chapters" / "evidence.html", 400_000)
    _write(html / "chapters" / "trials.html", 2000)
    _write(html / "_static" / "ivigbook" / "vega-bundle.js", 5000)
    _write(html / "_static" / "styles.css", 700)
    _write(html / "ivigbook" / "datatables" / "datatables.min.js", 3000)  # html_extra_path
    _write(html / "_static" / "some-theme-template.html", 50)  # not a page
    _write(html / "_sources" / "chapters" / "evidence.html", 9)  # not a page
    _write(html / "_images" / "chart.png", 300)
    sizes = page_sizes(html)
    assert sizes["pages"] == {
        "chapters/evidence.html": 400_000,
        "chapters/trials.html": 2000,
        "index.html": 1000,
    }
    assert sizes["largest_page"] == "chapters/evidence.html"
    assert sizes["static_bytes"] == 5000 + 700 + 50 + 3000
    assert sizes["images_bytes"] == 300


def test_ratio() -> None:
    assert ratio(3.0, 60.0) == pytest.approx(0.05)
    assert ratio(None, 60.0) is None
    assert ratio(3.0, 0.0) is None
    assert ratio(3.0, None) is None


def test_mark_below_and_exactly() -> None:
    assert mark(119.9, 120) == ("< 120", False)
    assert mark(120.0, 120) == ("< 120  MISSED", True)
    assert mark(None, 120) == ("< 120  MISSED", True)
    assert mark(5.0, None) == ("", False)
    assert mark(1, 1, "exactly") == ("= 1", False)
    assert mark(0, 1, "exactly") == ("= 1  MISSED", True)
    assert mark(17, 1, "exactly") == ("= 1  MISSED", True)
    assert mark(0.2, 0.1, unit="{:.0%}".format) == ("< 10%  MISSED", True)
    assert mark(1000, 300 * 1024, unit=_kb) == ("< 300 KB", False)
    with pytest.raises(ValueError, match="unknown target kind"):
        mark(1, 1, "above")


def test_parse_build_output_counts_executions_and_builder_times() -> None:
    log = "\n".join(
        [
            "\x1b[01mupdating environment: \x1b[39;49;00m"
            "[new config] 0 added, 1 changed, 0 removed",
            "/src/chapters/evidence.md: Executed notebook in 4.20 seconds [mystnb]",
            "/src/chapters/trials.md: Using cached notebook: ID=3 [mystnb]",
            "[ivigbook build] html: 12.5 s",
            "[ivigbook build] pdflatex: 30.0 s",
        ]
    )
    parsed = parse_build_output(log)
    assert parsed == {
        "builder_seconds": {"html": 12.5, "pdflatex": 30.0},
        "executed": 1,
        "cached": 1,
        "pages_read": 1,
    }
    assert parse_build_output("nothing here")["pages_read"] is None


def _builds(no_change: float, executed: int, page_bytes: int) -> dict:
    clean = {"seconds": 100.0, "ok": True, "builder_seconds": {"html": 60.0, "pdflatex": 40.0}}
    pages = {"pages": {"index.html": page_bytes}, "static_bytes": 10, "images_bytes": 0}
    return {
        "book clean": clean,
        "html no change": {"seconds": no_change, "ok": True, "builder_seconds": {}},
        "html after editing one chapter": {
            "seconds": 9.0,
            "ok": True,
            "chapter": "evidence.md",
            "executed": executed,
            "pages_read": 1,
            "builder_seconds": {},
        },
        "pages": pages,
        "book clean, 1000 studies": {
            "seconds": 250.0,
            "ok": True,
            "builder_seconds": {"html": 150.0, "pdflatex": 100.0},
        },
    }


def test_build_rows_mark_targets() -> None:
    # A prose-only edit re-executes nothing (the cache is keyed on code cells).
    rows = {r[0]: r for r in build_rows(_builds(3.0, 0, 1000))}
    assert not any(r[3] for r in rows.values())
    assert rows["  ratio to the clean HTML build"][1] == "5.0%"
    assert rows["  ratio 1000 studies / real book"][1] == "2.5x"
    assert rows["clean build, HTML + PDF"][2] == "< 120 s"
    assert rows["  ratio to the clean HTML build"][2] == "< 10%"
    assert rows["page index.html (real book)"][1:3] == ("1.0 KB", "< 300 KB")
    missed = {r[0] for r in build_rows(_builds(7.0, 1, 400 * 1024)) if r[3]}
    assert missed == {
        "  ratio to the clean HTML build",
        "  notebooks re-executed",
        "page index.html (real book)",
    }


def test_failed_build_is_a_missed_row() -> None:
    builds = _builds(3.0, 0, 1000)
    builds["html no change"].update(ok=False, returncode=2)
    failed = [r for r in build_rows(builds) if r[3]]
    assert [r[0] for r in failed] == ["BUILD FAILED: html no change"]


def test_generated_package_keeps_the_real_studies(tmp_path: Path) -> None:
    real = load.load(default_data_dir())
    dest = generate_package(40, tmp_path / "pkg", keep_studies=True)
    assert run_validation(dest).problems == []
    ev = load.load(dest)
    assert len(ev.studies) == 40
    assert list(ev.studies["study_id"][: len(real.studies)]) == list(real.studies["study_id"])
    added = ev.studies.iloc[len(real.studies) :]
    assert set(added["first_author"]) == {"Synthetic"}
    assert (added["included_by"].astype(str) == "update").all()
    assert added["added_on"].is_monotonic_increasing
    assert (added["added_on"] > real.studies["added_on"].max()).all()
    assert len(ev.outcomes) == len(real.outcomes) + 2 * len(added)


def test_generated_package_from_the_real_data_is_valid(tmp_path: Path) -> None:
    # `make bench` loads a package of synthetic studies made from the real descriptor: copied
    # tables whose rows point at the real studies (risk of bias, harms, overlaps, checked
    # results) must not survive into it, or the package fails its own validation.
    real = load.load(default_data_dir())
    dest = generate_package(30, tmp_path / "pkg")
    assert run_validation(dest).problems == []
    ev = load.load(dest)
    assert len(ev.studies) == 30
    real_ids = set(real.studies["study_id"].astype(str))
    assert not real_ids & set(ev.studies["study_id"].astype(str))
    for name, table in ev.tables.items():
        if "study_id" in table.columns:
            assert not real_ids & set(table["study_id"].dropna().astype(str)), name


def test_edit_code_cell_changes_only_the_first_code_cell() -> None:
    text = (
        "# Title\n\n```{code-cell} ipython3\n:tags: [remove-cell]\n\nx = 1\n```\n\n"
        "Prose.\n\n```{code-cell} ipython3\ny = 2\n```\n"
    )
    edited = edit_code_cell(text, "# edit")
    assert edited == text.replace("x = 1\n```", "x = 1\n# edit\n```", 1)
    assert edited.count("# edit") == 1


def test_build_rows_mark_the_code_cell_edit() -> None:
    builds = _builds(3.0, 0, 1000)
    builds["html after editing a code cell"] = {
        "seconds": 20.0,
        "ok": True,
        "chapter": "evidence.md",
        "executed": 2,
        "builder_seconds": {},
    }
    missed = [r[0] for r in build_rows(builds) if r[3]]
    assert missed == ["  notebooks re-executed"]
    builds["html after editing a code cell"]["executed"] = 1
    assert [r[0] for r in build_rows(builds) if r[3]] == []


def test_first_visit_rows_mark_every_page_against_its_target() -> None:
    from ivigbook.publish.bench import HOME_PAGE, first_visit_rows, first_visit_target

    kb = 1024
    visits = {
        HOME_PAGE: {"bytes": 1100 * kb, "requests": 20, "not_found": [], "refused": []},
        "chapters/trials.html": {
            "bytes": 1000 * kb,
            "requests": 30,
            "not_found": ["http://127.0.0.1/favicon.ico"],
            "refused": [],
        },
        "chapters/evidence.html": {
            "bytes": 1030 * kb,
            "requests": 9,
            "not_found": [],
            "refused": [],
        },
        "chapters/next-trial.html": {
            "bytes": 1700 * kb,
            "requests": 9,
            "not_found": [],
            "refused": [],
        },
    }
    rows = {
        step.split(" (")[0]: (value, missed)
        for step, value, _, missed in first_visit_rows(visits, "real")
    }
    # every page at most 1 MB, the next-trial page (the planner's chart runtime) 1.7 MB
    assert rows[f"first visit {HOME_PAGE}"][1] is True
    assert rows["first visit chapters/trials.html"][1] is False
    assert rows["first visit chapters/evidence.html"][1] is True
    assert rows["first visit chapters/next-trial.html"][1] is False
    assert first_visit_target("chapters/next-trial.html") == int(1.7 * 1024 * kb)
    assert first_visit_target("chapters/evidence.html") == 1024 * kb
    assert rows["  requests answered 404 or refused"] == ("1", True)
    assert first_visit_rows({"error": "no browser"}, "real")[0][3] is True
