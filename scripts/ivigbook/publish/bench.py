"""Timings: ``python -m ivigbook bench [--build-dir DIR] [--builds]``."""

from __future__ import annotations

import argparse
import json
import os
import platform
import re
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from ivigbook.data.synthetic import generate_package
from ivigbook.data.validate import default_data_dir, run_validation
from ivigbook.paths import ROOT
from ivigbook.publish.build import html_dir


def _timed(func: Callable[[], Any]) -> tuple[float, Any]:
    start = time.perf_counter()
    value = func()
    return time.perf_counter() - start, value


def _load_fresh(data_dir: Path) -> Any:
    from ivigbook.data.load import clear_cache, load

    clear_cache()
    return load(data_dir)


_NOT_SOURCES = ".git .venv _build dist node_modules tests __pycache__ .*_cache .ipynb_checkpoints"


def _copy_sources(dest: Path) -> Path:
    shutil.copytree(ROOT, dest, ignore=shutil.ignore_patterns(*_NOT_SOURCES.split()), symlinks=True)
    return dest


#: Targets of the builds (seconds unless said otherwise).
CLEAN_BOOK_TARGET = 120.0
NO_CHANGE_RATIO_TARGET = 0.10
EDIT_EXECUTED_TARGET = 1
PROSE_EDIT_EXECUTED_TARGET = 0
EDIT_PAGES_READ_TARGET = 1
PAGE_BYTES_TARGET = 300 * 1024
KB = 1024
MB = 1024 * KB
#: First visit, empty cache, everything a page loads (issues 15 and 22): any page, except the
#: page whose interactive chart needs the chart runtime.
FIRST_VISIT_TARGET = 1 * MB
FIRST_VISIT_TARGETS = {"chapters/next-trial.html": int(1.7 * MB)}
NO_CHANGE_BOOK_TARGET = 1.0
MANY_RATIO_TARGET = 2.6
HOME_PAGE = "chapters/index.html"


def first_visit_target(page: str) -> int:
    """Bytes a first visit of ``page`` (a path in the site) may cost at most."""
    return FIRST_VISIT_TARGETS.get(page, FIRST_VISIT_TARGET)


#: What ``ivigbook build`` prints after each builder: "[ivigbook build] html: 12.3 s".
_BUILDER_SECONDS = re.compile(r"^\[ivigbook build\] (html|pdflatex): ([0-9.]+) s$", re.M)
#: myst-nb logs one of these per notebook it runs (cache mode), and one per cache hit.
_EXECUTED = re.compile(r"Executed notebook in [0-9.]+ seconds")
_CACHED = re.compile(r"Using cached notebook: ID=")
_ANSI = re.compile(r"\x1b\[[0-9;]*m")
#: Sphinx: "updating environment: 0 added, 1 changed, 0 removed".
_UPDATED = re.compile(
    r"updating environment: (?:\[[^\]]*\] )?(\d+) added, (\d+) changed, (\d+) removed"
)


def parse_build_output(text: str) -> dict[str, Any]:
    """Seconds per builder, notebooks executed and cached, and pages re-read, from a build's log."""
    text = _ANSI.sub("", text)
    seconds: dict[str, float] = {}
    for builder, secs in _BUILDER_SECONDS.findall(text):
        seconds[builder] = seconds.get(builder, 0.0) + float(secs)
    updated = _UPDATED.findall(text)
    return {
        "builder_seconds": seconds,
        "executed": len(_EXECUTED.findall(text)),
        "cached": len(_CACHED.findall(text)),
        "pages_read": sum(int(a) + int(c) for a, c, _ in updated) if updated else None,
    }


def _tree_bytes(folder: Path) -> int:
    return sum(p.stat().st_size for p in folder.rglob("*") if p.is_file())


def page_sizes(html: Path) -> dict[str, Any]:
    """Each page's HTML bytes, and the shared (browser-cached) ``_static`` and table bundle once."""
    shared = {"_static", "_sources", "_images", "reports", "ivigbook"}
    pages = {
        p.relative_to(html).as_posix(): p.stat().st_size
        for p in sorted(html.rglob("*.html"))
        if not shared & set(p.relative_to(html).parts[:-1])
    }
    folders = [f for f in (html / "_static", html / "ivigbook") if f.is_dir()]
    return {
        "pages": pages,
        "largest_page": max(pages, key=pages.__getitem__) if pages else None,
        "static_bytes": sum(_tree_bytes(folder) for folder in folders),
        "images_bytes": _tree_bytes(html / "_images") if (html / "_images").is_dir() else 0,
    }


def ratio(part: float | None, whole: float | None) -> float | None:
    """``part / whole``, or None when either is unknown or ``whole`` is not positive."""
    if part is None or whole is None or whole <= 0:
        return None
    return part / whole


