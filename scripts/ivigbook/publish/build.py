"""``python -m ivigbook build {html,pdf,book} --build-dir DIR``: build the book strictly."""

from __future__ import annotations

import argparse
import calendar
import hashlib
import html
import os
import re
import shutil
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

from ivigbook import paths
from ivigbook.paths import PDF_NAME, ROOT, html_dir, pdf_path, site_pdf_path
from ivigbook.publish.version import book_metadata

JB_FLAGS = ["-W", "-n", "--keep-going"]

VEGA_BUNDLE = "ivigbook/vega-bundle.js"
MATH_RENDERER = "ivigbook_nomath"
__all__ = ["PDF_NAME", "html_dir", "pdf_path", "site_pdf_path"]


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("target", choices=["html", "pdf", "book"], help="what to build")
    paths.add_path_arguments(
        parser,
        build_dir=(paths.BUILD_DIR, "output folder (default: _build in the repository)"),
        source=(ROOT, "book source folder holding _config.yml (default: the repository)"),
    )
    parser.add_argument(
        "--up-to-date",
        action="store_true",
        help="build nothing: exit 0 if the last build of TARGET saw the same inputs "
        "(see book_fingerprint) and its outputs are there, 3 otherwise",
    )


def _path_output(build_dir: Path) -> Path:
    """The ``--path-output`` that makes jupyter-book 1.x write into ``build_dir``."""
    build_dir.mkdir(parents=True, exist_ok=True)
    if build_dir.name == "_build":
        return build_dir.parent
    staging = build_dir.parent / f".{build_dir.name}.jb"
    staging.mkdir(exist_ok=True)
    link = staging / "_build"
    if not (link.is_symlink() and link.resolve() == build_dir.resolve()):
        if link.is_symlink() or link.exists():
            link.unlink()
        link.symlink_to(build_dir, target_is_directory=True)
    return staging


def release_epoch(source: Path = ROOT) -> str:
    """The book's release date (CITATION.cff ``date-released``, midnight UTC) as Unix seconds."""
    released = book_metadata(source / "CITATION.cff").date_released
    return str(calendar.timegm(released.timetuple()))


def build_environment(source: Path = ROOT) -> dict[str, str]:
    """The builders' environment: every date they stamp (Sphinx's, the TeX engine's and the
    PDF's creation date and /ID) is the release date, so one source gives one set of bytes.
    A ``SOURCE_DATE_EPOCH`` already set by the caller wins, as reproducible-builds.org asks."""
    fixed = {"SOURCE_DATE_EPOCH": release_epoch(source), "FORCE_SOURCE_DATE": "1"}
    return {**fixed, **os.environ, "PYTHONUNBUFFERED": "1"}


def _run_jb(source: Path, build_dir: Path, builder: str) -> int:
    jupyter_book = Path(sys.executable).parent / "jupyter-book"
    if not jupyter_book.exists():
        msg = f"jupyter-book not found next to {sys.executable}; run `make env`"
        raise SystemExit(msg)
    cmd = [str(jupyter_book), "build", str(source), "--path-output", str(_path_output(build_dir))]
    cmd += ["--builder", builder, *JB_FLAGS]
    print("+", " ".join(cmd), flush=True)
    start = time.perf_counter()
    result = subprocess.run(cmd, cwd=source, env=build_environment(source), check=False)
    print(f"[ivigbook build] {builder}: {time.perf_counter() - start:.1f} s", flush=True)
    if result.returncode != 0:
        print(
            f"\nBUILD FAILED ({builder}, exit {result.returncode}).\n"
            f"Execution reports (tracebacks of failing cells): {html_dir(build_dir) / 'reports'}\n"
            f"Build folder: {build_dir}",
            file=sys.stderr,
        )
        return result.returncode or 1
    return 0


def _fingerprint(seed: str, roots: list[Path], source: Path) -> str:
    """Hash of ``seed`` and of the names and contents (never times) of the files under ``roots``."""
    digest = hashlib.sha256(seed.encode("utf-8"))
    for root in roots:
        for path in sorted(root.rglob("*")) if root.is_dir() else [root]:
            if path.is_file() and "__pycache__" not in path.parts:
                name = path.relative_to(source) if path.is_relative_to(source) else path
                digest.update(f"\0{name}\0".encode())
                digest.update(path.read_bytes())
    return digest.hexdigest()


def inputs_fingerprint(source: Path = ROOT) -> str:
    """Hash of what chapters read besides their code cells (jupyter-book's execution cache key)."""
    names = ["scripts/ivigbook", "prose", "CHANGELOG.md", "CITATION.cff"]
    data = paths.data_dir()
    return _fingerprint(str(data), [data, *(source / name for name in names)], source)


