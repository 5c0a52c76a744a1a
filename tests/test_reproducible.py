"""Reproducibility: the same source gives the same data-derived output.

* Chart element ids are derived from the chart's content (checked on the real build).
* Two clean builds (slow) of site and PDF embed identical chart specs, chart ids, tables and
  glued values, and their release zips are byte-identical.
* A chart's PDF is the same bytes every time it is made; builders stamp the release date.
* The reproducibility page lists the pinned versions of the book's key packages.
* A release zip (slow) carries SHA256SUMS, and every checksum in it verifies.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import re
import shlex
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
import yaml
from browser_tools import ROOT, build_book, chart_specs, html_pages, soup_of, static_charts

KEY_PACKAGES = ("jupyter-book", "myst-nb", "pandas", "altair", "statsmodels")
RANDOM_ID = re.compile(r"[0-9a-f]{32}|[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")


def outputs(html_dir: Path) -> dict[str, dict[str, object]]:
    """Per page: chart ids and specs, table ids and contents, glued values, content ids."""
    result: dict[str, dict[str, object]] = {}
    for path in html_pages(html_dir):
        soup = soup_of(path)
        main = soup.select_one("main") or soup
        tables = {}
        scripts = [s.get_text() for s in main.find_all("script", type="module")]
        for table in main.select("table[id^='ivig-table-']"):
            # itables' code (options and rows) and the table read without JavaScript
            code = [text for text in scripts if f"#{table['id']}:" in text]
            fallback = main.select_one(f"#{table['id']}_fallback")
            tables[str(table["id"])] = (
                "".join(code),
                fallback.get_text(" ", strip=True) if fallback else "",
            )
        result[str(path.relative_to(html_dir))] = {
            "charts": {**chart_specs(main), **static_charts(main)},
            "tables": tables,
            "glue": [s.get_text() for s in main.select(".pasted-text, .pasted-inline")],
            "ids": [str(t["id"]) for t in main.find_all(id=True)],
        }
    return result


def differences(a: dict[str, dict[str, object]], b: dict[str, dict[str, object]]) -> list[str]:
    problems = [f"page only in one build: {p}" for p in sorted(set(a) ^ set(b))]
    for page in sorted(set(a) & set(b)):
        for key in ("charts", "tables", "glue", "ids"):
            if a[page][key] != b[page][key]:
                one, two = a[page][key], b[page][key]
                if isinstance(one, dict) and isinstance(two, dict):
                    keys = sorted(set(one) ^ set(two)) or [k for k in one if one[k] != two[k]]
                    detail = f"differing keys {keys[:5]}"
                else:
                    pairs = [(x, y) for x, y in zip(one, two, strict=False) if x != y]  # type: ignore[call-overload]
                    detail = f"first difference {pairs[:1]} (lengths {len(one)}, {len(two)})"  # type: ignore[arg-type]
                problems.append(f"{page}: {key} differ: {detail}")
    return problems


@pytest.mark.book
def test_chart_ids_derive_from_content(html_dir: Path) -> None:
    problems = []
    count = 0
    for path in html_pages(html_dir):
        for element_id, spec in chart_specs(soup_of(path)).items():
            count += 1
            digest = hashlib.sha256(json.dumps(spec, sort_keys=True).encode("utf-8")).hexdigest()
            if element_id != f"ivig-chart-{digest[:16]}":
                problems.append(f"{path.name}: chart id {element_id} is not the spec's hash")
        # a static chart's SVG names its own parts (clip paths) after the chart's id
        for element_id, markup in static_charts(soup_of(path)).items():
            count += 1
            inner = re.findall(r' id="([^"]+)"', markup)[1:]
            strangers = [i for i in inner if not i.startswith(f"{element_id}-")]
            if not re.fullmatch(r"ivig-chart-[0-9a-f]{16}", element_id) or strangers:
                problems.append(f"{path.name}: chart {element_id} holds ids {strangers[:3]}")
    assert count, "no charts found in the build"
    assert not problems, "\n".join(problems)


@pytest.mark.book
def test_no_random_ids_in_content(html_dir: Path) -> None:
    problems = []
    for path in html_pages(html_dir):
        main = soup_of(path).select_one("main")
        for tag in main.find_all(id=True) if main else []:
            if RANDOM_ID.search(str(tag["id"])):
                problems.append(f"{path.relative_to(html_dir)}: <{tag.name} id={tag['id']}>")
    assert not problems, "ids that look random (uuid/32 hex):\n" + "\n".join(problems)


def _pins() -> dict[str, str]:
    pins = {}
    for line in (ROOT / "requirements.txt").read_text(encoding="utf-8").splitlines():
        m = re.match(r"^\s*([A-Za-z0-9_.-]+)\s*==\s*([^\s;#]+)", line)
        if m:
            pins[m.group(1).lower().replace("_", "-")] = m.group(2)
    return pins


@pytest.mark.book
def test_reproducibility_page_lists_versions(html_dir: Path) -> None:
    page = html_dir / "chapters" / "reproducibility.html"
    assert page.is_file(), "the reproducibility page was not built"
    text = soup_of(page).get_text(" ", strip=True)
    pins = _pins()
    missing = []
    for name in KEY_PACKAGES:
        assert name in pins, f"{name} is not pinned in requirements.txt"
        if not re.search(rf"{re.escape(name)}\W+{re.escape(pins[name])}\b", text, flags=re.I):
            missing.append(f"{name} {pins[name]}")
    assert not missing, f"reproducibility page does not list: {missing}"


def _release_of(build_dir: Path, dist: Path) -> Path:
    """``python -m ivigbook release`` of one build into ``dist``; the zip's path."""
    cmd = [sys.executable, "-m", "ivigbook", "release", "--build-dir", str(build_dir)]
    cmd += ["--dist-dir", str(dist)]
    result = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, check=False)
    assert result.returncode == 0, result.stdout + result.stderr
    (archive,) = dist.glob("*.zip")
    return archive