def mark(
    value: float | None,
    target: float | None,
    kind: str = "below",
    unit: Callable[[float], str] = "{:g}".format,
) -> tuple[str, bool]:
    """The target column for a value, and whether the target was missed."""
    if target is None:
        return "", False
    if kind not in ("below", "exactly"):
        msg = f"unknown target kind {kind!r}"
        raise ValueError(msg)
    below = kind == "below"
    met = value is not None and (value < target if below else value == target)
    shown = f"{'<' if below else '='} {unit(target)}"
    return (shown if met else shown + "  MISSED"), not met


def _run(args: list[str], source: Path, build_dir: Path, env: dict[str, str], log: str) -> dict:
    """``python -m ivigbook build ARGS``, timed, its output in ``log``.log beside ``build_dir``."""
    cmd = [sys.executable, "-m", "ivigbook", "build", *args]
    cmd += ["--build-dir", str(build_dir), "--source", str(source)]
    seconds, proc = _timed(
        lambda: subprocess.run(cmd, env=env, capture_output=True, text=True, check=False)
    )
    output = proc.stdout + proc.stderr
    (build_dir.parent / f"{log}.log").write_text(output, encoding="utf-8")
    return {
        "seconds": round(seconds, 3),
        "returncode": proc.returncode,
        "ok": proc.returncode == 0,
        "tail": output.strip().splitlines()[-8:] if proc.returncode else [],
        "output": output,
    }


def _build(
    target: str, source: Path, build_dir: Path, env: dict[str, str], log: str
) -> dict[str, Any]:
    run = _run([target], source, build_dir, env, log)
    parsed = parse_build_output(run.pop("output"))
    return {**run, "seconds": round(run["seconds"], 2), **parsed}


def make_book_no_change(source: Path, build_dir: Path, env: dict[str, str]) -> dict[str, Any]:
    """The input fingerprint check ``make book`` runs first, after a no-change build, timed."""
    run = _run(["book", "--up-to-date"], source, build_dir, env, "1b-no-change-check")
    run.pop("output")
    return {**run, "rebuilt": not run["ok"]}


def _fresh(build_dir: Path) -> Path:
    """An empty build folder (and no staging folder left from an earlier run)."""
    for folder in (build_dir, build_dir.parent / f".{build_dir.name}.jb"):
        if folder.is_symlink():
            folder.unlink()
        elif folder.exists():
            shutil.rmtree(folder)
    build_dir.parent.mkdir(parents=True, exist_ok=True)
    return build_dir


def edit_code_cell(text: str, line: str = "# edited by ivigbook bench") -> str:
    """``text`` (a MyST notebook) with ``line`` added at the end of its first code cell."""
    start = text.index("```{code-cell}")
    end = text.index("\n```", start + 3)
    return text[:end] + "\n" + line + text[end:]


def build_timings(
    work: Path, data_dir: Path, out: Path, n_studies: int = 1000
) -> dict[str, dict[str, Any]]:
    """Book builds from a copy of the sources in ``work`` into ``out``; the work tree is kept."""
    source = _copy_sources(work / "src")
    if data_dir.resolve() != (source / "data").resolve():  # the package to time, as data/
        shutil.rmtree(source / "data", ignore_errors=True)
        shutil.copytree(data_dir, source / "data")
    env = {**os.environ, "IVIGBOOK_DATA_DIR": str(source / "data")}
    real = _fresh(out / "real")
    results: dict[str, dict[str, Any]] = {}
    results["book clean"] = _build("book", source, real, env, "1-clean")
    results["make book no change"] = make_book_no_change(source, real, env)
    results["html no change"] = _build("html", source, real, env, "2-no-change")
    chapter = source / "chapters" / "evidence.md"
    if not chapter.is_file():
        chapter = sorted((source / "chapters").glob("*.md"))[0]
    with chapter.open("a", encoding="utf-8") as handle:
        handle.write("\n")
    results["html after editing one chapter"] = {
        **_build("html", source, real, env, "3-edit"),
        "chapter": chapter.name,
    }
    chapter.write_text(edit_code_cell(chapter.read_text(encoding="utf-8")), encoding="utf-8")
    results["html after editing a code cell"] = {
        **_build("html", source, real, env, "4-edit-code"),
        "chapter": chapter.name,
    }
    results["pages"] = page_sizes(html_dir(real))
    results["first visit"] = _first_visits(html_dir(real))
    # The N-study book is built from a second copy of the sources whose data/ IS the
    # generated package, as when a contributor adds studies to data/: _config.yml reads
    # the bibliography from data/references.bib, whatever IVIGBOOK_DATA_DIR says.
    many_source = _copy_sources(work / f"src-{n_studies}")
    shutil.rmtree(many_source / "data")
    data = generate_package(n_studies, many_source / "data", source=data_dir, keep_studies=True)
    many = _fresh(out / f"studies-{n_studies}")
    results[f"book clean, {n_studies} studies"] = {
        **_build("book", many_source, many, {**env, "IVIGBOOK_DATA_DIR": str(data)}, "5-many"),
        "data": str(data),
    }
    results[f"pages, {n_studies} studies"] = page_sizes(html_dir(many))
    results[f"first visit, {n_studies} studies"] = _first_visits(html_dir(many))
    return results