#: Everything a build reads besides the data package, relative to the book's source.
BUILD_INPUTS = (
    "_config.yml",
    "_toc.yml",
    "CITATION.cff",
    "CHANGELOG.md",
    # served in downloads/ (ivigbook.publish.release.TOP_FILES)
    "LICENSE",
    "LICENSE-CC-BY-4.0.md",
    "requirements.txt",
    "chapters",
    "scripts/ivigbook",
    "prose",
    "_static",
    "_extra",
    "_templates",
)


def book_fingerprint(target: str, source: Path = ROOT) -> str:
    """Hash of every input of a build of ``target``, the data package and interpreter included."""
    data = paths.data_dir()
    roots = [data, *(source / name for name in BUILD_INPUTS)]
    return _fingerprint(f"{target}\0{sys.executable}\0{data}", roots, source)


#: The site's own files that no page's source names: Sphinx copies them only when it writes
#: pages, and writes none when no page changed, so a new ``_static/book.css`` (or table
#: bundle in ``_extra/``, html_extra_path) alone would never reach the site.
SITE_ASSETS = ("_static", "_extra", "_templates")


def assets_fingerprint(source: Path = ROOT) -> str:
    """Hash of the site's static files and templates (:data:`SITE_ASSETS`)."""
    return _fingerprint("", [source / name for name in SITE_ASSETS], source)


def _outputs(build_dir: Path, target: str) -> list[Path]:
    site = [html_dir(build_dir) / "index.html"]
    return {"html": site, "pdf": [pdf_path(build_dir)], "book": [*site, site_pdf_path(build_dir)]}[
        target
    ]


def up_to_date(target: str, build_dir: Path, source: Path = ROOT) -> bool:
    """True when the last build of ``target`` saw the current inputs and its outputs are there."""
    stamp = build_dir / f".{target}-fingerprint"
    if not stamp.is_file() or not all(p.is_file() for p in _outputs(build_dir, target)):
        return False
    return stamp.read_text() == book_fingerprint(target, source)


def _clear_if_changed(stamp: Path, current: str, stale: list[Path], why: str) -> Path:
    """Remove ``stale`` folders and the stamp unless the stamp holds ``current``."""
    if stamp.is_file() and stamp.read_text() == current:
        return stamp
    for folder in stale:
        if folder.exists():
            print(f"[ivigbook build] {why}: clearing {folder}", flush=True)
            shutil.rmtree(folder)
    stamp.unlink(missing_ok=True)
    return stamp


def _reset_if_inputs_changed(build_dir: Path, source: Path) -> Path:
    """Drop the execution cache and parsed pages when data or library changed: all re-execute."""
    stamp, current = build_dir / ".inputs-fingerprint", inputs_fingerprint(source)
    stale = [build_dir / ".jupyter_cache", build_dir / ".doctrees"]
    return _clear_if_changed(stamp, current, stale, "data or library changed")


def _rewrite_pages_if_assets_changed(build_dir: Path, source: Path) -> Path:
    """Drop the parsed pages (not the cache) when a static file or template changed."""
    stamp, current = build_dir / ".assets-fingerprint", assets_fingerprint(source)
    return _clear_if_changed(stamp, current, [build_dir / ".doctrees"], "static files changed")


def _validate_data() -> int:
    from ivigbook.analysis.grade import stale_ratings
    from ivigbook.data.load import load
    from ivigbook.data.validate import run_validation

    validation = run_validation(paths.data_dir())
    if validation.problems:
        for problem in validation.problems:
            print(problem, file=sys.stderr)
        print(
            f"BUILD REFUSED: the data package in {paths.data_dir()} is invalid; "
            "nothing was built and the previous build was left as it was.",
            file=sys.stderr,
        )
        return 1
    # Certainty ratings that predate a change of their trials, said loudly: the book shows
    # them as not yet re-rated until an editor rates them again (``findings.rated_on``).
    for row in stale_ratings(load(paths.data_dir())).itertuples(index=False):
        print(
            f"NOT RE-RATED: the certainty of {str(row.outcome_label).lower()} was rated before "
            f"{row.stale}; rate it again in findings.csv and downgrades.csv, then update its "
            "rated_on. Until then the book says the rating may no longer hold.",
            file=sys.stderr,
        )
    return 0