def zip_differences(one: Path, two: Path) -> list[str]:
    """The members of two zips that differ (or are in only one), by name."""
    with zipfile.ZipFile(one) as a, zipfile.ZipFile(two) as b:
        first = {i.filename: a.read(i) for i in a.infolist()}
        second = {i.filename: b.read(i) for i in b.infolist()}
    names = sorted(set(first) | set(second))
    return [name for name in names if first.get(name) != second.get(name)]


@pytest.mark.slow
def test_two_clean_builds_release_the_same_bytes(tmp_path: Path) -> None:
    """Two clean copies of the source, built (site and PDF) and released apart: the two zips
    are byte-identical. Where they are not, the members that differ are named, and what the
    data decide (charts, tables, glued values, ids) is compared page by page."""
    builds = [tmp_path / "one", tmp_path / "two"]
    for build in builds:
        build_book("book", build)
    one, two = (outputs(build / "html") for build in builds)
    assert any(page["charts"] for page in one.values()), "no charts found in the build"
    problems = differences(one, two)
    assert not problems, "two builds of the same source differ:\n" + "\n".join(problems)
    zips = [_release_of(build, build.parent / f"{build.name}-dist") for build in builds]
    differing = zip_differences(*zips)
    assert zips[0].read_bytes() == zips[1].read_bytes(), (
        f"two releases of the same source differ in {len(differing)} members: {differing[:12]}"
    )


@pytest.mark.slow
@pytest.mark.book
def test_release_zip_checksums_verify(build_dir: Path, tmp_path: Path) -> None:
    archive = _release_of(build_dir, tmp_path)
    with zipfile.ZipFile(archive) as zf:
        files = {i.filename: zf.read(i) for i in zf.infolist() if not i.is_dir()}
    sums = [name for name in files if name.rsplit("/", 1)[-1] == "SHA256SUMS"]
    assert len(sums) == 1, f"expected one SHA256SUMS in {archive.name}, found {sums}"
    top = sums[0].rsplit("/", 1)[0] + "/" if "/" in sums[0] else ""
    listed = {}
    for line in files[sums[0]].decode("utf-8").splitlines():
        digest, name = line.split(maxsplit=1)
        listed[top + name.lstrip("*")] = digest
    others = set(files) - {sums[0]}
    assert set(listed) == others, (
        f"not checksummed: {sorted(others - set(listed))[:5]}; "
        f"listed but absent: {sorted(set(listed) - others)[:5]}"
    )
    bad = [n for n, d in listed.items() if hashlib.sha256(files[n]).hexdigest() != d]
    assert not bad, f"checksums do not verify: {bad[:5]}"


# --------------------------------------------------------------------------------------
# The comparison catches differences (synthetic pages)