def _first_visits(html: Path) -> dict[str, Any]:
    """First-visit transfer per page in headless Chromium; {"error": ...} when it cannot run."""
    from ivigbook.publish.transfer import first_visits

    try:
        visits = first_visits(html)
    except Exception as exc:  # reported in the table as a miss, never fatal to the timings
        return {"error": f"{type(exc).__name__}: {exc}"}
    return {page: {k: v for k, v in info.items() if k != "files"} for page, info in visits.items()}


def first_visit_rows(visits: dict[str, Any], label: str) -> list[Row]:
    """Rows for first-visit transfer: every page's bytes against its target, then 404s."""
    if "error" in visits:
        return [(f"first visit ({label})", "not measured", visits["error"], True)]
    rows: list[Row] = []
    for page, info in visits.items():
        text, missed = mark(info["bytes"], first_visit_target(page), unit=_kb)
        step = f"first visit {page} ({label}, {info['requests']} requests)"
        rows.append((step, _kb(info["bytes"]), text, missed))
    not_found = sum(len(i["not_found"]) + len(i["refused"]) for i in visits.values())
    text, missed = mark(not_found, 0, "exactly")
    rows.append((f"  requests answered 404 or refused ({label})", str(not_found), text, missed))
    return rows


Row = tuple[str, str, str, bool]  # step, value, target mark, missed


def _value(seconds: float | None) -> str:
    return "?" if seconds is None else f"{seconds:.1f} s"


def _kb(n: float) -> str:
    return f"{n / KB:,.0f} KB" if n >= 10 * KB else f"{n / KB:,.1f} KB"


def _share(value: float | None, unit: str = "{:.1%}") -> str:
    return "?" if value is None else unit.format(value)


def build_rows(builds: dict[str, dict[str, Any]], n_studies: int = 1000) -> list[Row]:
    """The table rows for :func:`build_timings`' results, each with its target mark."""
    rows: list[Row] = []
    seconds = "{:g} s".format

    def add(step: str, shown: str, value: Any = None, target: Any = None, **how: Any) -> None:
        rows.append((step, shown, *mark(value, target, **how)))

    def exactly(step: str, value: int | None, target: int) -> None:
        add(step, "?" if value is None else str(value), value, target, kind="exactly")

    clean = builds["book clean"]
    clean_html = clean["builder_seconds"].get("html")
    total = clean["seconds"]
    add("clean build, HTML + PDF", _value(total), total, CLEAN_BOOK_TARGET, unit=seconds)
    add("  of which HTML", _value(clean_html))
    add("  of which PDF", _value(clean["builder_seconds"].get("pdflatex")))
    make = builds.get("make book no change")
    if make:
        quick = make["seconds"] if make["ok"] and not make["rebuilt"] else None
        add(
            "no-change `make book`: fingerprint check",
            _value(make["seconds"]),
            quick,
            NO_CHANGE_BOOK_TARGET,
            unit=seconds,
        )
    same = builds["html no change"]
    add("no-change HTML rebuild, forced Sphinx pass", _value(same["seconds"]))
    share = ratio(same["seconds"], clean_html)
    add(
        "  ratio to the clean HTML build",
        _share(share),
        share,
        NO_CHANGE_RATIO_TARGET,
        unit="{:.0%}".format,
    )
    step = ratio(same["builder_seconds"].get("html"), clean_html)
    if step is not None:  # like for like: jupyter-book's html step in both builds
        add("  ratio of the jupyter-book html steps alone", _share(step))
    # A prose-only edit needs no execution (the cache is keyed on code cells) and must
    # re-read only the edited page; a code edit must re-execute exactly that chapter.
    edit = builds["html after editing one chapter"]
    add(f"HTML rebuild after editing {edit['chapter']}", _value(edit["seconds"]))
    exactly("  notebooks re-executed", edit["executed"], PROSE_EDIT_EXECUTED_TARGET)
    exactly("  pages re-read by Sphinx", edit["pages_read"], EDIT_PAGES_READ_TARGET)
    code = builds.get("html after editing a code cell")
    if code:
        add(f"HTML rebuild after editing a code cell of {code['chapter']}", _value(code["seconds"]))
        exactly("  notebooks re-executed", code["executed"], EDIT_EXECUTED_TARGET)
    labels = {"real book": "", f"{n_studies} studies": f", {n_studies} studies"}
    for label, suffix in labels.items():
        pages = builds.get(f"pages{suffix}")
        for page, size in (pages or {}).get("pages", {}).items():
            add(f"page {page} ({label})", _kb(size), size, PAGE_BYTES_TARGET, unit=_kb)
        if pages:
            add(f"shared _static, once per site ({label})", _kb(pages["static_bytes"]))
            add(f"images in _images ({label})", _kb(pages["images_bytes"]))
    many = builds[f"book clean, {n_studies} studies"]
    add(f"clean build, HTML + PDF, {n_studies} studies", _value(many["seconds"]))
    for builder, name in (("html", "HTML"), ("pdflatex", "PDF")):
        add(f"  of which {name}", _value(many["builder_seconds"].get(builder)))
    times = ratio(many["seconds"], clean["seconds"])
    add(
        f"  ratio {n_studies} studies / real book",
        _share(times, "{:.1f}x"),
        times,
        MANY_RATIO_TARGET,
        unit="{:g}x".format,
    )
    for label, suffix in labels.items():
        if builds.get(f"first visit{suffix}"):
            rows.extend(first_visit_rows(builds[f"first visit{suffix}"], label))
    for name, info in builds.items():
        if not info.get("ok", True):
            rows.append((f"BUILD FAILED: {name}", f"exit {info['returncode']}", "", True))
    return rows


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--data-dir", type=Path, default=None, help="package to time (default: data/)"
    )
    parser.add_argument("--build-dir", type=Path, default=None, help="where bench.json is written")
    parser.add_argument("--builds", action="store_true", help="also time book builds (slow)")
    parser.add_argument("-n", "--studies", type=int, default=1000, help="synthetic studies (1000)")