def build(target: str, build_dir: Path, source: Path = ROOT) -> int:
    """Validate the data, run jupyter-book strictly for ``target`` (``book``: the site, then
    the PDF copied into it) and record the inputs' fingerprints; the exit status (0: built)."""
    builders = {"html": ["html"], "pdf": ["pdflatex"], "book": ["html", "pdflatex"]}[target]
    # Every fingerprint is taken before the build: an edit made while it runs rebuilds next time.
    fingerprint = book_fingerprint(target, source)
    inputs_before, assets_before = inputs_fingerprint(source), assets_fingerprint(source)
    if _validate_data():
        return 1
    build_dir.mkdir(parents=True, exist_ok=True)
    for other in ("html", "pdf", "book"):  # any build of the folder may change its outputs
        (build_dir / f".{other}-fingerprint").unlink(missing_ok=True)
    stamp = _reset_if_inputs_changed(build_dir, source)
    assets = _rewrite_pages_if_assets_changed(build_dir, source)
    for builder in builders:
        status = _run_jb(source, build_dir, builder)
        if status:
            return status
    if "pdflatex" in builders and not pdf_path(build_dir).is_file():
        print(f"BUILD FAILED: no PDF at {pdf_path(build_dir)}", file=sys.stderr)
        return 1
    if target == "book":
        shutil.copy2(pdf_path(build_dir), site_pdf_path(build_dir))
        print(f"[ivigbook build] PDF copied into the site: {site_pdf_path(build_dir)}")
    stamp.write_text(inputs_before)
    assets.write_text(assets_before)
    (build_dir / f".{target}-fingerprint").write_text(fingerprint)
    return 0


def run(args: argparse.Namespace) -> int:
    build_dir, source = args.build_dir.resolve(), args.source.resolve()
    if args.up_to_date:
        if up_to_date(args.target, build_dir, source):
            print(f"[ivigbook build] {args.target}: nothing changed since the last build")
            return 0
        return 3
    return build(args.target, build_dir, source)


# Sphinx extension

#: The book's chart runtime, appended to the vega bundle (see :func:`vega_bundle`).
CHART_RUNTIME = Path(__file__).with_name("charts.js")


def vega_bundle() -> str:
    """The vega runtime, then the chart runtime; its only globals are vega, ivigChart, ivigViews."""
    import vl_convert as vlc

    version = vlc.get_vega_version()
    # vl-convert's own snippet imports vega's default export, which is null: import the whole
    # module (resolved inside vl-convert, nothing is downloaded).
    snippet = (
        f'import * as vegaModule from "https://cdn.jsdelivr.net/npm/vega@{version}/+esm";\n'
        "window.vega = vegaModule;"
    )
    return (
        f"/* vega {version}, bundled by vl-convert-python; then the book's chart runtime. */\n"
        "(function () {\n"
        + vlc.javascript_bundle(snippet)
        + "\n})();\n"
        + CHART_RUNTIME.read_text(encoding="utf-8")
    )


def write_vendor_files(static_dir: Path) -> None:
    """Write the chart runtime (:func:`vega_bundle`) into the site's static folder."""
    paths.write_if_changed(static_dir / VEGA_BUNDLE, vega_bundle().encode("utf-8"))


def _on_build_finished(app: Any, exception: Exception | None) -> None:
    if exception is None and app.builder.format == "html":
        write_vendor_files(Path(app.outdir) / "_static")


#: What in a page's body means it draws an interactive chart (static charts are SVG).
INTERACTIVE_CHART = "window.ivigChart("


def _on_page_context(
    app: Any, pagename: str, templatename: str, context: dict, doctree: Any
) -> None:
    """The vega bundle on the pages that draw an interactive chart, and on no other."""
    if INTERACTIVE_CHART in (context.get("body") or ""):
        app.add_js_file(VEGA_BUNDLE, priority=200, defer="defer")
    # No sphinx-thebe scripts: thebe is off, and its config script, added twice, throws.
    scripts = context.get("script_files")
    if scripts is not None:
        scripts[:] = [
            js
            for js in scripts
            if "sphinx-thebe" not in str(js.filename or "")
            and "THEBE_JS_URL" not in js.attributes.get("body", "")
        ]


def _no_math(self: Any, node: Any) -> None:
    from docutils import nodes
    from sphinx.util import logging

    logging.getLogger(__name__).warning(
        "math is not supported: the book loads no MathJax (offline site) [ivigbook.math]",
        location=node,
    )
    raise nodes.SkipNode


# Accessibility: names and roles that axe accepts.