def _page(root: Path, chart_id: str, glued: str) -> Path:
    spec = '{"title": "T", "mark": "point"}'
    (root / "chapters").mkdir(parents=True)
    (root / "chapters" / "x.html").write_text(
        f'<html><body><main><div id="{chart_id}" class="ivig-chart"></div>\n'
        f"<script>\n  var spec = {spec};\n</script>"
        f'<p>n = <span class="pasted-text">{glued}</span></p></main></body></html>',
        encoding="utf-8",
    )
    return root


def test_comparison_flags_changed_ids_and_values(tmp_path: Path) -> None:
    same = outputs(_page(tmp_path / "a", "ivig-chart-1", "10"))
    assert differences(same, outputs(_page(tmp_path / "b", "ivig-chart-1", "10"))) == []
    other = outputs(_page(tmp_path / "c", "ivig-chart-2", "11"))
    problems = differences(same, other)
    assert any("chapters/x.html: charts differ" in p for p in problems), problems
    assert any("glue differ: first difference [('10', '11')]" in p for p in problems), problems
    assert any("ids differ" in p for p in problems), problems


def test_random_id_pattern() -> None:
    assert RANDOM_ID.search("id-3f2b8c1e-9a4d-4e5f-8b6a-1c2d3e4f5a6b")
    assert RANDOM_ID.search("x0123456789abcdef0123456789abcdef")
    assert not RANDOM_ID.search("ivig-chart-aa75eed04edc052d")
    assert not RANDOM_ID.search("fig-responders-by-design")


def test_zip_comparison_names_the_differing_members(tmp_path: Path) -> None:
    def archive(name: str, members: dict[str, bytes]) -> Path:
        path = tmp_path / name
        with zipfile.ZipFile(path, "w") as zf:
            for member, content in members.items():
                zf.writestr(member, content)
        return path

    one = archive("one.zip", {"a.txt": b"same", "b.pdf": b"%PDF 1", "c": b"x"})
    two = archive("two.zip", {"a.txt": b"same", "b.pdf": b"%PDF 2", "d": b"x"})
    assert zip_differences(one, two) == ["b.pdf", "c", "d"]
    assert zip_differences(one, one) == []


CHART = {
    "data": {
        "values": [
            {"dose": 1, "change": 2.5, "arm": "IVIG"},
            {"dose": 2, "change": 1, "arm": "placebo"},
        ]
    },
    "mark": "point",
    "encoding": {
        "x": {"field": "dose", "type": "quantitative"},
        "y": {"field": "change", "type": "quantitative"},
        "color": {"field": "arm", "type": "nominal"},
    },
    "title": "A chart with text in two fonts",
}


def test_a_chart_pdf_is_the_same_bytes_every_time() -> None:
    """vl-convert alone orders a PDF's resources differently on each call (so two builds of the
    book's PDF differed); the chart PDF the book typesets must not."""
    from ivigbook.publish.render import chart_pdf

    made = {chart_pdf(CHART) for _ in range(4)}
    assert len(made) == 1, "the same chart gave different PDF bytes"
    assert next(iter(made)).startswith(b"%PDF")


CLOCK = re.compile(r"\b(?:date|datetime)\.(?:today|now|utcnow)\(|\btime\.time\(")
#: Where the library may read the clock, and why none of it reaches a built page: a new
#: study's ``added_on`` when a contributor runs new-study (the chapter passes the release
#: date), the date of a PubMed run, and the spread of synthetic studies for the bench.
CLOCK_READERS = {"data/newstudy.py", "search/pubmed.py", "data/synthetic.py"}


def test_chapters_never_read_the_clock() -> None:
    """A page that printed the day of its build would differ between two builds of one
    release made on two days (which the slow test, run within minutes, cannot see)."""
    chapters = [p for p in (ROOT / "chapters").glob("*.md") if CLOCK.search(p.read_text("utf-8"))]
    assert not chapters, f"chapters read the clock: {[p.name for p in chapters]}"
    library = ROOT / "scripts" / "ivigbook"
    readers = {
        p.relative_to(library).as_posix()
        for p in library.rglob("*.py")
        if CLOCK.search(p.read_text("utf-8"))
    }
    assert readers <= CLOCK_READERS, f"new reads of the clock: {sorted(readers - CLOCK_READERS)}"
    assert CLOCK.search("x = dt.date.today()")
    assert not CLOCK.search("book_metadata().date_released")