def run(args: argparse.Namespace) -> int:
    data_dir = args.data_dir or default_data_dir()
    results: dict[str, Any] = {
        "python": platform.python_version(),
        "machine": platform.machine(),
        "cpus": os.cpu_count(),
        "timings": {},
    }
    rows: list[Row] = []
    from ivigbook.data.load import DataPackageError

    try:
        _load_fresh(data_dir)
    except DataPackageError as exc:
        print(f"bench: {exc}")
        return 1

    def add(step: str, seconds: float, target: float | None) -> None:
        rows.append((step, f"{seconds:.3f} s", *mark(seconds, target, unit="{:g} s".format)))
        results["timings"][step] = {"seconds": round(seconds, 4), "target": target}

    if args.builds and args.build_dir is None:
        print("bench: --builds needs --build-dir")
        return 2
    add("validate data/", _timed(lambda: run_validation(data_dir))[0], 1.0)
    add("load + validate data/", _timed(lambda: _load_fresh(data_dir))[0], 1.0)
    with tempfile.TemporaryDirectory(prefix="ivigbook-bench-") as tmp:
        gen_seconds, synthetic = _timed(
            lambda: generate_package(args.studies, Path(tmp) / "data", source=data_dir)
        )
        add(f"generate {args.studies} synthetic studies", gen_seconds, None)
        seconds, _ = _timed(lambda: _load_fresh(synthetic))
        add(f"load + validate {args.studies} synthetic studies", seconds, 10.0)
        if args.builds:
            out = args.build_dir.resolve() / "bench"
            print(f"bench: building the book twice (real data, {args.studies} studies) in {out}")
            builds = build_timings(Path(tmp), data_dir, out, args.studies)
            results["builds"] = builds
            rows.extend(build_rows(builds, args.studies))
        elif args.build_dir is not None and html_dir(args.build_dir).is_dir():
            visits = results["first visit"] = _first_visits(html_dir(args.build_dir))
            rows.extend(first_visit_rows(visits, str(args.build_dir)))
    width = max(len(r[0]) for r in rows)
    vwidth = max(len(r[1]) for r in rows)
    print(f"{'step'.ljust(width)}  {'value'.rjust(vwidth)}  target")
    for step, value, target, _ in rows:
        print(f"{step.ljust(width)}  {value.rjust(vwidth)}  {target}".rstrip())
    results["table"] = [{"step": s, "value": v, "target": t, "missed": m} for s, v, t, m in rows]
    if args.build_dir is not None:
        args.build_dir.mkdir(parents=True, exist_ok=True)
        target_file = args.build_dir / "bench.json"
        target_file.write_text(json.dumps(results, indent=2) + "\n", encoding="utf-8")
        print(f"wrote {target_file}")
    return 1 if any(r[3] for r in rows) else 0
