"""``python -m ivigbook release --build-dir DIR``: package one built book for offline use."""

from __future__ import annotations

import argparse
import datetime as dt
import hashlib
import io
import sys
import zipfile
from pathlib import Path

from ivigbook import paths
from ivigbook.paths import BUILD_DIR, ROOT, add_path_arguments, html_dir, visible_files
from ivigbook.publish.version import LICENCE_FILES, BookMetadata, book_metadata

#: The repository's files at the top of the release, and served in the site's downloads/:
#: the citation metadata, the changelog (with the versioning rule) and the two licences.
TOP_FILES = ("CITATION.cff", "CHANGELOG.md", *sorted(set(LICENCE_FILES.values())))


class ReleaseError(RuntimeError):
    """The build or the tree is not complete enough to release."""


def add_arguments(parser: argparse.ArgumentParser) -> None:
    add_path_arguments(
        parser,
        build_dir=(BUILD_DIR, "the book's build folder, holding html/ (default: _build)"),
        dist_dir=(ROOT / "dist", "where the zip is written (default: dist/ in the repository)"),
        data_dir=(None, "the data package folder (default: $IVIGBOOK_DATA_DIR or data/)"),
        pdf=(None, "the book's PDF (default: the one PDF inside BUILD_DIR/html)"),
    )


def zip_bytes(top: str, entries: dict[str, bytes], date: dt.date) -> bytes:
    """The book's one zip writer: deterministic bytes (sorted, dated ``date``, fixed modes)."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name in sorted(entries):
            info = zipfile.ZipInfo(f"{top}/{name}", date_time=(*date.timetuple()[:3], 0, 0, 0))
            info.create_system, info.external_attr = 3, 0o644 << 16
            info.compress_type = zipfile.ZIP_DEFLATED
            archive.writestr(info, entries[name], compresslevel=9)
    return buffer.getvalue()


def find_pdf(build_dir: Path) -> Path:
    """The book's PDF inside the built site; fails loudly when it is not there."""
    site = html_dir(build_dir)
    candidates = [p for p in visible_files(site) if p.suffix.lower() == ".pdf"]
    # Several PDFs (e.g. downloadable figures): the one LaTeX built, if it is unique.
    latex_names = {p.name for p in (build_dir / "latex").glob("*.pdf")}
    for found in (candidates, [p for p in candidates if p.name in latex_names]):
        if len(found) == 1:
            return found[0]
    if not candidates:
        msg = (
            f"no PDF in {site}: the release needs the book's PDF inside the site. "
            "Run `make book` (which builds the PDF and copies it into the site) first, "
            "or name the PDF with --pdf."
        )
        raise ReleaseError(msg)
    listed = ", ".join(str(p.relative_to(site)) for p in candidates)
    msg = f"several PDFs in {site} ({listed}); name the book's PDF with --pdf"
    raise ReleaseError(msg)


def book_template(name: str, **context: object) -> str:
    """One of the book's own Jinja2 templates, ``_templates/ivigbook/<name>``, rendered."""
    import jinja2

    loader = jinja2.FileSystemLoader(ROOT / "_templates" / "ivigbook")
    environment = jinja2.Environment(
        loader=loader, autoescape=name.endswith(".html"), keep_trailing_newline=True
    )
    return environment.get_template(name).render(**context)


def collect(
    build_dir: Path, data_dir: Path, meta: BookMetadata, pdf: Path | None = None
) -> dict[str, bytes]:
    """Archive path (relative to the top folder) -> contents. Checks everything first."""
    site = html_dir(build_dir)
    if not (site / "index.html").is_file():
        msg = (
            f"no built site: {site / 'index.html'} is missing. "
            "Run `make book` (or pass the right --build-dir) first."
        )
        raise ReleaseError(msg)
    pdf = pdf if pdf is not None else find_pdf(build_dir)
    if not pdf.is_file():
        msg = f"the PDF {pdf} does not exist"
        raise ReleaseError(msg)
    if not data_dir.is_dir():
        msg = f"no data package: {data_dir} is not a folder"
        raise ReleaseError(msg)

    entries = {
        "site/" + p.relative_to(site).as_posix(): p.read_bytes() for p in visible_files(site)
    }
    pdf_name = f"{meta.archive_name}.pdf"
    entries[pdf_name] = pdf.read_bytes()
    data_files = visible_files(data_dir)
    if not data_files:
        msg = f"the data package {data_dir} is empty"
        raise ReleaseError(msg)
    entries |= {f"data/{p.relative_to(data_dir).as_posix()}": p.read_bytes() for p in data_files}
    for name in TOP_FILES:
        source = ROOT / name
        if not source.is_file():
            msg = f"{source} is missing; every release carries it"
            raise ReleaseError(msg)
        entries[name] = source.read_bytes()
    readme = book_template("README-OFFLINE.txt", meta=meta, pdf_name=pdf_name)
    entries["README-OFFLINE.txt"] = readme.encode("utf-8")
    entries["SHA256SUMS"] = sha256sums(entries).encode("utf-8")
    return entries


def sha256sums(entries: dict[str, bytes]) -> str:
    """``sha256sum`` output (two spaces, text mode) for every entry but SHA256SUMS itself."""
    lines = [
        f"{hashlib.sha256(content).hexdigest()}  {name}"
        for name, content in sorted(entries.items())
        if name != "SHA256SUMS"
    ]
    return "\n".join(lines) + "\n"


def release(
    build_dir: Path,
    dist_dir: Path,
    data_dir: Path | None = None,
    pdf: Path | None = None,
    meta: BookMetadata | None = None,
) -> Path:
    """Build the release zip and return its path (written whole, then renamed into place)."""
    meta = meta or book_metadata()
    entries = collect(build_dir, data_dir or paths.data_dir(), meta, pdf)
    target = dist_dir / f"{meta.archive_name}.zip"
    target.parent.mkdir(parents=True, exist_ok=True)
    partial = target.with_name(f".{target.name}.partial")
    partial.write_bytes(zip_bytes(meta.archive_name, entries, meta.date_released))
    partial.replace(target)
    return target


def run(args: argparse.Namespace) -> int:
    try:
        target = release(args.build_dir, args.dist_dir, args.data_dir, args.pdf)
    except ReleaseError as error:
        print(f"release failed: {error}", file=sys.stderr)
        return 1
    with zipfile.ZipFile(target) as archive:
        count = len(archive.namelist())
    size_mb = target.stat().st_size / 1e6
    print(f"wrote {target} ({count} files, {size_mb:.1f} MB)")
    return 0