def _figure_alt_directive() -> Any:
    from docutils import nodes
    from myst_nb.ext.glue.directives import PasteFigureDirective

    class AltPasteFigureDirective(PasteFigureDirective):
        """``glue:figure`` whose ``:alt:`` also labels the interactive chart it pastes."""

        def run(self) -> list[Any]:
            alt = " ".join(str(self.options.get("alt", "")).split())
            result = super().run()
            for figure in result if alt else []:
                for raw in list(figure.findall(nodes.raw)):
                    if "ivig-chart" in raw.astext():
                        labelled = label_chart_html(raw.astext(), alt)
                        raw.replace_self(nodes.raw("", labelled, format=raw["format"]))
            return result

    return AltPasteFigureDirective


CHART_DIV = re.compile(r'<div id="(ivig-chart-[0-9a-f]{16})" class="ivig-chart([^"]*)">')


def label_chart_html(text: str, alt: str) -> str:
    """Give every chart container in ``text`` role="img" and ``alt`` as aria-label."""
    label = html.escape(alt, quote=True)
    return CHART_DIV.sub(
        lambda m: (
            f'<div id="{m.group(1)}" class="ivig-chart{m.group(2)}" role="img" '
            f'aria-label="{label}">'
        ),
        text,
    )


def _visit_hidden_input(self: Any, node: Any) -> None:
    """myst-nb's hidden-input toggle without its mismatching aria-label (axe)."""
    self.body.append(f'<details class="admonition hide {" ".join(node["classes"])}">\n<summary>\n')
    for state, prompt in (("collapsed", node["prompt_show"]), ("expanded", node["prompt_hide"])):
        self.body.append(f'<p class="{state} admonition-title">{html.escape(prompt)}</p>\n')
    self.body.append("</summary>\n")


def _visit_citation(self: Any, node: Any) -> None:
    """A bibliography entry with role "listitem" (DPUB-ARIA's doc-biblioentry fails axe)."""
    if not isinstance(node.previous_sibling(), type(node)):
        self.body.append('<div role="list" class="citation-list">\n')
    self.body.append(self.starttag(node, "div", classes=[node.tagname], role="listitem"))


def _use_data_bibliography(app: Any, config: Any) -> None:
    """With IVIGBOOK_DATA_DIR set, cite from that package's references.bib."""
    bib = paths.data_dir() / "references.bib"
    if os.environ.get("IVIGBOOK_DATA_DIR") and bib.is_file():
        config.bibtex_bibfiles = [str(bib)]


def setup(app: Any) -> dict[str, Any]:
    from docutils import nodes
    from sphinx.transforms.post_transforms import SphinxPostTransform

    from ivigbook.publish.render import RAW_LATEX_MARKER

    class RawLatexOutputs(SphinxPostTransform):
        """``text/latex`` outputs from ivigbook.publish.render become raw LaTeX, not equations."""

        default_priority = 5
        formats = ("latex",)

        def run(self, **_: Any) -> None:
            for node in list(self.document.findall(nodes.math_block)):
                text = node.astext()
                if "text_latex" in node["classes"] and text.startswith(RAW_LATEX_MARKER):
                    node.replace_self(nodes.raw("", text + "\n", format="latex"))

    class NoCodeInPdf(SphinxPostTransform):
        """Code cells' inputs are left out of the PDF (chapters state assumptions in words)."""

        default_priority = 5
        formats = ("latex",)

        def run(self, **_: Any) -> None:
            for node in list(self.document.findall(nodes.container)):
                if "cell_input" in node["classes"]:
                    node.parent.remove(node)

    from docutils.writers._html_base import HTMLTranslator
    from myst_nb.sphinx_ import HideCodeCellNode, depart_HideCellInput

    # Accessibility: two of docutils' and myst-nb's HTML visitors, overridden.
    app.add_node(HideCodeCellNode, override=True, html=(_visit_hidden_input, depart_HideCellInput))
    app.add_node(
        nodes.citation, override=True, html=(_visit_citation, HTMLTranslator.depart_citation)
    )
    app.add_directive_to_domain("glue", "figure", _figure_alt_directive(), override=True)
    app.add_post_transform(RawLatexOutputs)
    app.add_post_transform(NoCodeInPdf)
    app.add_html_math_renderer(MATH_RENDERER, (_no_math, None), (_no_math, None))
    app.connect("config-inited", _use_data_bibliography, priority=100)
    app.connect("build-finished", _on_build_finished)
    app.connect("html-page-context", _on_page_context, priority=900)
    return {"version": "1", "parallel_read_safe": True, "parallel_write_safe": True}