def test_builders_stamp_the_release_date(monkeypatch: pytest.MonkeyPatch) -> None:
    from ivigbook.publish.build import build_environment
    from ivigbook.publish.version import book_metadata

    monkeypatch.delenv("SOURCE_DATE_EPOCH", raising=False)
    released = book_metadata().date_released
    epoch = int(build_environment()["SOURCE_DATE_EPOCH"])
    assert dt.datetime.fromtimestamp(epoch, tz=dt.UTC) == dt.datetime(
        released.year, released.month, released.day, tzinfo=dt.UTC
    )
    # a date the caller sets wins (reproducible-builds.org's convention)
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "86400")
    assert build_environment()["SOURCE_DATE_EPOCH"] == "86400"


# --------------------------------------------------------------------------------------
# Contributor checks: every offline pre-commit hook passes over the tree


def _hooks() -> list[dict[str, object]]:
    config = yaml.safe_load((ROOT / ".pre-commit-config.yaml").read_text(encoding="utf-8"))
    hooks = []
    for repo in config["repos"]:
        assert repo["repo"] == "local", f"hook repo {repo['repo']!r} would need the network"
        hooks += repo["hooks"]
    return hooks


TYPE_SUFFIXES = {"python": (".py",), "pyi": (".pyi",), "yaml": (".yml", ".yaml")}


def _hook_files(hook: dict[str, object], files: list[str]) -> list[str]:
    chosen = [f for f in files if re.search(str(hook.get("files", "")), f)]
    if hook.get("exclude"):
        chosen = [f for f in chosen if not re.search(str(hook["exclude"]), f)]
    types = list(hook.get("types_or", [])) + list(hook.get("types", []))  # type: ignore[call-overload]
    if types:
        suffixes = tuple(s for t in types for s in TYPE_SUFFIXES[t])
        chosen = [f for f in chosen if f.endswith(suffixes)]
    return chosen


def run_hook(hook: dict[str, object], files: list[str], cwd: Path = ROOT) -> tuple[bool, str]:
    """Run one hook as pre-commit would (language system or fail); (passed, output)."""
    assert hook["language"] in {"system", "fail"}, f"{hook['id']}: not an offline hook"
    chosen = _hook_files(hook, files)
    if not chosen and not hook.get("always_run"):
        return True, "(no files)"
    if hook["language"] == "fail":
        return False, f"{hook['entry']}: {chosen}"
    cmd = [*shlex.split(str(hook["entry"])), *map(str, hook.get("args", []))]  # type: ignore[call-overload]
    if hook.get("pass_filenames", True):
        cmd += chosen
    result = subprocess.run(cmd, cwd=cwd, capture_output=True, text=True, check=False)
    return result.returncode == 0, (result.stdout + result.stderr)[-3000:]


def _tree_files() -> list[str]:
    listed = subprocess.run(
        ["git", "ls-files", "--cached", "--others", "--exclude-standard"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    ).stdout.splitlines()
    return [f for f in listed if (ROOT / f).is_file()]


def test_hooks_are_offline_and_complete() -> None:
    ids = {str(h["id"]) for h in _hooks()}
    expected = {"ruff-check", "ruff-format", "codespell", "check-yaml-json"}
    assert expected | {"no-ipynb-in-chapters", "myst-notebook-hygiene"} <= ids


@pytest.mark.parametrize("hook", _hooks(), ids=lambda h: str(h["id"]))
def test_pre_commit_hook_passes(hook: dict[str, object]) -> None:
    passed, output = run_hook(hook, _tree_files())
    assert passed, f"pre-commit hook {hook['id']} fails:\n{output}"


def test_hygiene_hooks_catch_bad_files(tmp_path: Path) -> None:
    hooks = {str(h["id"]): h for h in _hooks()}
    (tmp_path / "chapters").mkdir()
    (tmp_path / "chapters" / "x.md").write_text(
        "# No front matter\n\n```{code-cell} ipython3\n1 + 1\n```\n", encoding="utf-8"
    )
    (tmp_path / "bad.yml").write_text("a: [1, 2\n", encoding="utf-8")
    (tmp_path / "chapters" / "x.ipynb").write_text("{}", encoding="utf-8")
    for hook_id, name in (
        ("myst-notebook-hygiene", "chapters/x.md"),
        ("check-yaml-json", "bad.yml"),
        ("no-ipynb-in-chapters", "chapters/x.ipynb"),
    ):
        hook = dict(hooks[hook_id])
        hook["entry"] = str(hook["entry"]).replace(".venv/bin/", f"{ROOT}/.venv/bin/")
        passed, output = run_hook(hook, [name], cwd=tmp_path)
        assert not passed, f"{hook_id} let {name} through"
        assert name in output or "Error" in output or "error" in output, output
